"""Run the judge app offscreen and score through its widgets, printing what it shows as saved.

Used by test_kill.py: ``python -m tests.ui.judge.kill_driver BUNDLE SECRET_FILE``.
Each line ``SAVED app criterion score`` is printed only after the page's indicator
says "Saved" for that score; the test kills this process at some point and checks
that every printed score is in the workspace.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from judgepanel.crypto.identity import Identity  # noqa: E402
from judgepanel.ui.main_window import MainWindow  # noqa: E402


def main(bundle: str, secret_file: str) -> None:
    app = QApplication([])
    identity = Identity.from_secret_text(Path(secret_file).read_text())
    settings = QSettings(str(Path(secret_file).with_suffix(".ini")), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.show()
    window.judge.open_with(bundle, identity)
    deadline = time.monotonic() + 20
    while window.judge.page is None and time.monotonic() < deadline:
        app.processEvents()
    page = window.judge.page
    assert page is not None, window.judge.last_error
    for app_id in [a.id for a in page.session.applications]:
        page.session.declare(app_id, False)
    page.tabs.setCurrentWidget(page.reading)
    # One pass, each score set once (so the workspace must hold exactly what was printed).
    for row in range(page.model.rowCount()):
        app_id = page.model.app_id(row)
        page._select_in(page.app_list, app_id)
        for editor in page.panel.editors:
            values = editor.criterion.valid_scores()
            value = values[row % len(values)] if row else values[-1]
            page.saved_label.setText("")
            editor.score._choose(value)
            app.processEvents()
            if "Saved" in page.saved_label.text():
                print(f"SAVED {app_id} {editor.criterion.key} {value}", flush=True)
            time.sleep(0.02)  # a judge's pace, so the kill lands mid-way
    while True:  # wait to be killed
        time.sleep(1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
