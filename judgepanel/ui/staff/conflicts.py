"""Conflicts: run the screening, confirm or dismiss findings, see judges' declarations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton

from judgepanel.model.staff.prepare.conflicts import ConflictListing, load_conflicts
from judgepanel.ui.staff.context import CONFLICTS, JUDGES, RESULTS, StaffContext
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import BAD, GOOD, MUTED, WARN, Column, RowsModel, RowsTable, tr
from judgepanel.ui.staff.undo import dismiss_conflicts

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

_STATUS_TONE = {"open": WARN, "confirmed": BAD, "dismissed": MUTED}


def conflict_columns() -> list[Column[ConflictListing]]:
    sources = {"screening": tr("screening"), "declared": tr("judge declared"),
               "staff": tr("staff")}
    statuses = {"open": tr("to decide"), "confirmed": tr("confirmed"),
                "dismissed": tr("dismissed")}
    return [
        Column(tr("#"), lambda c: c.id, align_right=True),
        Column(tr("Judge"), lambda c: c.judge),
        Column(tr("Application"), lambda c: c.application, tooltip=lambda c: c.title),
        Column(tr("Found by"), lambda c: sources.get(c.source, c.source),
               tone=lambda c: GOOD if c.source == "declared" else None),
        Column(tr("Status"), lambda c: statuses.get(c.status, c.status),
               tone=lambda c: _STATUS_TONE.get(c.status)),
        Column(tr("Why"), lambda c: c.reasons),
        Column(tr("Decision note"), lambda c: c.note),
    ]


class ConflictsScreen(Screen):
    topics = frozenset({CONFLICTS, JUDGES, RESULTS})
    title_text = "Conflicts of interest"
    follows_round = False  # the whole program's rows, whichever round is chosen

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.hint(self.tr("Screening compares every judge's city, organisation, e-mail domain "
                          "and affiliations with every application. Confirm a real conflict "
                          "(the judge will not review it) or dismiss a harmless match with a "
                          "reason. Judges' own declarations appear here when results arrive."))
        bar = QHBoxLayout()
        self.screen_button = QPushButton(self.tr("&Screen now"))
        self.screen_button.clicked.connect(self.run_screening)
        self.confirm_button = QPushButton(self.tr("&Confirm"))
        self.confirm_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.dismiss_button = QPushButton(self.tr("&Dismiss…"))
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.show_filter = QComboBox()
        self.show_filter.setAccessibleName(self.tr("Show"))
        for text, value in ((self.tr("All"), None), (self.tr("To decide"), "open"),
                            (self.tr("Confirmed"), "confirmed"),
                            (self.tr("Dismissed"), "dismissed"),
                            (self.tr("Declared by judges"), "declared")):
            self.show_filter.addItem(text, value)
        self.show_filter.currentIndexChanged.connect(self._filter)
        for widget in (self.screen_button, self.confirm_button, self.dismiss_button,
                       self.show_filter):
            bar.addWidget(widget)
        bar.addStretch(1)
        self.layout_.addLayout(bar)
        self.model: RowsModel[ConflictListing] = RowsModel(conflict_columns(), self)
        self.table = RowsTable(self.model, self.tr("Conflicts"))
        self.layout_.addWidget(self.table, 1)
        self.summary = QLabel()
        self.summary.setAccessibleName(self.tr("Screening result"))
        self.layout_.addWidget(self.summary)
        self.all_rows: list[ConflictListing] = []

    def reload(self) -> None:
        ws = self.ctx.workspace
        self.load(lambda s: load_conflicts(s, ws.program(s)), self._show)

    def _show(self, data: list[ConflictListing]) -> None:
        self.all_rows = data
        self._filter()

    def _filter(self) -> None:
        wanted = self.show_filter.currentData()
        self.table.set_rows([c for c in self.all_rows if wanted is None or c.status == wanted
                             or (wanted == "declared" and c.source == "declared")])

    def run_screening(self) -> None:
        from judgepanel.model.staff.prepare.conflicts import screen

        ws = self.ctx.workspace
        self.ctx.write(lambda s: screen(s, ws.program(s), ws.actor).summary(),
                       self.summary.setText, topic=CONFLICTS, parent=self,
                       label=self.tr("Screening every judge against every application…"))

    def confirm_selected(self) -> None:
        from judgepanel.model.staff.prepare import conflicts as rules
        from judgepanel.model.staff.schema.program import Conflict

        shown = {c.id: c.version for c in self.table.selected_rows()}
        if not shown:
            return
        actor = self.ctx.workspace.actor

        def change(session: Any) -> None:
            for cid, version in shown.items():
                rules.confirm(session, session.get(Conflict, cid), actor,
                              expected_version=version)

        self.ctx.write(change, lambda _r: None, topic=CONFLICTS, parent=self)

    def dismiss_selected(self) -> None:
        picked = self.table.selected_rows()
        if not picked:
            return
        note = self.ctx.ask_text(self, self.tr("Dismiss"), self.tr(
            "Why is this not a conflict of interest? (kept in the audit log)"))
        if note is None:
            return
        text = (self.tr("Dismiss 1 conflict") if len(picked) == 1 else
                self.tr("Dismiss {n} conflicts").format(n=len(picked)))
        dismiss_conflicts(self.ctx, {c.id: c.version for c in picked}, note, text)
