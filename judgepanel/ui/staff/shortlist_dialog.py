"""Asks how to shortlist into the next round: the top N or a minimum score, and a name."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)


class ShortlistDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
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
