"""My identity: create one, see it, send the card, back it up, bring one in. No bundle needed.

Why: a new judge must send their card to the staff *before* any bundle exists (staff
make the bundle with it), and a judge moving to a new computer needs their identity
there first. So this dialog works from the menu on a fresh start: with no identity it
offers to create one or to use an identity file; with one it shows the name and the
fingerprint large, saves or copies the card (saying where it went), exports a
passphrase-protected backup and imports one. Creating and importing reuse the unlock
dialog's pages (``UnlockDialog``), so the words are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from judgepanel.errors import JudgePanelError
from judgepanel.formats.keystore import IdentityStore
from judgepanel.text import ascii_slug
from judgepanel.ui.judge.card_panel import AskPath, CardPanel, ask_card_path, documents_folder
from judgepanel.ui.judge.identity_file import ask_identity_path
from judgepanel.ui.judge.look import warning
from judgepanel.ui.judge.passphrase_fields import NewPassphrase
from judgepanel.ui.judge.unlock import AskOpenPath, UnlockDialog, button_row, make_default
from judgepanel.ui.tasks import TaskRunner

RunDialog = Callable[[QDialog], int]


def ask_backup_path(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(
        parent, parent.tr("Export your identity file"), suggested,
        parent.tr("JudgePanel identity files (*.identity.age)"))
    return path


class ExportIdentityDialog(QDialog):
    """A passphrase-protected backup of one identity (to move to another computer)."""

    def __init__(self, store: IdentityStore, fingerprint: str, name: str, runner: TaskRunner,
                 parent: QWidget | None = None, *, ask_path: AskPath = ask_backup_path) -> None:
        super().__init__(parent)
        self.store, self.fingerprint, self.runner, self.ask_path = (store, fingerprint, runner,
                                                                    ask_path)
        self.written: Path | None = None
        self.setWindowTitle(self.tr("Export your identity file"))
        self.setMinimumWidth(520)
        intro = QLabel(self.tr(
            "A backup of your identity, protected by a passphrase you choose now. On another "
            "computer, choose My identity > Import an identity file and type it. Keep the "
            "file and the passphrase apart."))
        intro.setWordWrap(True)
        self.current = QLineEdit()
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        self.current.setAccessibleName(self.tr("Your current passphrase"))
        self.current_label = QLabel(self.tr("&Current passphrase:"))
        self.current_label.setBuddy(self.current)
        needs = store.needs_passphrase(fingerprint)
        self.current.setVisible(needs)
        self.current_label.setVisible(needs)
        self.new = NewPassphrase()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {warning(self)}")
        self.export_button = QPushButton(self.tr("&Export…"))
        self.export_button.clicked.connect(self.export)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        for field in (self.current, self.new.first, self.new.repeat):
            field.returnPressed.connect(self.export)
        row = QHBoxLayout()
        row.addWidget(self.current_label)
        row.addWidget(self.current, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.new)
        layout.addWidget(self.error)
        layout.addLayout(button_row(right=(cancel, self.export_button)))
        make_default(self, self.export_button)
        self.suggested = str(documents_folder() / f"{ascii_slug(name) or 'my'}.identity.age")
        (self.current if needs else self.new.first).setFocus()

    def default_button(self) -> QPushButton | None:
        return next((b for b in self.findChildren(QPushButton) if b.isDefault()), None)

    def export(self) -> None:
        problem = self.new.problem()
        if problem:
            self.error.setText(problem)
            self.new.first.setFocus()
            return
        chosen = self.ask_path(self, self.suggested)
        if not chosen:
            return
        path = Path(chosen if chosen.endswith(".identity.age") else chosen + ".identity.age")
        current = self.current.text() if not self.current.isHidden() else None
        store, fingerprint, passphrase = self.store, self.fingerprint, self.new.text()
        self.setEnabled(False)
        self.error.setText(self.tr("Exporting…"))

        def work(_progress: object) -> Path:
            store.export_identity_file(fingerprint, path, passphrase=passphrase,
                                       current_passphrase=current)
            return path

        def done(result: object) -> None:
            assert isinstance(result, Path)
            self.written = result
            self.setEnabled(True)
            self.accept()

        def failed(error: JudgePanelError) -> None:
            self.setEnabled(True)
            self.error.setText(str(error))
            (self.current if not self.current.isHidden() else self.new.first).setFocus()

        self.runner.start(work, on_done=done, on_error=failed)


class MyIdentityDialog(QDialog):
    """The judge's identities on this computer, and everything to do with them."""

    def __init__(self, store: IdentityStore, runner: TaskRunner, parent: QWidget | None = None,
                 *, ask_card: AskPath = ask_card_path, ask_backup: AskPath = ask_backup_path,
                 ask_identity: AskOpenPath = ask_identity_path,
                 run_dialog: RunDialog = lambda dialog: dialog.exec()) -> None:
        super().__init__(parent)
        self.store, self.runner = store, runner
        self.ask_backup, self.ask_identity, self.run_dialog = ask_backup, ask_identity, run_dialog
        self.setWindowTitle(self.tr("My identity"))
        self.setMinimumWidth(560)
        self.pages = QStackedWidget()
        # No identity yet.
        self.none_page = QWidget()
        welcome = QLabel(self.tr(
            "You have no identity on this computer yet. To judge, you need one: a pair of "
            "keys that only this computer holds. Staff encrypt your bundle to it, and it "
            "signs your results. Create it, then send your card to the program staff."))
        welcome.setWordWrap(True)
        self.create_button = QPushButton(self.tr("C&reate my identity…"))
        self.create_button.clicked.connect(self.create_identity)
        self.import_first = QPushButton(self.tr("&Import an identity file…"))
        self.import_first.setToolTip(self.tr("An identity file you exported on another "
                                             "computer"))
        self.import_first.clicked.connect(self.import_file)
        none_layout = QVBoxLayout(self.none_page)
        none_layout.addWidget(welcome)
        none_layout.addStretch()
        none_layout.addLayout(button_row((self.import_first,), (self.create_button,)))
        make_default(self.none_page, self.create_button)
        # An identity.
        self.show_page = QWidget()
        self.choice = QComboBox()
        self.choice.setAccessibleName(self.tr("Your identities"))
        self.choice.currentIndexChanged.connect(self._choice_changed)
        self.card_panel = CardPanel(ask_path=ask_card)
        self.export_button = QPushButton(self.tr("E&xport identity file…"))
        self.export_button.clicked.connect(self.export_file)
        self.import_button = QPushButton(self.tr("&Import an identity file…"))
        self.import_button.clicked.connect(self.import_file)
        self.another = QPushButton(self.tr("Create &another…"))
        self.another.clicked.connect(self.create_identity)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.accept)
        backup = button_row((self.export_button, self.import_button, self.another),
                            (self.close_button,))
        show_layout = QVBoxLayout(self.show_page)
        show_layout.addWidget(self.choice)
        show_layout.addWidget(self.card_panel)
        show_layout.addStretch()
        show_layout.addLayout(backup)
        make_default(self.show_page, self.card_panel.save_button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        self.pages.addWidget(self.none_page)
        self.pages.addWidget(self.show_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.message)
        self.refresh()

    def default_button(self) -> QPushButton | None:
        page = self.pages.currentWidget()
        if page is None:
            return None
        return next((b for b in page.findChildren(QPushButton) if b.isDefault()), None)

    def refresh(self, select: str | None = None) -> None:
        cards = [c for c in self.store.list() if c.role == "judge"]
        self.choice.blockSignals(True)
        self.choice.clear()
        for card in cards:
            self.choice.addItem(f"{card.name} — {card.fingerprint}", card.fingerprint)
        if select is not None:
            self.choice.setCurrentIndex(max(0, self.choice.findData(select)))
        elif cards:
            self.choice.setCurrentIndex(len(cards) - 1)  # the newest, as the app uses
        self.choice.blockSignals(False)
        self.choice.setVisible(len(cards) > 1)
        if cards:
            self.pages.setCurrentWidget(self.show_page)
            self._choice_changed()
            self.card_panel.save_button.setFocus()
        else:
            self.pages.setCurrentWidget(self.none_page)
            self.create_button.setFocus()

    def _choice_changed(self) -> None:
        fingerprint = self.choice.currentData()
        if fingerprint:
            self.card_panel.show_card(self.store.card(str(fingerprint)))

    def current_fingerprint(self) -> str:
        return str(self.choice.currentData() or "")

    def create_identity(self) -> None:
        dialog = UnlockDialog(self.store, self.runner, self, ask_path=self.card_panel.ask_path,
                              ask_identity=self.ask_identity)
        dialog.show_create(first_run=not self.store.list())
        self.run_dialog(dialog)
        if dialog.identity is not None:
            self.refresh(dialog.identity.fingerprint)
            self.message.setText(self.tr("Your identity is ready. Save or copy your card and "
                                         "send it to the program staff."))

    def import_file(self) -> None:
        dialog = UnlockDialog(self.store, self.runner, self, ask_identity=self.ask_identity)
        dialog.choose_identity_file()
        if dialog.identity is None and dialog.import_path is not None:
            self.run_dialog(dialog)
        if dialog.identity is not None:
            self.refresh(dialog.identity.fingerprint)
            self.message.setText(self.tr("{name}'s identity is now on this computer.").format(
                name=dialog.identity.name))

    def export_file(self) -> None:
        card = self.card_panel.card
        if card is None:
            return
        dialog = ExportIdentityDialog(self.store, card.fingerprint, card.name, self.runner, self,
                                      ask_path=self.ask_backup)
        self.run_dialog(dialog)
        if dialog.written is not None:
            self.message.setText(self.tr("Your identity file was saved as {path}. It opens only "
                                         "with the passphrase you chose.").format(
                                             path=dialog.written))
