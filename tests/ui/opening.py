"""Opening a program folder in the main window, which happens in the background."""

from __future__ import annotations

from typing import Any

from judgepanel.ui.main_window import MainWindow

TIMEOUT_MS = 20_000


def open_and_wait(qtbot: Any, window: MainWindow, path: str) -> None:
    """``window.open_path(path)`` for a program folder, returning once its staff app shows."""
    with qtbot.waitSignal(window.program_shown, timeout=TIMEOUT_MS):
        window.open_path(path)
