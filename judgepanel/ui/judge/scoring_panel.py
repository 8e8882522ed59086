"""The scoring panel: one block per criterion, then the overall view and private notes.

Each review has two texts (issue #18), and every box says who will read it: the
comment is for the panel only (never shown to the applicant), the feedback is for the
applicant (it may be sent to them); the same for the overall comment and feedback.

The panel only displays a review and announces edits (``edited``); the page saves
them through the judging session and tells the panel the new total. Widgets are
built once per rubric and refilled per application, so switching applications
costs a few property sets, not a rebuild.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.judge.records import CONFIDENCE_LABELS, ReviewState
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.ui.judge.look import muted, span, warning
from judgepanel.ui.judge.score_control import ScoreControl, fmt_score

if TYPE_CHECKING:
    from PySide6.QtCore import QObject


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of rubric text; keep its blank-line paragraphs."""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


class TextBox:
    """A text box with a label that says what it is, who will read it and whether the
    rubric requires it now (the rule is ``criterion.comment`` or ``applicant_feedback``)."""

    def __init__(self, parent: QWidget, label: str, who: str, name: str, height: int,
                 placeholder: str) -> None:
        self.label = QLabel(parent)
        self.label.setWordWrap(True)
        self.who = who
        self.text = label
        self.edit = QPlainTextEdit(parent)
        self.edit.setTabChangesFocus(True)
        self.edit.setAccessibleName(name)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setFixedHeight(height)
        self.label.setBuddy(self.edit)

    def given(self) -> bool:
        return bool(self.edit.toPlainText().strip())

    def show_rule(self, owner: QWidget, required: bool, rule: str) -> None:
        """The label: the box's name, whether it is required (and given), who reads it."""
        quiet = muted(owner)
        if required and not self.given():
            flag = span(warning(owner), html.escape(owner.tr("(required)")))
        elif required:
            flag = span(quiet, html.escape(owner.tr("(required) ✓")))
        else:
            flag = span(quiet, html.escape(f"({rule})"))
        self.label.setText(f"{self.text} {flag}<br>" + span(quiet, html.escape(self.who)))
        self.edit.setAccessibleDescription(
            f"{self.who}. " + (owner.tr("Required") if required else rule))

    def set_text(self, text: str) -> None:
        if self.edit.toPlainText() != text:
            self.edit.blockSignals(True)
            self.edit.setPlainText(text)
            self.edit.blockSignals(False)


