"""Judges: enroll cards (drag and drop or choose), read fingerprints back, affiliations."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from judgepanel.ui.staff import rows
from judgepanel.ui.staff.context import JUDGES, StaffContext
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import MUTED, WARN, Column, RowsModel, RowsTable, tr


def judge_columns() -> list[Column[rows.JudgeRow]]:
    return [
        Column(tr("Name"), lambda j: j.name, tone=lambda j: None if j.active else MUTED),
        Column(tr("Fingerprint (read it back by phone)"), lambda j: j.fingerprint),
        Column(tr("E-mail"), lambda j: j.email),
        Column(tr("Organisation"), lambda j: j.organisation),
        Column(tr("City"), lambda j: j.city),
        Column(tr("Affiliations"), lambda j: j.affiliations),
        Column(tr("Categories"), lambda j: j.categories),
        Column(tr("Note"), lambda j: j.flag or ("" if j.active else tr("withdrawn")),
               tone=lambda j: WARN if j.flag else None),
    ]


class JudgesScreen(Screen):
    topics = frozenset({JUDGES})

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Judges"), parent)
        self.hint(self.tr("Drop the judges' .jpcard files here, or choose them. Then call each "
                          "judge and read the fingerprint aloud: it must match the one on "
                          "their screen before you send them a bundle."))
        bar = QHBoxLayout()
        add = QPushButton(self.tr("&Add cards…"))
        add.setAccessibleName(self.tr("Add judge cards"))
        add.clicked.connect(self._choose_cards)
        bar.addWidget(add)
        self.affiliations_button = QPushButton(self.tr("&Edit affiliations…"))
        self.affiliations_button.clicked.connect(self.edit_affiliations)
        bar.addWidget(self.affiliations_button)
        bar.addStretch(1)
        self.layout_.addLayout(bar)
        self.model: RowsModel[rows.JudgeRow] = RowsModel(judge_columns(), self)
        self.table = RowsTable(self.model, self.tr("Judges"))
        self.layout_.addWidget(self.table, 1)
        self.messages = QLabel()
        self.messages.setWordWrap(True)
        self.messages.setAccessibleName(self.tr("Enrolment messages"))
        self.layout_.addWidget(self.messages)
        self.setAcceptDrops(True)

    def reload(self) -> None:
        ws = self.ctx.workspace
        self.ctx.read(lambda s: rows.load_judges(s, ws.program(s)), self.table.set_rows,
                      parent=self)

    def _choose_cards(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Choose judges' cards"), "", self.tr("Judge cards (*.jpcard)"))
        if paths:
            self.enroll([Path(p) for p in paths])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.enroll(paths)

    def enroll(self, paths: Sequence[Path]) -> None:
        """Enroll every card in one transaction; one bad card refuses them all, by name."""
        from judgepanel.errors import JudgePanelError
        from judgepanel.model.judges import enroll_file

        ws = self.ctx.workspace
        new_verb, old_verb = self.tr("Enrolled"), self.tr("Already enrolled:")

        def work(progress: Any) -> list[str]:
            lines = []
            with ws.session() as session:
                program = ws.program(session)
                for i, path in enumerate(paths):
                    progress(i, len(paths), path.name)
                    try:
                        enrolled = enroll_file(session, program, path, ws.actor)
                    except JudgePanelError as error:
                        error.message = f"{path.name}: {error.message}"
                        raise
                    judge = enrolled.judge
                    verb = new_verb if enrolled.created else old_verb
                    lines.append(f"{verb} {judge.name} — {judge.fingerprint}"
                                 + (f" ⚠ {enrolled.warning}" if enrolled.warning else ""))
            return lines

        def done(lines: list[str]) -> None:
            self.messages.setText("<br>".join(lines))
            self.ctx.changed.emit(JUDGES)

        self.ctx.run(work, on_done=done, parent=self, label=self.tr("Enrolling judges…"))

    def edit_affiliations(self) -> None:
        judge = self.table.current_row()
        if judge is None:
            return
        text = self.ctx.ask_text(self, self.tr("Affiliations of {name}").format(name=judge.name),
                                 self.tr("One organisation, city or body per line:"))
        if text is None:
            return
        from judgepanel.model.entities import Judge
        from judgepanel.model.judges import set_affiliations

        values = [line.strip() for line in text.splitlines() if line.strip()]
        ws = self.ctx.workspace

        def change(session: Any) -> None:
            row = session.get(Judge, judge.id)
            set_affiliations(session, row, values, ws.actor)

        self.ctx.write(change, lambda _r: None, topic=JUDGES, parent=self)
