"""A self-check the frozen app runs for CI, where no test code can reach inside it.

``JUDGEPANEL_SMOKE=REPORT`` (a file path): once the window has opened the file it
was given (or has failed to), or at once when it was given none, write one line
saying what it shows (the page, the window title, any dialog) to REPORT and quit
(bench/bench_package.py times start-up to the first window this way).
``JUDGEPANEL_SMOKE_IDENTITY=FILE``: a demo ``.identity`` file to open bundles with
instead of asking (demo keys are not secret). The packaged build's smoke test
(tests/packaging/test_frozen.py) uses both, on the offscreen platform, to open a
demo bundle and a staff workspace.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from judgepanel.ui.main_window import MainWindow

REPORT_ENV = "JUDGEPANEL_SMOKE"
IDENTITY_ENV = "JUDGEPANEL_SMOKE_IDENTITY"
POLL_MS = 200
GIVE_UP_MS = 90_000


class SmokeCheck:
    """Polls the window until a page or a dialog shows, reports it, and quits."""

    def __init__(self, window: MainWindow, report: Path) -> None:
        self.window = window
        self.report = report
        self.waited = 0
        self.opening = False
        self.shown_at = 0.0
        self.timer = QTimer(window)
        self.timer.timeout.connect(self.poll)
        identity_file = os.environ.get(IDENTITY_ENV)
        if identity_file:
            from judgepanel.formats.identity_file import read_identity_file

            def unlock(*_args: Any) -> Any:
                return read_identity_file(Path(identity_file))

            window.judge.unlock = unlock

    def start(self, *, opening: bool) -> None:
        """Poll until the file is open (``opening``), or report the first window now."""
        self.opening = opening
        self.timer.start(POLL_MS)
        QTimer.singleShot(0, self.poll)

    def poll(self) -> None:
        if not self.shown_at:  # the event loop runs, the window is up: start-up ends here
            self.shown_at = time.time()
        self.waited += POLL_MS
        page = self.window.pages.currentWidget()
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QProgressDialog):
            dialog = None  # still opening
        opened = page is not self.window.start_page or not self.opening
        if dialog is None and not opened and self.waited < GIVE_UP_MS:
            return
        if not self.timer.isActive():
            return  # already reported
        self.timer.stop()
        line = (f"page={type(page).__name__}\ttitle={self.window.windowTitle()}\t"
                f"dialog={dialog.windowTitle() if dialog is not None else ''}\t"
                f"status={self.window.statusBar().currentMessage()}\tshown_at={self.shown_at}")
        self.report.write_text(line + "\n", encoding="utf-8")
        QApplication.exit(0)

def smoke_check(window: MainWindow) -> SmokeCheck | None:
    report = os.environ.get(REPORT_ENV)
    return SmokeCheck(window, Path(report)) if report else None
