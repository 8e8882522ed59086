"""Start the desktop app."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from judgepanel.paths import data_home
from judgepanel.ui import appearance
from judgepanel.ui.gc_guard import MainThreadGC
from judgepanel.ui.instance import DesktopApplication, InstanceServer, hand_over, server_name
from judgepanel.ui.main_window import MainWindow
from judgepanel.ui.smoke import smoke_check
from judgepanel.ui.tasks import favour_the_gui_thread

APP_ID = "org.judgepanel.JudgePanel"  # the .desktop, MIME and AppStream files' id


def app_settings() -> QSettings:
    """Settings live in the data folder (so JUDGEPANEL_HOME isolates them too)."""
    return QSettings(str(data_home() / "settings.ini"), QSettings.Format.IniFormat)


def run(path: str | None = None, fallback: str | None = None) -> int:
    """Show the main window; open ``path``, or ``fallback`` when nothing was opened before.

    When JudgePanel already runs for this person, ``path`` goes to its window instead
    and this launch ends at once.
    """
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else DesktopApplication(sys.argv[:1])
    app.setApplicationName("JudgePanel")
    app.setOrganizationName("JudgePanel")
    app.setApplicationDisplayName("JudgePanel")
    app.setDesktopFileName(APP_ID)  # Wayland: the window gets the .desktop entry's icon
    name = server_name()
    if hand_over(path, name):
        return 0
    instance = InstanceServer(name, app)
    # Cycles are collected on this thread only: see gc_guard.
    collector = MainThreadGC(app)
    favour_the_gui_thread()
    settings = app_settings()
    appearance.apply(app, appearance.chosen(settings))
    window = MainWindow(settings)
    instance.received.connect(window.receive)
    window.program_closed.connect(collector.request_full)
    if isinstance(app, DesktopApplication):  # macOS: double-clicks arrive as events
        app.file_open_requested.connect(window.open_path)
    window.show()
    # Opened from the event loop, so the window is on screen first.
    first = path or (fallback if fallback and not window.recent_files() else None)
    if first:
        QTimer.singleShot(0, lambda: window.open_path(first))
    if (smoke := smoke_check(window)) is not None:
        smoke.start(opening=bool(first))
    try:
        return app.exec()
    finally:
        instance.close()
        collector.stop()
