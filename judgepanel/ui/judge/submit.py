"""Finishing: the check that lists what is missing, the export, and the export history.

Also moving to another computer, at any time: "Take my work to another computer…" saves
the work as it stands (a work file, for the judge alone) and "Continue from my results
file or work file…" brings it back on the other computer.

Each problem in the list leads to the place that fixes it (activate it: Enter or a
double-click). The export itself runs in the background (the page owns the task);
this screen only asks for it and shows what happened.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.judge.records import ExportProblem, ExportRecord
from judgepanel.ui.icons import icon
from judgepanel.ui.judge.models import APP_ID_ROLE, CRITERION_ROLE, ExportsModel, ProblemsModel

if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex


def scoresheet_available() -> bool:
    """Whether the reports package can make the judge's own PDF score sheet."""
    try:
        return importlib.util.find_spec("judgepanel.reports.scoresheet") is not None
    except (ImportError, ValueError):  # pragma: no cover
        return False


class SubmitPage(QWidget):
    """The check, the export button, and the files already sent."""

    go_to = Signal(str, object)  # application id, criterion key or None
    export_requested = Signal(bool)  # with a PDF score sheet?
    sheet_export_requested = Signal()
    sheet_import_requested = Signal()
    continue_requested = Signal()
    carry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problems_model = ProblemsModel(self)
        self.exports_model = ExportsModel(self)

        self.headline = QLabel()
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setAccessibleName(self.tr("Submission check"))
        self.explain = QLabel()
        self.explain.setWordWrap(True)

        self.problems = QListView()
        self.problems.setModel(self.problems_model)
        self.problems.setAccessibleName(self.tr("What is still missing"))
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.activated.connect(self._activated)
        self.problems.doubleClicked.connect(self._activated)

        self.with_sheet = QCheckBox(self.tr("Also save a &PDF score sheet for my records"))
        self.with_sheet.setVisible(scoresheet_available())
        self.export_button = QPushButton(icon("export"), self.tr("Sign and &export results…"))
        self.export_button.setAccessibleName(self.tr("Sign and export the results file"))
        self.export_button.clicked.connect(
            lambda: self.export_requested.emit(self.with_sheet.isChecked()))
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setAccessibleName(self.tr("Export result"))

        self.sheet_export = QPushButton(self.tr("Export score &sheet…"))
        self.sheet_export.setToolTip(self.tr("Your applications and the rubric as a "
                                             "spreadsheet (.xlsx or .csv) to score in"))
        self.sheet_export.clicked.connect(self.sheet_export_requested)
        self.sheet_import = QPushButton(self.tr("&Import score sheet…"))
        self.sheet_import.setToolTip(self.tr("Bring back a filled score sheet; you see every "
                                             "change before it is applied"))
        self.sheet_import.clicked.connect(self.sheet_import_requested)
        sheets = QHBoxLayout()
        sheets.addWidget(self.sheet_export)
        sheets.addWidget(self.sheet_import)
        sheets.addStretch()

        # Moving to another computer mid-round: available whatever is still missing.
        self.carry_button = QPushButton(self.tr("&Take my work to another computer…"))
        self.carry_button.setAccessibleName(self.tr("Save a work file to take your work to "
                                                    "another computer"))
        self.carry_button.setToolTip(self.tr(
            "Saves your work as it stands, finished or not, in a work file (.jpwork) that "
            "only you can open"))
        self.carry_button.clicked.connect(self.carry_requested)
        self.continue_button = QPushButton(self.tr("Continue from my &results file or work "
                                                   "file…"))
        self.continue_button.setToolTip(self.tr(
            "On a new computer, or after reinstalling: bring back your declarations, scores "
            "and comments from your latest results file or work file"))
        self.continue_button.clicked.connect(self.continue_requested)
        self.carry_note = QLabel(self.tr(
            "Moving to another computer? Save your work as it stands, finished or not, and "
            "continue from it there. The work file is for you alone, not for the staff."))
        self.carry_note.setWordWrap(True)
        elsewhere = QHBoxLayout()
        elsewhere.addWidget(self.carry_button)
        elsewhere.addWidget(self.continue_button)
        elsewhere.addStretch()

        history_label = QLabel(self.tr("<b>Results files you exported, and work files you "
                                       "saved</b>"))
        self.history = QTableView()
        self.history.setModel(self.exports_model)
        self.history.setAccessibleName(self.tr("Export history"))
        self.history.verticalHeader().hide()
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.history.horizontalHeader()
        for column in range(3):  # version, date and what: on one line each
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.history.setMaximumHeight(160)

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.explain)
        layout.addWidget(self.problems, stretch=1)
        layout.addWidget(self.with_sheet)
        layout.addWidget(self.export_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.result)
        layout.addSpacing(12)
        layout.addWidget(history_label)
        layout.addWidget(self.history)
        layout.addSpacing(8)
        layout.addLayout(sheets)
        layout.addSpacing(8)
        layout.addWidget(self.carry_note)
        layout.addLayout(elsewhere)

    def show_state(self, problems: list[ExportProblem], exports: list[ExportRecord],
                   changed_since_export: bool) -> None:
        self.problems_model.set_problems(problems)
        self.exports_model.set_records(exports)
        exports = [e for e in exports if not e.work_file]  # work files are not for the staff
        self.problems.setVisible(bool(problems))
        self.export_button.setEnabled(not problems)
        if problems:
            self.headline.setText(self.tr("1 thing still missing") if len(problems) == 1 else
                                  self.tr("{n} things still missing").format(n=len(problems)))
            self.explain.setText(self.tr(
                "Everything below must be done before you can send your results. Select a "
                "line and press Enter to go there."))
        elif exports and not changed_since_export:
            self.headline.setText(self.tr("Your results are exported"))
            self.explain.setText(self.tr(
                "Send the latest file below to the program staff (by e-mail or as they asked). "
                "If you change anything, export again: the new file replaces the old one."))
        else:
            self.headline.setText(self.tr("Everything is complete"))
            text = self.tr(
                "Export your results, then send the file to the program staff. The file is "
                "signed by you and only the staff can open it. Your private notes stay here.")
            if exports:
                text += " " + self.tr("You changed things since your last export.")
            self.explain.setText(text)
        if changed_since_export or problems:
            # "Exported version 1 … send this file" would be stale beside "you changed
            # things": the history below still lists every file.
            self.result.setText("")

    def show_result(self, text: str) -> None:
        self.result.setText(text)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.go_to.emit(str(self.problems_model.data(index, APP_ID_ROLE)),
                            self.problems_model.data(index, CRITERION_ROLE))
