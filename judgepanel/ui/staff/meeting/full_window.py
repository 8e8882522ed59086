"""What the meeting shows, in the meeting's larger type; in full-window mode a window of its
own, full screen and larger still, to share on a screen (Escape, or closing it, leaves)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from judgepanel.ui.staff.screen import Screen

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QKeyEvent

SCALE = 1.35  # the meeting's type, against the app's: readable on a shared screen
FULL_SCALE = 1.7


class MeetingBody(QWidget):
    """The meeting's content; its home is the screen, except in full-window mode."""

    left = Signal()  # Escape, or the full window closed: back into the app

    def __init__(self, home: Screen) -> None:
        super().__init__()
        self.home = home
        self.body_layout = QVBoxLayout(self)
        self.body_layout.setContentsMargins(0, 0, 0, 0)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape and self.isWindow():
            self.left.emit()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        if self.isWindow():
            event.ignore()
            self.left.emit()
            return
        super().closeEvent(event)

    def scale(self, factor: float) -> None:
        """Type ``factor`` times the app's."""
        font = self.font()
        base = self.home.font().pointSizeF()
        font.setPointSizeF(base * factor if base > 0 else 12 * factor)
        self.setFont(font)

    def set_window(self, on: bool) -> None:
        """A window of its own, full screen (on), or back in the screen (off)."""
        if on:
            self.home.layout_.removeWidget(self)
            self.setParent(None)
            self.setWindowFlag(Qt.WindowType.Window, True)
            self.body_layout.setContentsMargins(24, 16, 24, 16)
            self.scale(FULL_SCALE)
            self.setGeometry(self.home.screen().geometry())  # also without a window manager
            self.showFullScreen()
        else:
            self.hide()
            self.setWindowFlag(Qt.WindowType.Window, False)
            self.body_layout.setContentsMargins(0, 0, 0, 0)
            self.scale(SCALE)
            self.home.layout_.addWidget(self, 1)
            self.show()
