"""A staff step that runs in the background with a label shows its "Working…" dialog once
it lasts 300 ms (modal: the officer cannot start a second step meanwhile), even when the
step reports no progress: Qt counts a progress dialog's delay only from its first value,
and otherwise shows it after 4 seconds."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QProgressDialog, QWidget

from judgepanel.ui.staff.context import StaffContext
from judgepanel.ui.tasks import TaskRunner

LABEL = "Screening every judge against every application…"


def test_a_long_step_shows_its_dialog_without_reporting_progress(qtbot: Any,
                                                                 tmp_path: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ctx = StaffContext(cast(Any, None), TaskRunner(), settings)  # run() needs no workspace
    release = threading.Event()

    def shown() -> bool:
        return any(d.isVisible() and d.labelText() == LABEL
                   for d in parent.findChildren(QProgressDialog))

    ctx.run(lambda _progress: release.wait(10), on_done=lambda _result: None, parent=parent,
            label=LABEL)
    try:
        qtbot.waitUntil(shown, timeout=2000)  # 300 ms asked; Qt's own fallback is 4 s
        assert next(d for d in parent.findChildren(QProgressDialog)).isModal()
    finally:
        release.set()
    qtbot.waitUntil(lambda: ctx.busy == 0, timeout=5000)
    assert not shown()
