"""Reading the tables staff already have (CSV, XLSX, JSON) into one shape.

Why a separate step: validation and the column mapping should not care where
rows came from. Every row keeps the number a person would look for: the
spreadsheet row (the header is row 1 in a typical sheet) or, for JSON, the
position of the object in the list, counted from 1.

Cells become text (numbers without a spurious ".0", dates as ISO dates),
except that JSON values which are lists stay lists (for categories and
attachment names); each row says which of its cells held numbers, so that an
amount in a number cell is read as that number, not as text.

Every file is read as a stream within the bounds of ``limits`` (docs/formats.md
section 9): rows, columns, cell size and total cells are counted as rows arrive, so a
file that breaks one is refused before it is held whole; line breaks in cells are
normalised (``text.normalise_breaks``), and ``cell_problem`` says what the text policy
refuses in a cell, for the row checks to report.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from judgepanel.formats.jsonio import json_depth
from judgepanel.model.staff.prepare.importing.limits import (
    MAX_CELL,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_HEADER,
    MAX_JSON_DEPTH,
    MAX_JSON_DIGITS,
    MAX_RECORD_CHARS,
    MAX_RECORDS,
    MAX_ROWS,
    MAX_SOURCE_BYTES,
    count,
    refusal,
)
from judgepanel.model.staff.prepare.importing.workbook import read_xlsx_rows
from judgepanel.text import has_breaks_to_normalise, normalise_breaks, text_problem

Cell = str | list[str]
_CHUNK = 1024 * 1024
_SPLIT = "Split the list into smaller files and import them one after another."


@dataclass(frozen=True)
class SourceRow:
    number: int
    values: dict[str, Cell]
    problem: str = ""  # the row could not be read at all (JSON item that is not an object)
    numbers: frozenset[str] = frozenset()
    """The columns whose cell held a number (XLSX, JSON), not text: "1.125" there is one
    and an eighth, not a text to read separators in. CSV has none."""


@dataclass(frozen=True)
class SourceTable:
    """Rows of one import file, ready for the column mapping."""

    name: str
    kind: str  # "csv" | "xlsx" | "json"
    sha256: str
    headers: tuple[str, ...]
    rows: list[SourceRow] = field(default_factory=list)
    title_rows: tuple[int, ...] = ()  # one-cell rows above the header: the sheet's title
    header_row: int = 1

    def title_note(self) -> str:
        """Which rows were read as the sheet's title, in words ("" when none)."""
        rows = self.title_rows
        if not rows:
            return ""
        which = (f"Row {rows[0]} is" if len(rows) == 1 else
                 f"Rows {', '.join(map(str, rows[:-1]))} and {rows[-1]} are")
        return (f"{which} the sheet's title, not an application: the headings are on row "
                f"{self.header_row}.")


def cell_text(value: Any) -> str:
    """A spreadsheet or JSON cell as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return normalise_breaks(value).strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return normalise_breaks(str(value)).strip()


def is_number(value: Any) -> bool:
    """Whether a cell holds a number (an XLSX number cell, a JSON number), not text."""
    return type(value) in (int, float)  # not bool: yes/no


def cell_problem(value: Cell | None) -> str | None:
    """What the text policy refuses in a cell (a control or bidirectional formatting
    character), in words naming the character and where it is; None when it is clean."""
    for text in (value if isinstance(value, list) else [value or ""]):
        if (problem := text_problem(text, multiline=True)) is not None:
            return f"{problem}; delete it in the spreadsheet and import again"
    return None


def _headers(raw: list[Any], path: Path) -> tuple[str, ...]:
    """The header row's names: trailing blank cells dropped, each name checked once."""
    names = [" ".join(cell_text(value).split()) for value in raw]
    while names and not names[-1]:
        names.pop()  # trailing blank header cells (common in spreadsheets)
    if len(names) > MAX_COLUMNS:
        raise refusal(path, f"The header row names {count(len(names))} columns; JudgePanel "
                      f"imports at most {MAX_COLUMNS}. Delete the columns you do not need "
                      "and import again.")
    headers: list[str] = []
    seen: set[str] = set()
    for index, name in enumerate(names, start=1):
        name = name or f"column {index}"
        if len(name) > MAX_HEADER:
            raise refusal(path, f"The name of column {index} is longer than {MAX_HEADER} "
                          "characters. Shorten it and import again.")
        if (problem := text_problem(name, multiline=False)) is not None:
            raise refusal(path, f"The name of column {index} {problem}. Rename the column "
                          "and import again.")
        if name in seen:
            raise refusal(path, f"The column “{name}” appears twice in the header row. "
                          "Rename one of them and import again.")
        seen.add(name)
        headers.append(name)
    return tuple(headers)


def _is_blank(cells: list[Any]) -> bool:
    """Whether a row holds nothing but empty cells (C-speed: blank floods are common)."""
    filled = len(cells) - cells.count(None) - cells.count("")
    return filled == 0 or not any(cell_text(c) for c in cells if c is not None and c != "")


MAX_TITLE_ROWS = 5
"""One-cell rows held above the header as a title; more make a one-column table."""


