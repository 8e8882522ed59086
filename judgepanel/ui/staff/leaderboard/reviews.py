"""The drill-down: one application's reviews, every score, and each judge's two texts.

A judge writes comments for the panel (never shown to applicants) and feedback for
the applicant (issue #18). The table holds the scores, each criterion's panel comment
in its cell's tooltip; below it, the selected judge's two texts side by side, each
under its own label, so staff see what the panel reads and what may reach the
applicant. What may reach the applicant is the model's word
(``results.feedback.applicant_feedback``, read in the background by the screen).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.staff.decide.leaderboard import BoardRow, Leaderboard
from judgepanel.model.staff.results.feedback import Feedback
from judgepanel.model.staff.results.round_reviews import ReviewRecord
from judgepanel.ui.staff.table_model import MUTED, Column, RowsModel, RowsTable, tr


def review_columns(board: Leaderboard, feedback: Feedback) -> list[Column[ReviewRecord]]:
    columns: list[Column[ReviewRecord]] = [
        Column(tr("Judge"), lambda r: r.judge.name),
        Column(tr("Total (0–100)"), lambda r: r.total, align_right=True),
    ]
    for criterion in board.rubric.criteria:
        columns.append(Column(criterion.title, (lambda k: lambda r: r.scores.get(k))(
            criterion.key), tooltip=(lambda k: lambda r: r.comments.get(k, ""))(criterion.key),
            align_right=True))
    columns += [Column(tr("Overall comment (for the panel)"), lambda r: r.overall_comment),
                Column(tr("Overall feedback (for the applicant)"),
                       lambda r: _feedback_of(feedback, r)[1]),
                Column(tr("Counts?"), lambda r: r.excluded or tr("yes"),
                       tone=lambda r: None if r.counted else MUTED)]
    return columns


def _feedback_of(feedback: Feedback, review: ReviewRecord) -> tuple[Mapping[str, str], str]:
    return feedback.get((review.results_id, review.application.id), ({}, ""))


def texts_of(rubric: Rubric, per_criterion: Mapping[str, str], overall: str) -> str:
    """One judge's text (panel or applicant): the overall one, then each criterion's."""
    parts = [tr("Overall: {text}").format(text=overall)] if overall else []
    parts += [f"{c.title}: {per_criterion[c.key]}" for c in rubric.criteria
              if per_criterion.get(c.key)]
    return "\n\n".join(parts) or tr("(nothing written)")


class ReviewsDialog(QDialog):
    """One application's reviews, every criterion, comments and feedback (the drill-down)."""

    def __init__(self, board: Leaderboard, row: BoardRow, feedback: Feedback,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        app = row.application
        self.rubric, self.feedback = board.rubric, feedback
        self.setWindowTitle(self.tr("Reviews of {ref}").format(ref=app.ref))
        self.resize(900, 560)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{app.ref}</b> — {app.title}"))
        split = QSplitter(Qt.Orientation.Vertical)
        self.model: RowsModel[ReviewRecord] = RowsModel(review_columns(board, feedback), self)
        self.table = RowsTable(self.model, self.tr("Reviews"), search=False)
        self.table.set_rows([r for r in board.reviews if r.application.ref == app.ref])
        split.addWidget(self.table)
        texts = QWidget()
        side_by_side = QHBoxLayout(texts)
        side_by_side.setContentsMargins(0, 0, 0, 0)
        self.panel_text = self._text_box(side_by_side, self.tr("For the panel"), self.tr(
            "The judge's comments for the panel: never shown to the applicant"))
        self.applicant_text = self._text_box(side_by_side, self.tr("For the applicant"),
                                             self.tr("The judge's feedback for the applicant:"
                                                     " what the feedback report prints"))
        split.addWidget(texts)
        split.setSizes([260, 220])
        layout.addWidget(split, 1)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        layout.addWidget(close)
        self.table.view.selectionModel().currentRowChanged.connect(
            lambda _now, _before: self._show_texts())
        if self.model.rowCount():
            self.table.view.selectRow(0)
        self._show_texts()

    def _text_box(self, layout: QHBoxLayout, title: str, tip: str) -> QPlainTextEdit:
        box = QGroupBox(title)
        box.setToolTip(tip)
        inner = QVBoxLayout(box)
        text = QPlainTextEdit()
        text.setReadOnly(True)
        text.setAccessibleName(title)
        text.setAccessibleDescription(tip)
        inner.addWidget(text)
        layout.addWidget(box)
        return text

    def _show_texts(self) -> None:
        """The selected judge's comments for the panel and feedback for the applicant."""
        review = self.table.current_row()
        if review is None:
            self.panel_text.setPlainText("")
            self.applicant_text.setPlainText("")
            return
        self.panel_text.setPlainText(texts_of(self.rubric, review.comments,
                                              review.overall_comment))
        per_criterion, overall = _feedback_of(self.feedback, review)
        self.applicant_text.setPlainText(texts_of(self.rubric, per_criterion, overall))
