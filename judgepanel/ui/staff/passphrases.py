"""Passphrase bundles: choose the judges, make strong passphrases, show each once.

Why here and not stored: a passphrase bundle is for a judge without an identity,
and the passphrase is its only key. It is made by ``crypto.passphrase`` from an
alphabet without look-alike letters (read aloud by phone without confusion),
shown once with a copy button, and then forgotten: the workspace records only
that a passphrase was used (``IssuedBundle.recipients``) and the checklist keeps
the hint the officer types ("read out to Amara on 3 May"), never the passphrase.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from judgepanel.errors import ValidationError

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )


@dataclass(frozen=True)
class IssuedPassphrase:
    """One passphrase as built, only for showing once (never stored)."""

    judge_id: int
    judge: str
    bundle_id: str
    file_name: str
    passphrase: str


class ChooseJudgesDialog(QDialog):
    """Tick the judges whose bundles should open with a passphrase instead of their key."""

    def __init__(self, judges: Sequence[tuple[int, str]], preselected: Sequence[int] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Bundles that open with a passphrase"))
        layout = QVBoxLayout(self)
        text = QLabel(self.tr(
            "For judges who cannot make an identity: their bundle opens with a passphrase "
            "that you tell them by phone (never in the same e-mail as the file). Staff "
            "cannot reopen such a bundle."))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Judges"))
        for judge_id, name in judges:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, judge_id)
            item.setCheckState(Qt.CheckState.Checked if judge_id in preselected
                               else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Build"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> list[int]:
        return [int(self.list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]


class PassphrasesDialog(QDialog):
    """Each new passphrase once, with a copy button and a hint box (the hint is kept)."""

    def __init__(self, issued: Sequence[IssuedPassphrase], parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Passphrases — shown only now"))
        self.issued = list(issued)
        layout = QVBoxLayout(self)
        warning = QLabel(self.tr(
            "<b>Write these down or tell the judges now: they are not saved anywhere.</b> "
            "Call each judge and read the passphrase out. In the hint box, note how you "
            "passed it on (the hint is kept in the checklist, the passphrase is not)."))
        warning.setWordWrap(True)
        layout.addWidget(warning)
        grid = QGridLayout()
        for column, title in enumerate((self.tr("Judge"), self.tr("Passphrase"), "",
                                        self.tr("Hint (kept)"))):
            grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        self.fields: list[QLineEdit] = []
        self.hints: list[QLineEdit] = []
        for row, item in enumerate(self.issued, start=1):
            grid.addWidget(QLabel(item.judge), row, 0)
            field = QLineEdit(item.passphrase)
            field.setReadOnly(True)
            field.setAccessibleName(self.tr("Passphrase for {name}").format(name=item.judge))
            field.setMinimumWidth(260)
            grid.addWidget(field, row, 1)
            copy = QPushButton(self.tr("Copy"))
            copy.setAccessibleName(self.tr("Copy the passphrase for {name}").format(
                name=item.judge))
            copy.clicked.connect((lambda text: lambda: self.copy(text))(item.passphrase))
            grid.addWidget(copy, row, 2)
            hint = QLineEdit()
            hint.setPlaceholderText(self.tr("e.g. read out by phone on Monday"))
            hint.setAccessibleName(self.tr("Hint for {name}").format(name=item.judge))
            hint.setMinimumWidth(220)
            grid.addWidget(hint, row, 3)
            self.fields.append(field)
            self.hints.append(hint)
        layout.addLayout(grid)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Problem"))
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("I have passed them on"))
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.finished.connect(lambda _r: self.forget())

    def accept(self) -> None:
        """Close only when every hint can be kept (none may hold the passphrase)."""
        from judgepanel.model.staff.bundles.issued import check_passphrase_hint

        for item, hint in zip(self.issued, self.hints, strict=True):
            try:
                check_passphrase_hint(hint.text())
            except ValidationError as error:
                self.error.setText(self.tr("Hint for {name}: {problem}").format(
                    name=item.judge, problem=error.message))
                self.adjustSize()  # room for the message, fields unsquashed
                hint.setFocus()
                return
        super().accept()

    @staticmethod
    def copy(text: str) -> None:
        QApplication.clipboard().setText(text)

    def hint_texts(self) -> dict[str, str]:
        """{bundle id: hint} for the hints typed (empty ones left out)."""
        return {item.bundle_id: hint.text().strip()
                for item, hint in zip(self.issued, self.hints, strict=True)
                if hint.text().strip()}

    def forget(self) -> None:
        """Clear the passphrases from the widgets (and the clipboard) once closed."""
        clipboard = QApplication.clipboard()
        if clipboard.text() in {i.passphrase for i in self.issued if i.passphrase}:
            clipboard.clear()
        for field in self.fields:
            field.clear()
        self.issued = [IssuedPassphrase(i.judge_id, i.judge, i.bundle_id, i.file_name, "")
                       for i in self.issued]
