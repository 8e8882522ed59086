"""Creating a program: name, categories, first round and due date, staff identity, folder.

``create_program(spec)`` does what ``judgepanel staff init`` does, through the
same model functions; the dialog only collects the answers. The staff
identity is one already on this computer or a new one (kept in the keyring,
or in a passphrase-protected file where no keyring works).

The dialog runs ``create_program`` in the background: the database is built
through its migrations, and a new identity waits on the keyring (which may ask
the person to unlock it) or on scrypt; none of that may freeze the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
)

from judgepanel.errors import JudgePanelError, ValidationError
from judgepanel.formats.card import Card
from judgepanel.ui.staff.table_model import WARN, date_format, tone
from judgepanel.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import (
        QLayout,
        QWidget,
    )


@dataclass(frozen=True)
class ProgramSpec:
    folder: Path
    name: str
    description: str = ""
    currency: str = "USD"
    categories: tuple[str, ...] = ()
    round_name: str = "First round"
    due: dt.date | None = None
    budget: Decimal | None = None
    staff_fingerprint: str | None = None  # an identity on this computer …
    new_staff_name: str = ""  # … or a new one with this name
    passphrase: str | None = None  # for a new identity where no keyring works
    extra: dict[str, str] = field(default_factory=dict)


def staff_cards() -> list[Card]:
    from judgepanel.formats.keystore import IdentityStore

    return [c for c in IdentityStore().list() if c.role == "staff"]


def create_program(spec: ProgramSpec) -> Path:
    """Create the workspace with its first round and staff key; returns its folder."""
    from judgepanel.formats.keystore import IdentityStore
    from judgepanel.model.staff.identity import set_staff_identity
    from judgepanel.model.staff.prepare.rounds import add_round
    from judgepanel.model.staff.workspace import StaffWorkspace

    store = IdentityStore()
    if spec.staff_fingerprint:
        card: Card = store.card(spec.staff_fingerprint)
    elif spec.new_staff_name.strip():
        identity = store.create(spec.new_staff_name.strip(), "staff", passphrase=spec.passphrase)
        card = Card.from_identity(identity)
    else:
        raise ValidationError("Choose the staff identity, or give a name for a new one.",
                              path="staff")
    workspace = StaffWorkspace.create(spec.folder, spec.name, description=spec.description,
                                      currency=spec.currency.upper(), categories=spec.categories,
                                      actor=card.name)
    try:
        with workspace.session() as session:
            program = workspace.program(session)
            set_staff_identity(session, program, card, workspace.actor)
            due = (dt.datetime.combine(spec.due, dt.time(23, 59), tzinfo=dt.UTC)
                   if spec.due else None)
            add_round(session, program, spec.round_name, workspace.actor, due_at=due,
                      budget=spec.budget)
    finally:
        workspace.close()
    return Path(spec.folder)


class ProgramDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New program"))
        self.resize(620, 560)
        form = QFormLayout(self)
        self.name = QLineEdit()
        form.addRow(self.tr("Program &name:"), self.name)
        self.description = QLineEdit()
        form.addRow(self.tr("&Description:"), self.description)
        self.components = QCheckBox(self.tr("Use the ten components of the compact as "
                                            "categories"))
        form.addRow("", self.components)
        self.categories = QPlainTextEdit()
        self.categories.setPlaceholderText(self.tr("Other categories or funding tracks, one per "
                                                   "line"))
        self.categories.setMaximumHeight(80)
        self.categories.setAccessibleName(self.tr("Categories"))
        self.categories.setTabChangesFocus(True)  # one per line: Tab moves on
        form.addRow(self.tr("&Categories:"), self.categories)
        self.round_name = QLineEdit(self.tr("First round"))
        form.addRow(self.tr("First &round:"), self.round_name)
        self.has_due = QCheckBox(self.tr("Judges' results are due by"))
        self.due = QDateEdit(QDate.currentDate().addMonths(1))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat(date_format())  # the user's locale, four-digit year
        self.due.setAccessibleName(self.tr("Due date"))
        due_row = QHBoxLayout()
        due_row.addWidget(self.has_due)
        due_row.addWidget(self.due)
        form.addRow(self.tr("D&ue:"), due_row)
        self._buddy(form, due_row, self.has_due)
        self.due_warning = QLabel()
        self.due_warning.setWordWrap(True)
        self.due_warning.setAccessibleName(self.tr("Due date warning"))
        self.due_warning.setStyleSheet(f"color: {tone(WARN).name()}")
        form.addRow("", self.due_warning)
        self.due.dateChanged.connect(lambda _d: self._check_due())
        self.has_due.toggled.connect(lambda _on: self._check_due())
        self.budget = QLineEdit()
        self.budget.setPlaceholderText(self.tr("grants only, e.g. 250,000"))
        self.currency = QLineEdit("USD")
        self.currency.setMaxLength(3)
        self.budget.setAccessibleName(self.tr("Budget"))
        self.currency.setAccessibleName(self.tr("Currency"))
        budget_row = QHBoxLayout()
        budget_row.addWidget(self.budget)
        budget_row.addWidget(self.currency)
        form.addRow(self.tr("&Budget:"), budget_row)
        self._buddy(form, budget_row, self.budget)
        self.staff = QComboBox()
        self.staff.setAccessibleName(self.tr("Staff identity"))
        for card in staff_cards():
            self.staff.addItem(f"{card.name} ({card.fingerprint})", card.fingerprint)
        self.staff.addItem(self.tr("Create a new staff identity…"), None)
        self.staff.currentIndexChanged.connect(self._staff_changed)
        form.addRow(self.tr("&Staff identity:"), self.staff)
        self.new_staff = QLineEdit()
        self.new_staff.setPlaceholderText(self.tr("your name, as judges will see it"))
        self.new_staff.setAccessibleName(self.tr("Name for the new staff identity"))
        form.addRow(self.tr("New identity's na&me:"), self.new_staff)
        folder_row = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setAccessibleName(self.tr("Program folder"))
        choose = QPushButton(self.tr("C&hoose…"))
        choose.clicked.connect(self._choose)
        folder_row.addWidget(self.folder)
        folder_row.addWidget(choose)
        form.addRow(self.tr("&Folder (empty):"), folder_row)
        self._buddy(form, folder_row, self.folder)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Problem"))
        form.addRow(self.error)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: creating has no steps worth counting
        self.progress.setAccessibleName(self.tr("Creating the program"))
        self.progress.hide()
        self.progress_label = QLabel(self.tr("Creating the program…"))
        self.progress_label.hide()
        form.addRow(self.progress_label, self.progress)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("C&reate"))
        self.buttons.accepted.connect(self.make_program)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.created: Path | None = None
        self.runner = TaskRunner(self, max_threads=1)
        self._creating = False
        self._staff_changed()

    @staticmethod
    def _buddy(form: QFormLayout, row: QLayout, target: QWidget) -> None:
        """A label over a row of widgets gets no buddy of its own: give it the row's first
        field, so its Alt+letter works and screen readers name that field."""
        label = form.labelForField(row)
        if isinstance(label, QLabel):
            label.setBuddy(target)

    def _check_due(self) -> None:
        """A due date already past is almost always a slip (last year's date): say so."""
        from judgepanel.model.staff.prepare.rounds import is_past_due

        due = self.due.date()
        past = self.has_due.isChecked() and is_past_due(
            dt.date(due.year(), due.month(), due.day()))
        self.due_warning.setText(self.tr(
            "This date has already passed: judges would be late from the start. Check the "
            "year.") if past else "")

    def _staff_changed(self) -> None:
        self.new_staff.setEnabled(self.staff.currentData() is None)

    def _choose(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("An empty folder for the program"))
        if path:
            self.folder.setText(path)

    def spec(self) -> ProgramSpec:
        from judgepanel.model.staff.prepare.categories import RECOGNITION_COMPONENTS
        from judgepanel.ui.staff.award_dialog import parse_amount  # the locale's "12.500"

        if not self.folder.text().strip():
            raise ValidationError(self.tr("Choose an empty folder for the program."),
                                  path="folder")
        budget = None
        if self.budget.text().strip():
            try:
                budget = parse_amount(self.budget.text())
            except ValueError:
                raise ValidationError(self.tr("“{text}” is not an amount of money.").format(
                    text=self.budget.text()), path="budget") from None
        extra = [line.strip() for line in self.categories.toPlainText().splitlines()
                 if line.strip()]
        categories = (*(RECOGNITION_COMPONENTS if self.components.isChecked() else ()), *extra)
        due = self.due.date().toPython() if self.has_due.isChecked() else None
        return ProgramSpec(
            folder=Path(self.folder.text().strip()).expanduser(), name=self.name.text(),
            description=self.description.text(), currency=self.currency.text() or "USD",
            categories=tuple(categories), round_name=self.round_name.text(),
            due=due, budget=budget,  # type: ignore[arg-type]
            staff_fingerprint=self.staff.currentData(), new_staff_name=self.new_staff.text())

    def make_program(self) -> None:
        """Check the form here, then create the program in the background."""
        if self._creating:
            return
        try:
            spec = self.spec()
        except JudgePanelError as error:
            self.error.setText(error.message)
            return
        self.error.clear()
        self._set_creating(True)
        self.runner.start(lambda _progress: create_program(spec),
                          on_done=self._created, on_error=self._failed)

    def _set_creating(self, creating: bool) -> None:
        self._creating = creating
        self.progress.setVisible(creating)
        self.progress_label.setVisible(creating)
        for button in self.buttons.buttons():
            button.setEnabled(not creating)

    def _created(self, folder: Path) -> None:
        self._set_creating(False)
        self.created = folder
        self.accept()

    def _failed(self, error: JudgePanelError) -> None:
        self._set_creating(False)
        self.error.setText(error.message)

    def reject(self) -> None:  # Esc or Cancel: not while the program is being created
        if not self._creating:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._creating:
            event.ignore()
            return
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.runner.close()
        super().done(result)


def create_program_dialog(parent: QWidget | None = None) -> Path | None:
    """Ask for a new program and create it; its folder, or None when cancelled."""
    dialog = ProgramDialog(parent)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.created
    return None