class CriterionEditor(QFrame):
    """Guidance, level descriptors, the score control, the comment for the panel and the
    feedback for the applicant of one criterion."""

    def __init__(self, criterion: Criterion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.criterion = criterion
        self.setObjectName(f"criterion-{criterion.key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.guidance = QLabel(reflow(criterion.guidance))
        self.guidance.setTextFormat(Qt.TextFormat.PlainText)
        self.guidance.setWordWrap(True)
        self.guidance.setForegroundRole(self.guidance.foregroundRole())
        self.guidance.setVisible(bool(criterion.guidance.strip()))
        self.levels = QLabel()
        self.levels.setWordWrap(True)
        self.levels.setVisible(bool(criterion.levels))
        self.score = ScoreControl(criterion)
        self.score.score_chosen.connect(self._update_marks)
        self.score.installEventFilter(self)
        panel_only = self.tr("For the panel only: never shown to the applicant")
        for_applicant = self.tr("For the applicant: may be sent to them")
        self.comment_box = TextBox(
            self, self.tr("&Comment for the panel"), panel_only,
            self.tr("Comment for the panel on “{title}”").format(title=criterion.title), 56,
            self.tr("What the program staff and the panel should know"))
        self.feedback_box = TextBox(
            self, self.tr("Feed&back for the applicant"), for_applicant,
            self.tr("Feedback for the applicant on “{title}”").format(title=criterion.title),
            56, self.tr("What you would tell the applicant"))
        self.comment_label, self.comment = self.comment_box.label, self.comment_box.edit
        self.feedback_label, self.feedback = self.feedback_box.label, self.feedback_box.edit
        for edit in (self.comment, self.feedback):
            edit.textChanged.connect(lambda: self._update_marks(self.score.value()))
            edit.installEventFilter(self)
        self.setProperty("current", False)

        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.guidance)
        layout.addWidget(self.levels)
        layout.addWidget(self.score)
        layout.addWidget(self.comment_label)
        layout.addWidget(self.comment)
        layout.addWidget(self.feedback_label)
        layout.addWidget(self.feedback)
        self._update_marks(None)

    def set_values(self, score: float | None, comment: str, feedback: str = "") -> None:
        self.score.set_value(score)
        self.comment_box.set_text(comment)
        self.feedback_box.set_text(feedback)
        self._update_marks(score)

    def comment_required(self) -> bool:
        return self.criterion.comment.requires_comment(self.score.value())

    def feedback_required(self) -> bool:
        return self.criterion.applicant_feedback.requires_comment(self.score.value())

    def first_missing(self) -> QWidget:
        """Where this criterion needs the judge: its score, a required text, or its score."""
        if self.score.value() is not None:
            if self.comment_required() and not self.comment_box.given():
                return self.comment
            if self.feedback_required() and not self.feedback_box.given():
                return self.feedback
        return self.score

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.mark_current(event.type() == QEvent.Type.FocusIn)
        return super().eventFilter(watched, event)

    def mark_current(self, on: bool) -> None:
        """The row being scored stands out: a bar in the highlight colour on its left."""
        self.setProperty("current", on)
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ border: 1px solid palette(mid); "
            "border-left: 5px solid palette(highlight); border-radius: 3px; }" if on else "")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        # Light <-> dark, or enabled <-> disabled (a conflict): the palette colours the
        # rich text, so recolour it.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.EnabledChange):
            self._update_marks(self.score.value())

    def _update_marks(self, score: object) -> None:
        value = score if isinstance(score, int | float) else None
        quiet = muted(self)
        criterion = self.criterion
        note = (self.tr("weight {weight}").format(weight=fmt_score(criterion.weight))
                if criterion.counts else self.tr("not counted in the total"))
        self.title.setText(f"<b>{html.escape(criterion.title)}</b> "
                           + span(quiet, "· " + html.escape(note)))
        lines = []
        for level in criterion.levels:
            text = f"{fmt_score(level.score)} — {html.escape(level.descriptor)}"
            lines.append(f"<b>{text}</b>" if value == level.score else span(quiet, text))
        self.levels.setText("<br>".join(lines))
        self.comment_box.show_rule(self, criterion.comment.requires_comment(value),
                                   criterion.comment.describe(self.tr("a comment")))
        self.feedback_box.show_rule(
            self, criterion.applicant_feedback.requires_comment(value),
            criterion.applicant_feedback.describe(self.tr("feedback")))


