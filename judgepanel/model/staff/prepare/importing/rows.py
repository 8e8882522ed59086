"""Checking one spreadsheet row: every field's rule, and the draft application it becomes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.model.staff.prepare.categories import find_category, list_categories
from judgepanel.model.staff.prepare.importing.mapping import FIELD_NAMES, ColumnMapping
from judgepanel.model.staff.prepare.importing.sources import Cell, SourceTable, cell_problem
from judgepanel.model.staff.schema.program import Application, Program
from judgepanel.text import fold_accents

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
MAX_AMOUNT = Decimal("999999999999.99")
LIMITS = {"ref": 64, "title": 300, "organisation": 300, "city": 200, "contact_name": 200,
          "contact_email": 320}


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str  # an application field ("requested_amount"), a column, DUPLICATE or ""
    reason: str
    column: str = ""  # the spreadsheet column it is about, as headed; "" for the whole row

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


DUPLICATE = "duplicate"
"""The field a duplicate row's problem names (staff may ask to import such rows anyway)."""
SAME_IDENTITY = "same title, organisation and contact e-mail"
"""What :func:`identity_key` compares, in the words the messages use."""


def identity_key(title: str, organisation: str, email: str) -> tuple[str, str, str]:
    """What makes two applications the same when no reference tells them apart: title,
    organisation and contact e-mail, compared after folding case, accents and spaces."""
    def fold(text: str) -> str:
        plain = text if text.isascii() else fold_accents(text)  # most cells: no accents
        return " ".join(plain.casefold().split())

    return fold(title), fold(organisation), fold(email)


@dataclass(frozen=True)
class PossibleDuplicate:
    """A row whose :func:`identity_key` matches an earlier row's, or an application's
    already in the program, under another reference: a form sent twice, perhaps. It is
    imported all the same; staff are told, to check."""

    row: int
    ref: str
    like_ref: str
    like_row: int | None = None  # None: ``like_ref`` is already in the program

    def __str__(self) -> str:
        if self.like_row is not None:
            return (f"Rows {self.like_row} and {self.row} look like the same application "
                    f"({SAME_IDENTITY}) under two references, {self.like_ref} and "
                    f"{self.ref}: check that it was not sent twice.")
        return (f"Row {self.row} ({self.ref}) looks like {self.like_ref}, already in the "
                f"program ({SAME_IDENTITY}) under another reference: check that it was not "
                "sent twice.")


