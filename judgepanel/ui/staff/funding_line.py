"""The funding line drawn across the leaderboard table, where the PDF draws it.

The model says where the budget runs out (``FundingLine.line_at``: the first
application that did not fit); this delegate draws a rule along the top of that
row, across every column, while the table is in ranking order (sorted by another
column the line would mean nothing, so it is not drawn). The row's tooltip says it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QStyledItemDelegate

from judgepanel.ui.staff.table_model import BAD, tone

if TYPE_CHECKING:
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex


class FundingLineDelegate(QStyledItemDelegate):
    """Paints the cells as usual, and the funding line above the row ``line_at`` names."""

    def __init__(self, view: QTableView, ref_at: Callable[[int], str | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.ref_at = ref_at  # proxy row -> the application reference shown there
        self.line_at: str | None = None
        self.in_rank_order: Callable[[], bool] = lambda: True

    def row_of_line(self) -> int | None:
        """The table row the line is drawn above, or None (no line, or another order)."""
        if self.line_at is None or not self.in_rank_order():
            return None
        for row in range(self.view.model().rowCount()):
            if self.ref_at(row) == self.line_at:
                return row if row > 0 else None
        return None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)
        if self.line_at is None or not self.in_rank_order():
            return
        if self.ref_at(index.row()) != self.line_at or index.row() == 0:
            return
        painter.save()
        pen = QPen(tone(BAD))
        pen.setWidth(2)
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        top = option.rect.top()  # type: ignore[attr-defined]
        painter.drawLine(option.rect.left(), top, option.rect.right(), top)  # type: ignore[attr-defined]
        painter.restore()