class ScoringPanel(QScrollArea):
    """All criteria of the rubric plus overall comment, confidence and private notes.

    ``edited(kind, key, value)``: kind is "score", "comment", "feedback", "overall",
    "overall_feedback", "confidence" or "note"; key is the criterion key (or "").
    """

    edited = Signal(str, str, object)
    unable_requested = Signal()
    unable_withdrawn = Signal()

    def __init__(self, rubric: Rubric, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rubric = rubric
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Never sideways: every row fits the panel's width from a 1024 px window on.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.total = QLabel()
        self.total.setObjectName("weightedTotal")
        self.total.setAccessibleName(self.tr("Weighted total"))
        font = self.total.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.total.setFont(font)
        self.total.setWordWrap(True)
        self.locked = QLabel()
        self.locked.setWordWrap(True)
        self.locked.hide()
        self.notice = QLabel()  # a gentle sign: a digit not on the scale, and where it went
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(self.tr("Notice"))
        self.notice.hide()
        self.unable_box = QFrame()
        self.unable_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.unable_text = QLabel()
        self.unable_text.setWordWrap(True)
        self.unable_text.setTextFormat(Qt.TextFormat.PlainText)
        self.unable_undo = QPushButton(self.tr("&Review it after all"))
        self.unable_undo.clicked.connect(self.unable_withdrawn)
        unable_layout = QVBoxLayout(self.unable_box)
        unable_layout.addWidget(self.unable_text)
        unable_layout.addWidget(self.unable_undo, alignment=Qt.AlignmentFlag.AlignLeft)
        self.unable_box.hide()
        layout.addWidget(self.total)
        layout.addWidget(self.locked)
        layout.addWidget(self.notice)
        layout.addWidget(self.unable_box)

        self.editors: list[CriterionEditor] = []
        self.form = QWidget()
        form_layout = QVBoxLayout(self.form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        for criterion in rubric.criteria:
            editor = CriterionEditor(criterion)
            editor.score.score_chosen.connect(
                lambda v, k=criterion.key: self.edited.emit("score", k, v))
            editor.score.score_chosen.connect(lambda _v: self.notice.hide())
            editor.score.off_scale.connect(
                lambda typed, e=editor: self.off_scale(e, typed))
            editor.comment.textChanged.connect(
                lambda e=editor: self.edited.emit("comment", e.criterion.key,
                                                  e.comment.toPlainText()))
            editor.feedback.textChanged.connect(
                lambda e=editor: self.edited.emit("feedback", e.criterion.key,
                                                  e.feedback.toPlainText()))
            self.editors.append(editor)
            form_layout.addWidget(editor)

        overall_box = QFrame()
        overall_box.setFrameShape(QFrame.Shape.StyledPanel)
        texts = QVBoxLayout(overall_box)
        panel_only = self.tr("For the panel only: never shown to the applicant")
        for_applicant = self.tr("For the applicant: may be sent to them")
        self.overall_box = TextBox(overall_box, self.tr("&Overall comment for the panel"),
                                   panel_only, self.tr("Overall comment for the panel"), 64,
                                   self.tr("Your overall view, for the panel"))
        self.overall_feedback_box = TextBox(
            overall_box, self.tr("Overall feedback for the a&pplicant"), for_applicant,
            self.tr("Overall feedback for the applicant"), 64,
            self.tr("Your overall feedback to the applicant"))
        self.overall = self.overall_box.edit
        self.overall_feedback = self.overall_feedback_box.edit
        self.overall.textChanged.connect(
            lambda: self.edited.emit("overall", "", self.overall.toPlainText()))
        self.overall_feedback.textChanged.connect(
            lambda: self.edited.emit("overall_feedback", "",
                                     self.overall_feedback.toPlainText()))
        for box in (self.overall_box, self.overall_feedback_box):
            box.edit.textChanged.connect(self._update_overall_marks)
            texts.addWidget(box.label)
            texts.addWidget(box.edit)
        overall = QFormLayout()
        overall.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        texts.addLayout(overall)
        self.confidence = QComboBox()
        self.confidence.setAccessibleName(self.tr("Confidence in your review"))
        self.confidence.addItem(self.tr("— not given"), None)
        names = {1: self.tr("very low"), 2: self.tr("low"), 3: self.tr("moderate"),
                 4: self.tr("high"), 5: self.tr("very high")}
        for level, label in CONFIDENCE_LABELS.items():
            self.confidence.addItem(f"{level} — {names.get(level, label)}", level)
        self.confidence.activated.connect(
            lambda i: self.edited.emit("confidence", "", self.confidence.itemData(i)))
        overall.addRow(self.tr("Confi&dence"), self.confidence)  # not Alt+F: the File menu
        self.unable_button = QPushButton(self.tr("&Unable to review…"))
        self.unable_button.setToolTip(self.tr(
            "For a reason other than a conflict of interest (outside your expertise, "
            "illness): say why, and this application counts as done"))
        self.unable_button.clicked.connect(self.unable_requested)
        overall.addRow("", self.unable_button)
        form_layout.addWidget(overall_box)

        notes_box = QFrame()
        notes_box.setFrameShape(QFrame.Shape.StyledPanel)
        notes_layout = QVBoxLayout(notes_box)
        notes_label = QLabel(self.tr("&Private notes") + " " + span(
            muted(self), html.escape(self.tr("(only on this computer, never sent)"))))
        notes_label.setWordWrap(True)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(64)
        self.note.setAccessibleName(self.tr("Private notes, never sent"))
        self.note.textChanged.connect(
            lambda: self.edited.emit("note", "", self.note.toPlainText()))
        notes_label.setBuddy(self.note)
        notes_layout.addWidget(notes_label)
        notes_layout.addWidget(self.note)

        layout.addWidget(self.form)
        layout.addWidget(notes_box)
        layout.addStretch()
        body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.setWidget(body)
        self._update_overall_marks()

    def _update_overall_marks(self) -> None:
        self.overall_box.show_rule(self, False, self.tr("optional"))
        required = self.rubric.overall_feedback_required
        self.overall_feedback_box.show_rule(self, required, self.tr("optional"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light <-> dark: recolour the labels
            self._update_overall_marks()

    # --- filling ------------------------------------------------------------------

    def show_review(self, review: ReviewState, *, scorable: bool, reason: str = "") -> None:
        """Load one application's review; ``scorable`` False greys the criteria out (so does
        "unable to review", which shows the judge's reason and a way back)."""
        self.notice.hide()
        unable = scorable and review.unable
        self.unable_box.setVisible(unable)
        self.unable_text.setText(self.tr(
            "You said you are unable to review this application: {reason}\nIt counts as done "
            "and goes to the staff as a review you could not give, with your reason.").format(
                reason=review.unable_reason) if unable else "")
        self.unable_button.setVisible(scorable and not unable)
        scorable = scorable and not unable
        self.blockSignals(True)
        try:
            for editor in self.editors:
                key = editor.criterion.key
                editor.set_values(review.scores.get(key), review.comments.get(key, ""),
                                  review.feedback.get(key, ""))
            self._set_text(self.overall, review.overall_comment)
            self._set_text(self.overall_feedback, review.overall_feedback)
            index = self.confidence.findData(review.confidence) if review.confidence else 0
            self.confidence.setCurrentIndex(max(index, 0))
            self._set_text(self.note, review.private_note)
        finally:
            self.blockSignals(False)
        self._update_overall_marks()
        self.form.setEnabled(scorable)
        self.locked.setText(reason)
        self.locked.setVisible(not scorable and bool(reason))
        self.set_total(review.total if scorable else None)

    def set_total(self, total: float | None) -> None:
        self.total.setText(
            self.tr("Total: {total} / 100").format(total=f"{total:.1f}") if total is not None
            else self.tr("Total: — (score every criterion)"))

    @staticmethod
    def _set_text(edit: QPlainTextEdit, text: str) -> None:
        if edit.toPlainText() != text:
            edit.setPlainText(text)

    # --- keyboard -----------------------------------------------------------------

    def current_index(self) -> int:
        """The criterion holding the focus (or -1)."""
        focus = self.focusWidget() if self.isAncestorOf(self.focusWidget() or self) else None
        for i, editor in enumerate(self.editors):
            if focus is not None and editor.isAncestorOf(focus):
                return i
        return -1

    def focus_criterion(self, index: int) -> None:
        if not self.editors:
            return
        index = max(0, min(len(self.editors) - 1, index))
        editor = self.editors[index]
        if not self.form.isEnabled():  # nothing to score here: the way back, or nothing
            target = self.unable_undo if self.unable_box.isVisibleTo(self) else None
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)
            self.verticalScrollBar().setValue(0)
            return
        for other in self.editors:  # marked at once, even before the window has the focus
            other.mark_current(other is editor)
        editor.score.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.ensureWidgetVisible(editor, 0, 40)

    def focus_missing(self, key: str | None) -> None:
        """From the missing-items list: criterion ``key``'s first missing item (its score
        or a required text), or with None the overall feedback when it is required and
        missing (else the first criterion)."""
        if key is None:
            if (self.form.isEnabled() and self.rubric.overall_feedback_required
                    and not self.overall_feedback_box.given()):
                self.overall_feedback.setFocus(Qt.FocusReason.OtherFocusReason)
                self.ensureWidgetVisible(self.overall_feedback, 0, 40)
                return
            self.focus_criterion(0)
            return
        keys = [e.criterion.key for e in self.editors]
        if key not in keys:
            return
        index = keys.index(key)
        self.focus_criterion(index)
        target = self.editors[index].first_missing()
        if self.form.isEnabled() and target is not self.editors[index].score:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            self.ensureWidgetVisible(target, 0, 40)

    def first_unscored(self) -> int:
        """The first criterion without a score (0 when every one has one)."""
        return next((i for i, e in enumerate(self.editors) if e.score.value() is None), 0)

    def focus_first_unscored(self) -> None:
        """Where a judge starts on an application: its first unscored criterion, in view."""
        self.verticalScrollBar().setValue(0)
        self.focus_criterion(self.first_unscored())

    def off_scale(self, editor: CriterionEditor, typed: str) -> None:
        """A digit that is no score on this criterion's scale: say so, quietly, in place."""
        text = self.tr("{typed} is not a score on “{title}” ({scale}).").format(
            typed=typed, title=editor.criterion.title, scale=editor.criterion.scale_text())
        self.notice.setText(span(warning(self), html.escape(text)))
        self.notice.show()
        QToolTip.showText(editor.score.mapToGlobal(editor.score.rect().bottomLeft()), text,
                          editor.score)

    def move_criterion(self, step: int) -> None:
        current = self.current_index()
        self.focus_criterion(0 if current < 0 else current + step)

    def editor(self, key: str) -> CriterionEditor:
        for editor in self.editors:
            if editor.criterion.key == key:
                return editor
        raise KeyError(key)

    def values(self) -> dict[str, Any]:
        """What the panel shows (for tests and checks)."""
        return {e.criterion.key: e.score.value() for e in self.editors}
