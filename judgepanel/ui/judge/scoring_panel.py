"""The scoring panel: one block per criterion, then the overall view and private notes.

The panel only displays a review and announces edits (``edited``); the page saves
them through the judging session and tells the panel the new total. Widgets are
built once per rubric and refilled per application, so switching applications
costs a few property sets, not a rebuild.
"""

from __future__ import annotations

import html
import time
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.judge.records import CONFIDENCE_LABELS, ReviewState
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.ui.judge.look import muted, span, warning

MAX_BUTTONS = 11
DIGIT_WINDOW = 0.8  # seconds in which "1" then "0" means 10
CHOSEN = ("QPushButton:checked { background-color: palette(highlight); "
          "color: palette(highlighted-text); border: 1px solid palette(highlight); "
          "border-radius: 3px; padding: 4px; font-weight: bold; }")
"""The chosen score stands out in any palette (a style's own "checked" shade is faint)."""


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of rubric text; keep its blank-line paragraphs."""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class ScoreControl(QWidget):
    """A score on the criterion's scale: one focusable control, digits and arrows work.

    Small whole-number scales are a row of buttons (the buttons take no focus, the
    control does); other scales are a drop-down of the valid scores.
    """

    score_chosen = Signal(object)  # float | None

    def __init__(self, criterion: Criterion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.criterion = criterion
        self.values = criterion.valid_scores()
        self._value: float | None = None
        self._typed = ""
        self._typed_at = 0.0
        self.setAccessibleName(self.tr("Score for “{title}”").format(title=criterion.title))
        self.setAccessibleDescription(criterion.scale_text())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(4)
        self.buttons: list[QPushButton] = []
        self.combo: QComboBox | None = None
        simple = len(self.values) <= MAX_BUTTONS and all(float(v).is_integer() for v in self.values)
        if simple:
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.group = QButtonGroup(self)
            self.group.setExclusive(False)
            for value in self.values:
                button = QPushButton(_fmt(value))
                button.setCheckable(True)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.setMinimumWidth(36)
                # Equal shares of the row, whatever each button's style: the chosen
                # style would otherwise leave a just-unchosen button squeezed.
                button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
                descriptor = criterion.descriptor(value)
                button.setToolTip(descriptor or "")
                button.setAccessibleName(
                    f"{_fmt(value)}" + (f": {descriptor}" if descriptor else ""))
                button.clicked.connect(lambda _=False, v=value: self._choose(v, toggle=True))
                self.group.addButton(button)
                self.buttons.append(button)
                layout.addWidget(button, 1)
            self.setStyleSheet(CHOSEN)
        else:
            self.combo = QComboBox()
            self.combo.setAccessibleName(self.accessibleName())
            self.combo.addItem("—", None)
            for value in self.values:
                descriptor = criterion.descriptor(value)
                self.combo.addItem(_fmt(value) + (f" — {descriptor}" if descriptor else ""), value)
            self.combo.activated.connect(
                lambda i: self._choose(self.combo.itemData(i) if self.combo else None))
            self.setFocusProxy(self.combo)
            layout.addWidget(self.combo)

    def value(self) -> float | None:
        return self._value

    def set_value(self, value: float | None) -> None:
        """Show ``value`` without announcing it (it came from the workspace)."""
        self._value = value
        for button, v in zip(self.buttons, self.values, strict=False):
            button.setChecked(value is not None and v == value)
        if self.combo is not None:
            index = self.combo.findData(value) if value is not None else 0
            self.combo.setCurrentIndex(max(index, 0))

    def _choose(self, value: float | None, *, toggle: bool = False) -> None:
        if toggle and value == self._value:
            value = None  # clicking the chosen score again clears it
        self.set_value(value)
        self.score_chosen.emit(value)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        text = event.text()
        key = event.key()
        if text.isdigit() and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            now = time.monotonic()
            typed = (self._typed + text) if now - self._typed_at < DIGIT_WINDOW else text
            self._typed, self._typed_at = typed, now
            for candidate in (typed, text):
                value = float(candidate)
                if value in self.values:
                    self._choose(value)
                    return
            return
        if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self._choose(None)
            return
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Left) and self.buttons:
            step = 1 if key == Qt.Key.Key_Right else -1
            if self._value is None:
                index = 0 if step > 0 else len(self.values) - 1
            else:
                index = max(0, min(len(self.values) - 1, self.values.index(self._value) + step))
            self._choose(self.values[index])
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        super().focusInEvent(event)
        self._frame(True)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        super().focusOutEvent(event)
        self._frame(False)

    def _frame(self, on: bool) -> None:
        self.setStyleSheet(CHOSEN + ("ScoreControl { border: 2px solid palette(highlight); "
                                     "border-radius: 4px; }" if on else ""))


class CriterionEditor(QFrame):
    """Guidance, level descriptors, the score control and the comment of one criterion."""

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
        self.comment_label = QLabel()
        self.comment = QPlainTextEdit()
        self.comment.setTabChangesFocus(True)
        self.comment.setAccessibleName(
            self.tr("Comment on “{title}”").format(title=criterion.title))
        self.comment.setPlaceholderText(self.tr("Your comment for the program staff"))
        self.comment.setFixedHeight(64)
        self.comment_label.setBuddy(self.comment)

        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.guidance)
        layout.addWidget(self.levels)
        layout.addWidget(self.score)
        layout.addWidget(self.comment_label)
        layout.addWidget(self.comment)
        self._update_marks(None)

    def set_values(self, score: float | None, comment: str) -> None:
        self.score.set_value(score)
        if self.comment.toPlainText() != comment:
            self.comment.blockSignals(True)
            self.comment.setPlainText(comment)
            self.comment.blockSignals(False)
        self._update_marks(score)

    def comment_required(self) -> bool:
        return self.criterion.comment.requires_comment(self.score.value())

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
        note = (self.tr("weight {weight}").format(weight=_fmt(criterion.weight))
                if criterion.counts else self.tr("not counted in the total"))
        self.title.setText(f"<b>{html.escape(criterion.title)}</b> "
                           + span(quiet, "· " + html.escape(note)))
        lines = []
        for level in criterion.levels:
            text = f"{_fmt(level.score)} — {html.escape(level.descriptor)}"
            lines.append(f"<b>{text}</b>" if value == level.score else span(quiet, text))
        self.levels.setText("<br>".join(lines))
        required = criterion.comment.requires_comment(value)
        rule = criterion.comment.describe()
        flag = (span(warning(self), html.escape(self.tr("(required)"))) if required
                else span(quiet, html.escape(f"({rule})")))
        self.comment_label.setText(self.tr("&Comment") + " " + flag)
        self.comment.setAccessibleDescription(self.tr("Required") if required else rule)


class ScoringPanel(QScrollArea):
    """All criteria of the rubric plus overall comment, confidence and private notes.

    ``edited(kind, key, value)``: kind is "score", "comment", "overall", "confidence"
    or "note"; key is the criterion key (or "").
    """

    edited = Signal(str, str, object)

    def __init__(self, rubric: Rubric, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rubric = rubric
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.total = QLabel()
        self.total.setObjectName("weightedTotal")
        self.total.setAccessibleName(self.tr("Weighted total"))
        font = self.total.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.total.setFont(font)
        self.locked = QLabel()
        self.locked.setWordWrap(True)
        self.locked.hide()
        layout.addWidget(self.total)
        layout.addWidget(self.locked)

        self.editors: list[CriterionEditor] = []
        self.form = QWidget()
        form_layout = QVBoxLayout(self.form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        for criterion in rubric.criteria:
            editor = CriterionEditor(criterion)
            editor.score.score_chosen.connect(
                lambda v, k=criterion.key: self.edited.emit("score", k, v))
            editor.comment.textChanged.connect(
                lambda e=editor: self.edited.emit("comment", e.criterion.key,
                                                  e.comment.toPlainText()))
            self.editors.append(editor)
            form_layout.addWidget(editor)

        overall_box = QFrame()
        overall_box.setFrameShape(QFrame.Shape.StyledPanel)
        overall = QFormLayout(overall_box)
        overall.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.overall = QPlainTextEdit()
        self.overall.setTabChangesFocus(True)
        self.overall.setFixedHeight(72)
        self.overall.setAccessibleName(self.tr("Overall comment"))
        self.overall.textChanged.connect(
            lambda: self.edited.emit("overall", "", self.overall.toPlainText()))
        self.confidence = QComboBox()
        self.confidence.setAccessibleName(self.tr("Confidence in your review"))
        self.confidence.addItem(self.tr("— not given"), None)
        names = {1: self.tr("very low"), 2: self.tr("low"), 3: self.tr("moderate"),
                 4: self.tr("high"), 5: self.tr("very high")}
        for level, label in CONFIDENCE_LABELS.items():
            self.confidence.addItem(f"{level} — {names.get(level, label)}", level)
        self.confidence.activated.connect(
            lambda i: self.edited.emit("confidence", "", self.confidence.itemData(i)))
        overall.addRow(self.tr("&Overall comment"), self.overall)
        overall.addRow(self.tr("Con&fidence"), self.confidence)
        form_layout.addWidget(overall_box)

        notes_box = QFrame()
        notes_box.setFrameShape(QFrame.Shape.StyledPanel)
        notes_layout = QVBoxLayout(notes_box)
        notes_label = QLabel(self.tr("&Private notes") + " " + span(
            muted(self), html.escape(self.tr("(only on this computer, never sent)"))))
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

    # --- filling ------------------------------------------------------------------

    def show_review(self, review: ReviewState, *, scorable: bool, reason: str = "") -> None:
        """Load one application's review; ``scorable`` False greys the criteria out."""
        self.blockSignals(True)
        try:
            for editor in self.editors:
                key = editor.criterion.key
                editor.set_values(review.scores.get(key), review.comments.get(key, ""))
            self._set_text(self.overall, review.overall_comment)
            index = self.confidence.findData(review.confidence) if review.confidence else 0
            self.confidence.setCurrentIndex(max(index, 0))
            self._set_text(self.note, review.private_note)
        finally:
            self.blockSignals(False)
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
        editor.score.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.ensureWidgetVisible(editor, 0, 40)

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
