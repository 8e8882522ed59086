"""Open shared program…: the address of a program on a PostgreSQL server, and its password.

The address is what the server's administrator gave (docs/shared-workspace.md), e.g.
``postgresql://maria@db.example.org/awards2026``. The dialog adds the connection's
security: verify the server's certificate (best, with the certificate file the
administrator gave), encrypt only, or no encryption on a trusted network. A password
typed into the address is taken out of it: it is used once (or kept in the keyring if
asked), never written to the recent list or the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
)
from sqlalchemy.engine import make_url

from judgepanel.errors import JudgePanelError
from judgepanel.model.staff.location import PasswordAnswer, locate, url_password

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )

# (sslmode, what it means for an officer); "" keeps what the address says.
SECURITY = (
    ("", "As the address says (encrypted unless the server is this computer)"),
    ("verify-full", "Encrypted, and the server's certificate checked (best)"),
    ("require", "Encrypted, certificate not checked"),
    ("disable", "Not encrypted (a trusted network only)"),
)


@dataclass(frozen=True)
class SharedAddress:
    address: str  # never with a password
    password: str | None  # typed into the address, if it was


def with_security(address: str, sslmode: str, ca_file: str) -> str:
    """``address`` with the chosen TLS mode and certificate file added to its options."""
    url = make_url(address)
    query = dict(url.query)
    if sslmode:
        query["sslmode"] = sslmode
    if ca_file:
        query["sslrootcert"] = ca_file
    return url.set(query=query).render_as_string(hide_password=False)


class SharedProgramDialog(QDialog):
    """The address of a shared program, checked as it is read (not yet connected)."""

    def __init__(self, address: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Open a shared program"))
        self.result_address: SharedAddress | None = None
        form = QFormLayout(self)
        intro = QLabel(self.tr(
            "A program several officers share lives on a PostgreSQL server. Type the "
            "address your administrator gave you."))
        intro.setWordWrap(True)
        form.addRow(intro)
        self.address = QLineEdit(address)
        self.address.setPlaceholderText("postgresql://maria@db.example.org/awards2026")
        self.address.setAccessibleName(self.tr("Address"))
        self.address.setMinimumWidth(420)
        form.addRow(self.tr("&Address:"), self.address)
        self.security = QComboBox()
        self.security.setAccessibleName(self.tr("Connection security"))
        for mode, words in SECURITY:
            self.security.addItem(self.tr(words), mode)
        form.addRow(self.tr("&Security:"), self.security)
        self.ca_file = QLineEdit()
        self.ca_file.setAccessibleName(self.tr("Server certificate file"))
        self.ca_file.setPlaceholderText(self.tr("the certificate file your administrator gave "
                                                "(optional)"))
        browse = QPushButton(self.tr("&Browse…"))
        browse.clicked.connect(self._choose_ca)
        row = QHBoxLayout()
        row.addWidget(self.ca_file, 1)
        row.addWidget(browse)
        ca_label = QLabel(self.tr("&Certificate:"))
        ca_label.setBuddy(self.ca_file)
        form.addRow(ca_label, row)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Problem"))
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("The server's certificate"), "",
            self.tr("Certificates (*.crt *.pem *.cer);;All files (*)"))
        if path:
            self.ca_file.setText(path)

    def _accept_if_valid(self) -> None:
        written = self.address.text().strip()
        if "://" not in written:
            self.error.setText(self.tr("Type an address that starts with postgresql://"))
            return
        try:
            full = with_security(written, str(self.security.currentData() or ""),
                                 self.ca_file.text().strip())
            location = locate(full)
        except (JudgePanelError, ValueError) as error:
            self.error.setText(getattr(error, "message", str(error)))
            return
        if not location.on_server:
            self.error.setText(self.tr("That is not the address of a database server. To open "
                                       "a program folder, use Open a program folder."))
            return
        self.result_address = SharedAddress(location.display, url_password(full))
        self.accept()


def ask_shared_address(parent: QWidget | None, address: str = "") -> SharedAddress | None:
    dialog = SharedProgramDialog(address, parent)
    return dialog.result_address if dialog.exec() == QDialog.DialogCode.Accepted else None


class ServerPasswordDialog(QDialog):
    """The server's password, and whether to keep it in this computer's keyring."""

    def __init__(self, question: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Password"))
        self.setMinimumWidth(380)
        form = QFormLayout(self)
        label = QLabel(question)
        label.setWordWrap(True)
        form.addRow(label)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        form.addRow(self.tr("&Password:"), self.password)
        self.remember = QCheckBox(self.tr("&Keep it in this computer's keyring"))
        form.addRow(self.remember)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def ask_server_password(parent: QWidget | None, question: str) -> PasswordAnswer | None:
    dialog = ServerPasswordDialog(question, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.password.text():
        return None
    return PasswordAnswer(dialog.password.text(), dialog.remember.isChecked())
