"""Importing applications: column mapping, preview, validation, then an all-or-nothing commit.

The flow staff see: pick a file, look at a preview with a guessed column
mapping, adjust it, validate. Validation reads every row and reports every
problem as "Row 7: 'email' is not an email address (got 'maria at example')".
If any row is bad, :func:`commit` writes nothing unless staff explicitly ask
to import only the good rows; either way the whole import is one transaction.

Attachments: one or more columns list file names (separated by ``;``) found
in a chosen folder; the column's name becomes the attachment's label, which
blind review can hide per round.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.errors import ImportRowsError, ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.attachments import AttachmentStore
from judgepanel.model.staff.prepare.categories import find_category, list_categories
from judgepanel.model.staff.prepare.import_sources import Cell, SourceTable, read_table
from judgepanel.model.staff.schema import Application, Attachment, Program
from judgepanel.progress import Progress, no_progress
from judgepanel.text import ascii_slug

if TYPE_CHECKING:
    from judgepanel.model.staff.workspace import StaffWorkspace

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
MAX_AMOUNT = Decimal("999999999999.99")
LIMITS = {"ref": 64, "title": 300, "organisation": 300, "city": 200, "contact_name": 200,
          "contact_email": 320}

# Header spellings each field is guessed from (compared after normalising case/punctuation).
ALIASES: dict[str, tuple[str, ...]] = {
    "ref": ("ref", "reference", "id", "application id", "app id", "application number", "code"),
    "title": ("title", "initiative", "project", "project title", "application title",
              "initiative name", "name of initiative"),
    "organisation": ("organisation", "organization", "org", "applicant", "institution",
                     "applicant organisation", "applicant organization"),
    "city": ("city", "municipality", "town", "location"),
    "contact_name": ("contact", "contact name", "contact person", "applicant name"),
    "contact_email": ("email", "e mail", "contact email", "contact e mail", "mail"),
    "requested_amount": ("requested amount", "amount requested", "requested", "amount",
                         "request"),
    "categories": ("categories", "category", "components", "component", "tracks", "track"),
}
ATTACHMENT_ALIASES = ("attachments", "attachment", "files", "file", "documents")


def _norm_header(text: str) -> str:
    return ascii_slug(text, " ")


@dataclass(frozen=True)
class ColumnMapping:
    """Which source column feeds which application field (None: not in the file).

    ``extra`` lists the columns kept as form fields; None keeps every column not
    mapped above. Without a ``ref`` column, refs are made as ``REF_PREFIX-0001``.
    """

    title: str | None = None
    ref: str | None = None
    organisation: str | None = None
    city: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    requested_amount: str | None = None
    categories: str | None = None
    attachments: tuple[str, ...] = ()
    extra: tuple[str, ...] | None = None
    separator: str = ";"
    ref_prefix: str = "APP"

    @classmethod
    def guess(cls, headers: tuple[str, ...] | list[str]) -> ColumnMapping:
        """A best guess from header names; staff confirm it in the preview."""
        by_norm = {_norm_header(h): h for h in headers}
        chosen: dict[str, Any] = {}
        for name, aliases in ALIASES.items():
            for alias in aliases:
                if alias in by_norm and by_norm[alias] not in chosen.values():
                    chosen[name] = by_norm[alias]
                    break
        attachments = tuple(by_norm[a] for a in ATTACHMENT_ALIASES if a in by_norm)
        return cls(attachments=attachments, **chosen)

    def mapped_columns(self) -> dict[str, str]:
        """{field: column} for the single-column fields that are mapped."""
        names = ("ref", "title", "organisation", "city", "contact_name", "contact_email",
                 "requested_amount", "categories")
        return {n: getattr(self, n) for n in names if getattr(self, n)}

    def extra_columns(self, headers: tuple[str, ...]) -> tuple[str, ...]:
        if self.extra is not None:
            return self.extra
        used = set(self.mapped_columns().values()) | set(self.attachments)
        return tuple(h for h in headers if h not in used)

    def check(self, table: SourceTable) -> None:
        """Refuse a mapping that names columns the file does not have."""
        if not self.title:
            raise ValidationError("Choose the column that holds each application's title.",
                                  path="title")
        if not self.separator:
            raise ValidationError("The list separator cannot be empty.", path="separator")
        wanted = [*self.mapped_columns().items(), *(("attachments", c) for c in self.attachments),
                  *(("extra", c) for c in self.extra or ())]
        for field_name, column in wanted:
            if column not in table.headers:
                raise ValidationError(
                    f"The column “{column}” (chosen for {field_name}) is not in "
                    f"{table.name}. Its columns are: {', '.join(table.headers)}.",
                    path=field_name,
                )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        values = dict(data)
        values["attachments"] = tuple(values.get("attachments") or ())
        if values.get("extra") is not None:
            values["extra"] = tuple(values["extra"])
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValidationError(f"Unknown mapping field “{sorted(unknown)[0]}”.",
                                  path=sorted(unknown)[0])
        return cls(**values)


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.reason}"


@dataclass
class ApplicationDraft:
    """A row that passed every check, ready to become an :class:`Application`."""

    row: int
    ref: str
    title: str
    organisation: str = ""
    city: str = ""
    contact_name: str = ""
    contact_email: str = ""
    requested_amount: Decimal | None = None
    category_keys: list[str] = field(default_factory=list)
    attachments: list[tuple[str, Path]] = field(default_factory=list)  # (label, file)
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportReport:
    source: str
    sha256: str
    total_rows: int
    good: list[ApplicationDraft]
    problems: list[RowProblem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

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


def preview(path: Path | str, rows: int = 5, *, sheet: str | None = None) -> Preview:
    """The first rows of a file and a guessed mapping, for the import dialog."""
    table = read_table(path, sheet=sheet)
    return Preview(table.headers, [r.values for r in table.rows[:rows]], len(table.rows),
                   ColumnMapping.guess(table.headers))


def _text(value: Cell | None, separator: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return separator.join(value)
    return " ".join(value.split()) if "\n" not in value else value.strip()


def _items(value: Cell | None, separator: str) -> list[str]:
    if value is None:
        return []
    parts = value if isinstance(value, list) else value.split(separator)
    return [p.strip() for p in parts if p.strip()]


def parse_amount(text: str) -> Decimal:
    """'$12,500.00', '12 500', '12500,5', '€1.234,56' -> Decimal; ValueError when not money."""
    cleaned = re.sub(r"[\s\u00a0'’]|^[A-Z]{3}|[A-Z]{3}$|[$€£¥]", "", text.strip())
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in cleaned:
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+", cleaned):
            cleaned = cleaned.replace(",", "")
        else:
            cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def _safe_name(name: str) -> bool:
    return (name not in ("", ".", "..") and "/" not in name and "\\" not in name
            and ":" not in name and not name.startswith("."))


class _RowChecker:
    """Checks one row at a time, collecting problems and a draft."""

    def __init__(self, session: Session, program: Program, mapping: ColumnMapping,
                 table: SourceTable, folder: Path | None) -> None:
        self.mapping = mapping
        self.table = table
        self.folder = folder
        self.session = session
        self.program = program
        self.categories = list_categories(session, program)
        self.existing_refs = set(session.scalars(
            select(Application.ref).where(Application.program_id == program.id)))
        self.seen_refs: dict[str, int] = {}
        self.next_number = 1
        self.extra = mapping.extra_columns(table.headers)

    def _generated_ref(self) -> str:
        while True:
            ref = f"{self.mapping.ref_prefix}-{self.next_number:04d}"
            self.next_number += 1
            if ref not in self.existing_refs and ref not in self.seen_refs:
                return ref

    def check(self, number: int, values: Mapping[str, Cell]) -> tuple[ApplicationDraft | None,
                                                                      list[RowProblem]]:
        m = self.mapping
        problems: list[RowProblem] = []

        def problem(field_name: str, reason: str) -> None:
            problems.append(RowProblem(number, field_name, reason))

        def get(field_name: str) -> str:
            column = getattr(m, field_name)
            return _text(values.get(column), m.separator) if column else ""

        texts = {name: get(name) for name in LIMITS}
        for name, limit in LIMITS.items():
            if len(texts[name]) > limit:
                problem(name, f"'{getattr(m, name)}' is too long ({len(texts[name])} "
                        f"characters; at most {limit})")
        if not texts["title"]:
            problem("title", f"'{m.title}' is empty; every application needs a title")
        ref = texts["ref"] if m.ref else ""
        if m.ref and not ref:
            problem("ref", f"'{m.ref}' is empty; every application needs a reference")
        elif ref in self.seen_refs:
            problem("ref", f"'{m.ref}' {ref} is also used on row {self.seen_refs[ref]}")
        elif ref in self.existing_refs:
            problem("ref", f"'{m.ref}' {ref} is already in this workspace")
        email = texts["contact_email"]
        if email and not _EMAIL.match(email):
            problem("contact_email", f"'{m.contact_email}' is not an email address "
                    f"(got '{email}')")
        amount = self._amount(get("requested_amount"), problem)
        keys = self._categories(values, problem)
        attachments = self._attachments(values, problem)
        if problems:
            if ref:
                self.seen_refs.setdefault(ref, number)
            return None, problems
        if not ref:
            ref = self._generated_ref()
        self.seen_refs[ref] = number
        fields = {c: values.get(c, "") for c in self.extra}
        return ApplicationDraft(
            row=number, ref=ref, title=texts["title"], organisation=texts["organisation"],
            city=texts["city"], contact_name=texts["contact_name"],
            contact_email=email.strip(), requested_amount=amount, category_keys=keys,
            attachments=attachments, fields=fields,
        ), []

    def _amount(self, text: str, problem: Any) -> Decimal | None:
        column = self.mapping.requested_amount
        if not text:
            return None
        try:
            amount = parse_amount(text)
        except ValueError:
            problem("requested_amount", f"'{column}' is not an amount of money (got '{text}')")
            return None
        if amount < 0:
            problem("requested_amount", f"'{column}' cannot be negative (got '{text}')")
        elif amount > MAX_AMOUNT:
            problem("requested_amount", f"'{column}' is too large (got '{text}')")
        elif amount != amount.quantize(Decimal("0.01")):
            problem("requested_amount", f"'{column}' has more than two decimals (got '{text}')")
        return amount

    def _categories(self, values: Mapping[str, Cell], problem: Any) -> list[str]:
        column = self.mapping.categories
        if not column:
            return []
        names = _items(values.get(column), self.mapping.separator)
        if not names and self.categories:
            problem("categories", f"'{column}' is empty; name at least one category")
        keys: list[str] = []
        for name in names:
            category = find_category(self.session, self.program, name)
            if category is None:
                known = ", ".join(c.name for c in self.categories) or "none yet"
                problem("categories", f"'{column}' names “{name}”, which is not a category "
                        f"of this program (categories: {known})")
            elif category.key not in keys:
                keys.append(category.key)
        return keys

    def _attachments(self, values: Mapping[str, Cell],
                     problem: Any) -> list[tuple[str, Path]]:
        found: list[tuple[str, Path]] = []
        names_seen: set[str] = set()
        for column in self.mapping.attachments:
            for name in _items(values.get(column), self.mapping.separator):
                if not _safe_name(name):
                    problem(column, f"'{column}' lists “{name}”, which is not a plain file "
                            "name (no folders, please)")
                elif self.folder is None:
                    problem(column, f"'{column}' lists “{name}”, but no attachments folder "
                            "was chosen")
                elif not (self.folder / name).is_file():
                    problem(column, f"'{column}' lists “{name}”, which is not in the "
                            f"attachments folder {self.folder}")
                elif name in names_seen:
                    problem(column, f"'{column}' lists “{name}” twice")
                else:
                    names_seen.add(name)
                    found.append((column, self.folder / name))
        return found


def validate(session: Session, program: Program, table: SourceTable, mapping: ColumnMapping,
             *, attachments_dir: Path | None = None,
             progress: Progress = no_progress) -> ImportReport:
    """Check every row; nothing is written. Problems name the row, the column and the value."""
    mapping.check(table)
    if attachments_dir is not None and not Path(attachments_dir).is_dir():
        raise ValidationError(f"The attachments folder {attachments_dir} does not exist.",
                              path="attachments_dir")
    checker = _RowChecker(session, program, mapping, table,
                          Path(attachments_dir) if attachments_dir else None)
    good: list[ApplicationDraft] = []
    problems: list[RowProblem] = []
    total = len(table.rows)
    for index, row in enumerate(table.rows, start=1):
        if row.problem:
            problems.append(RowProblem(row.number, "", row.problem))
        else:
            draft, row_problems = checker.check(row.number, row.values)
            problems.extend(row_problems)
            if draft is not None:
                good.append(draft)
        progress(index, total, "Checking rows")
    return ImportReport(table.name, table.sha256, total, good, problems)


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
        raise ImportRowsError(
            f"{rows} of {report.total_rows} rows in {report.source} have problems, so nothing "
            "was imported. Fix the rows listed and import again, or choose to import only "
            "the good rows.",
            [(p.row, p.reason) for p in report.problems],
        )
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


def import_file(workspace: StaffWorkspace, path: Path | str,
                mapping: ColumnMapping | None = None, *, attachments_dir: Path | None = None,
                good_rows_only: bool = False, sheet: str | None = None,
                progress: Progress = no_progress) -> ImportOutcome:
    """Read, validate and commit in one transaction (what the CLI and the dialog call)."""
    table = read_table(path, sheet=sheet)
    mapping = mapping or ColumnMapping.guess(table.headers)
    with workspace.session() as session:
        program = workspace.program(session)
        report = validate(session, program, table, mapping, attachments_dir=attachments_dir,
                          progress=progress)
        applications = commit(session, program, report, workspace.attachments,
                              workspace.actor, good_rows_only=good_rows_only,
                              progress=progress)
        return ImportOutcome(report, [a.ref for a in applications])
