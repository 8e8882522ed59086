"""Asking why a judge is unable to review an application (other than a conflict).

The reason travels with the results to the staff, who see the review as missing with
this reason (leaderboard, dossier, activity report), so it is required. Enter saves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from judgepanel.ui.judge.unlock import button_row, make_default

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )


class UnableDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Unable to review"))
        self.setMinimumWidth(480)
        intro = QLabel(self.tr(
            "Why can you not review “{title}”? For example: outside my expertise, or I am "
            "ill. (A conflict of interest is declared under Declarations instead.) The "
            "program staff see your reason; the application then counts as done.").format(
                title=title))
        intro.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Why you are unable to review it"))
        self.reason.setPlaceholderText(self.tr("For example: outside my field of expertise"))
        label = QLabel(self.tr("&Reason:"))
        label.setBuddy(self.reason)
        self.save = QPushButton(self.tr("&Save"))
        self.save.clicked.connect(self.accept)
        self.save.setEnabled(False)
        self.reason.textChanged.connect(lambda text: self.save.setEnabled(bool(text.strip())))
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.reason, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addLayout(button_row(right=(cancel, self.save)))
        make_default(self, self.save)
        self.reason.setFocus()

    def default_button(self) -> QPushButton | None:
        return next((b for b in self.findChildren(QPushButton) if b.isDefault()), None)
