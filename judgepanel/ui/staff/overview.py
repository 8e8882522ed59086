"""The round at a glance: each judge's bundle and results, what is missing, what is next.

Everything shown comes from ``overview.load_dashboard`` (read in the background). Each
line is a link to the screen where it is dealt with (Tab reaches the links, Enter
follows one), and so is each judge's row (Enter or a double click: their bundle). The
screen also holds the round's own edits (take applications out of a later round,
delete a later round no bundle was built for) and the program's export option for
applicants' contact details.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
)

from judgepanel.model.staff.overview import JudgeProgress, RoundDashboard, load_dashboard
from judgepanel.model.staff.settings import EXPORTS_CONTACT_DETAILS, set_setting, setting_value
from judgepanel.ui.staff.context import PROGRAM, StaffContext
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import (
    BAD,
    GOOD,
    WARN,
    Column,
    RowsModel,
    RowsTable,
    date_text,
    tone,
    tr,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )

SCREEN_NAMES = {"rubric": "Rubric", "applications": "Applications", "judges": "Judges",
                "conflicts": "Conflicts", "assignment": "Assignment", "bundles": "Bundles",
                "results": "Results inbox", "leaderboard": "Leaderboard",
                "meeting": "Panel meeting"}


def screen_name(key: str) -> str:
    return tr(SCREEN_NAMES.get(key, key))


def next_step_text(code: str) -> str:
    """The next step in words (the model's codes, translated here)."""
    return {
        "rubric": tr("Set the round's rubric."),
        "import": tr("Import the applications."),
        "enroll": tr("Enroll the judges from their cards."),
        "conflicts": tr("Decide the possible conflicts of interest."),
        "assign": tr("Assign judges to the applications."),
        "rebuild": tr("Rebuild the outdated bundles and send them again."),
        "build": tr("Build the judges' bundles."),
        "send": tr("Send the bundles and tick them off as sent."),
        "remind": tr("Remind the judges past the due date, and take in their results."),
        "results": tr("Take in the judges' results files as they arrive."),
        "meeting": tr("Every review is in: hold the panel meeting and record each decision "
                      "with its reason."),
        "done": tr("Every application has the panel's decision: export the ranking and write "
                   "the reports."),
    }[code]


def bundle_text(j: JudgeProgress) -> str:
    if j.reached and j.bundle == "built":  # not ticked, but it reached them
        return tr("sent (its results came back)")
    return {"not built": tr("not built"), "built": tr("built, not sent"),
            "sent": tr("sent"), "outdated": tr("outdated — rebuild")}[j.bundle]


def bundle_tone(j: JudgeProgress) -> str | None:
    if j.reached:
        return GOOD
    return {"sent": GOOD, "outdated": WARN, "not built": WARN}.get(j.bundle)


def results_text(j: JudgeProgress) -> str:
    if j.results == "none yet":
        return tr("none yet")
    if j.results == "refused":
        return tr("export {n} refused — see the inbox").format(n=j.sequence or "?")
    return tr("export {n} received").format(n=j.sequence or "?")


def judge_columns() -> list[Column[JudgeProgress]]:
    return [
        Column(tr("Judge"), lambda j: j.name),
        Column(tr("Assigned"), lambda j: j.assigned, align_right=True),
        Column(tr("Bundle"), bundle_text, tone=bundle_tone),
        Column(tr("Sent"), lambda j: j.sent_at),
        Column(tr("Results"), results_text, tone=lambda j: {
            "accepted": GOOD, "refused": BAD}.get(j.results)),
        Column(tr("Received"), lambda j: j.received_at),
        Column(tr("Missing reviews"), lambda j: j.missing, align_right=True,
               tone=lambda j: BAD if j.late else (WARN if j.missing else None)),
        Column(tr("Due date"), lambda j: tr("past, reviews missing") if j.late else "",
               tone=lambda j: BAD if j.late else None),
    ]


def _link(key: str, text: str) -> str:
    return f"<a href='{key}'>{html.escape(text)}</a>"


def _confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def _edit_round(ctx: StaffContext, parent: QWidget, round_id: int) -> None:
    from judgepanel.ui.staff.round_dialog import RoundDialog

    dialog = RoundDialog(ctx, round_id, parent)
    dialog.open()


class OverviewScreen(Screen):
    """The dashboard of the round chosen in the toolbar (key ``overview``)."""

    topics = frozenset()  # everything shows up here
    title_text = "Round at a glance"

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Round summary"))
        self.layout_.addWidget(self.summary)
        next_box = QFrame()
        next_box.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(next_box)
        self.next_step = QLabel()
        self.next_step.setWordWrap(True)
        self.next_step.setAccessibleName(self.tr("Next step"))
        self.next_button = QPushButton()
        self.next_button.clicked.connect(self._go_next)
        row.addWidget(self.next_step, 1)
        row.addWidget(self.next_button)
        self.layout_.addWidget(next_box)
        self.lines = QLabel()
        self.lines.setWordWrap(True)
        self.lines.setAccessibleName(self.tr("Where the round stands"))
        self.lines.setTextFormat(Qt.TextFormat.RichText)
        self.lines.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.lines.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.lines.linkActivated.connect(self.ctx.navigate.emit)
        self.layout_.addWidget(self.lines)
        self.model: RowsModel[JudgeProgress] = RowsModel(judge_columns(), self)
        self.table = RowsTable(self.model, self.tr("Judges in this round"), search=False)
        self.table.view.activated.connect(self._open_row)
        self.layout_.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.edit_button = QPushButton(self.tr("&Edit this round…"))
        self.edit_button.setToolTip(self.tr("Take applications out of this round before any "
                                            "bundle holds them"))
        self.edit_button.clicked.connect(self.edit_round)
        self.delete_button = QPushButton(self.tr("&Delete this round…"))
        self.delete_button.setToolTip(self.tr("Only a later round that no bundle was built "
                                              "for"))
        self.delete_button.clicked.connect(self.delete_round)
        self.contacts = QCheckBox(self.tr(
            "E&xports include applicants' contact name and e-mail (to notify them)"))
        self.contacts.toggled.connect(self._contacts_toggled)
        for widget in (self.edit_button, self.delete_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.contacts)
        self.layout_.addLayout(bar)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Last action"))
        self.layout_.addWidget(self.status)
        self.dashboard: RoundDashboard | None = None
        # Dialog hooks (tests replace these).
        self.confirm: Callable[[QWidget, str, str], bool] = _confirm
        self.open_round_editor: Callable[[StaffContext, QWidget, int], None] = _edit_round

    # --- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        ws, round_id = self.ctx.workspace, self.ctx.round_id

        def query(session: Any) -> tuple[RoundDashboard | None, bool]:
            program = ws.program(session)
            return (load_dashboard(session, program, round_id),
                    setting_value(program, EXPORTS_CONTACT_DETAILS))

        self.load(query, self._show)

    def _show(self, result: tuple[RoundDashboard | None, bool]) -> None:
        d, contacts = result
        self.dashboard = d
        self.contacts.blockSignals(True)
        self.contacts.setChecked(contacts)
        self.contacts.blockSignals(False)
        if d is None:
            self.summary.setText(self.tr("This program has no round yet."))
            self.next_step.setText("<b>" + self.tr("Next:") + "</b> " + self.tr(
                "Add the first round (`judgepanel staff round add`)."))
            self.next_button.setEnabled(False)
            self.lines.clear()
            self.table.set_rows([])
            self.edit_button.setEnabled(False)
            self.delete_button.setEnabled(False)
            return
        self.next_button.setEnabled(True)
        r = d.round
        due = (self.tr("due {date}").format(date=date_text(r.due_at, time=False))
               if r.due_at is not None else self.tr("no due date"))
        if d.past_due:
            due = (f"<span style='color:{tone(BAD).name()}'>"
                   + self.tr("{due} — the due date has passed").format(due=due) + "</span>")
        self.summary.setText(
            f"<b>{html.escape(d.program)}</b> — "
            + self.tr("Round {n}: {name}").format(n=r.number, name=html.escape(r.name))
            + " · " + self.tr("{n} applications").format(n=d.applications)
            + " · " + self.tr("{n} judges enrolled").format(n=d.judges_enrolled)
            + " · " + due)
        self.next_step.setText("<b>" + self.tr("Next:") + "</b> "
                               + next_step_text(d.next_step.code))
        self.next_button.setText(self.tr("Go to {screen}").format(
            screen=screen_name(d.next_step.screen)))
        self.lines.setText(self._lines_html(d))
        self.table.set_rows(d.judges)
        later = r.number > 1
        self.edit_button.setEnabled(later)
        self.delete_button.setEnabled(later and all(j.bundle == "not built" for j in d.judges))

    def _lines_html(self, d: RoundDashboard) -> str:
        total = len(d.judges)
        built = total - d.count("not built")
        lines = [
            _link("bundles", self.tr("Bundles: {built} of {n} built, {sent} sent").format(
                built=built, n=total, sent=sum(1 for j in d.judges if j.reached)))
            + (" · <b>" + self.tr("{n} outdated: rebuild them").format(n=d.count("outdated"))
               + "</b>" if d.count("outdated") else ""),
            _link("results", self.tr("Results: {got} of {n} judges have sent theirs").format(
                got=sum(1 for j in d.judges if j.results == "accepted"), n=total)),
            _link("leaderboard", self.tr("Reviews still missing: {n}").format(n=d.missing)),
        ]
        late = d.late
        if late:
            lines.append(_link("results", self.tr("Past the due date: {names}").format(
                names=", ".join(j.name for j in late))))
        lines.append(_link("conflicts", self.tr("Conflicts to decide: {n}").format(
            n=d.open_conflicts)))
        if not d.has_rubric:
            lines.append(_link("rubric", self.tr("This round has no rubric yet")))
        return "<br>".join(lines)

    # --- going somewhere ------------------------------------------------------------------

    def _go_next(self) -> None:
        if self.dashboard is not None:
            self.ctx.navigate.emit(self.dashboard.next_step.screen)

    def _open_row(self, index: Any) -> None:
        column = self.model.columns[self.table.proxy.mapToSource(index).column()].title
        target = {tr("Results"): "results", tr("Received"): "results",
                  tr("Missing reviews"): "leaderboard", tr("Due date"): "results"}.get(
            column, "bundles")
        self.ctx.navigate.emit(target)

    # --- the round's edits and the export option ------------------------------------------

    def edit_round(self) -> None:
        if self.ctx.round_id is not None:
            self.open_round_editor(self.ctx, self, self.ctx.round_id)

    def delete_round(self) -> None:
        """Delete the round shown (a later one, without bundles), after asking."""
        from judgepanel.model.staff.prepare.rounds import delete_round, round_by_id

        d, ws = self.dashboard, self.ctx.workspace
        if d is None or d.round.number <= 1:
            return
        if not self.confirm(self, self.tr("Delete this round"), self.tr(
                "Delete round {n} ({name})? Its applications stay in the program; its "
                "assignments and rubric go. The audit log keeps what it held.").format(
                n=d.round.number, name=d.round.name)):
            return
        round_id = d.round.id

        def change(session: Any) -> None:
            delete_round(session, round_by_id(session, round_id), ws.actor)

        def done(_result: None) -> None:
            self.status.setText(self.tr("Deleted round {n}.").format(n=d.round.number))
            self.ctx.set_round(None)

        self.ctx.write(change, done, topic=PROGRAM, parent=self)

    def _contacts_toggled(self, on: bool) -> None:
        ws = self.ctx.workspace

        def change(session: Any) -> None:
            set_setting(session, ws.program(session), EXPORTS_CONTACT_DETAILS, on, ws.actor)

        self.ctx.write(change, lambda _r: self.status.setText(
            self.tr("Exports now include applicants' contact details.") if on else
            self.tr("Exports now leave out applicants' contact details.")), topic=PROGRAM,
            parent=self)
