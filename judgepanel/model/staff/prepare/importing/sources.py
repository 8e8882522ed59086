"""Reading the tables staff already have (CSV, XLSX, JSON) into one shape.

Why a separate step: validation and the column mapping should not care where
rows came from. Every row keeps the number a person would look for: the
spreadsheet row (the header is row 1 in a typical sheet) or, for JSON, the
position of the object in the list, counted from 1.

Cells become text (numbers without a spurious ".0", dates as ISO dates),
except that JSON values which are lists stay lists (for categories and
attachment names).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from judgepanel.errors import FileFormatError

MAX_SOURCE_BYTES = 64 * 1024 * 1024
MAX_ROWS = 50_000

Cell = str | list[str]


@dataclass(frozen=True)
class SourceRow:
    number: int
    values: dict[str, Cell]
    problem: str = ""  # the row could not be read at all (JSON item that is not an object)


@dataclass(frozen=True)
class SourceTable:
    """Rows of one import file, ready for the column mapping."""

    name: str
    kind: str  # "csv" | "xlsx" | "json"
    sha256: str
    headers: tuple[str, ...]
    rows: list[SourceRow] = field(default_factory=list)


def _refuse(path: Path, message: str, detail: str = "") -> FileFormatError:
    return FileFormatError(message, detail=detail, path=str(path))


def cell_text(value: Any) -> str:
    """A spreadsheet or JSON cell as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _headers(raw: Iterable[Any], path: Path) -> tuple[str, ...]:
    headers: list[str] = []
    for index, value in enumerate(raw, start=1):
        name = " ".join(cell_text(value).split()) or f"column {index}"
        if name in headers:
            raise _refuse(
                path,
                f"The column “{name}” appears twice in the header row. Rename one of them "
                "and import again.",
            )
        headers.append(name)
    while headers and headers[-1].startswith("column ") and headers[-1][7:].isdigit():
        headers.pop()  # trailing blank header cells (common in spreadsheets)
    return tuple(headers)


def _table_rows(
    rows: Iterable[tuple[int, list[Any]]], path: Path, kind: str, sha256: str
) -> SourceTable:
    headers: tuple[str, ...] | None = None
    out: list[SourceRow] = []
    for number, cells in rows:
        texts = [cell_text(c) for c in cells]
        if not any(texts):
            continue  # blank lines are not rows
        if headers is None:
            headers = _headers(cells, path)
            continue
        if len(out) >= MAX_ROWS:
            raise _refuse(path, f"The file has more than {MAX_ROWS} rows. Split it and import "
                          "the parts one after another.")
        extra = [t for t in texts[len(headers):] if t]
        values: dict[str, Cell] = {h: (texts[i] if i < len(texts) else "")
                                   for i, h in enumerate(headers)}
        problem = (
            f"it has {len(headers) + len(extra)} or more cells but the header names only "
            f"{len(headers)} columns" if extra else ""
        )
        out.append(SourceRow(number, values, problem))
    if headers is None:
        raise _refuse(path, "The file is empty: it has no header row and no applications.")
    return SourceTable(path.name, kind, sha256, headers, out)


def _read_csv(path: Path, data: bytes, sha256: str) -> SourceTable:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page.
        text = data.decode("cp1252", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        # Count records, not physical lines: that is the row number a spreadsheet shows,
        # also when a quoted cell spans several lines.
        rows = list(enumerate(reader, start=1))
    except csv.Error as exc:
        raise _refuse(path, "The CSV file could not be read: it is not well formed.",
                      str(exc)) from exc
    return _table_rows(rows, path, "csv", sha256)


def _read_xlsx(path: Path, sha256: str, sheet: str | None) -> SourceTable:
    import openpyxl  # imported here: only XLSX imports pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise _refuse(path, "The spreadsheet could not be opened. Save it again from your "
                      "spreadsheet program as an .xlsx file.", repr(exc)) from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise _refuse(path, f"The spreadsheet has no sheet named “{sheet}”. Its sheets "
                          f"are: {', '.join(book.sheetnames)}.")
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        rows = (
            (number, list(values))
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1)
        )
        return _table_rows(rows, path, "xlsx", sha256)
    finally:
        book.close()


def _read_json(path: Path, data: bytes, sha256: str) -> SourceTable:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _refuse(path, "The JSON file could not be read: it is not valid JSON.",
                      str(exc)) from exc
    if isinstance(document, dict) and isinstance(document.get("applications"), list):
        document = document["applications"]
    if not isinstance(document, list):
        raise _refuse(path, "The JSON file must hold a list of applications (one object "
                      "each), or an object with an “applications” list.")
    if len(document) > MAX_ROWS:
        raise _refuse(path, f"The file has more than {MAX_ROWS} applications. Split it and "
                      "import the parts one after another.")
    headers: dict[str, None] = {}
    rows: list[SourceRow] = []
    for number, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            rows.append(SourceRow(number, {}, "it is not an object with named fields"))
            continue
        values: dict[str, Cell] = {}
        for key, value in item.items():
            name = " ".join(str(key).split())
            headers.setdefault(name, None)
            if isinstance(value, list):
                values[name] = [cell_text(v) for v in value]
            elif isinstance(value, dict):
                values[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
            else:
                values[name] = cell_text(value)
        rows.append(SourceRow(number, values))
    return SourceTable(path.name, "json", sha256, tuple(headers), rows)


def read_table(path: Path | str, *, sheet: str | None = None) -> SourceTable:
    """Read an import file; the kind is chosen by its extension (.csv, .tsv, .xlsx, .json)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json"):
        raise _refuse(path, "JudgePanel imports applications from .csv, .xlsx or .json files. "
                      "Save the list in one of those formats and try again.")
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise _refuse(path, "The file is too large to import (more than 64 MB).")
        data = path.read_bytes()
    except OSError as exc:
        raise _refuse(path, "The file could not be opened. Check that it exists and is not "
                      "open in another program.", str(exc)) from exc
    sha256 = hashlib.sha256(data).hexdigest()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sha256, sheet)
    if suffix == ".json":
        return _read_json(path, data, sha256)
    return _read_csv(path, data, sha256)
