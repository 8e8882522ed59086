"""Unlocking the judge's identity, or making one on first run and showing its card.

The identity's secret lives in the OS keyring or in a passphrase-protected file
(``IdentityStore``). Unlocking a passphrase file runs scrypt, which takes a moment,
so it goes through the task runner like any other long work. On first run the
judge creates an identity and gets the card (``.jpcard``) to send to staff, with
the fingerprint to read out on the phone.

"Use an identity file…" brings in an identity made elsewhere: a backup exported
with a passphrase (``.identity.age``, moving to a new computer) or a demo
``.identity`` file. It is imported into this computer's store (the keyring, or a
passphrase file where no keyring works), so later unlocks look the same.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from judgepanel.crypto.identity import Identity
from judgepanel.errors import JudgePanelError
from judgepanel.formats.card import Card, write_card
from judgepanel.formats.keystore import IdentityStore
from judgepanel.ui.icons import icon
from judgepanel.ui.judge.identity_file import (
    ask_identity_path,
    import_identity,
    is_passphrase_file,
)
from judgepanel.ui.judge.look import warning
from judgepanel.ui.tasks import TaskRunner

AskPath = Callable[[QWidget, str], str]
AskOpenPath = Callable[[QWidget], str]


def ask_card_path(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, parent.tr("Save your card"), suggested,
                                          parent.tr("JudgePanel cards (*.jpcard)"))
    return path


class UnlockDialog(QDialog):
    """Choose (and unlock) an identity, or create one. ``identity`` is set on accept."""

    def __init__(self, store: IdentityStore, runner: TaskRunner, parent: QWidget | None = None,
                 *, ask_path: AskPath = ask_card_path,
                 ask_identity: AskOpenPath = ask_identity_path) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.ask_path = ask_path
        self.ask_identity = ask_identity
        self.import_path: Path | None = None
        self._locked_file = False
        self._needs_new = False
        self.identity: Identity | None = None
        self.setWindowTitle(self.tr("Unlock your identity"))
        self.setMinimumWidth(520)
        self.pages = QStackedWidget()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {warning(self)}")
        self.error.setAccessibleName(self.tr("Message"))
        self._build_choose()
        self._build_create()
        self._build_card()
        self._build_import()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        self.cards = [c for c in store.list() if c.role == "judge"]
        if self.cards:
            self.show_choose()
        else:
            self.show_create(first_run=True)

    # --- choose an existing identity ----------------------------------------------

    def _build_choose(self) -> None:
        page = QWidget()
        intro = QLabel(self.tr("Your bundle opens with your own identity, kept safely on "
                               "this computer."))
        intro.setWordWrap(True)
        self.choice = QComboBox()
        self.choice.setAccessibleName(self.tr("Your identity"))
        self.choice.currentIndexChanged.connect(self._choice_changed)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.passphrase.returnPressed.connect(self.unlock)
        self.passphrase_label = QLabel(self.tr("&Passphrase:"))
        self.passphrase_label.setBuddy(self.passphrase)
        form = QFormLayout()
        identity_label = QLabel(self.tr("&Identity:"))
        identity_label.setBuddy(self.choice)
        form.addRow(identity_label, self.choice)
        form.addRow(self.passphrase_label, self.passphrase)
        self.unlock_button = QPushButton(self.tr("&Unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.unlock)
        new_button = QPushButton(self.tr("Create a &new identity…"))
        new_button.clicked.connect(lambda: self.show_create(first_run=False))
        self.file_button = QPushButton(self.tr("Use an identity &file…"))
        self.file_button.setToolTip(self.tr("An identity file you exported on another computer, "
                                            "or one the program staff gave you for a demo"))
        self.file_button.clicked.connect(self.choose_identity_file)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(new_button)
        buttons.addWidget(self.file_button)
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.unlock_button)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.choose_page = page
        self.pages.addWidget(page)

    def show_choose(self) -> None:
        self.choice.clear()
        for card in self.cards:
            self.choice.addItem(f"{card.name} — {card.fingerprint}", card.fingerprint)
        self.pages.setCurrentWidget(self.choose_page)
        self._choice_changed()

    def _choice_changed(self) -> None:
        fingerprint = self.choice.currentData()
        needs = bool(fingerprint) and self.store.needs_passphrase(str(fingerprint))
        self.passphrase.setVisible(needs)
        self.passphrase_label.setVisible(needs)
        (self.passphrase if needs else self.unlock_button).setFocus()

    def unlock(self) -> None:
        fingerprint = str(self.choice.currentData() or "")
        if not fingerprint:
            return
        passphrase = None if self.passphrase.isHidden() else self.passphrase.text()
        self._busy(True, self.tr("Unlocking…"))
        self.runner.start(lambda _progress: self.store.load(fingerprint, passphrase=passphrase),
                          on_done=self._unlocked, on_error=self._failed)

    def _unlocked(self, identity: object) -> None:
        assert isinstance(identity, Identity)
        self.identity = identity
        self._busy(False, "")
        self.accept()

    # --- create one ---------------------------------------------------------------

    def _build_create(self) -> None:
        page = QWidget()
        self.create_intro = QLabel()
        self.create_intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setAccessibleName(self.tr("Your name"))
        self.name.setPlaceholderText(self.tr("As the program staff know you"))
        self.use_passphrase = QCheckBox(self.tr("Protect it with a passphrase (instead of this "
                                                "computer's password store)"))
        self.new_passphrase = QLineEdit()
        self.new_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_passphrase.setAccessibleName(self.tr("New passphrase"))
        self.repeat_passphrase = QLineEdit()
        self.repeat_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_passphrase.setAccessibleName(self.tr("Repeat the passphrase"))
        self.use_passphrase.toggled.connect(self.new_passphrase.setEnabled)
        self.use_passphrase.toggled.connect(self.repeat_passphrase.setEnabled)
        form = QFormLayout()
        name_label = QLabel(self.tr("Your &name:"))
        name_label.setBuddy(self.name)
        form.addRow(name_label, self.name)
        form.addRow(self.use_passphrase)
        form.addRow(self.tr("Passphrase:"), self.new_passphrase)
        form.addRow(self.tr("Repeat:"), self.repeat_passphrase)
        self.create_button = QPushButton(self.tr("C&reate my identity"))
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create_identity)
        self.name.returnPressed.connect(self.create_identity)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        self.create_file_button = QPushButton(self.tr("I have an identity &file…"))
        self.create_file_button.clicked.connect(self.choose_identity_file)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_file_button)
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.create_intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.create_page = page
        self.pages.addWidget(page)

    def show_create(self, *, first_run: bool) -> None:
        self.create_intro.setText(self.tr(
            "Welcome! To judge, you need an identity: a pair of keys that only this computer "
            "holds. Staff encrypt your bundle to it, and it signs your results.")
            if first_run else self.tr("Create another identity for judging."))
        forced = not self.store.keyring_usable()
        self.use_passphrase.setChecked(forced)
        self.use_passphrase.setEnabled(not forced)
        self.new_passphrase.setEnabled(forced)
        self.repeat_passphrase.setEnabled(forced)
        self.pages.setCurrentWidget(self.create_page)
        self.name.setFocus()

    def create_identity(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.error.setText(self.tr("Please type your name."))
            return
        passphrase: str | None = None
        if self.use_passphrase.isChecked():
            passphrase = self.new_passphrase.text()
            if not passphrase:
                self.error.setText(self.tr("Please choose a passphrase."))
                return
            if passphrase != self.repeat_passphrase.text():
                self.error.setText(self.tr("The two passphrases differ. Type them again."))
                return
        self._busy(True, self.tr("Creating your identity…"))
        self.runner.start(lambda _p: self.store.create(name, "judge", passphrase=passphrase),
                          on_done=self._created, on_error=self._failed)

    def _created(self, identity: object) -> None:
        assert isinstance(identity, Identity)
        self.identity = identity
        self._busy(False, "")
        self.show_card(Card.from_identity(identity))

    # --- the card to send ------------------------------------------------------------

    def _build_card(self) -> None:
        page = QWidget()
        heading = QLabel()
        heading.setPixmap(icon("identity").pixmap(40, 40))
        self.card_text = QLabel()
        self.card_text.setWordWrap(True)
        self.card_fingerprint = QLabel()
        self.card_fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.card_fingerprint.setAccessibleName(self.tr("Your fingerprint"))
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(mono.pointSizeF() * 1.5)
        self.card_fingerprint.setFont(mono)
        self.save_card_button = QPushButton(self.tr("&Save card…"))
        self.save_card_button.clicked.connect(self.save_card)
        done = QPushButton(self.tr("&Done"))
        done.setDefault(True)
        done.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_card_button)
        buttons.addStretch()
        buttons.addWidget(done)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(self.card_text)
        layout.addWidget(self.card_fingerprint, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(buttons)
        self.card_page = page
        self.pages.addWidget(page)
        self.card: Card | None = None

    def show_card(self, card: Card) -> None:
        self.card = card
        self.card_text.setText(self.tr(
            "Your identity is ready, {name}. Save your card and send it to the program staff; "
            "they make your bundle with it. When they call, read them this fingerprint so "
            "they know the card is yours:").format(name=card.name))
        self.card_fingerprint.setText(card.fingerprint)
        self.pages.setCurrentWidget(self.card_page)
        self.save_card_button.setFocus()

    def save_card(self) -> None:
        if self.card is None:
            return
        suggested = str(Path.home() / f"{self.card.name.replace(' ', '-')}.jpcard")
        path = self.ask_path(self, suggested)
        if not path:
            return
        if not path.endswith(".jpcard"):
            path += ".jpcard"
        try:
            write_card(path, self.card)
        except OSError as error:
            self.error.setText(self.tr("The card could not be saved there ({why}). Choose "
                                       "another folder.").format(why=error.strerror))
            return
        self.error.setText("")
        self.card_text.setText(self.card_text.text() + "\n\n" + self.tr(
            "Saved as {path}.").format(path=path))

    # --- an identity file -------------------------------------------------------------

    def _build_import(self) -> None:
        page = QWidget()
        self.import_intro = QLabel()
        self.import_intro.setWordWrap(True)
        self.import_passphrase = QLineEdit()
        self.import_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.import_passphrase.setAccessibleName(self.tr("Passphrase of the identity file"))
        self.import_passphrase.returnPressed.connect(self.import_file)
        self.import_repeat = QLineEdit()
        self.import_repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.import_repeat.setAccessibleName(self.tr("Repeat the passphrase"))
        self.import_repeat.returnPressed.connect(self.import_file)
        self.import_repeat_label = QLabel(self.tr("Repeat:"))
        form = QFormLayout()
        label = QLabel(self.tr("&Passphrase:"))
        label.setBuddy(self.import_passphrase)
        form.addRow(label, self.import_passphrase)
        form.addRow(self.import_repeat_label, self.import_repeat)
        self.import_button = QPushButton(self.tr("&Use this identity"))
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.import_file)
        back = QPushButton(self.tr("&Back"))
        back.clicked.connect(self._back)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch()
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.import_intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.import_page = page
        self.pages.addWidget(page)

    def choose_identity_file(self) -> None:
        """Ask for the file; import at once when no passphrase is involved."""
        chosen = self.ask_identity(self)
        if not chosen:
            return
        self.import_path = Path(chosen)
        self.error.setText("")
        self._locked_file = is_passphrase_file(self.import_path)
        self._needs_new = not self._locked_file and not self.store.keyring_usable()
        if not (self._locked_file or self._needs_new):
            self.import_file()
            return
        name = self.import_path.name
        if self._locked_file:
            self.import_intro.setText(self.tr(
                "“{name}” is protected by a passphrase. Type the passphrase you chose when "
                "you saved it.").format(name=name))
        else:
            self.import_intro.setText(self.tr(
                "This computer has no password store JudgePanel can use, so your identity "
                "from “{name}” will be kept in a file protected by a passphrase. Choose "
                "one.").format(name=name))
        self.import_passphrase.clear()
        self.import_repeat.clear()
        self.import_repeat.setVisible(self._needs_new)
        self.import_repeat_label.setVisible(self._needs_new)
        self.pages.setCurrentWidget(self.import_page)
        self.import_passphrase.setFocus()

    def import_file(self) -> None:
        path = self.import_path
        if path is None:
            return
        passphrase: str | None = None
        protect: str | None = None
        if self.pages.currentWidget() is self.import_page:
            typed = self.import_passphrase.text()
            if not typed:
                self.error.setText(self.tr("Please type the passphrase."))
                return
            if self._needs_new and typed != self.import_repeat.text():
                self.error.setText(self.tr("The two passphrases differ. Type them again."))
                return
            passphrase, protect = (typed, None) if self._locked_file else (None, typed)
        store = self.store
        self._busy(True, self.tr("Reading your identity file…"))
        self.runner.start(lambda _p: import_identity(store, path, passphrase, protect),
                          on_done=self._unlocked, on_error=self._failed)

    def _back(self) -> None:
        self.error.setText("")
        if self.cards:
            self.show_choose()
        else:
            self.show_create(first_run=True)

    # --- shared ---------------------------------------------------------------------

    def _failed(self, error: JudgePanelError) -> None:
        self._busy(False, "")
        self.error.setText(str(error))

    def _busy(self, busy: bool, text: str) -> None:
        self.pages.setEnabled(not busy)
        if text:
            self.error.setText(text)
        elif not busy:
            self.error.setText("")
