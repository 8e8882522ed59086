"""What the judge sees first: who sent this bundle, for what, for whom, and by when.

The staff fingerprint is shown large and spaced so the judge can compare it with
what the program staff read out or wrote; a bundle from someone else would show a
different one. Nothing from the applications is shown yet.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.judge.records import BundleInfo
from judgepanel.ui.icons import icon


def due_text(due: str | None, today: dt.date | None = None) -> str:
    """"2026-04-01 (in 12 days)": the due date as a judge wants to read it."""
    if not due:
        return "—"
    try:
        day = dt.date.fromisoformat(due[:10])
    except ValueError:
        return due
    days = (day - (today or dt.date.today())).days
    tr = QCoreApplication.translate
    if days > 1:
        text = tr("BundleInfo", "{date} (in {n} days)")
    elif days == 1:
        text = tr("BundleInfo", "{date} (tomorrow)")
    elif days == 0:
        text = tr("BundleInfo", "{date} (today)")
    elif days == -1:
        text = tr("BundleInfo", "{date} (yesterday)")
    else:
        text = tr("BundleInfo", "{date} ({n} days ago)")
    return text.format(date=day.isoformat(), n=abs(days))


class BundleInfoPage(QWidget):
    """The facts of an opened bundle and a single way on: Continue."""

    continue_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel(self.tr("Your judging bundle"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        heading.setFont(font)
        self.verified = QLabel()
        self.verified.setWordWrap(True)
        icon_label = QLabel()
        icon_label.setPixmap(icon("bundle").pixmap(48, 48))

        self.program = self._value()
        self.round = self._value()
        self.judge = self._value()
        self.due = self._value()
        self.count = self._value()
        self.staff = self._value()
        self.fingerprint = self._value()
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(self.fingerprint.font().pointSizeF() * 1.4)
        self.fingerprint.setFont(mono)
        self.fingerprint.setAccessibleName(self.tr("Staff fingerprint"))

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow(self.tr("Program:"), self.program)
        form.addRow(self.tr("Round:"), self.round)
        form.addRow(self.tr("Judge:"), self.judge)
        form.addRow(self.tr("Due:"), self.due)
        form.addRow(self.tr("Applications:"), self.count)
        form.addRow(self.tr("Signed by:"), self.staff)
        form.addRow(self.tr("Staff fingerprint:"), self.fingerprint)
        hint = QLabel(self.tr(
            "Compare the staff fingerprint with the one the program staff gave you. If it "
            "differs, do not continue: contact the program staff."))
        hint.setWordWrap(True)
        # On the first bundle of a program the key is remembered: this is the moment the
        # phone check matters most (later bundles with another key are refused).
        self.first_key = QLabel(self.tr(
            "This is the first bundle of this program on this computer: from now on, only "
            "bundles signed with this staff key will open. Check the fingerprint now."))
        self.first_key.setWordWrap(True)
        self.first_key.setAccessibleName(self.tr("First bundle from this staff key"))
        self.first_key.setVisible(False)

        self.continue_button = QPushButton(self.tr("&Continue to the declarations"))
        self.continue_button.setDefault(True)
        self.continue_button.setAccessibleName(self.tr("Continue"))
        self.continue_button.clicked.connect(self.continue_requested)

        title_row = QHBoxLayout()
        title_row.addWidget(icon_label)
        title_row.addWidget(heading)
        title_row.addStretch()
        column = QVBoxLayout()
        column.addStretch()
        column.addLayout(title_row)
        column.addWidget(self.verified)
        column.addSpacing(16)
        column.addLayout(form)
        column.addSpacing(12)
        column.addWidget(hint)
        column.addWidget(self.first_key)
        column.addSpacing(16)
        column.addWidget(self.continue_button, alignment=Qt.AlignmentFlag.AlignLeft)
        column.addStretch()
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, stretch=3)
        outer.addStretch(1)

    def _value(self) -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def show_info(self, info: BundleInfo, applications: int, *,
                  first_from_this_key: bool = False) -> None:
        self.verified.setText(self.tr(
            "The bundle opened with your key and its signature checks out: it was made by "
            "the staff named below and has not been changed since."))
        self.program.setText(info.program_name)
        self.round.setText(info.round_name)
        self.judge.setText(info.judge_name)
        self.due.setText(due_text(info.due))
        self.count.setText(str(applications))
        self.staff.setText(info.staff_name)
        self.fingerprint.setText(info.staff_fingerprint)
        self.first_key.setVisible(first_from_this_key)
        self.continue_button.setFocus()
