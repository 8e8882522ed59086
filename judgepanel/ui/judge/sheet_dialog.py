"""Previews before a change of many answers at once: a filled score sheet, a results file.

A score sheet brings back scores and comments for many applications; a results file
a judge continues from brings back a whole bundle's work. Before either is applied
the judge sees what would change (or, for a sheet, every cell that cannot be used,
named by row and column) and decides. Nothing is applied from here: the caller
applies the plan when :meth:`exec` returns Accepted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
)

from judgepanel.model.judge.restore import OwnResults
from judgepanel.model.judge.sheet import SheetPlan
from judgepanel.ui.judge.unlock import button_row, make_default

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )

FEW_LINES = 8  # up to this many lines, the list is as tall as they are


class ChangesDialog(QDialog):
    """A list of lines and two buttons; ``apply_button`` is None when nothing can apply."""

    def __init__(self, title: str, intro: str, lines: list[str], apply_text: str | None,
                 parent: QWidget | None = None, *, default_apply: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        text = QLabel(intro)
        text.setWordWrap(True)
        self.lines = QListWidget()
        self.lines.addItems(lines)
        self.lines.setAccessibleName(title)
        self.lines.setVisible(bool(lines))
        if len(lines) <= FEW_LINES:  # a few facts: no empty list below them
            self.setMinimumWidth(560)
            frame = 2 * self.lines.frameWidth()
            self.lines.setFixedHeight(frame + sum(self.lines.sizeHintForRow(row)
                                                  for row in range(len(lines))))
        else:
            self.setMinimumSize(560, 360)
        self.cancel = QPushButton(self.tr("Cancel") if apply_text else self.tr("Close"))
        self.cancel.clicked.connect(self.reject)
        self.apply_button: QPushButton | None = None
        if apply_text:
            self.apply_button = QPushButton(apply_text)
            self.apply_button.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.lines, 1)
        layout.addLayout(button_row(right=(self.cancel, *([self.apply_button]
                                                          if self.apply_button else []))))
        chosen = self.apply_button if (self.apply_button and default_apply) else self.cancel
        make_default(self, chosen)
        chosen.setFocus()

    def default_button(self) -> QPushButton | None:
        return next((b for b in self.findChildren(QPushButton) if b.isDefault()), None)


def _tr(text: str) -> str:
    return QCoreApplication.translate("SheetDialog", text)


def sheet_preview(plan: SheetPlan, name: str, parent: QWidget | None = None) -> ChangesDialog:
    """What importing the sheet ``name`` changes; with problems, the cells to correct."""
    tr = _tr
    if plan.problems:
        return ChangesDialog(
            tr("The score sheet cannot be used yet"),
            (tr("Nothing was changed: 1 cell of “{name}” cannot be used. Correct it in the "
                "sheet and import it again.") if len(plan.problems) == 1 else
             tr("Nothing was changed: {n} cells of “{name}” cannot be used. Correct them in "
                "the sheet and import it again.")).format(n=len(plan.problems), name=name),
            [tr("Row {row}, {what}").format(row=p.row, what=p.text()) for p in plan.problems],
            None, parent)
    if not plan.changes:
        return ChangesDialog(tr("Nothing to change"), tr(
            "“{name}” holds the same scores and comments as JudgePanel.").format(name=name),
            [], None, parent)
    return ChangesDialog(
        tr("Import the score sheet"),
        (tr("Importing “{name}” changes 1 value, listed below. Nothing changes until you "
            "choose Apply.") if len(plan.changes) == 1 else
         tr("Importing “{name}” changes {n} values, listed below. Nothing changes until "
            "you choose Apply.")).format(name=name, n=len(plan.changes)),
        [c.description for c in plan.changes], tr("&Apply these changes"), parent)


def continue_preview(own: OwnResults, differences: int, local_work: bool,
                     parent: QWidget | None = None, *, applications: int = 0
                     ) -> ChangesDialog:
    """Continuing from a results file or work file: what it holds; a warning when work
    here differs."""
    tr = _tr
    declarations, conflicts, reviews, unable = own.counts()
    lines = [(tr("Declarations: {n} (1 conflict of interest)") if conflicts == 1 else
              tr("Declarations: {n} ({c} conflicts of interest)")).format(n=declarations,
                                                                          c=conflicts),
             tr("Reviews: {n}").format(n=reviews)]
    if own.work_file and applications > declarations:  # unfinished work: how far it got
        lines.append(tr("Not declared yet: {n} of {total} applications").format(
            n=applications - declarations, total=applications))
    if unable:
        lines.append(tr("Unable to review: {n}").format(n=unable))
    when = own.created.astimezone().strftime("%Y-%m-%d %H:%M")
    intro = (tr("Your work file “{file}” holds your work as you saved it on {when} (version "
                "{n}), finished or not. Continuing from it brings its declarations, scores "
                "and comments here, and your next export builds on it.") if own.work_file else
             tr("Your results file “{file}” is version {n} of your results, exported on "
                "{when}. Continuing from it brings its declarations, scores and comments "
                "here, and your next export builds on it.")).format(
                   file=own.path.name, n=own.content.sequence, when=when)
    if local_work and differences:
        intro += " " + (tr("This computer already holds work for this bundle, and 1 answer "
                           "differs: it will be replaced by the file's. (Private notes "
                           "stay.)") if differences == 1 else
                        tr("This computer already holds work for this bundle, and {n} "
                           "answers differ: they will be replaced by the file's. (Private "
                           "notes stay.)")).format(n=differences)
    return ChangesDialog(tr("Continue from your work file") if own.work_file else
                         tr("Continue from your results file"), intro, lines,
                         tr("&Continue from this file"), parent,
                         default_apply=not (local_work and differences))
