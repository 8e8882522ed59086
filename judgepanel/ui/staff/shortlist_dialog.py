"""Asks how to shortlist into the next round: the top N or a minimum score, where, a name.

Where: the ranking on screen (overall, or the one category shown), or every
category at once (the top N of each; an application in several categories is
taken once). The model (``shortlisting``) applies the rule and names any tie.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)


@dataclass(frozen=True)
class ShortlistChoice:
    name: str
    top: int | None
    threshold: float | None
    per_category: bool


class ShortlistDialog(QDialog):
    def __init__(self, category: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Shortlist into the next round"))
        form = QFormLayout(self)
        self.name_edit = QLineEdit(self.tr("Final round"))
        form.addRow(self.tr("&Name of the new round:"), self.name_edit)
        self.by_top = QRadioButton(self.tr("The &top"))
        self.by_top.setChecked(True)
        self.top_spin = QSpinBox()
        self.top_spin.setRange(1, 100000)
        self.top_spin.setValue(10)
        self.top_spin.setAccessibleName(self.tr("How many"))
        form.addRow(self.by_top, self.top_spin)
        self.by_score = QRadioButton(self.tr("Every application scoring at &least"))
        self.score_spin = QDoubleSpinBox()
        self.score_spin.setRange(0, 100)
        self.score_spin.setValue(60)
        self.score_spin.setAccessibleName(self.tr("Minimum score"))
        form.addRow(self.by_score, self.score_spin)
        self.per_category_box = QCheckBox(self.tr("In &every category (the top of each)"))
        self.per_category_box.setToolTip(self.tr(
            "Apply the rule within each category; an application in several categories "
            "goes through once"))
        where = (self.tr("Otherwise the overall ranking is used.") if category is None else
                 self.tr("Otherwise only the category “{name}” is used.").format(name=category))
        form.addRow(self.per_category_box)
        form.addRow(QLabel(where))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def name(self) -> str:
        return self.name_edit.text()

    def top(self) -> int | None:
        return self.top_spin.value() if self.by_top.isChecked() else None

    def threshold(self) -> float | None:
        return self.score_spin.value() if self.by_score.isChecked() else None

    def choice(self) -> ShortlistChoice:
        return ShortlistChoice(self.name(), self.top(), self.threshold(),
                               self.per_category_box.isChecked())
