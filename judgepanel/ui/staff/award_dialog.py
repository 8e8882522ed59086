"""Asks for staff's award for one application: an exact amount (or none) and why.

The amount is read as a ``Decimal`` from the text typed (never through a float),
so 12,345.67 stays exactly that; the rules (not above the request, no fraction
of a cent) are the model's (``awards.set_award``), which refuses plainly.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from judgepanel.model.staff.decide.leaderboard import BoardRow


def parse_amount(text: str) -> Decimal | None:
    """``"12,500.50"`` -> Decimal("12500.50"); empty -> None; not money -> ValueError.

    The same reading as the import's (``importing.parse_amount``), so an amount
    typed here means what it means in a spreadsheet.
    """
    from judgepanel.model.staff.prepare.importing.rows import parse_amount as read_money

    return read_money(text) if text.strip() else None


class AwardDialog(QDialog):
    """The award for one application: full, partial, 0 to pass over, empty to follow the line."""

    def __init__(self, row: BoardRow, currency: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        app = row.application
        self.setWindowTitle(self.tr("Award for {ref}").format(ref=app.ref))
        form = QFormLayout(self)
        requested = "—" if app.requested is None else f"{app.requested:,.2f} {currency}".strip()
        form.addRow(QLabel(f"<b>{app.ref}</b> — {app.title}"))
        form.addRow(self.tr("Requested:"), QLabel(requested))
        current = app.awarded if app.awarded is not None else None
        self.amount = QLineEdit("" if current is None else f"{current:.2f}")
        self.amount.setPlaceholderText(self.tr("empty: follow the funding line"))
        self.amount.setAccessibleName(self.tr("Award"))
        form.addRow(self.tr("&Award:"), self.amount)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("why (kept in the audit log)"))
        self.note.setAccessibleName(self.tr("Reason"))
        form.addRow(self.tr("&Reason:"), self.note)
        self.error = QLabel()
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _accept_if_valid(self) -> None:
        try:
            parse_amount(self.amount.text())
        except ValueError:
            self.error.setText(self.tr("Type an amount such as 12500 or 12,500.50, or leave "
                                       "it empty."))
            return
        self.accept()

    def value(self) -> tuple[Decimal | None, str]:
        return parse_amount(self.amount.text()), self.note.text().strip()
