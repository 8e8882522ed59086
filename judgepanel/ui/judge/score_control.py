"""A score on a criterion's scale, as one focusable control: digits, arrows, clicks.

Kept apart from the scoring panel (which lays out whole criteria) because it holds
the keyboard rules: a digit chooses that score (two digits in quick succession: 10),
arrows step, Backspace clears, clicking the chosen score again clears it, and a digit
that is not on the scale is announced (``off_scale``) instead of ignored in silence.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from judgepanel.model.rubric.criterion import Criterion

if TYPE_CHECKING:
    from PySide6.QtGui import QFocusEvent, QKeyEvent

MAX_BUTTONS = 11
DIGIT_WINDOW = 0.8  # seconds in which "1" then "0" means 10
CHOSEN = ("QPushButton:checked { background-color: palette(highlight); "
          "color: palette(highlighted-text); border: 1px solid palette(highlight); "
          "border-radius: 3px; padding: 4px; font-weight: bold; }")
"""The chosen score stands out in any palette (a style's own "checked" shade is faint)."""


def fmt_score(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class ScoreControl(QWidget):
    """A score on the criterion's scale: one focusable control, digits and arrows work.

    Small whole-number scales are a row of buttons (the buttons take no focus, the
    control does); other scales are a drop-down of the valid scores.
    """

    score_chosen = Signal(object)  # float | None
    off_scale = Signal(str)  # a digit typed that is not on the scale (what was typed)

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
                button = QPushButton(fmt_score(value))
                button.setCheckable(True)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                # Narrow enough for a 0-10 scale in a 340 px panel (1024 px window).
                button.setMinimumWidth(24)
                # Equal shares of the row, whatever each button's style: the chosen
                # style would otherwise leave a just-unchosen button squeezed.
                button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
                descriptor = criterion.descriptor(value)
                button.setToolTip(descriptor or "")
                button.setAccessibleName(
                    f"{fmt_score(value)}" + (f": {descriptor}" if descriptor else ""))
                button.clicked.connect(lambda _=False, v=value: self._choose(v, toggle=True))
                self.group.addButton(button)
                self.buttons.append(button)
                layout.addWidget(button, 1)
            self.setStyleSheet(CHOSEN)
        else:
            self.combo = QComboBox()
            self.combo.setAccessibleName(self.accessibleName())
            # Long level descriptors must not widen the panel: the list pops up wide.
            self.combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            self.combo.setMinimumContentsLength(10)
            self.combo.addItem("—", None)
            for value in self.values:
                descriptor = criterion.descriptor(value)
                label = fmt_score(value) + (f" — {descriptor}" if descriptor else "")
                self.combo.addItem(label, value)
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
            self.off_scale.emit(typed)  # a gentle sign, not silence
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


