"""A person's card, shown to be read out: name, fingerprint large, save it or copy it.

Why a widget of its own: the card appears right after an identity is made (in the
unlock dialog) and whenever the judge asks for it again (My identity), and both must
use the same words and say where the card went. Saving suggests the Documents folder;
copying puts the card's text on the clipboard, to paste into an e-mail to the staff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from judgepanel.formats.card import Card, write_card
from judgepanel.text import ascii_slug

AskPath = Callable[[QWidget, str], str]


def documents_folder() -> Path:
    """Where cards and backups are suggested: the Documents folder (else the home folder)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


def ask_card_path(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, parent.tr("Save your card"), suggested,
                                          parent.tr("JudgePanel cards (*.jpcard)"))
    return path


def big_fingerprint(label: QLabel) -> None:
    mono = QFont("monospace")
    mono.setStyleHint(QFont.StyleHint.Monospace)
    mono.setPointSizeF(max(mono.pointSizeF(), 10.0) * 1.6)
    mono.setBold(True)
    label.setFont(mono)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)


class CardPanel(QWidget):
    """Name and fingerprint of ``card``, with "Save card…" and "Copy card"."""

    def __init__(self, parent: QWidget | None = None, *,
                 ask_path: AskPath = ask_card_path) -> None:
        super().__init__(parent)
        self.ask_path = ask_path
        self.card: Card | None = None
        self.name = QLabel()
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.name.setFont(font)
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setAccessibleName(self.tr("Your name"))
        self.fingerprint = QLabel()
        big_fingerprint(self.fingerprint)
        self.fingerprint.setAccessibleName(self.tr("Your fingerprint"))
        hint = QLabel(self.tr("Send your card to the program staff; they make your bundle "
                              "with it. When they call, read them this fingerprint so they "
                              "know the card is yours."))
        hint.setWordWrap(True)
        self.save_button = QPushButton(self.tr("&Save card…"))
        self.save_button.clicked.connect(self.save)
        self.copy_button = QPushButton(self.tr("Cop&y card"))
        self.copy_button.setToolTip(self.tr("Put your card on the clipboard, to paste into "
                                            "an e-mail to the program staff"))
        self.copy_button.clicked.connect(self.copy)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName(self.tr("Where your card went"))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.name)
        layout.addWidget(self.fingerprint)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

    def show_card(self, card: Card) -> None:
        self.card = card
        self.name.setText(card.name)
        self.fingerprint.setText(card.fingerprint)
        self.status.setText("")

    def save(self) -> None:
        if self.card is None:
            return
        suggested = str(documents_folder() / f"{ascii_slug(self.card.name) or 'my'}-card.jpcard")
        path = self.ask_path(self, suggested)
        if not path:
            return
        if not path.endswith(".jpcard"):
            path += ".jpcard"
        try:
            write_card(path, self.card)
        except OSError as error:
            self.status.setText(self.tr("The card could not be saved there ({why}). Choose "
                                        "another folder.").format(why=error.strerror))
            return
        self.status.setText(self.tr("Your card was saved as {path}. Attach this file to an "
                                    "e-mail to the program staff.").format(path=path))

    def copy(self) -> None:
        if self.card is None:
            return
        QGuiApplication.clipboard().setText(self.card.to_json().decode("utf-8"))
        self.status.setText(self.tr("Your card is on the clipboard: paste it into an e-mail "
                                    "to the program staff."))
