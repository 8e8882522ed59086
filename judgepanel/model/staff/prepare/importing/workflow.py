"""Importing applications: column mapping, preview, validation, then an all-or-nothing commit.

The flow staff see: pick a file, look at a preview with a guessed column
mapping, adjust it, validate. Validation reads every row and reports every
problem as "Row 7: 'email' is not an email address (got 'maria at example')".
If any row is bad, :func:`commit` writes nothing unless staff explicitly ask
to import only the good rows; either way the whole import is one transaction.

Attachments: one or more columns list file names (separated by ``;``) found
in a chosen folder; the column's name becomes the attachment's label, which
blind review can hide per round.

Never doubling data: without a reference column, a row whose title, organisation and
contact e-mail match an application already in the program (or an earlier row) is a
problem (``rows.DUPLICATE``), so importing the same sheet twice adds nothing, unless
staff ask for such rows with ``allow_duplicates``. With a reference column, rows are told
apart by reference, but a row matching an earlier row or an application in the program
by that same rule under another reference (a form sent twice) is imported and named in
``ImportReport.possible_duplicates``, for staff to check. Never losing data: a workbook cell
holding a formula without a saved value is named as such (``formulas``), not read as
empty.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.errors import ImportRowsError, ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.attachments import AttachmentStore
from judgepanel.model.staff.prepare.categories import list_categories
from judgepanel.model.staff.prepare.importing.formulas import empty_cells, unsaved_formulas
from judgepanel.model.staff.prepare.importing.mapping import ColumnMapping
from judgepanel.model.staff.prepare.importing.rows import (
    DUPLICATE,
    ApplicationDraft,
    PossibleDuplicate,
    RowChecker,
    RowProblem,
)
from judgepanel.model.staff.prepare.importing.sources import Cell, SourceTable, read_table
from judgepanel.model.staff.schema.program import Application, Attachment, Program
from judgepanel.progress import Progress, no_progress

if TYPE_CHECKING:
    from judgepanel.model.staff.workspace import StaffWorkspace


@dataclass
class ImportReport:
    source: str
    sha256: str
    total_rows: int
    good: list[ApplicationDraft]
    problems: list[RowProblem]
    mapping: ColumnMapping | None = None
    possible_duplicates: list[PossibleDuplicate] = field(default_factory=list)
    """Good rows that look like another under another reference: imported, worth a look."""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def duplicate_rows(self) -> list[int]:
        """Rows refused only because they repeat an application (see ``allow_duplicates``)."""
        duplicates = {p.row for p in self.problems if p.field == DUPLICATE}
        other = {p.row for p in self.problems if p.field != DUPLICATE}
        return sorted(duplicates - other)

    def summary(self) -> str:
        bad = len(self.bad_rows)
        if not bad:
            return f"{self.total_rows} rows, all good."
        return f"{self.total_rows} rows: {len(self.good)} good, {bad} with problems."


@dataclass(frozen=True)
class Preview:
    headers: tuple[str, ...]
    rows: list[dict[str, Cell]]
    total_rows: int
    mapping: ColumnMapping
    title_rows: tuple[int, ...] = ()  # rows read as the sheet's title (SourceTable)
    header_row: int = 1


def preview(path: Path | str, rows: int = 5, *, sheet: str | None = None) -> Preview:
    """The first rows of a file and a guessed mapping, for the import dialog."""
    table = read_table(path, sheet=sheet)
    return Preview(table.headers, [r.values for r in table.rows[:rows]], len(table.rows),
                   ColumnMapping.guess(table.headers), table.title_rows, table.header_row)


def validate(session: Session, program: Program, table: SourceTable, mapping: ColumnMapping,
             *, attachments_dir: Path | None = None, source: Path | None = None,
             sheet: str | None = None, allow_duplicates: bool = False,
             progress: Progress = no_progress) -> ImportReport:
    """Check every row; nothing is written. Problems name the row, the column and the value.

    ``source`` (and ``sheet``) is the file ``table`` was read from: for a workbook it lets
    the check name formula cells without a saved value instead of calling them empty.
    Rows repeating an application are problems unless ``allow_duplicates``; with a
    reference column, rows that look alike under two references are notices.
    """
    mapping.check(table)
    if attachments_dir is not None and not Path(attachments_dir).is_dir():
        raise ValidationError(f"The attachments folder {attachments_dir} does not exist.",
                              path="attachments_dir")
    formulas: dict[tuple[int, str], str] = {}
    if source is not None and table.kind == "xlsx":
        formulas = unsaved_formulas(Path(source), sheet, table, empty_cells(
            table, mapping.used_columns(table.headers)))
    checker = RowChecker(session, program, mapping, table,
                         Path(attachments_dir) if attachments_dir else None,
                         allow_duplicates=allow_duplicates, formulas=formulas)
    good: list[ApplicationDraft] = []
    problems: list[RowProblem] = []
    total = len(table.rows)
    for index, row in enumerate(table.rows, start=1):
        if row.problem:
            problems.append(RowProblem(row.number, "", row.problem))
        else:
            draft, row_problems = checker.check(row.number, row.values, row.numbers)
            problems.extend(row_problems)
            if draft is not None:
                good.append(draft)
        progress(index, total, "Checking rows")
    return ImportReport(table.name, table.sha256, total, good, problems, mapping,
                        checker.possible_duplicates)


def commit(session: Session, program: Program, report: ImportReport, store: AttachmentStore,
           actor: str, *, good_rows_only: bool = False,
           progress: Progress = no_progress) -> list[Application]:
    """Write the validated applications (in the caller's transaction).

    With any bad row and ``good_rows_only`` False this raises ImportRowsError
    and writes nothing. Attachment files are copied into the store; a file
    copied for an import that is then rolled back is unused and harmless
    (``AttachmentStore.remove_unused`` clears it).
    """
    if report.problems and not good_rows_only:
        rows = len(report.bad_rows)
        repeated = report.duplicate_rows
        only_duplicates = bool(repeated) and len(repeated) == rows
        if only_duplicates:
            message = (
                f"{rows} of {report.total_rows} rows in {report.source} repeat applications "
                "already in the program (or earlier rows), so nothing was imported: "
                "importing them would add them twice. If they really are new applications, "
                "import again and ask to add them anyway.")
        else:
            message = (
                f"{rows} of {report.total_rows} rows in {report.source} have problems, so "
                "nothing was imported. Fix the rows listed and import again, or choose to "
                "import only the good rows.")
        raise ImportRowsError(message, [(p.row, p.reason) for p in report.problems],
                              path=DUPLICATE if only_duplicates else "rows")
    if not report.good:
        raise ValidationError(f"{report.source} has no application that can be imported.",
                              path="rows")
    refs = [d.ref for d in report.good]
    # Compared in Python: an IN list of 50,000 refs would exceed SQLite's variable limit.
    taken = set(refs) & set(session.scalars(select(Application.ref).where(
        Application.program_id == program.id)))
    if taken:
        raise ValidationError(
            f"Applications {', '.join(sorted(taken))} were added since the file was checked. "
            "Check the file again before importing.", path="ref")
    by_key = {c.key: c for c in list_categories(session, program)}
    applications: list[Application] = []
    for index, draft in enumerate(report.good, start=1):
        application = Application(
            program_id=program.id, ref=draft.ref, title=draft.title,
            organisation=draft.organisation, city=draft.city, contact_name=draft.contact_name,
            contact_email=draft.contact_email, requested_amount=draft.requested_amount,
            fields=dict(draft.fields), source=report.source,
            categories=[by_key[k] for k in draft.category_keys],
        )
        for position, (label, path) in enumerate(draft.attachments):
            stored = store.put_file(path)
            application.attachments.append(Attachment(
                position=position, name=path.name, label=label, sha256=stored.sha256,
                size=stored.size,
                media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            ))
        session.add(application)
        applications.append(application)
        progress(index, len(report.good), "Importing applications")
    session.flush()
    audit.append(session, actor, "applications.imported", {
        "source": report.source, "sha256": report.sha256, "imported": len(applications),
        "refs": refs, "skipped_rows": report.bad_rows,
    })
    return applications


@dataclass(frozen=True)
class ImportOutcome:
    report: ImportReport
    refs: list[str]


def check_file(workspace: StaffWorkspace, path: Path | str,
               mapping: ColumnMapping | None = None, *, attachments_dir: Path | None = None,
               sheet: str | None = None, allow_duplicates: bool = False,
               progress: Progress = no_progress) -> ImportReport:
    """Read and validate a file as :func:`import_file` would, writing nothing (``--check``)."""
    table = read_table(path, sheet=sheet)
    mapping = mapping or ColumnMapping.guess(table.headers)
    with workspace.session() as session:
        return validate(session, workspace.program(session), table, mapping,
                        attachments_dir=attachments_dir, source=Path(path), sheet=sheet,
                        allow_duplicates=allow_duplicates, progress=progress)


def import_file(workspace: StaffWorkspace, path: Path | str,
                mapping: ColumnMapping | None = None, *, attachments_dir: Path | None = None,
                good_rows_only: bool = False, sheet: str | None = None,
                allow_duplicates: bool = False,
                progress: Progress = no_progress) -> ImportOutcome:
    """Read, validate and commit in one transaction (what the CLI and the dialog call)."""
    table = read_table(path, sheet=sheet)
    mapping = mapping or ColumnMapping.guess(table.headers)
    with workspace.session() as session:
        program = workspace.program(session)
        report = validate(session, program, table, mapping, attachments_dir=attachments_dir,
                          source=Path(path), sheet=sheet, allow_duplicates=allow_duplicates,
                          progress=progress)
        applications = commit(session, program, report, workspace.attachments,
                              workspace.actor, good_rows_only=good_rows_only,
                              progress=progress)
        return ImportOutcome(report, [a.ref for a in applications])
