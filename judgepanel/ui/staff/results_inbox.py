"""Results inbox: drop many .jpresults files; each is accepted or refused in plain words.

The merge (``merge_results``) does every check; this screen only shows its
rows: the latest batch first, then everything received before. Replays and
older exports are named as such, not as errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from judgepanel.model.staff.results.received import ReceivedListing, load_received
from judgepanel.ui.drops import accept_file_drag, dropped_files
from judgepanel.ui.staff.context import RESULTS, StaffContext
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import BAD, GOOD, MUTED, Column, RowsModel, RowsTable, tr

QUIET_REASONS = ("replay", "older")  # nothing wrong: the file was simply not needed


def outcome_text(status: str, reason: str) -> str:
    if status == "accepted":
        return tr("accepted")
    if status == "replaced":
        return tr("accepted, later replaced")
    if reason == "replay":
        return tr("already merged (replay)")
    if reason == "older":
        return tr("older version, not used")
    return tr("refused")


def outcome_tone(status: str, reason: str) -> str:
    if status in ("accepted", "replaced"):
        return GOOD
    return MUTED if reason in QUIET_REASONS else BAD


class ResultsInboxScreen(Screen):
    topics = frozenset({RESULTS})

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Results inbox"), parent)
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
        self.summary = QLabel()
        self.summary.setAccessibleName(tr("Merge result"))
        self.layout_.addWidget(self.summary)
        self.setAcceptDrops(True)

    def reload(self) -> None:
        ws = self.ctx.workspace
        self.load(lambda s: load_received(s, ws.program(s)), self.history.set_rows)

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
        from judgepanel.model.staff.results.merging import merge_results

        identity = self.ctx.staff_identity(self)
        if identity is None:
            return
        ws = self.ctx.workspace

        def done(report: Any) -> None:
            self.batch.set_rows(report.rows)
            self.summary.setText(self.tr("{ok} of {n} files accepted.").format(
                ok=len(report.accepted), n=len(report.rows)))
            self.ctx.changed.emit(RESULTS)

        self.ctx.run(lambda progress: merge_results(ws, list(paths), identity, progress),
                     on_done=done, parent=self, label=self.tr("Checking results files…"),
                     cancellable=True)
