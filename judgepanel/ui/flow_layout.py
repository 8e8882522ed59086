"""A row of controls that wraps onto the next line when the window is too narrow for it.

Why: a row of controls in a QHBoxLayout makes the window at least as wide as the row.
The panel meeting's row needed about 880 px, so at 1024 px the window grew past the
screen's edge. Here the row keeps one line when it fits and wraps when it does not:
a wide window (or the meeting's full window) keeps the line, a narrow one gets two.
Controls that belong together (a label and its box, the meeting's buttons) are added
as one group and wrap together; a stretch takes what a line leaves over, as in a
QHBoxLayout, so what follows it sits at the right while the row is one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLayout,
    QSizePolicy,
    QSpacerItem,
    QStyle,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QLayoutItem,
        QWidget,
    )


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new line where the next one does not fit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []

    def add_group(self, *widgets: QWidget) -> None:
        """Widgets that stay side by side on one line (a label and its box)."""
        group = QHBoxLayout()
        group.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            group.addWidget(widget)
        self.addChildLayout(group)
        self.addItem(group)

    def addStretch(self) -> None:  # noqa: N802 (named as QBoxLayout's)
        """Room that takes what its line leaves over (nothing once the line wraps there)."""
        self.addItem(QSpacerItem(0, 0, QSizePolicy.Policy.Expanding,
                                 QSizePolicy.Policy.Minimum))

    # --- QLayout ---------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt override)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt override)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt override)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt override)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt override)
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """All on one line."""
        line = [(item, item.sizeHint()) for item in self._shown()]
        return self._with_margins(_width(line, self._gap()),
                                  max((hint.height() for _, hint in line), default=0))

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt override)
        """As narrow as the widest item: every other one wraps."""
        sizes = [item.minimumSize() for item in self._shown()]
        return self._with_margins(max((s.width() for s in sizes), default=0),
                                  max((s.height() for s in sizes), default=0))

    # --- arranging -------------------------------------------------------------------

    def _shown(self) -> list[QLayoutItem]:
        """The items that take room: not a hidden widget (a stretch counts as empty)."""
        return [item for item in self._items
                if not item.isEmpty() or item.spacerItem() is not None]

    def _gap(self) -> int:
        spacing = self.spacing()
        if spacing >= 0:
            return spacing
        parent = self.parentWidget()
        style = parent.style() if parent is not None else None
        return style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing) if style else 6

    def _with_margins(self, width: int, height: int) -> QSize:
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Break the items into lines that fit ``rect``; with ``place``, put them there.
        Returns the height the lines take."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        gap = self._gap()
        lines: list[list[tuple[QLayoutItem, QSize]]] = []
        for item in self._shown():
            hint = item.sizeHint()
            if not lines or (item.spacerItem() is None and lines[-1]
                             and _width(lines[-1], gap) + gap + hint.width() > area.width()):
                lines.append([])
            lines[-1].append((item, hint))
        y = area.y()
        for line in lines:
            height = max(hint.height() for _, hint in line)
            if place:
                self._place(line, area, y, height, gap)
            y += height + gap
        return (y - gap if lines else y) - rect.y() + m.bottom()

    def _place(self, line: list[tuple[QLayoutItem, QSize]], area: QRect, y: int,
               height: int, gap: int) -> None:
        """One line: what it leaves over goes to its stretches; centred on the line."""
        stretches = [item for item, _ in line
                     if item.expandingDirections() & Qt.Orientation.Horizontal]
        share = max(area.width() - _width(line, gap), 0) // max(len(stretches), 1)
        parent = self.parentWidget()
        direction = (parent.layoutDirection() if parent is not None
                     else QGuiApplication.layoutDirection())
        x, after = area.x(), False
        for item, hint in line:
            solid = item.spacerItem() is None
            x += gap if solid and after else 0
            width = min(hint.width() + (share if item in stretches else 0), area.width())
            box = QRect(x, y + (height - hint.height()) // 2, width, hint.height())
            item.setGeometry(QStyle.visualRect(direction, area, box))
            x, after = x + width, after or solid


def _width(line: list[tuple[QLayoutItem, QSize]], gap: int) -> int:
    """A line's width: its items, and a gap between each two that are not stretches
    (as in a QBoxLayout)."""
    solid = sum(1 for item, _ in line if item.spacerItem() is None)
    return sum(hint.width() for _, hint in line) + gap * max(solid - 1, 0)
