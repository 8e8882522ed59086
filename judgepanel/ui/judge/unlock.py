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

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
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
from judgepanel.formats.card import Card
from judgepanel.formats.keystore import IdentityStore
from judgepanel.ui.icons import icon
from judgepanel.ui.judge.card_panel import AskPath, CardPanel, ask_card_path, documents_folder
from judgepanel.ui.judge.identity_file import (
    ask_identity_path,
    import_identity,
    is_passphrase_file,
)
from judgepanel.ui.judge.look import warning
from judgepanel.ui.judge.passphrase_fields import NewPassphrase
from judgepanel.ui.tasks import TaskRunner

AskOpenPath = Callable[[QWidget, str], str]  # (parent, the folder to start in) -> a file


def button_row(left: tuple[QPushButton, ...] = (),
               right: tuple[QPushButton, ...] = ()) -> QHBoxLayout:
    """A dialog's buttons: ``left`` ones, room, then ``right`` ones (the main one last)."""
    row = QHBoxLayout()
    for button in left:
        row.addWidget(button)
    row.addStretch()
    for button in right:
        row.addWidget(button)
    return row


def make_default(page: QWidget, button: QPushButton) -> None:
    """``button`` is the one Enter presses on ``page``; no other button there is."""
    for other in page.findChildren(QPushButton):
        other.setAutoDefault(False)
        other.setDefault(False)
    button.setDefault(True)


