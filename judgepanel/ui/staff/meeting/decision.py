"""The meeting's decision form: the outcome, the award (shown for an outcome that funds),
the reason, the decision so far, and why a decision was not saved.

The form shows and reads; the screen saves (``MeetingScreen.save``). The form knows
whether what is typed is not saved yet (:meth:`DecisionForm.unsaved`), so it is not
dropped without asking when another round is chosen.
"""

from __future__ import annotations

import html
from decimal import Decimal

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.staff.decide.meeting import MeetingItem
from judgepanel.model.staff.settings import Outcome
from judgepanel.ui.staff.award_dialog import parse_amount
from judgepanel.ui.staff.table_model import money_text, tr


def outcome_label(name: str) -> str:
    """An outcome as the officer reads it: the default outcomes in their language, a
    program's own outcome names as the program wrote them."""
    known = {"winner": tr("winner"), "finalist": tr("finalist"),
             "honourable mention": tr("honourable mention"),
             "not selected": tr("not selected"), "funded": tr("funded"),
             "not funded": tr("not funded")}
    return known.get(name, name)


class DecisionForm(QWidget):
    """The decision on the application shown, as typed and as saved so far."""

    def __init__(self) -> None:
        super().__init__()
        self.outcomes: tuple[Outcome, ...] = ()  # the round's (the screen sets them)
        self._filling = False
        self._edits = self._saved = 0  # edits typed, and how many of them are saved
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.outcome = QComboBox()
        self.outcome.setAccessibleName(self.tr("Decision"))
        self.outcome.currentIndexChanged.connect(self._outcome_chosen)
        self.outcome.currentIndexChanged.connect(self._edited)
        self.amount = QLineEdit()
        self.amount.setAccessibleName(self.tr("Award"))
        self.amount.textChanged.connect(self._edited)
        self.amount.setPlaceholderText(self.tr("empty: the award set, else the amount "
                                               "requested"))
        self.amount_label = QLabel(self.tr("&Award:"))
        self.amount_label.setBuddy(self.amount)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(self.tr("Reason for the decision"))
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(self.tr("Why the panel decided so (required; the "
                                               "Decisions report prints it)"))
        self.reason.setMaximumHeight(90)
        self.reason.textChanged.connect(self._edited)
        decision_label = QLabel(self.tr("&Decision:"))
        decision_label.setBuddy(self.outcome)
        reason_label = QLabel(self.tr("&Reason:"))
        reason_label.setBuddy(self.reason)
        form.addRow(decision_label, self.outcome)
        form.addRow(self.amount_label, self.amount)
        form.addRow(reason_label, self.reason)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.current = QLabel()
        self.current.setAccessibleName(self.tr("Decision so far"))
        self.current.setWordWrap(True)
        self.save_button = QPushButton(self.tr("&Save decision (Ctrl+Enter)"))
        self.save_button.setDefault(True)
        self.clear_button = QPushButton(self.tr("C&lear decision"))
        self.problem = QLabel()
        self.problem.setAccessibleName(self.tr("Why the decision was not saved"))
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        layout.addWidget(self.problem)
        buttons.addWidget(self.current, 1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

    def enable(self, on: bool) -> None:
        """Whether there is an application to decide."""
        for widget in (self.outcome, self.reason, self.save_button, self.clear_button,
                       self.amount):
            widget.setEnabled(on)

    def funds(self, name: object) -> bool:
        """Whether the outcome called ``name`` sets the award."""
        return any(o.award and o.name == name for o in self.outcomes)

    def fill(self, item: MeetingItem) -> None:
        """Show ``item``'s decision as saved, for the officer to change."""
        self._filling = True
        self.outcome.blockSignals(True)
        self.outcome.clear()
        self.outcome.addItem(self.tr("(no decision)"), None)
        for choice in self.outcomes:
            self.outcome.addItem(outcome_label(choice.name), choice.name)
        decision = item.decision
        index = self.outcome.findData(decision.outcome) if decision else 0
        self.outcome.setCurrentIndex(max(index, 0))
        self.outcome.blockSignals(False)
        self.reason.setPlainText(decision.reason if decision else "")
        self.amount.setText(money_text(decision.award) if decision and decision.award
                            else "")
        self._outcome_chosen()
        self._filling = False
        self._saved = self._edits

    @property
    def edits(self) -> int:
        """Edits typed so far: give it to :meth:`saved` once what was typed is saved."""
        return self._edits

    def saved(self, edits: int) -> None:
        """What was typed up to ``edits`` is saved."""
        self._saved = max(self._saved, edits)

    def unsaved(self, item: MeetingItem) -> bool:
        """Whether the officer typed a decision on ``item`` that is not saved: edited since
        it was filled or saved, and other than the decision saved."""
        if self._edits == self._saved:
            return False
        d = item.decision
        outcome = self.outcome.currentData()
        award = money_text(d.award) if d is not None and d.award else ""
        return (outcome != (d.outcome if d else None)
                or self.reason.toPlainText().strip() != (d.reason.strip() if d else "")
                or (self.funds(outcome) and self.amount.text().strip() != award))

    def show_current(self, item: MeetingItem | None) -> None:
        """Say what is decided on ``item`` (nothing without an item)."""
        d = item.decision if item is not None else None
        if item is None or d is None:
            self.current.setText("" if item is None else self.tr("Not decided yet."))
            return
        award = f" ({money_text(d.award)})" if d.award else ""
        when = d.decided_at.strftime("%Y-%m-%d %H:%M") if d.decided_at else ""
        self.current.setText(self.tr("Decided: {outcome}{award}, by {who}, {when} UTC").format(
            outcome=outcome_label(d.outcome), award=award, who=d.decided_by, when=when))

    def award(self) -> Decimal | None:
        """The award typed (None: none typed, or not an outcome that funds); ValueError
        when what is typed is not an amount of money."""
        if self.amount.isVisible() and self.amount.text().strip():
            return parse_amount(self.amount.text())
        return None

    def say(self, text: str) -> None:
        """Why the decision was not saved (empty: nothing to say)."""
        self.problem.setText(f"<b>{html.escape(text, quote=False)}</b>" if text else "")
        self.problem.setVisible(bool(text))

    def _edited(self) -> None:
        if not self._filling:
            self._edits += 1

    def _outcome_chosen(self) -> None:
        funds = self.funds(self.outcome.currentData())
        self.amount.setVisible(funds)
        self.amount_label.setVisible(funds)
