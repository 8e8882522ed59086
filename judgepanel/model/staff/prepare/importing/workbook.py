"""Reading an XLSX workbook within bounds: openpyxl behind a guarded ZIP archive.

openpyxl is the library made for reading XLSX, and its read-only mode streams a
worksheet row by row. It trusts the file, though: a shared strings table that inflates
to 750 MB is read into memory whole, a row of ten million cells is built before it is
returned, and a damaged part surfaces as whatever the ZIP, zlib or XML layer raises.
So openpyxl reads through :class:`GuardedArchive`, which

- before anything is inflated, refuses what the ZIP directory already shows:
  encryption, a compression method other than stored or deflate, a ZIP version newer
  than Python reads, too many parts, and declared sizes above the bounds;
- while openpyxl reads, counts the bytes each part really inflates to (a directory
  that understates a size cannot get past the bound either: Python's zipfile stops at
  the declared size and the CRC check fails), and passes every XML part through a
  streaming expat scan first, which refuses invalid XML, document types and entities,
  nesting deeper than any worksheet has, and counts rows and cells as they go by, so
  openpyxl never sees the part of a row beyond the bounds.

What is left to openpyxl is well-formed XML within bounds; any failure it still
raises on such a file (a cell reference it cannot parse, say) is a damaged workbook,
refused in the same plain words.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal
from xml.parsers import expat

from judgepanel.model.staff.prepare.importing.limits import (
    MAX_CELL,
    MAX_COLUMNS,
    MAX_RECORDS,
    MAX_XLSX_CELLS,
    MAX_XLSX_MEMBERS,
    MAX_XLSX_PART,
    MAX_XLSX_ROW_CELLS,
    MAX_XLSX_SHEET,
    MAX_XLSX_STRINGS,
    MAX_XLSX_TOTAL,
    MAX_XML_DEPTH,
    count,
    refusal,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted workbooks and old .xls files
RESAVE = "Open it in your spreadsheet program, save it again as an .xlsx workbook and " \
         "import that."
DAMAGED = "The spreadsheet is damaged or is not an .xlsx workbook. " + RESAVE
TOO_BIG = "The spreadsheet is too large to import: {what}. Split the list into smaller " \
          "workbooks and import them one after another."
_READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_MAX_ZIP_VERSION = 63  # what Python's zipfile reads
_COLUMN = re.compile(r"[A-Z]{1,3}")

# What openpyxl (and the ZIP, zlib and XML layers under it) raise on a damaged file
# that passed the checks above; only ever caught around openpyxl's own reading.
OPENPYXL_FAILURES: tuple[type[BaseException], ...] = (
    ValueError, LookupError, TypeError, AttributeError, ArithmeticError, SyntaxError,
    EOFError, OSError, NotImplementedError, zipfile.BadZipFile, zlib.error, struct.error,
    expat.ExpatError,
)


class XlsxRefused(Exception):
    """Raised inside openpyxl's reading by the guard; carries the typed error."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


def _part_limit(name: str) -> int:
    if name.startswith("xl/worksheets/"):
        return MAX_XLSX_SHEET
    if name == "xl/sharedStrings.xml" or name.endswith("/sharedStrings.xml"):
        return MAX_XLSX_STRINGS
    return MAX_XLSX_PART


def _column_number(reference: str) -> int:
    letters = _COLUMN.match(reference)
    number = 0
    for ch in letters.group() if letters else "":
        number = number * 26 + ord(ch) - 64
    return number