class UnlockDialog(QDialog):
    """Choose (and unlock) an identity, or create one. ``identity`` is set on accept.

    ``near``: the file being opened (a bundle, a results file), whose folder is where
    choosing an identity file starts (:meth:`identity_folder`).
    """

    def __init__(self, store: IdentityStore, runner: TaskRunner, parent: QWidget | None = None,
                 *, ask_path: AskPath = ask_card_path,
                 ask_identity: AskOpenPath = ask_identity_path,
                 near: Path | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.ask_path = ask_path
        self.ask_identity = ask_identity
        self.near = near
        self.import_path: Path | None = None
        self._locked_file = False
        self._needs_new = False
        self.identity: Identity | None = None
        self.setWindowTitle(self.tr("Unlock your identity"))
        self.setMinimumWidth(540)
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

    def default_button(self) -> QPushButton | None:
        """The button Enter presses on the page shown (tests check it matches the task)."""
        page = self.pages.currentWidget()
        if page is None:
            return None
        return next((b for b in page.findChildren(QPushButton) if b.isDefault()), None)

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
        make_default(page, self.unlock_button)

    def show_choose(self) -> None:
        self.choice.clear()
        for card in self.cards:
            self.choice.addItem(f"{card.name} — {card.fingerprint}", card.fingerprint)
        self._show(self.choose_page, self.tr("Unlock your identity"))
        self._choice_changed()

    def _show(self, page: QWidget, title: str) -> None:
        self.pages.setCurrentWidget(page)
        self.setWindowTitle(title)

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

    def _refocus(self, error: JudgePanelError) -> None:
        """After a refusal, focus where the judge fixes it, never a button Enter would press."""
        page = self.pages.currentWidget()
        if page is self.choose_page:
            target: QWidget = self.passphrase if not self.passphrase.isHidden() else self.choice
        elif page is self.create_page:
            target = (self.new_passphrase.first if self.use_passphrase.isChecked()
                      and self.name.text().strip() else self.name)
        elif page is self.import_page:
            target = (self.import_passphrase if not self.import_passphrase.isHidden()
                      else self.import_new.first)
        else:
            return
        target.setFocus()
        if isinstance(target, QLineEdit):
            target.selectAll()

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
        self.new_passphrase = NewPassphrase()
        self.use_passphrase.toggled.connect(self.new_passphrase.setEnabled)
        form = QFormLayout()
        name_label = QLabel(self.tr("Your &name:"))
        name_label.setBuddy(self.name)
        form.addRow(name_label, self.name)
        form.addRow(self.use_passphrase)
        form.addRow(self.new_passphrase)
        self.create_button = QPushButton(self.tr("C&reate my identity"))
        self.create_button.clicked.connect(self.create_identity)
        for field in (self.name, self.new_passphrase.first, self.new_passphrase.repeat):
            field.returnPressed.connect(self.create_identity)
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
        make_default(page, self.create_button)

    def show_create(self, *, first_run: bool) -> None:
        self.create_intro.setText(self.tr(
            "Welcome! To judge, you need an identity: a pair of keys that only this computer "
            "holds. Staff encrypt your bundle to it, and it signs your results.")
            if first_run else self.tr("Create another identity for judging."))
        forced = not self.store.keyring_usable()
        self.use_passphrase.setChecked(forced)
        self.use_passphrase.setEnabled(not forced)
        self.new_passphrase.setEnabled(forced)
        self._show(self.create_page, self.tr("Create your identity"))
        self.name.setFocus()

    def create_identity(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.error.setText(self.tr("Please type your name."))
            return
        passphrase: str | None = None
        if self.use_passphrase.isChecked():
            problem = self.new_passphrase.problem()
            if problem:
                self.error.setText(problem)
                self.new_passphrase.first.setFocus()
                return
            passphrase = self.new_passphrase.text()
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
        self.card_panel = CardPanel(ask_path=self.ask_path)
        self.card_fingerprint = self.card_panel.fingerprint
        self.save_card_button = self.card_panel.save_button
        done = QPushButton(self.tr("&Done"))
        done.clicked.connect(self.accept)
        self.done_button = done
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(done)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(self.card_text)
        layout.addWidget(self.card_panel)
        layout.addLayout(buttons)
        self.card_page = page
        self.pages.addWidget(page)
        make_default(page, done)
        self.card: Card | None = None

    def show_card(self, card: Card) -> None:
        self.card = card
        self.card_text.setText(self.tr("Your identity is ready, {name}.").format(name=card.name))
        self.card_panel.show_card(card)
        self._show(self.card_page, self.tr("Your identity is ready"))
        self.save_card_button.setFocus()

    def save_card(self) -> None:
        self.card_panel.save()

    # --- an identity file -------------------------------------------------------------

    def _build_import(self) -> None:
        page = QWidget()
        self.import_intro = QLabel()
        self.import_intro.setWordWrap(True)
        self.import_passphrase = QLineEdit()
        self.import_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.import_passphrase.setAccessibleName(self.tr("Passphrase of the identity file"))
        self.import_passphrase.returnPressed.connect(self.import_file)
        self.import_new = NewPassphrase()  # when no keyring works: the passphrase to keep it
        self.import_new.first.returnPressed.connect(self.import_file)
        self.import_new.repeat.returnPressed.connect(self.import_file)
        form = QFormLayout()
        self.import_label = QLabel(self.tr("&Passphrase:"))
        self.import_label.setBuddy(self.import_passphrase)
        form.addRow(self.import_label, self.import_passphrase)
        form.addRow(self.import_new)
        self.import_button = QPushButton(self.tr("&Use this identity"))
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
        make_default(page, self.import_button)

    def identity_folder(self) -> Path:
        """Where choosing an identity file starts: beside the one chosen last (trying again
        after a wrong file or passphrase), else beside the bundle being opened (staff send
        the identity file with the bundle, and a judge moving computers carries a backup
        with it), else the Documents folder, where JudgePanel suggests saving a backup."""
        for chosen in (self.import_path, self.near):
            if chosen is not None and chosen.parent.is_dir():
                return chosen.parent
        return documents_folder()

    def choose_identity_file(self) -> None:
        """Ask for the file; import at once when no passphrase is involved."""
        chosen = self.ask_identity(self, str(self.identity_folder()))
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
        self.import_new.clear()
        self.import_passphrase.setVisible(self._locked_file)
        self.import_label.setVisible(self._locked_file)
        self.import_new.setVisible(self._needs_new)
        self._show(self.import_page, self.tr("Use an identity file"))
        (self.import_passphrase if self._locked_file else self.import_new.first).setFocus()

    def import_file(self) -> None:
        path = self.import_path
        if path is None:
            return
        passphrase: str | None = None
        protect: str | None = None
        if self.pages.currentWidget() is self.import_page:
            if self._locked_file:
                passphrase = self.import_passphrase.text()
                if not passphrase:
                    self.error.setText(self.tr("Please type the passphrase."))
                    return
            else:
                problem = self.import_new.problem()
                if problem:
                    self.error.setText(problem)
                    self.import_new.first.setFocus()
                    return
                protect = self.import_new.text()
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
        self._refocus(error)

    def _busy(self, busy: bool, text: str) -> None:
        self.pages.setEnabled(not busy)
        if text:
            self.error.setText(text)
        elif not busy:
            self.error.setText("")