def cell_as_text(value: Cell | None, separator: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return separator.join(value)
    return " ".join(value.split()) if "\n" not in value else value.strip()


def cell_items(value: Cell | None, separator: str) -> list[str]:
    if value is None:
        return []
    parts = value if isinstance(value, list) else value.split(separator)
    return [p.strip() for p in parts if p.strip()]


class AmbiguousAmount(ValueError):
    """"12.500": twelve and a half, or twelve thousand five hundred written the European
    way? Read either way the wrong one is a thousand times off, so neither is taken."""

    def __init__(self, text: str, cleaned: str) -> None:
        super().__init__(text)
        self.text = text
        as_point = Decimal(cleaned)
        self.thousands = Decimal(cleaned.replace(".", ""))
        cents = as_point.quantize(Decimal("0.01"))
        self.point = cents if cents == as_point else None  # 1.234 is no amount of money

    def __str__(self) -> str:
        plain = f"{self.thousands:,}"
        if self.point is None:
            return (f"“{self.text}” reads as {plain} only with a dot between thousands: "
                    f"write it as {self.thousands}")
        return (f"“{self.text}” could mean {self.point} or {plain}: write it as "
                f"{self.point} or as {self.thousands}")


def parse_amount(text: str) -> Decimal:
    """'$12,500.00', '12 500', '12500,5', '€1.234,56' -> Decimal; ValueError when not money
    (:class:`AmbiguousAmount` for '12.500', a dot and three digits and nothing else)."""
    cleaned = re.sub(r"[\s\u00a0'’]|^[A-Z]{3}|[A-Z]{3}$|[$€£¥]", "", text.strip())
    if re.fullmatch(r"-?[1-9]\d{0,2}\.\d{3}", cleaned):  # "0.500" has no thousands
        raise AmbiguousAmount(text.strip(), cleaned)
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


SPREADSHEET_DIGITS = 15
"""The significant digits a spreadsheet keeps of a number (Excel's precision)."""


def number_amount(text: str) -> Decimal:
    """A number cell's value ("1.125", "1375.0000000000002", "1e-05": an XLSX number, a
    JSON number, as ``sources.cell_text`` wrote it) as a Decimal: a number, so no
    separators are read in it. Kept to a spreadsheet's 15 significant digits, so a
    formula's binary rounding (1375.0000000000002) is the 1375 the cell shows."""
    try:
        value = Context(prec=SPREADSHEET_DIGITS).create_decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value


def safe_file_name(name: str) -> bool:
    return (name not in ("", ".", "..") and "/" not in name and "\\" not in name
            and ":" not in name and not name.startswith("."))


class RowChecker:
    """Checks one row at a time, collecting problems and a draft."""

    def __init__(self, session: Session, program: Program, mapping: ColumnMapping,
                 table: SourceTable, folder: Path | None, *, allow_duplicates: bool = False,
                 formulas: Mapping[tuple[int, str], str] | None = None) -> None:
        self.mapping = mapping
        self.table = table
        self.folder = folder
        self.session = session
        self.program = program
        self.categories = list_categories(session, program)
        existing = session.execute(select(
            Application.ref, Application.title, Application.organisation,
            Application.contact_email).where(Application.program_id == program.id)).all()
        self.existing_refs = {ref for ref, *_ in existing}
        # Without references, a row is known again by its title, organisation and e-mail
        # (a problem); with references, a row known so under another one is a notice.
        self.check_duplicates = not mapping.ref and not allow_duplicates
        self.existing_keys: dict[tuple[str, str, str], str] = {}
        if self.check_duplicates or mapping.ref:
            for ref, title, organisation, email in sorted(existing):
                self.existing_keys.setdefault(identity_key(title, organisation, email), ref)
        self.seen_keys: dict[tuple[str, str, str], int] = {}
        self.referenced_keys: dict[tuple[str, str, str], tuple[int, str]] = {}
        self.possible_duplicates: list[PossibleDuplicate] = []
        self.formulas = dict(formulas or {})
        self.used = mapping.used_columns(table.headers) if self.formulas else ()
        self.seen_refs: dict[str, int] = {}
        self.next_number = 1
        self.extra = mapping.extra_columns(table.headers)

    def _generated_ref(self) -> str:
        while True:
            ref = f"{self.mapping.ref_prefix}-{self.next_number:04d}"
            self.next_number += 1
            if ref not in self.existing_refs and ref not in self.seen_refs:
                return ref

    def check(self, number: int, values: Mapping[str, Cell],
              numbers: frozenset[str] = frozenset()) -> tuple[ApplicationDraft | None,
                                                               list[RowProblem]]:
        """``numbers``: the columns whose cell held a number (``SourceRow.numbers``)."""
        m = self.mapping
        problems: list[RowProblem] = []

        def problem(field_name: str, reason: str) -> None:
            column = (getattr(m, field_name) or "" if field_name in FIELD_NAMES
                      else "" if field_name == DUPLICATE else field_name)
            problems.append(RowProblem(number, field_name, reason, column))

        def get(field_name: str) -> str:
            column = getattr(m, field_name)
            return cell_as_text(values.get(column), m.separator) if column else ""

        formula_columns = set()
        for column in self.used:
            formula = self.formulas.get((number, column))
            if formula is not None and not cell_as_text(values.get(column), m.separator):
                formula_columns.add(column)
                problem(column, f"'{column}' holds a formula ({formula}) with no saved "
                        "value, so its value cannot be read. Open the file in your "
                        "spreadsheet program, let it calculate, save it and import again")
        texts = {name: get(name) for name in LIMITS}
        for column, value in values.items():  # the text policy (judgepanel/text.py)
            if (reason := cell_problem(value)) is not None:
                problem(column, f"'{column}' {reason}")
        for name, limit in LIMITS.items():
            if len(texts[name]) > limit:
                problem(name, f"'{getattr(m, name)}' is too long ({len(texts[name])} "
                        f"characters; at most {limit})")
        if not texts["title"] and m.title not in formula_columns:
            problem("title", f"'{m.title}' is empty; every application needs a title")
        ref = texts["ref"] if m.ref else ""
        if m.ref and not ref:
            if m.ref not in formula_columns:
                problem("ref", f"'{m.ref}' is empty; every application needs a reference")
        elif ref in self.seen_refs:
            problem("ref", f"'{m.ref}' {ref} is also used on row {self.seen_refs[ref]}")
        elif ref in self.existing_refs:
            problem("ref", f"'{m.ref}' {ref} is already in this workspace")
        email = texts["contact_email"]
        if email and not _EMAIL.match(email):
            problem("contact_email", f"'{m.contact_email}' is not an email address "
                    f"(got '{email}')")
        if self.check_duplicates and texts["title"]:
            self._duplicate(number, texts, problem)
        amount = self._amount(get("requested_amount"), problem,
                              numeric=m.requested_amount in numbers)
        keys = self._categories(values, problem, formula_columns)
        attachments = self._attachments(values, problem)
        if problems:
            if ref:
                self.seen_refs.setdefault(ref, number)
            return None, problems
        if not ref:
            ref = self._generated_ref()
        self.seen_refs[ref] = number
        if m.ref:
            self._possible_duplicate(number, ref, texts)
        fields = {c: values.get(c, "") for c in self.extra}
        return ApplicationDraft(
            row=number, ref=ref, title=texts["title"], organisation=texts["organisation"],
            city=texts["city"], contact_name=texts["contact_name"],
            contact_email=email.strip(), requested_amount=amount, category_keys=keys,
            attachments=attachments, fields=fields,
        ), []

    def _duplicate(self, number: int, texts: Mapping[str, str], problem: Any) -> None:
        key = identity_key(texts["title"], texts["organisation"], texts["contact_email"])
        if key in self.existing_keys:
            problem(DUPLICATE, f"it repeats {self.existing_keys[key]}, already in the program "
                    f"({SAME_IDENTITY})")
        elif key in self.seen_keys:
            problem(DUPLICATE, f"it repeats row {self.seen_keys[key]} ({SAME_IDENTITY})")
        else:
            self.seen_keys[key] = number

    def _possible_duplicate(self, number: int, ref: str, texts: Mapping[str, str]) -> None:
        """A good row with a reference, known by the rule :meth:`_duplicate` uses."""
        key = identity_key(texts["title"], texts["organisation"], texts["contact_email"])
        if key in self.existing_keys:
            self.possible_duplicates.append(
                PossibleDuplicate(number, ref, self.existing_keys[key]))
        elif key in self.referenced_keys:
            like_row, like_ref = self.referenced_keys[key]
            self.possible_duplicates.append(PossibleDuplicate(number, ref, like_ref, like_row))
        else:
            self.referenced_keys[key] = (number, ref)

    def _amount(self, text: str, problem: Any, *, numeric: bool = False) -> Decimal | None:
        column = self.mapping.requested_amount
        if not text:
            return None
        try:
            amount = number_amount(text) if numeric else parse_amount(text)
        except AmbiguousAmount as unclear:
            problem("requested_amount", f"'{column}': {unclear}")
            return None
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

    def _categories(self, values: Mapping[str, Cell], problem: Any,
                    formula_columns: set[str]) -> list[str]:
        column = self.mapping.categories
        if not column:
            return []
        names = cell_items(values.get(column), self.mapping.separator)
        if not names and self.categories and column not in formula_columns:
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
            for name in cell_items(values.get(column), self.mapping.separator):
                if not safe_file_name(name):
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
