"""The overview: every assigned application at a glance, and the judge's own score spread.

The chart helps calibration ("I never give a 5 for innovation"), so it shows only
this judge's scores, per criterion, as a small bar row per scale point. Drawn with
QPainter: a chart module (QtCharts) would add a large download for five bars.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.ui.judge.models import APP_ID_ROLE, SORT_ROLE, OverviewModel

if TYPE_CHECKING:
    from PySide6.QtCore import (
        QModelIndex,
        QPersistentModelIndex,
    )
    from PySide6.QtGui import QPaintEvent

ROW_HEIGHT = 46
LABEL_WIDTH = 210


def distribution(rubric: Rubric, reviews: Iterable[Mapping[str, float | None]]
                 ) -> dict[str, Counter[float]]:
    """How often each score was given, per criterion (unscored criteria are skipped)."""
    counts: dict[str, Counter[float]] = {c.key: Counter() for c in rubric.criteria}
    for scores in reviews:
        for key, value in scores.items():
            if value is not None and key in counts:
                counts[key][float(value)] += 1
    return counts


class DistributionChart(QWidget):
    """Per criterion, one bar per scale point whose height is how often it was given."""

    def __init__(self, rubric: Rubric, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rubric = rubric
        self.counts: dict[str, Counter[float]] = {c.key: Counter() for c in rubric.criteria}
        self.setAccessibleName(self.tr("Distribution of your scores per criterion"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self.sizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(640, ROW_HEIGHT * len(self.rubric.criteria) + 8)

    def set_counts(self, counts: dict[str, Counter[float]]) -> None:
        self.counts = counts
        parts = []
        for criterion in self.rubric.criteria:
            given = counts.get(criterion.key, Counter())
            spread = ", ".join(f"{v:g}: {given[v]}" for v in criterion.valid_scores() if given[v])
            parts.append(f"{criterion.title}: {spread or self.tr('no scores yet')}")
        self.setAccessibleDescription("; ".join(parts))
        self.setToolTip("\n".join(parts))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        bar = palette.color(QPalette.ColorRole.Highlight)
        faint = palette.color(QPalette.ColorRole.Mid)
        for row, criterion in enumerate(self.rubric.criteria):
            top = 4 + row * ROW_HEIGHT
            self._paint_row(painter, criterion, QRectF(0, top, self.width(), ROW_HEIGHT - 6),
                            text, bar, faint)
        painter.end()

    def _paint_row(self, painter: QPainter, criterion: Criterion, area: QRectF,
                   text: object, bar: object, faint: object) -> None:
        given = self.counts.get(criterion.key, Counter())
        values = criterion.valid_scores()
        painter.setPen(text)  # type: ignore[arg-type]
        label = QRectF(area.left(), area.top(), LABEL_WIDTH - 10, area.height())
        painter.drawText(label, int(Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap),
                         criterion.title)
        plot_left = area.left() + LABEL_WIDTH
        width = max(40.0, area.width() - LABEL_WIDTH - 8)
        slot = width / max(len(values), 1)
        peak = max([given[v] for v in values] + [1])
        label_height = 14.0
        bar_space = area.height() - label_height
        metrics = painter.fontMetrics()
        for i, value in enumerate(values):
            left = plot_left + i * slot
            height = bar_space * given[value] / peak
            rect = QRectF(left + slot * 0.15, area.top() + bar_space - height, slot * 0.7, height)
            painter.fillRect(QRectF(rect.left(), area.top() + bar_space - 1, rect.width(), 1),
                             faint)  # type: ignore[arg-type]
            if given[value]:
                painter.fillRect(rect, bar)  # type: ignore[arg-type]
            if len(values) <= 21 or i % max(1, len(values) // 10) == 0:
                tag = f"{value:g}" + (f" ({given[value]})" if given[value] else "")
                if metrics.horizontalAdvance(tag) > slot:
                    tag = f"{value:g}"
                painter.drawText(QRectF(left, area.top() + bar_space, slot, label_height),
                                 int(Qt.AlignmentFlag.AlignCenter), tag)


class BlanksLast(QSortFilterProxyModel):
    """Sorts on ``SORT_ROLE``; a row with nothing to sort by (no total yet) stays at the
    bottom whichever way the column is sorted, instead of heading an ascending list."""

    def lessThan(self, left: QModelIndex | QPersistentModelIndex,  # noqa: N802 (Qt override)
                 right: QModelIndex | QPersistentModelIndex) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            if a is None and b is None:
                return left.row() < right.row()
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            return (b is None) == ascending  # blanks compare "greatest" when ascending
        return bool(a < b)


class OverviewPage(QWidget):
    """Sortable table of all applications above the judge's score distribution."""

    open_requested = Signal(str)

    def __init__(self, model: OverviewModel, rubric: Rubric,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = BlanksLast(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setAccessibleName(self.tr("All your applications"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(OverviewModel.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(OverviewModel.ORGANISATION, QHeaderView.ResizeMode.Stretch)
        for column in (OverviewModel.DECLARATION, OverviewModel.PROGRESS, OverviewModel.TOTAL):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(200)  # these columns hold short, similar texts
        self.table.activated.connect(self._activated)

        self.summary = QLabel()
        self.summary.setAccessibleName(self.tr("Summary of your progress"))
        chart_title = QLabel(self.tr("<b>Your scores per criterion</b> — compare how you use "
                                     "each scale; it helps you score consistently."))
        chart_title.setWordWrap(True)
        self.chart = DistributionChart(rubric)
        chart_box = QWidget()
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 8, 0, 0)
        chart_layout.addWidget(chart_title)
        chart_layout.addWidget(self.chart)
        chart_layout.addStretch()

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(chart_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, stretch=1)

    def _activated(self, index: QModelIndex) -> None:
        app_id = self.proxy.data(index, APP_ID_ROLE)
        if app_id:
            self.open_requested.emit(str(app_id))

    def refresh(self, counts: dict[str, Counter[float]]) -> None:
        """Redraw the chart and the one-line summary from the (already updated) model."""
        self.chart.set_counts(counts)
        rows = [self.model.progress(self.model.app_id(r)) for r in range(self.model.rowCount())]
        declared = sum(1 for p in rows if p is not None and p.declared)
        conflicts = sum(1 for p in rows if p is not None and p.conflict)
        complete = sum(1 for p in rows if p is not None and p.complete and not p.conflict)
        conflict_text = (self.tr("1 conflict") if conflicts == 1 else
                         self.tr("{n} conflicts").format(n=conflicts))
        self.summary.setText(self.tr(
            "{total} applications · {declared} declared · {conflicts} · "
            "{complete} fully scored").format(total=len(rows), declared=declared,
                                             conflicts=conflict_text, complete=complete))
