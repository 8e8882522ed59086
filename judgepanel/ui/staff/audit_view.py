"""The audit log, newest last, with the hash-chain check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton

from judgepanel.model.staff.audit import AuditListing, broken_links, load_audit
from judgepanel.ui.staff.context import StaffContext
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import BAD, GOOD, Column, RowsModel, RowsTable, tone

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


class AuditScreen(Screen):
    topics = frozenset()  # every change adds an entry
    title_text = "Audit log"
    follows_round = False  # the whole program's rows, whichever round is chosen

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.hint(self.tr("Every change to this program, in order. Each entry is chained to "
                          "the one before it, so an entry changed or removed afterwards shows "
                          "up in the check."))
        bar = QHBoxLayout()
        self.check_button = QPushButton(self.tr("&Check the chain"))
        self.check_button.clicked.connect(self.check_chain)
        bar.addWidget(self.check_button)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName(self.tr("Chain check result"))
        bar.addWidget(self.result, 1)
        self.layout_.addLayout(bar)
        tr = self.tr
        self.model: RowsModel[AuditListing] = RowsModel([
            Column(tr("#"), lambda e: e.seq, align_right=True),
            Column(tr("When"), lambda e: e.at),
            Column(tr("Who"), lambda e: e.actor),
            Column(tr("What"), lambda e: e.action),
            Column(tr("Details"), lambda e: e.details, tooltip=lambda e: e.details),
        ], self)
        self.table = RowsTable(self.model, tr("Audit log"))
        self.layout_.addWidget(self.table, 1)
        self.broken: list[str] | None = None

    def reload(self) -> None:
        self.load(load_audit, self.table.set_rows)

    def check_chain(self) -> None:
        self.ctx.read(broken_links, self._checked, parent=self)

    def _checked(self, broken: list[str]) -> None:
        self.broken = broken
        if broken:
            text = self.tr("The log has been tampered with: {n} problems. ").format(
                n=len(broken)) + "; ".join(broken[:5])
            color = tone(BAD).name()
        else:
            text = self.tr("The chain is intact: no entry was changed or removed.")
            color = tone(GOOD).name()
        self.result.setText(f"<span style='color:{color}'>{text}</span>")