class _XmlScan:
    """A streaming expat pass over one XML part, ahead of openpyxl's own parse."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.depth = 0
        self.rows = 0
        self.cells = 0
        self.row_cells = 0
        self.column = 0
        self.text = 0
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._characters
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype

    def _doctype(self, *_args: Any) -> None:
        raise XlsxRefused(DAMAGED, f"{self.name}: a document type or entity declaration")

    def _too_big(self, what: str) -> XlsxRefused:
        return XlsxRefused(TOO_BIG.format(what=what), self.name)

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise XlsxRefused(DAMAGED, f"{self.name}: XML nested deeper than {MAX_XML_DEPTH}")
        self.text = 0
        local = name.rpartition(":")[2]
        if local == "row":
            self.rows += 1
            self.row_cells = 0
            self.column = 0
            if self.rows > MAX_RECORDS:
                raise self._too_big(f"a sheet has more than {count(MAX_RECORDS)} rows")
        elif local == "c":
            self.cells += 1
            self.row_cells += 1
            reference = attributes.get("r")  # without one, the next column (as openpyxl)
            self.column = _column_number(reference) if reference else self.column + 1
            if self.row_cells > MAX_XLSX_ROW_CELLS:
                raise self._too_big(f"a row has more than {count(MAX_XLSX_ROW_CELLS)} cells")
            if self.cells > MAX_XLSX_CELLS:
                raise self._too_big(f"a sheet has more than {count(MAX_XLSX_CELLS)} cells")
        elif local in ("v", "is", "f") and self.column > MAX_COLUMNS:
            raise self._too_big(f"it has values beyond column {MAX_COLUMNS}")
        elif local == "si":
            self.cells += 1
            if self.cells > MAX_XLSX_CELLS:
                raise self._too_big(f"it has more than {count(MAX_XLSX_CELLS)} texts")

    def _end(self, _name: str) -> None:
        self.depth -= 1

    def _characters(self, data: str) -> None:
        self.text += len(data)
        if self.text > MAX_CELL:
            raise self._too_big(f"a cell holds more than {count(MAX_CELL)} characters")

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as error:
            raise XlsxRefused(DAMAGED, f"{self.name}: invalid XML: {error}") from None


class _GuardedPart:
    """One part as openpyxl reads it: inflated bytes counted, XML scanned first."""

    def __init__(self, archive: GuardedArchive, name: str, raw: IO[bytes]) -> None:
        self.archive = archive
        self.name = name
        self.raw = raw
        self.size = 0
        self.finished = False
        self.limit = _part_limit(name)
        xml = name.endswith((".xml", ".rels", ".vml"))
        self.scan: _XmlScan | None = _XmlScan(name) if xml else None

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.size += len(data)
        self.archive.inflated += len(data)
        if self.size > self.limit or self.archive.inflated > MAX_XLSX_TOTAL:
            raise XlsxRefused(TOO_BIG.format(what="it inflates to more than allowed"),
                              f"{self.name}: {self.size} bytes inflated")
        if self.scan is not None and not self.finished:
            self.finished = not data or size is None or size < 0
            self.scan.feed(data, final=self.finished)
        return data

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> _GuardedPart:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class GuardedArchive(zipfile.ZipFile):
    """A ZipFile whose directory is checked on opening and whose parts are guarded."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "r")
        self.inflated = 0
        try:
            self._check_directory()
        except XlsxRefused:
            self.close()
            raise

    def _check_directory(self) -> None:
        infos = self.infolist()
        if len(infos) > MAX_XLSX_MEMBERS:
            raise XlsxRefused(DAMAGED, f"{len(infos)} ZIP members")
        for info in infos:
            if info.flag_bits & 0x1:
                raise XlsxRefused(
                    "The spreadsheet is protected with a password. Save a copy without "
                    "a password (File, Info, Protect Workbook) and import that.",
                    f"{info.filename}: encrypted ZIP member")
            if info.compress_type not in _READABLE_METHODS:
                raise XlsxRefused(
                    "The spreadsheet was saved with a compression JudgePanel cannot read. "
                    + RESAVE, f"{info.filename}: compression method {info.compress_type}")
            if info.extract_version > _MAX_ZIP_VERSION:
                raise XlsxRefused(DAMAGED, f"{info.filename}: ZIP version "
                                  f"{info.extract_version}")
            if info.file_size > _part_limit(info.filename):
                raise XlsxRefused(TOO_BIG.format(what=f"a part inflates to "
                                                 f"{count(info.file_size)} bytes"),
                                  info.filename)
        if sum(info.file_size for info in infos) > MAX_XLSX_TOTAL:
            raise XlsxRefused(TOO_BIG.format(what="it inflates to more than "
                                             f"{count(MAX_XLSX_TOTAL)} bytes"))

    def open(self, name: Any, mode: Literal["r", "w"] = "r", pwd: bytes | None = None, *,
             force_zip64: bool = False) -> Any:
        raw = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return raw
        filename = name.filename if isinstance(name, zipfile.ZipInfo) else str(name)
        return _GuardedPart(self, filename, raw)


def _open_book(path: Path, data_only: bool = True) -> Any:
    from openpyxl.reader.excel import ExcelReader  # here: only XLSX imports pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as error:
        raise XlsxRefused("The file could not be opened. Check that it exists and is not "
                          "open in another program.", str(error)) from None
    if magic == OLE_MAGIC:
        raise XlsxRefused(
            "The spreadsheet is protected with a password, or is an old .xls workbook. "
            "Save a copy without a password as an .xlsx workbook and import that.",
            "an OLE compound file, not a ZIP")
    archive = GuardedArchive(path)
    try:
        reader = ExcelReader(path, read_only=True, data_only=data_only)
    except InvalidFileException as error:
        archive.close()
        raise XlsxRefused(DAMAGED, str(error)) from None
    reader.archive.close()  # openpyxl's own, unguarded archive: read through ours
    reader.archive = archive
    reader.valid_files = archive.namelist()
    try:
        reader.read()
    except BaseException:
        archive.close()
        raise
    return reader.wb


def xlsx_rows(path: Path, sheet: str | None, *, data_only: bool = True
              ) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of the chosen sheet (the first one by default).

    Rows are ``MAX_COLUMNS + 1`` cells wide, whatever the sheet's stated dimension says
    (the guard refuses values beyond column ``MAX_COLUMNS``). With ``data_only`` False a
    formula cell gives its formula ("=A2&B2") instead of its saved value
    (``formulas`` asks, to name formulas that have none).
    """
    book = _open_book(path, data_only)
    try:
        if not book.worksheets:
            raise XlsxRefused("The spreadsheet has no worksheet to import. " + RESAVE)
        if sheet is not None and sheet not in book.sheetnames:
            raise XlsxRefused(f"The spreadsheet has no sheet named “{sheet}”. Its sheets "
                              f"are: {', '.join(book.sheetnames[:50])}.")
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        if not hasattr(worksheet, "iter_rows"):  # a chart sheet
            raise XlsxRefused(f"The sheet “{worksheet.title}” holds a chart, not rows. "
                              "Choose the sheet that lists the applications.")
        # The sheet's stated dimension is not trusted: openpyxl would stop at a stale
        # one and drop the rows and columns beyond it without a word.
        worksheet.reset_dimensions()
        rows = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        for number, values in enumerate(rows, start=1):
            yield number, list(values)
    finally:
        book.close()


def read_xlsx_rows(path: Path, sheet: str | None, *, data_only: bool = True
                   ) -> Iterator[tuple[int, list[Any]]]:
    """:func:`xlsx_rows`, every failure a typed refusal naming the file."""
    try:
        yield from xlsx_rows(path, sheet, data_only=data_only)
    except XlsxRefused as refused:
        raise refusal(path, refused.message, refused.detail) from None
    except OPENPYXL_FAILURES as error:  # the last line: causes are refused above
        raise refusal(path, DAMAGED, f"{type(error).__name__}: {error}") from None
