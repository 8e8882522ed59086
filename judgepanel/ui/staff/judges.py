"""Judges: enroll cards (drag and drop or choose), read fingerprints back, edit details.

A judge's e-mail, organisation, city and affiliations feed conflict screening,
so editing them (and withdrawing or bringing back a judge) can be undone like
any other edit a person expects to take back (see ``undo.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
)

from judgepanel.model.staff.prepare.judges import JudgeListing, load_judges
from judgepanel.ui.drops import accept_file_drag, dropped_files
from judgepanel.ui.staff.context import JUDGES, StaffContext
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import MUTED, WARN, Column, RowsModel, RowsTable, tr
from judgepanel.ui.staff.undo import JudgeDetails, set_judge_active, set_judge_details

if TYPE_CHECKING:
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import (
        QWidget,
    )


def judge_columns() -> list[Column[JudgeListing]]:
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


class JudgeDetailsDialog(QDialog):
    """E-mail, organisation, city and affiliations of one judge."""

    def __init__(self, judge: JudgeListing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Details of {name}").format(name=judge.name))
        form = QFormLayout(self)
        self.email = QLineEdit(judge.email)
        self.organisation = QLineEdit(judge.organisation)
        self.city = QLineEdit(judge.city)
        self.affiliations = QPlainTextEdit("\n".join(judge.affiliations))
        self.affiliations.setAccessibleName(self.tr("Affiliations"))
        self.affiliations.setTabChangesFocus(True)
        form.addRow(self.tr("&E-mail:"), self.email)
        form.addRow(self.tr("&Organisation:"), self.organisation)
        form.addRow(self.tr("&City:"), self.city)
        form.addRow(self.tr("&Affiliations\n(one per line):"), self.affiliations)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def details(self) -> JudgeDetails:
        lines = self.affiliations.toPlainText().splitlines()
        return JudgeDetails(self.email.text().strip(), self.organisation.text().strip(),
                            self.city.text().strip(),
                            tuple(line.strip() for line in lines if line.strip()))


def _ask_details(parent: QWidget, judge: JudgeListing) -> JudgeDetails | None:
    dialog = JudgeDetailsDialog(judge, parent)
    return dialog.details() if dialog.exec() == QDialog.DialogCode.Accepted else None


def details_of(judge: JudgeListing) -> JudgeDetails:
    return JudgeDetails(judge.email, judge.organisation, judge.city, judge.affiliations)


class JudgesScreen(Screen):
    topics = frozenset({JUDGES})
    title_text = "Judges"
    follows_round = False  # the whole program's rows, whichever round is chosen

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.hint(self.tr("Drop the judges' .jpcard files here, or choose them. Then call each "
                          "judge and read the fingerprint aloud: it must match the one on "
                          "their screen before you send them a bundle."))
        bar = QHBoxLayout()
        add = QPushButton(self.tr("&Add cards…"))
        add.setAccessibleName(self.tr("Add judge cards"))
        add.clicked.connect(self._choose_cards)
        bar.addWidget(add)
        self.details_button = QPushButton(self.tr("&Edit details…"))
        self.details_button.setToolTip(self.tr(
            "E-mail, organisation, city and affiliations (conflict screening uses them)"))
        self.details_button.clicked.connect(self.edit_details)
        bar.addWidget(self.details_button)
        self.active_button = QPushButton(self.tr("&Withdraw"))
        self.active_button.setToolTip(self.tr(
            "A withdrawn judge gets no new assignments or bundles; the record is kept"))
        self.active_button.clicked.connect(self.toggle_active)
        bar.addWidget(self.active_button)
        bar.addStretch(1)
        self.layout_.addLayout(bar)
        self.model: RowsModel[JudgeListing] = RowsModel(judge_columns(), self)
        self.table = RowsTable(self.model, self.tr("Judges"))
        # activated: a double click, or Enter on the focused row (keyboard users).
        self.table.view.activated.connect(lambda _i: self.edit_details())
        self.table.view.selectionModel().currentRowChanged.connect(
            lambda *_a: self._update_buttons())
        self.layout_.addWidget(self.table, 1)
        self.messages = QLabel()
        self.messages.setWordWrap(True)
        self.messages.setAccessibleName(self.tr("Enrolment messages"))
        self.layout_.addWidget(self.messages)
        self.setAcceptDrops(True)
        # Dialog hook (tests replace it).
        self.ask_details: Callable[[QWidget, JudgeListing], JudgeDetails | None] = _ask_details
        self._update_buttons()

    def reload(self) -> None:
        ws = self.ctx.workspace
        self.load(lambda s: load_judges(s, ws.program(s)), self._loaded)

    def _loaded(self, judges: list[JudgeListing]) -> None:
        current = self.table.current_row()
        self.table.set_rows(judges)
        if current is not None:  # keep the same judge selected across the reload
            for row, judge in enumerate(judges):
                if judge.id == current.id:
                    self.table.view.selectRow(self.table.proxy.mapFromSource(
                        self.model.index(row, 0)).row())
        self._update_buttons()

    def _update_buttons(self) -> None:
        judge = self.table.current_row()
        self.details_button.setEnabled(judge is not None)
        self.active_button.setEnabled(judge is not None)
        self.active_button.setText(self.tr("&Reactivate") if judge is not None
                                   and not judge.active else self.tr("&Withdraw"))

    def _choose_cards(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Choose judges' cards"), "", self.tr("Judge cards (*.jpcard)"))
        if paths:
            self.enroll([Path(p) for p in paths])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        accept_file_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        if paths := dropped_files(event):
            self.enroll(paths)

    def enroll(self, paths: Sequence[Path]) -> None:
        """Enroll every card in one transaction; one bad card refuses them all, by name."""
        from judgepanel.errors import JudgePanelError
        from judgepanel.model.staff.prepare.judges import enroll_file

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

    def edit_details(self) -> None:
        """Edit the current judge's e-mail, organisation, city and affiliations (undoable)."""
        judge = self.table.current_row()
        if judge is None:
            return
        after = self.ask_details(self, judge)
        if after is None or after == details_of(judge):
            return
        set_judge_details(self.ctx, judge.id, details_of(judge), after,
                          self.tr("Edit {name}").format(name=judge.name))

    def toggle_active(self) -> None:
        """Withdraw the current judge, or bring a withdrawn judge back (undoable)."""
        judge = self.table.current_row()
        if judge is None:
            return
        text = (self.tr("Reactivate {name}") if not judge.active
                else self.tr("Withdraw {name}")).format(name=judge.name)
        set_judge_active(self.ctx, judge.id, not judge.active, text)
