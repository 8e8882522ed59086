"""The program at a glance: what is done, what is next, and the rounds."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from judgepanel.model.staff.overview import Overview, load_overview
from judgepanel.ui.staff.context import StaffContext
from judgepanel.ui.staff.screen import Screen


class OverviewScreen(Screen):
    topics = frozenset()  # everything shows up here

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Program overview"), parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Program summary"))
        self.layout_.addWidget(self.summary)
        form = QWidget()
        self.form = QFormLayout(form)
        self.layout_.addWidget(form)
        self.next_step = QLabel()
        self.next_step.setWordWrap(True)
        self.next_step.setAccessibleName(self.tr("Next step"))
        self.layout_.addWidget(self.next_step)
        self.layout_.addStretch(1)
        self.overview: Overview | None = None

    def reload(self) -> None:
        ws, round_id = self.ctx.workspace, self.ctx.round_id
        self.load(lambda s: load_overview(s, ws.program(s), round_id), self._show)

    def _show(self, overview: Overview) -> None:
        self.overview = overview
        self.summary.setText(f"<h3>{overview.program}</h3><p>{overview.description}</p>")
        while self.form.rowCount():
            self.form.removeRow(0)
        c = overview.counts
        labels = [
            (self.tr("Rounds"), ", ".join(r.label for r in overview.rounds) or self.tr("none")),
            (self.tr("Categories"), str(len(overview.categories))),
            (self.tr("Applications"), str(c["applications"])),
            (self.tr("Judges"), str(c["judges"])),
            (self.tr("Possible conflicts to decide"), str(c["open_conflicts"])),
            (self.tr("Assignments (this round)"), str(c["assignments"])),
            (self.tr("Bundles issued (this round)"), str(c["bundles"])),
            (self.tr("Results accepted (this round)"), str(c["results"])),
            (self.tr("Staff key"), self.tr("set") if overview.staff_key else self.tr("missing")),
        ]
        for name, value in labels:
            label = QLabel(value)
            label.setAccessibleName(name)
            self.form.addRow(name + ":", label)
        self.next_step.setText("<b>" + self.tr("Next:") + "</b> " + self._next(c))

    def _next(self, c: dict[str, int]) -> str:
        if not c["applications"]:
            return self.tr("Import the applications (Applications → Import).")
        if not c["judges"]:
            return self.tr("Enroll the judges from their cards (Judges → Add cards).")
        if c["open_conflicts"]:
            return self.tr("Decide the possible conflicts of interest (Conflicts).")
        if not c["assignments"]:
            return self.tr("Assign judges to applications (Assignment → Assign automatically).")
        if not c["bundles"]:
            return self.tr("Build the judges' bundles and send them (Bundles).")
        if c["results"] < c["bundles"]:
            return self.tr("Take in the judges' results files as they arrive (Results inbox).")
        return self.tr("Review the leaderboard, export it and write the reports (Leaderboard).")
