"""The compendium's options: which form field holds each application's summary.

Forms name that field as they like ("Summary", "Practice summary", "Abstract"); the
report matches names without regard to case or spacing, and the officer picks the
field here (kept as the program setting ``summary_field``, so the command line and the
next report use the same one). Offered: the form fields the applications carry.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)


class SummaryFieldDialog(QDialog):
    """Choose the summary field; ``field()`` is None for "the usual names"."""

    def __init__(self, fields: Sequence[str], current: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Compendium"))
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr(
            "Each application's text in the compendium comes from one field of the "
            "application form.")))
        self.fields = QComboBox()
        self.fields.setAccessibleName(self.tr("Summary field"))
        self.fields.addItem(self.tr("(the usual: Summary, Abstract, Description)"), None)
        for name in fields:
            self.fields.addItem(name, name)
        wanted = self.fields.findData(current) if current else 0
        if current and wanted < 0:
            self.fields.addItem(current, current)
            wanted = self.fields.count() - 1
        self.fields.setCurrentIndex(max(wanted, 0))
        label = QLabel(self.tr("&Summary from:"))
        label.setBuddy(self.fields)
        form.addRow(label, self.fields)
        self.remember = QCheckBox(self.tr("&Keep this choice for the program"))
        self.remember.setChecked(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        form.addRow(self.remember)
        form.addRow(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    def field(self) -> str | None:
        value = self.fields.currentData()
        return None if value is None else str(value)


def ask_summary_field(parent: QWidget, fields: Sequence[str], current: str | None
                      ) -> tuple[str | None, bool] | None:
    """(field or None, keep it for the program), or None when cancelled."""
    dialog = SummaryFieldDialog(fields, current, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.field(), dialog.remember.isChecked()
