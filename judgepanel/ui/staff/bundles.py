"""Bundles: build one encrypted, signed bundle per judge, then tick them off as sent.

Building runs in the background with progress and cancel (cancelling deletes
the files already written, as ``build_bundles`` promises). "Sent" is the
officer's own checklist, kept in this computer's settings per bundle id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from judgepanel.ui.staff import rows
from judgepanel.ui.staff.context import ASSIGNMENTS, BUNDLES, RESULTS, StaffContext
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import GOOD, MUTED, WARN, Column, RowsModel, RowsTable

SENT_KEY = "staff/sent/{bundle_id}"
FOLDER_KEY = "staff/bundle-folder"


class BundlesScreen(Screen):
    topics = frozenset({BUNDLES, ASSIGNMENTS, RESULTS})

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Bundles"), parent)
        self.hint(self.tr("Each judge gets one .jpbundle file, readable only by them (and by "
                          "you). Send it by e-mail or USB stick, tick it off as sent, and call "
                          "with the passphrase when a bundle uses one."))
        bar = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setAccessibleName(self.tr("Bundle folder"))
        default = ctx.workspace.folder / "bundles" if ctx.workspace.folder else Path.home()
        self.folder.setText(str(ctx.settings.value(FOLDER_KEY, str(default))))
        choose = QPushButton(self.tr("C&hoose…"))
        choose.clicked.connect(self._choose)
        self.build_button = QPushButton(self.tr("&Build all bundles"))
        self.build_button.clicked.connect(lambda: self.build())
        self.rebuild_button = QPushButton(self.tr("&Rebuild selected"))
        self.rebuild_button.clicked.connect(self.rebuild_selected)
        self.sent_button = QPushButton(self.tr("Mark as &sent"))
        self.sent_button.clicked.connect(self.toggle_sent)
        label = QLabel(self.tr("&Folder:"))
        label.setBuddy(self.folder)
        for widget in (label, self.folder, choose, self.build_button, self.rebuild_button,
                       self.sent_button):
            bar.addWidget(widget)
        self.layout_.addLayout(bar)
        self.model: RowsModel[rows.BundleRow] = RowsModel(self._columns(), self)
        self.table = RowsTable(self.model, self.tr("Distribution checklist"))
        self.layout_.addWidget(self.table, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Build result"))
        self.layout_.addWidget(self.summary)
        self.built: list[Any] = []

    def _columns(self) -> list[Column[rows.BundleRow]]:
        tr = self.tr
        return [
            Column(tr("Judge"), lambda b: b.judge, tone=lambda b: MUTED if b.superseded else None),
            Column(tr("File"), lambda b: Path(b.file_name).name, tooltip=lambda b: b.file_name),
            Column(tr("Applications"), lambda b: b.applications, align_right=True),
            Column(tr("Opens with"), lambda b: tr("passphrase (call the judge)")
                   if b.passphrase else tr("the judge's key")),
            Column(tr("Sent"), lambda b: self.is_sent(b.bundle_id),
                   tone=lambda b: GOOD if self.is_sent(b.bundle_id) else None),
            Column(tr("Results"), lambda b: {"accepted": tr("received"),
                                             "refused": tr("refused — see inbox")}.get(
                b.results, ""), tone=lambda b: GOOD if b.results == "accepted" else
                (WARN if b.results else None)),
            Column(tr("State"), lambda b: tr("replaced") if b.superseded else tr("current"),
                   tone=lambda b: MUTED if b.superseded else None),
            Column(tr("Built"), lambda b: b.created),
        ]

    def is_sent(self, bundle_id: str) -> bool:
        return str(self.ctx.settings.value(SENT_KEY.format(bundle_id=bundle_id), "")) == "1"

    def toggle_sent(self) -> None:
        for bundle in self.table.selected_rows():
            key = SENT_KEY.format(bundle_id=bundle.bundle_id)
            self.ctx.settings.setValue(key, "" if self.is_sent(bundle.bundle_id) else "1")
        rows = self.model.rowCount()
        if rows:
            self.model.dataChanged.emit(self.model.index(0, 0),
                                        self.model.index(rows - 1, self.model.columnCount() - 1))

    def _choose(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Where to write the bundles"),
                                                self.folder.text())
        if path:
            self.folder.setText(path)

    def reload(self) -> None:

        round_id = self.ctx.round_id
        if round_id is None:
            return
        self.ctx.read(lambda s: rows.load_bundles(s, rows.round_by_id(s, round_id)),
                      self.table.set_rows, parent=self)

    def rebuild_selected(self) -> None:
        judges = sorted({b.judge_id for b in self.table.selected_rows()})
        if judges:
            self.build(judges)

    def build(self, judges: list[int] | None = None) -> None:
        """Build every judge's bundle (or only ``judges``) in the background."""
        from judgepanel.model.bundling import build_bundles

        round_id = self.ctx.round_id
        identity = self.ctx.staff_identity(self)
        if round_id is None or identity is None:
            return
        out = Path(self.folder.text()).expanduser()
        self.ctx.settings.setValue(FOLDER_KEY, str(out))
        ws = self.ctx.workspace

        def done(built: list[Any]) -> None:
            self.built = built
            self.summary.setText(self.tr("Built {n} bundles in {folder}.").format(
                n=len(built), folder=out))
            self.ctx.changed.emit(BUNDLES)

        self.ctx.run(lambda progress: build_bundles(ws, round_id, identity, out, judges=judges,
                                                    progress=progress),
                     on_done=done, parent=self, label=self.tr("Building bundles…"),
                     cancellable=True)
