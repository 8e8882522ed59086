"""Start the desktop app."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from judgepanel.paths import data_home
from judgepanel.ui import appearance
from judgepanel.ui.gc_guard import MainThreadGC
from judgepanel.ui.instance import InstanceServer, hand_over, server_name
from judgepanel.ui.main_window import MainWindow
from judgepanel.ui.smoke import smoke_check
from judgepanel.ui.tasks import favour_the_gui_thread

APP_ID = "org.judgepanel.JudgePanel"  # the .desktop, MIME and AppStream files' id


def app_settings() -> QSettings:
    """Settings live in the data folder (so JUDGEPANEL_HOME isolates them too)."""
    return QSettings(str(data_home() / "settings.ini"), QSettings.Format.IniFormat)


def new_application(arguments: list[str]) -> QApplication:
    """The application object: on macOS one that reports Finder's file-open events."""
    if sys.platform == "darwin":
        from judgepanel.ui.file_open_events import DesktopApplication

        return DesktopApplication(arguments)
    return QApplication(arguments)


def run(path: str | None = None, fallback: str | None = None) -> int:
    """Show the main window; open ``path``, or ``fallback`` when nothing was opened before.

    When JudgePanel already runs for this person, ``path`` goes to its window instead
    and this launch ends at once.
    """
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
        appearance.use_fusion(app)
    else:
        app = new_application([*sys.argv[:1], *appearance.FUSION_ARGUMENTS])
    app.setApplicationName("JudgePanel")
    app.setOrganizationName("JudgePanel")
    app.setApplicationDisplayName("JudgePanel")
    app.setDesktopFileName(APP_ID)  # Wayland: the window gets the .desktop entry's icon
    name = server_name()
    if hand_over(path, name):
        return 0
    # Cycles are collected on this thread only: see gc_guard.
    collector = MainThreadGC(app)
    favour_the_gui_thread()
    settings = app_settings()
    appearance.set_palette(app, appearance.chosen(settings))
    window = MainWindow(settings)
    window.program_closed.connect(collector.request_full)
    # macOS: double-clicked files arrive as events (see file_open_events).
    if (file_requests := getattr(app, "file_open_requested", None)) is not None:
        file_requests.connect(window.open_path)
    window.show()
    # Opened from the event loop, so the window is on screen first.
    first = path or (fallback if fallback and not window.recent_files() else None)
    if first:
        QTimer.singleShot(0, lambda: window.open_path(first))
    if (smoke := smoke_check(window)) is not None:
        smoke.start(opening=bool(first))
    instance = InstanceServer(name, app)
    instance.received.connect(window.receive)
    QTimer.singleShot(0, instance.listen)  # for later launches, once this window is up
    try:
        return app.exec()
    finally:
        instance.close()
        collector.stop()
