"""Bundles: build one encrypted, signed bundle per judge, then tick them off as sent.

Building runs in the background with progress and cancel (cancelling deletes
the files already written, as ``build_bundles`` promises). "Sent" is kept in
the workspace (``bundles.issued.mark_sent``), so every officer sharing the program
sees the same checklist. Passphrase bundles show their passphrases once
(``passphrases.py``); only the hint the officer types is kept, in the workspace
too (``bundles.issued.set_passphrase_hint``; the workspace records that a
passphrase was used, never the passphrase). Hints older versions kept in this
computer's settings are still shown until one is saved in the workspace.

A bundle whose judge's assignments changed after it was built is shown as outdated,
with "Rebuild outdated" to replace it. The folder shown is where the round's newest
bundles were written (else the last folder chosen for this program).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
)

from judgepanel.crypto.passphrase import new_passphrase
from judgepanel.errors import JudgePanelError
from judgepanel.model.staff.bundles.issued import BundleListing, load_bundles
from judgepanel.model.staff.prepare.judges import load_judges
from judgepanel.model.staff.prepare.rounds import round_by_id
from judgepanel.ui.staff.context import ASSIGNMENTS, BUNDLES, JUDGES, RESULTS, StaffContext
from judgepanel.ui.staff.passphrases import (
    ChooseJudgesDialog,
    IssuedPassphrase,
    PassphrasesDialog,
)
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import GOOD, MUTED, WARN, Column, RowsModel, RowsTable

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )

HINT_KEY = "staff/passphrase-hint/{bundle_id}"
FOLDER_KEY = "staff/bundle-folder"


def _choose_judges(parent: QWidget, judges: Sequence[tuple[int, str]],
                   preselected: Sequence[int]) -> list[int] | None:
    dialog = ChooseJudgesDialog(judges, preselected, parent)
    return dialog.chosen() if dialog.exec() == ChooseJudgesDialog.DialogCode.Accepted else None


def _show_passphrases(parent: QWidget, issued: Sequence[IssuedPassphrase]) -> dict[str, str]:
    dialog = PassphrasesDialog(issued, parent)
    dialog.exec()
    return dialog.hint_texts()


def _ask_hint(parent: QWidget, judge: str, current: str, problem: str) -> str | None:
    question = parent.tr("How did you pass the passphrase on to {judge}? (Never the "
                         "passphrase itself.)").format(judge=judge)
    text, ok = QInputDialog.getText(parent, parent.tr("Passphrase hint"),
                                    f"{problem}\n\n{question}" if problem else question,
                                    text=current)
    return text if ok else None


class BundlesScreen(Screen):
    topics = frozenset({BUNDLES, ASSIGNMENTS, RESULTS, JUDGES})
    title_text = "Bundles"

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.hint(self.tr("Each judge gets one .jpbundle file, readable only by them (and by "
                          "you). Send it by e-mail or USB stick, tick it off as sent, and call "
                          "with the passphrase when a bundle uses one."))
        bar = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setAccessibleName(self.tr("Bundle folder"))
        default = ctx.workspace.folder / "bundles" if ctx.workspace.folder else Path.home()
        self.folder.setText(str(ctx.settings.value(self._folder_key(), str(default))))
        self.folder_chosen = False  # chosen here: newer bundles elsewhere do not move it
        choose = QPushButton(self.tr("C&hoose…"))
        choose.clicked.connect(self._choose)
        self.build_button = QPushButton(self.tr("&Build all bundles"))
        self.build_button.clicked.connect(lambda: self.build())
        self.rebuild_button = QPushButton(self.tr("&Rebuild selected"))
        self.rebuild_button.clicked.connect(self.rebuild_selected)
        self.outdated_button = QPushButton(self.tr("Rebuild &outdated"))
        self.outdated_button.setToolTip(self.tr(
            "Rebuild the bundles whose judges' assignments changed after they were built"))
        self.outdated_button.clicked.connect(self.rebuild_outdated)
        self.outdated_button.setEnabled(False)
        self.passphrase_button = QPushButton(self.tr("With &passphrase…"))
        self.passphrase_button.setToolTip(self.tr(
            "Build bundles that open with a passphrase, for judges without an identity"))
        self.passphrase_button.clicked.connect(self.ask_passphrase_bundles)
        self.sent_button = QPushButton(self.tr("Mark as &sent"))
        self.sent_button.clicked.connect(self.toggle_sent)
        self.hint_button = QPushButton(self.tr("Edit h&int…"))
        self.hint_button.setToolTip(self.tr(
            "Note how the selected passphrase bundle's passphrase was passed on"))
        self.hint_button.clicked.connect(self.edit_hint)
        label = QLabel(self.tr("&Folder:"))
        label.setBuddy(self.folder)
        # Two rows, so the screen fits a 1024-pixel window: where, then what to do.
        for widget in (label, self.folder, choose):
            bar.addWidget(widget)
        self.layout_.addLayout(bar)
        actions = QHBoxLayout()
        for widget in (self.build_button, self.rebuild_button, self.outdated_button,
                       self.passphrase_button, self.sent_button, self.hint_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        self.layout_.addLayout(actions)
        self.model: RowsModel[BundleListing] = RowsModel(self._columns(), self)
        self.table = RowsTable(self.model, self.tr("Distribution checklist"))
        self.layout_.addWidget(self.table, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Build result"))
        self.layout_.addWidget(self.summary)
        self.built: list[Any] = []
        self.judges: list[tuple[int, str]] = []  # active judges, for the passphrase choice
        # Dialog hooks and the scrypt cost (tests replace these).
        self.choose_judges: Callable[[QWidget, Sequence[tuple[int, str]], Sequence[int]],
                                     list[int] | None] = _choose_judges
        self.show_passphrases: Callable[[QWidget, Sequence[IssuedPassphrase]],
                                        dict[str, str]] = _show_passphrases
        self.ask_hint: Callable[[QWidget, str, str, str], str | None] = _ask_hint
        self.scrypt_work_factor: int | None = None

    def _columns(self) -> list[Column[BundleListing]]:
        tr = self.tr
        return [
            Column(tr("Judge"), lambda b: b.judge, tone=lambda b: MUTED if b.superseded else None),
            Column(tr("File"), lambda b: Path(b.file_name).name, tooltip=lambda b: b.file_name),
            Column(tr("Applications"), lambda b: b.applications, align_right=True),
            Column(tr("Opens with"), lambda b: tr("passphrase (call the judge)")
                   if b.passphrase else tr("the judge's key")),
            Column(tr("Passphrase hint"), lambda b: self.hint_of(b) if b.passphrase else ""),
            Column(tr("Sent"), lambda b: b.sent_at,
                   tone=lambda b: GOOD if b.sent_at is not None else None),
            Column(tr("Results"), lambda b: {"accepted": tr("received"),
                                             "refused": tr("refused — see inbox")}.get(
                b.results, ""), tone=lambda b: GOOD if b.results == "accepted" else
                (WARN if b.results else None)),
            Column(tr("State"), lambda b: tr("replaced") if b.superseded else (
                tr("outdated — rebuild") if b.outdated else tr("current")),
                tone=lambda b: MUTED if b.superseded else (WARN if b.outdated else None),
                tooltip=lambda b: tr("The judge's assignments changed after this bundle was "
                                     "built: rebuild it and send the new one") if b.outdated
                else ""),
            Column(tr("Built"), lambda b: b.created),
        ]

    def hint_of(self, bundle: BundleListing) -> str:
        """The workspace's hint; else one an older version kept in this computer's settings."""
        return bundle.passphrase_hint or str(self.ctx.settings.value(
            HINT_KEY.format(bundle_id=bundle.bundle_id), "") or "")

    def save_hints(self, hints: dict[str, str]) -> None:
        """Keep passphrase hints in the workspace (an empty one clears the hint); a hint an
        older version kept in this computer's settings gives way to them."""
        from judgepanel.model.staff.bundles.issued import set_passphrase_hints

        if not hints:
            return
        actor = self.ctx.workspace.actor

        def change(session: Any) -> None:
            set_passphrase_hints(session, hints, actor)

        def done(_result: None) -> None:
            for bundle_id in hints:
                self.ctx.settings.remove(HINT_KEY.format(bundle_id=bundle_id))

        self.ctx.write(change, done, topic=BUNDLES, parent=self)

    def edit_hint(self) -> None:
        """Change the hint of the selected passphrase bundle (asked again until it can be kept)."""
        from judgepanel.model.staff.bundles.issued import check_passphrase_hint

        bundle = next((b for b in self.table.selected_rows() if b.passphrase), None)
        if bundle is None:
            self.summary.setText(self.tr("Select a bundle that opens with a passphrase to "
                                         "edit its hint."))
            return
        text, problem = self.hint_of(bundle), ""
        while (answer := self.ask_hint(self, bundle.judge, text, problem)) is not None:
            try:
                check_passphrase_hint(answer)
            except JudgePanelError as error:
                text, problem = "", error.message  # asked again, saying why
                continue
            self.save_hints({bundle.bundle_id: answer})
            return

    def toggle_sent(self) -> None:
        """Tick the selected bundles as sent (or, when all are ticked, take the ticks back)."""
        from judgepanel.model.staff.bundles.issued import mark_sent
        from judgepanel.model.staff.schema.results import IssuedBundle

        chosen = self.table.selected_rows()
        if not chosen:
            return
        sent = not all(b.sent_at is not None for b in chosen)
        ids, actor = [b.id for b in chosen], self.ctx.workspace.actor

        def change(session: Any) -> None:
            for issued_id in ids:
                issued = session.get(IssuedBundle, issued_id)
                assert issued is not None
                mark_sent(session, issued, actor, sent)

        self.ctx.write(change, lambda _r: None, topic=BUNDLES, parent=self)

    def _folder_key(self) -> str:
        """Each program remembers its own folder (keyed by a digest of where it lives)."""
        where = str(self.ctx.workspace.folder or self.ctx.workspace.url)
        return f"{FOLDER_KEY}/{hashlib.sha256(where.encode()).hexdigest()[:16]}"

    def _choose(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Where to write the bundles"),
                                                self.folder.text())
        if path:
            self.folder.setText(path)
            self.folder_chosen = True

    def reload(self) -> None:
        round_id, ws = self.ctx.round_id, self.ctx.workspace
        if round_id is None:
            return

        def query(session: Any) -> tuple[list[BundleListing], list[tuple[int, str]]]:
            bundles = load_bundles(session, round_by_id(session, round_id))
            judges = [(j.id, j.name) for j in load_judges(session, ws.program(session))
                      if j.active]
            return bundles, judges

        self.load(query, self._loaded)

    def _loaded(self, result: tuple[list[BundleListing], list[tuple[int, str]]]) -> None:
        bundles, self.judges = result
        self.table.set_rows(bundles)
        outdated = [b for b in bundles if b.outdated]
        self.outdated_button.setEnabled(bool(outdated))
        if outdated:
            self.summary.setText(self.tr(
                "{n} bundles are outdated: their judges' assignments changed after they were "
                "built ({names}). Press “Rebuild outdated”, then send the new files.").format(
                n=len(outdated), names=", ".join(sorted(b.judge for b in outdated))))
        newest = max((b for b in bundles if not b.superseded and b.folder),
                      key=lambda b: b.created, default=None)
        if newest is not None and not self.folder_chosen:
            self.folder.setText(newest.folder)

    def rebuild_outdated(self) -> None:
        judges = sorted({b.judge_id for b in self.model.rows if b.outdated})
        if judges:
            self.build(judges)

    def rebuild_selected(self) -> None:
        judges = sorted({b.judge_id for b in self.table.selected_rows()})
        if judges:
            self.build(judges)

    def ask_passphrase_bundles(self) -> None:
        """Choose judges, then build their bundles to new passphrases shown once."""
        preselected = sorted({b.judge_id for b in self.table.selected_rows()})
        chosen = self.choose_judges(self, self.judges, preselected)
        if chosen:
            self.build(chosen, passphrases={judge_id: new_passphrase() for judge_id in chosen})

    def build(self, judges: list[int] | None = None, *,
              passphrases: dict[int, str] | None = None) -> None:
        """Build every judge's bundle (or only ``judges``) in the background.

        With ``passphrases`` ({judge id: passphrase}) those bundles open with the
        passphrase; they are shown once when the build is done, then forgotten.
        """
        from judgepanel.model.staff.bundles.building import build_bundles

        round_id = self.ctx.round_id
        identity = self.ctx.staff_identity(self)
        if round_id is None or identity is None:
            return
        out = Path(self.folder.text()).expanduser().resolve()
        self.ctx.settings.setValue(self._folder_key(), str(out))
        ws, work_factor = self.ctx.workspace, self.scrypt_work_factor
        secret = dict(passphrases or {})

        def done(built: list[Any]) -> None:
            self.built = built
            self.summary.setText(self.tr("Built {n} bundles in {folder}.").format(
                n=len(built), folder=out))
            shown = [IssuedPassphrase(b.judge_id, b.judge_name, b.bundle_id, b.path.name,
                                      secret[b.judge_id])
                     for b in built if b.passphrase and b.judge_id in secret]
            secret.clear()
            self.ctx.changed.emit(BUNDLES)
            if shown:
                self.save_hints(self.show_passphrases(self, shown))

        def failed(error: JudgePanelError) -> None:
            secret.clear()  # nothing was built with them: forget them now
            self.ctx.show_error(self, error)

        self.ctx.run(lambda progress: build_bundles(
            ws, round_id, identity, out, judges=judges, passphrases=dict(secret) or None,
            scrypt_work_factor=work_factor, progress=progress),
            on_done=done, on_error=failed, parent=self, label=self.tr("Building bundles…"),
            cancellable=True)
