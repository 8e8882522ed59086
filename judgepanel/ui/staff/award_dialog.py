"""Asks for staff's award for one application: an exact amount (or none) and why.

The amount is read as a ``Decimal`` from the text typed (never through a float),
so 12,345.67 stays exactly that, in the user's locale (12.345,67 in German). The
rules (not above the request, no fraction of a cent) are the model's
(``awards.check_award``), asked *before* the dialog closes: a refused amount is
explained in the dialog, which stays open with what was typed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
)

from judgepanel.errors import JudgePanelError
from judgepanel.model.staff.decide.awards import check_award
from judgepanel.model.staff.decide.leaderboard import BoardRow
from judgepanel.ui.staff.table_model import BAD, money_text, tone

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )


def parse_amount(text: str, locale: QLocale | None = None) -> Decimal | None:
    """``"12,500.50"`` -> Decimal("12500.50"); empty -> None; not money -> ValueError.

    The same reading as the import's (``importing.parse_amount``), so an amount
    typed here means what it means in a spreadsheet; in a locale that groups
    thousands with "." (German: 12.500), "12.500" is twelve thousand five hundred.
    """
    from judgepanel.model.staff.prepare.importing.rows import parse_amount as read_money

    text = text.strip()
    if not text:
        return None
    locale = locale or QLocale()
    if (locale.groupSeparator() == "." and locale.decimalPoint() == ","
            and re.fullmatch(r"-?[1-9]\d{0,2}(\.\d{3})+", text)):
        text = text.replace(".", "")
    return read_money(text)


class AwardDialog(QDialog):
    """The award for one application: full, partial, 0 to pass over, empty to follow the line."""

    def __init__(self, row: BoardRow, currency: str = "", parent: QWidget | None = None, *,
                 amount: str | None = None, note: str = "", problem: str = "") -> None:
        super().__init__(parent)
        app = row.application
        self.row = row
        self.setWindowTitle(self.tr("Award for {ref}").format(ref=app.ref))
        form = QFormLayout(self)
        requested = ("—" if app.requested is None
                     else f"{money_text(app.requested)} {currency}".strip())
        form.addRow(QLabel(f"<b>{app.ref}</b> — {app.title}"))
        form.addRow(self.tr("Requested:"), QLabel(requested))
        current = "" if app.awarded is None else money_text(app.awarded)
        self.amount = QLineEdit(current if amount is None else amount)
        self.amount.setPlaceholderText(self.tr("empty: follow the funding line"))
        self.amount.setAccessibleName(self.tr("Award"))
        amount_label = QLabel(self.tr("&Award:"))
        amount_label.setBuddy(self.amount)
        form.addRow(amount_label, self.amount)
        self.note = QLineEdit(note)
        self.note.setPlaceholderText(self.tr("why (kept in the audit log)"))
        self.note.setAccessibleName(self.tr("Reason"))
        note_label = QLabel(self.tr("&Reason:"))
        note_label.setBuddy(self.note)
        form.addRow(note_label, self.note)
        self.error = QLabel(problem)
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Problem"))
        self.error.setStyleSheet(f"color: {tone(BAD).name()}")
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _accept_if_valid(self) -> None:
        """Close only on an amount the model would take; otherwise say why and stay open."""
        app = self.row.application
        try:
            check_award(app.ref, app.requested, parse_amount(self.amount.text()))
        except ValueError:
            self.error.setText(self.tr("Type an amount such as 12500 or {example}, or leave "
                                       "it empty.").format(example=money_text(Decimal(
                                           "12500.50"))))
            self.amount.setFocus()
            return
        except JudgePanelError as error:
            self.error.setText(error.message)
            self.amount.setFocus()
            return
        self.accept()

    def value(self) -> tuple[Decimal | None, str]:
        return parse_amount(self.amount.text()), self.note.text().strip()


AwardAnswer = tuple[Decimal | None, str]
AwardAgain = tuple[str, str, str]  # (amount as typed, reason, why it was refused)


def ask_award(parent: QWidget, row: BoardRow, again: AwardAgain | None = None
              ) -> AwardAnswer | None:
    """The award for ``row`` (asked again, with ``again``, after a refusal), or None."""
    amount, note, problem = again if again is not None else (None, "", "")
    dialog = AwardDialog(row, parent=parent, amount=amount, note=note, problem=problem)
    return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
