"""Results inbox: drop many .jpresults files; each is accepted or refused in plain words.

The merge (``merge_results``) does every check; this screen only shows its
rows: the latest batch first, then everything received before. Replays and
older exports are named as such, not as errors. Exports that diverged (two of one
judge's, made separately) wait in "Diverged exports" for staff to compare and choose
(``diverged_dialog``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.staff.results.diverged import DivergedListing, choose_export, list_diverged
from judgepanel.model.staff.results.ordering import NOT_NEEDED, SET_ASIDE
from judgepanel.model.staff.results.received import ReceivedListing, load_received
from judgepanel.ui.drops import accept_file_drag, dropped_files
from judgepanel.ui.staff.context import RESULTS, StaffContext
from judgepanel.ui.staff.diverged_dialog import DivergedDialog
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import BAD, GOOD, MUTED, Column, RowsModel, RowsTable, tr

if TYPE_CHECKING:
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    from judgepanel.model.staff.results.merging import MergeReport


def outcome_text(status: str, reason: str) -> str:
    if status == "accepted":
        return tr("accepted")
    if status == "replaced":
        return tr("accepted, later replaced")
    if reason == "replay":
        return tr("already merged (replay)")
    if reason == "older":
        return tr("older version, not used")
    if reason == "work_file":
        return tr("not results: a judge's unfinished work")
    if status == "held":
        return tr("held: diverged, choose one")
    if status == "set_aside":
        return tr("set aside (another chosen)")
    return tr("refused")


def outcome_tone(status: str, reason: str) -> str:
    if status in ("accepted", "replaced"):
        return GOOD
    return MUTED if reason in NOT_NEEDED or status == SET_ASIDE else BAD


class ResultsInboxScreen(Screen):
    topics = frozenset({RESULTS})
    title_text = "Results inbox"
    follows_round = False  # the whole program's rows, whichever round is chosen

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.hint(self.tr("Drop the judges' .jpresults files here (many at once is fine), or "
                          "choose them. Each file is checked: the right judge, a bundle you "
                          "issued, the newest export, complete and unaltered."))
        bar = QHBoxLayout()
        add = QPushButton(self.tr("&Add results files…"))
        add.clicked.connect(self._choose)
        bar.addWidget(add)
        bar.addStretch(1)
        self.layout_.addLayout(bar)
        tr = self.tr
        self.batch_label = QLabel(tr("Just merged:"))
        self.layout_.addWidget(self.batch_label)
        self.batch_model: RowsModel[Any] = RowsModel([
            Column(tr("File"), lambda r: Path(r.path).name),
            Column(tr("Judge"), lambda r: r.judge or ""),
            Column(tr("Export no."), lambda r: r.sequence, align_right=True),
            Column(tr("Outcome"), lambda r: outcome_text(r.status, r.reason or ""),
                   tone=lambda r: outcome_tone(r.status, r.reason or "")),
            Column(tr("What it means"), lambda r: "" if r.accepted else r.message,
                   tooltip=lambda r: r.message),
        ], self)
        self.batch = RowsTable(self.batch_model, tr("Results just merged"), search=False)
        self.layout_.addWidget(self.batch, 1)
        self.layout_.addWidget(QLabel(tr("Everything received:")))
        self.history_model: RowsModel[ReceivedListing] = RowsModel([
            Column(tr("Received"), lambda r: r.received_at),
            Column(tr("File"), lambda r: r.file_name),
            Column(tr("Judge"), lambda r: r.judge),
            Column(tr("Export no."), lambda r: r.sequence, align_right=True),
            Column(tr("Outcome"), lambda r: outcome_text(r.status, r.reason),
                   tone=lambda r: outcome_tone(r.status, r.reason)),
            Column(tr("What it means"), lambda r: r.message, tooltip=lambda r: r.message),
        ], self)
        self.history = RowsTable(self.history_model, tr("All results received"))
        self.layout_.addWidget(self.history, 2)
        self.diverged_label = QLabel(tr("<b>Diverged exports</b>: two exports of one judge "
                                        "made separately; the merged one counts until you "
                                        "choose."))
        self.diverged_label.setWordWrap(True)
        self.diverged_model: RowsModel[DivergedListing] = RowsModel([
            Column(tr("Judge"), lambda d: d.judge),
            Column(tr("Round"), lambda d: d.round_name),
            Column(tr("Merged export"), lambda d: d.merged.sequence, align_right=True),
            Column(tr("Held export"), lambda d: d.held.sequence, align_right=True),
            Column(tr("Differences"), lambda d: len(d.differences), align_right=True),
        ], self)
        self.diverged = RowsTable(self.diverged_model, tr("Diverged exports"), search=False)
        self.diverged.view.activated.connect(lambda _index: self.compare())
        self.compare_button = QPushButton(tr("&Compare and choose…"))
        self.compare_button.clicked.connect(self.compare)
        self.diverged_box = QWidget()
        box = QVBoxLayout(self.diverged_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.diverged_label)
        box.addWidget(self.diverged)
        box.addWidget(self.compare_button)
        self.diverged_box.hide()
        self.layout_.addWidget(self.diverged_box, 1)
        self.summary = QLabel()
        self.summary.setAccessibleName(tr("Merge result"))
        self.layout_.addWidget(self.summary)
        self.setAcceptDrops(True)

    def reload(self) -> None:
        ws = self.ctx.workspace

        def query(s: Any) -> tuple[list[ReceivedListing], list[DivergedListing]]:
            program = ws.program(s)
            return load_received(s, program), list_diverged(s, program)

        self.load(query, self._show)

    def _show(self, loaded: tuple[list[ReceivedListing], list[DivergedListing]]) -> None:
        received, diverged = loaded
        self.history.set_rows(received)
        self.diverged.set_rows(diverged)
        self.diverged_box.setVisible(bool(diverged))

    def compare(self, listing: DivergedListing | None = None,
                run: Callable[[QDialog], int] = lambda dialog: dialog.exec()) -> None:
        """Show the chosen diverged pair side by side; record the staff's choice."""
        if listing is None:
            rows = self.diverged_model.rows
            index = self.diverged.view.currentIndex()
            if not rows:
                return
            listing = rows[index.row()] if index.isValid() else rows[0]
        dialog = DivergedDialog(listing, self)
        if run(dialog) != QDialog.DialogCode.Accepted or not dialog.choice:
            return
        ws, held, choice, note = self.ctx.workspace, listing.held_id, dialog.choice, (
            dialog.note.text())
        self.ctx.write(lambda s: choose_export(s, ws.program(s), held, choice, note,
                                               ws.actor),
                       lambda _result: None, topic=RESULTS, parent=self)

    def _choose(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Choose results files"), "",
                                                self.tr("Results files (*.jpresults)"))
        if paths:
            self.merge([Path(p) for p in paths])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        accept_file_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        if paths := dropped_files(event):
            self.merge(paths)

    def merge(self, paths: Sequence[Path]) -> None:
        """Check and record ``paths``. Work files are refused by their name before the
        staff identity is asked for: a batch of only work files never asks for it."""
        from judgepanel.model.staff.results.merging import (
            MergeReport,
            merge_results,
            refuse_work_files,
        )

        work = refuse_work_files(paths)
        if len(work) == len(paths):
            self._show_report(MergeReport(list(work.values())))
            return
        identity = self.ctx.staff_identity(self)
        if identity is None:
            if work:  # the results wait for the identity; the work files are named now
                self._show_report(MergeReport(list(work.values())), self.tr(
                    " The results files were not checked: that needs the staff identity."))
            return
        ws = self.ctx.workspace

        def done(report: MergeReport) -> None:
            self._show_report(report)
            self.ctx.changed.emit(RESULTS)

        self.ctx.run(lambda progress: merge_results(ws, list(paths), identity, progress),
                     on_done=done, parent=self, label=self.tr("Checking results files…"),
                     cancellable=True)

    def _show_report(self, report: MergeReport, more: str = "") -> None:
        self.batch.set_rows(report.rows)
        held = (self.tr(" {n} held for you to compare and choose (below).").format(
            n=len(report.held)) if report.held else "")
        work = [r.path.name for r in report.rows if r.reason == "work_file"]
        named = (" " + self.tr("Not results, a judge's unfinished work: {files}. Ask the "
                               "judge for their results file (.jpresults).").format(
            files=", ".join(work)) if work else "")
        self.summary.setText(self.tr("{ok} of {n} files accepted.").format(
            ok=len(report.accepted), n=len(report.rows)) + held + named + more)
