"""Thin Qt models over the judging session's plain data (summaries, progress, problems).

They hold copies of what ``JudgingSession`` returned and are refreshed by the page
when the session changes; they compute nothing the session does not already say.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, Qt

from judgepanel.model.judge.records import (
    ApplicationSummary,
    AppProgress,
    ExportProblem,
    ExportRecord,
)
from judgepanel.ui.icons import icon

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
APP_ID_ROLE = Qt.ItemDataRole.UserRole + 2
CRITERION_ROLE = Qt.ItemDataRole.UserRole + 3

AnyIndex = QModelIndex | Any


def status_of(progress: AppProgress | None) -> str:
    """One word for where an application stands; also the name of its icon."""
    if progress is None or not progress.declared:
        return "undeclared"
    if progress.conflict:
        return "conflict"
    return "complete" if progress.complete else "in-progress"


class _Table(QAbstractTableModel):
    """Rows from ``_row_count()``, columns and their titles from ``_headers``."""

    _headers: tuple[str, ...] = ()

    def _row_count(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._row_count()

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self._headers)):
            return self._headers[section]
        return None


class OverviewModel(_Table):
    """One row per assigned application: who, declaration, progress, total."""

    TITLE, ORGANISATION, DECLARATION, PROGRESS, TOTAL = range(5)

    def __init__(self, summaries: list[ApplicationSummary], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._summaries = list(summaries)
        self._rows = {s.id: i for i, s in enumerate(self._summaries)}
        titles = Counter(s.title.strip().casefold() for s in self._summaries)
        # Applications that share a title are told apart by their references.
        self._shared = {s.id for s in self._summaries if titles[s.title.strip().casefold()] > 1}
        self._progress: dict[str, AppProgress] = {}
        self._headers = (self.tr("Application"), self.tr("Applicant"), self.tr("Declaration"),
                         self.tr("Progress"), self.tr("Total"))

    # --- filling ------------------------------------------------------------------

    def set_progress(self, progress: list[AppProgress]) -> None:
        """Take the session's progress; announce only the rows that changed.

        With thousands of rows, one "everything changed" makes the views re-measure
        and re-sort every row; after a few edits only a few rows differ.
        """
        old, self._progress = self._progress, {p.application_id: p for p in progress}
        changed = [row for row, s in enumerate(self._summaries)
                   if old.get(s.id) != self._progress.get(s.id)]
        if len(changed) > len(self._summaries) // 2:
            changed = list(range(len(self._summaries)))
        start = 0
        for i in range(1, len(changed) + 1):  # one signal per run of adjacent rows
            if i == len(changed) or changed[i] != changed[i - 1] + 1:
                self.dataChanged.emit(self.index(changed[start], 0),
                                      self.index(changed[i - 1], self.TOTAL))
                start = i

    def update_one(self, progress: AppProgress) -> None:
        row = self._rows.get(progress.application_id)
        if row is None:
            return
        self._progress[progress.application_id] = progress
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.TOTAL))

    def app_id(self, row: int) -> str:
        return self._summaries[row].id

    def row_of(self, app_id: str) -> int:
        return self._rows[app_id]

    def summary(self, app_id: str) -> ApplicationSummary:
        return self._summaries[self._rows[app_id]]

    def progress(self, app_id: str) -> AppProgress | None:
        return self._progress.get(app_id)

    # --- Qt -----------------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self._summaries)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._summaries):
            return None
        summary = self._summaries[index.row()]
        progress = self._progress.get(summary.id)
        column = index.column()
        if role == APP_ID_ROLE:
            return summary.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(summary, progress, column)
        if role == SORT_ROLE:
            return self._sort_key(summary, progress, column)
        if role == Qt.ItemDataRole.DecorationRole and column == self.TITLE:
            return icon(status_of(progress))
        if role == Qt.ItemDataRole.ToolTipRole and column == self.TITLE:
            return f"{summary.id} · {self._text(summary, progress, self.DECLARATION)}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.PROGRESS, self.TOTAL):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, summary: ApplicationSummary, progress: AppProgress | None,
              column: int) -> str:
        if column == self.TITLE:
            return f"{summary.title} ({summary.id})" if summary.id in self._shared else (
                summary.title)
        if column == self.ORGANISATION:
            return " · ".join(x for x in (summary.applicant, summary.organisation, summary.city)
                              if x)
        if column == self.DECLARATION:
            status = status_of(progress)
            if status == "undeclared":
                return self.tr("Not declared yet")
            return self.tr("Conflict") if status == "conflict" else self.tr("No conflict")
        if column == self.PROGRESS:
            if progress is None or progress.conflict or not progress.declared:
                return "—"
            if progress.unable:
                return self.tr("unable to review")
            done = self.tr("complete") if progress.complete else ""
            return f"{progress.scored} / {progress.criteria} {done}".strip()
        if column == self.TOTAL:
            if progress is None or progress.total is None or progress.conflict or progress.unable:
                return "—"
            return f"{progress.total:.1f}"
        return ""

    def _sort_key(self, summary: ApplicationSummary, progress: AppProgress | None,
                  column: int) -> Any:
        if column == self.PROGRESS:
            return None if progress is None or progress.conflict or progress.unable else (
                progress.scored / max(progress.criteria, 1))
        if column == self.TOTAL:
            return (None if progress is None or progress.total is None or progress.conflict
                    or progress.unable else progress.total)
        if column == self.DECLARATION:
            return ("undeclared", "conflict", "in-progress", "complete").index(status_of(progress))
        return self._text(summary, progress, column).casefold()


class ProblemsModel(QAbstractListModel):
    """What still blocks the export; each row knows where to take the judge."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._problems: list[ExportProblem] = []

    def set_problems(self, problems: list[ExportProblem]) -> None:
        self.beginResetModel()
        self._problems = list(problems)
        self.endResetModel()

    def problem(self, row: int) -> ExportProblem:
        return self._problems[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._problems)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._problems):
            return None
        problem = self._problems[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return problem.message
        if role == APP_ID_ROLE:
            return problem.application_id
        if role == CRITERION_ROLE:
            return problem.criterion
        if role == Qt.ItemDataRole.DecorationRole:
            return icon("undeclared" if problem.kind == "undeclared" else "in-progress")
        return None


class ExportsModel(_Table):
    """The results files (and work files) already written from this bundle (newest last)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[ExportRecord] = []
        self._headers = (self.tr("Version"), self.tr("Saved"), self.tr("What"), self.tr("File"))

    def set_records(self, records: list[ExportRecord]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self._records)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            column = index.column()
            if column == 0:
                return (self.tr("{n} (continued from)").format(n=record.sequence)
                        if record.restored else str(record.sequence))
            if column == 1:
                return record.created.astimezone().strftime("%Y-%m-%d %H:%M")
            if column == 2:  # a work file is the judge's own, to carry: never for the staff
                return (self.tr("Work file (not for the staff)") if record.work_file
                        else self.tr("Results file"))
            return str(record.path)
        return None
