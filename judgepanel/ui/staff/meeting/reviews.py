"""The meeting's reviews side by side: a row per criterion, then the total and the overall
comment; a column per judge who reviewed the application, lettered (Judge A, B, …), the
panel comments under each score."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from judgepanel.model.staff.decide.meeting import Meeting, MeetingItem
from judgepanel.reports.data import letters


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def points_text(value: float | None) -> str:
    """A total or a mean on the 0–100 scale, as the meeting shows it."""
    return "—" if value is None else f"{value:.1f}"


class ReviewsTable(QTableWidget):
    """The anonymised reviews of the application shown (read only)."""

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName(self.tr("Reviews side by side"))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(True)
        self.setTabKeyNavigation(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def show_none(self) -> None:
        self.clear()
        self.setRowCount(0)
        self.setColumnCount(0)

    def show_reviews(self, meeting: Meeting, item: MeetingItem) -> None:
        self.clear()
        rows = [title for _, title in meeting.criteria] + [self.tr("Total (0–100)"),
                                                           self.tr("Overall")]
        self.setRowCount(len(rows))
        self.setColumnCount(len(item.reviews) + 1)
        self.setHorizontalHeaderLabels(
            [self.tr("Criterion")] + [self.tr("Judge {letter}").format(letter=letters(r.judge))
                                      for r in item.reviews])
        bold = self.font()
        bold.setBold(True)
        for row, title in enumerate(rows):
            head = QTableWidgetItem(title)
            head.setFont(bold)
            self.setItem(row, 0, head)
        for column, review in enumerate(item.reviews, start=1):
            for row in range(len(meeting.criteria)):
                text = _score(review.scores[row])
                if review.comments[row].strip():
                    text += f"\n{review.comments[row].strip()}"
                self.setItem(row, column, QTableWidgetItem(text))
            self.setItem(len(meeting.criteria), column,
                         QTableWidgetItem(points_text(review.total)))
            self.setItem(len(meeting.criteria) + 1, column,
                         QTableWidgetItem(review.overall_comment.strip()))
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        # The criteria wrap in a quarter of the width; the judges share the rest.
        self.setColumnWidth(0, max(140, self.viewport().width() // 4))
        self.resizeRowsToContents()