class _BoundedRows:
    """Rows as they arrive, held to the bounds. The header is the first non-blank row,
    unless that row and up to four after it hold one cell each and a row with more
    follows: those are the sheet's title ("Applications received, 2027"), as exports
    often put above the headings, and the row with more is the header."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.headers: tuple[str, ...] | None = None
        self.rows: list[SourceRow] = []
        self.records = 0
        self.held: list[tuple[int, list[Any]]] = []  # one-cell rows: a title, or the table
        self.title_rows: tuple[int, ...] = ()
        self.header_row = 1
        self.number_columns: dict[frozenset[str], frozenset[str]] = {}  # one set per shape

    def refuse(self, message: str, detail: str = "") -> NoReturn:
        raise refusal(self.path, message, detail)

    def add(self, number: int, cells: list[Any]) -> None:
        self.records += 1
        if self.records > MAX_RECORDS:
            self.refuse(f"The file has more than {count(MAX_RECORDS)} rows (blank ones "
                        "included). Delete the empty rows at its end, or " + _SPLIT.lower())
        if _is_blank(cells):
            return  # blank lines are not rows
        if self.headers is None:
            filled = sum(1 for c in cells if cell_text(c))
            if filled == 1 and len(self.held) < MAX_TITLE_ROWS:
                self.held.append((number, cells))
                return
            if filled > 1:  # what was held is a title
                self.title_rows = tuple(n for n, _ in self.held)
                self.held = []
            else:  # one cell in each of six rows: a table of one column
                self._release()
        if self.headers is None:
            self.headers, self.header_row = _headers(cells, self.path), number
            return
        self._row(number, cells)

    def _release(self) -> None:
        """The one-cell rows held are a table of one column: its header, then rows."""
        (first, header), *rows = self.held
        self.held = []
        self.headers, self.header_row = _headers(header, self.path), first
        for number, cells in rows:
            self._row(number, cells)

    def _row(self, number: int, cells: list[Any]) -> None:
        headers = self.headers
        assert headers is not None
        if len(self.rows) >= MAX_ROWS:
            self.refuse(f"The file has more than {count(MAX_ROWS)} rows. " + _SPLIT)
        if (len(self.rows) + 1) * max(len(headers), 1) > MAX_CELLS:
            self.refuse(f"The file has more than {count(MAX_CELLS)} cells (rows times "
                        "columns). " + _SPLIT)
        row = cells[:len(headers)]
        numbers: frozenset[str] = frozenset()
        if all(type(c) is str for c in row) and not has_breaks_to_normalise("".join(row)):
            texts = [c.strip() for c in row]  # a CSV row without line breaks: the usual one
        else:
            texts = [cell_text(c) for c in row]
            numbers = frozenset(h for h, c in zip(headers, row, strict=False) if is_number(c))
            numbers = self.number_columns.setdefault(numbers, numbers)
        for index, text in enumerate(texts):
            if len(text) > MAX_CELL:
                self.refuse(f"Row {number}, column “{headers[index]}”: the cell holds more "
                            f"than {count(MAX_CELL)} characters. Shorten it and import again.")
        rest = cells[len(headers):]
        extra = 0 if not rest or _is_blank(rest) else sum(1 for c in rest if cell_text(c))
        values: dict[str, Cell] = dict(zip(headers, texts, strict=False))
        for name in headers[len(texts):]:
            values[name] = ""
        problem = (
            f"it has {len(headers) + extra} or more cells but the header names only "
            f"{len(headers)} columns" if extra else ""
        )
        self.rows.append(SourceRow(number, values, problem, numbers))

    def finish(self, kind: str, sha256: str) -> SourceTable:
        if self.headers is None and self.held:
            self._release()
        if self.headers is None:
            self.refuse("The file is empty: it has no header row and no applications.")
        return SourceTable(self.path.name, kind, sha256, self.headers, self.rows,
                           self.title_rows, self.header_row)


def _hash_and_encoding(path: Path) -> tuple[str, str, str]:
    """SHA-256, the text encoding (UTF-8, or Excel's Windows code page) and a sample
    for the dialect sniffer, in one streaming pass over the file."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    head = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            if len(head) < 16384:
                head += chunk[:16384]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    # Excel on Windows saves "CSV" in the ANSI code page (cp1252 for Western Europe).
    encoding = ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8") if utf8 \
        else "cp1252"
    sample = head[:8192].decode(encoding, errors="ignore")
    return digest.hexdigest(), encoding, sample


class _Lines:
    """Physical lines for csv.reader, refusing a record longer than MAX_RECORD_CHARS.

    csv.reader joins lines until a record ends (a quoted cell may span lines); the
    caller marks each record's end (``start``), so a record that never ends is refused
    after MAX_RECORD_CHARS characters instead of growing to the end of the file.
    """

    def __init__(self, handle: io.TextIOBase, path: Path) -> None:
        self.handle = handle
        self.path = path
        self.fed = 0
        self.start = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.handle.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        self.fed += len(line)
        if self.fed - self.start > MAX_RECORD_CHARS:
            raise refusal(self.path, f"A row of the file is longer than "
                          f"{count(MAX_RECORD_CHARS)} characters (or a quote is never "
                          "closed). Check the row after the last one that reads correctly.")
        return line


def _read_csv(path: Path) -> SourceTable:
    sha256, encoding, sample = _hash_and_encoding(path)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    table = _BoundedRows(path)
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        lines = _Lines(handle, path)
        reader = csv.reader(lines, dialect)
        try:
            # Count records, not physical lines: that is the row number a spreadsheet
            # shows, also when a quoted cell spans several lines.
            for number, cells in enumerate(reader, start=1):
                lines.start = lines.fed
                table.add(number, cells)
        except csv.Error as exc:
            raise refusal(path, "The CSV file could not be read: it is not well formed "
                          f"near row {table.records + 1}. Save it again from your "
                          "spreadsheet program and import that.", str(exc)) from exc
    return table.finish("csv", sha256)


def _read_xlsx(path: Path, sheet: str | None) -> SourceTable:
    sha256, _encoding, _sample = _hash_and_encoding(path)
    table = _BoundedRows(path)
    for number, cells in read_xlsx_rows(path, sheet):
        table.add(number, cells)
    return table.finish("xlsx", sha256)


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise ValueError(f"a number with more than {MAX_JSON_DIGITS} digits")
    return int(text)


def _json_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JudgePanel imports")


def _json_cell(value: Any, where: str, path: Path) -> Cell:
    if isinstance(value, list):
        cells = [cell_text(v) for v in value]
        if len(cells) > MAX_COLUMNS or sum(map(len, cells)) > MAX_CELL:
            raise refusal(path, f"{where} lists more than a cell can hold. Shorten it and "
                          "import again.")
        return cells
    text = (json.dumps(value, ensure_ascii=False, sort_keys=True)
            if isinstance(value, dict) else cell_text(value))
    if len(text) > MAX_CELL:
        raise refusal(path, f"{where} holds more than {count(MAX_CELL)} characters. "
                      "Shorten it and import again.")
    return text


def _read_json(path: Path) -> SourceTable:
    sha256, _encoding, _sample = _hash_and_encoding(path)
    unreadable = "The JSON file could not be read: it is not valid JSON."
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"),
                              parse_int=_json_int, parse_constant=_json_constant)
    except RecursionError:
        raise refusal(path, unreadable, "nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise refusal(path, unreadable, str(exc)) from exc
    if json_depth(document) > MAX_JSON_DEPTH:
        raise refusal(path, f"The JSON file is nested deeper than {MAX_JSON_DEPTH} levels: "
                      "it must hold a list of applications, one object each.")
    if isinstance(document, dict) and isinstance(document.get("applications"), list):
        document = document["applications"]
    if not isinstance(document, list):
        raise refusal(path, "The JSON file must hold a list of applications (one object "
                      "each), or an object with an “applications” list.")
    if len(document) > MAX_ROWS:
        raise refusal(path, f"The file has more than {count(MAX_ROWS)} applications. "
                      + _SPLIT)
    headers: dict[str, None] = {}
    rows: list[SourceRow] = []
    cells = 0
    for number, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            rows.append(SourceRow(number, {}, "it is not an object with named fields"))
            continue
        values: dict[str, Cell] = {}
        numbers: set[str] = set()
        for key, value in item.items():
            name = " ".join(str(key).split())
            if name not in headers:
                if len(headers) >= MAX_COLUMNS:
                    raise refusal(path, f"The applications have more than {MAX_COLUMNS} "
                                  "different fields. Leave out the fields you do not need.")
                if len(name) > MAX_HEADER or text_problem(name, multiline=False):
                    raise refusal(path, f"Application {number} has a field name that is "
                                  f"too long or holds control characters. Rename it.")
                headers[name] = None
            values[name] = _json_cell(value, f"Application {number}, field “{name}”,", path)
            if is_number(value):
                numbers.add(name)
        cells += len(values)
        if cells > MAX_CELLS:
            raise refusal(path, f"The file has more than {count(MAX_CELLS)} fields in all. "
                          + _SPLIT)
        rows.append(SourceRow(number, values, numbers=frozenset(numbers)))
    return SourceTable(path.name, "json", sha256, tuple(headers), rows)


def read_table(path: Path | str, *, sheet: str | None = None) -> SourceTable:
    """Read an import file; the kind is chosen by its extension (.csv, .tsv, .xlsx, .json)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json"):
        raise refusal(path, "JudgePanel imports applications from .csv, .xlsx or .json "
                      "files. Save the list in one of those formats and try again.")
    try:
        if not path.is_file():
            raise FileNotFoundError(f"not a file: {path}")
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise refusal(path, "The file is too large to import (more than 64 MB). "
                          + _SPLIT)
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path, sheet)
        if suffix == ".json":
            return _read_json(path)
        return _read_csv(path)
    except OSError as exc:
        raise refusal(path, "The file could not be opened. Check that it exists and is not "
                      "open in another program.", str(exc)) from exc
