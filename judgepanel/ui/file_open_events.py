"""macOS: Finder hands a double-clicked file to the running app as an event.

Other systems start the app with the file on its command line (a second launch hands
it to the running window: see instance), so only macOS needs this application
class; elsewhere the app makes a plain QApplication, which spares Python a call for
each of the application's own events (and PySide the QEvent types' 179 enum members
at start).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication


class DesktopApplication(QApplication):
    """The app's QApplication on macOS: Finder hands it double-clicked files as events.

    Finder sends the event to the application object itself, so overriding ``event``
    here catches it. (An event filter installed on the application would catch it too,
    but it sees every event of every widget: Python is called for each, and converting
    Qt's private objects to Python made PySide create some 150 enum types at start,
    about a fifth of the start-up time.)
    """

    file_open_requested = Signal(str)

    def event(self, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            path = event.file() or event.url().toLocalFile()
            if path:
                self.file_open_requested.emit(path)
                return True
        return super().event(event)
