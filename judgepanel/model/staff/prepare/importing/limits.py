"""The bounds every import file is held to while it is read (docs/formats.md section 9).

Why bounds, and why while reading: an import file comes from outside (a form tool's
export, a colleague's spreadsheet, a file someone crafted). Each bound is checked as
the rows stream in, so a file that breaks one is refused in seconds and in constant
memory, before it is ever held whole. The numbers are generous for real programs (the
largest national rounds have a few thousand applications) and tied to what
spreadsheets themselves allow where there is such a limit.
"""

from __future__ import annotations

from pathlib import Path

from judgepanel.errors import FileFormatError

MAX_SOURCE_BYTES = 64 * 1024 * 1024
"""The file itself (checked before anything is read)."""

MAX_ROWS = 50_000
"""Applications (non-blank rows below the header) in one file."""

MAX_RECORDS = 1_048_576
"""Rows of any kind, blank ones included: a worksheet's own limit. A file of blank lines
is refused here rather than read to its end."""

MAX_COLUMNS = 500
"""Named columns in the header row (and values further right in any row)."""

MAX_CELL = 32_767
"""Characters in one cell: what a spreadsheet cell itself can hold."""

MAX_HEADER = 1_000
"""Characters in one column name (form tools use the whole question as the header)."""

MAX_CELLS = 2_500_000
"""Rows times columns: 50,000 applications of 50 columns, or fewer of more."""

MAX_RECORD_CHARS = 4 * 1024 * 1024
"""Characters in one CSV record (one row, quoted line breaks included)."""

MAX_JSON_DEPTH = 8
"""Nesting of a JSON import: a list of objects whose values may be lists or objects."""

MAX_JSON_DIGITS = 30
"""Digits in a JSON integer (an amount of money has at most 14)."""

# --- XLSX (a ZIP of XML parts) -----------------------------------------------------

MAX_XLSX_MEMBERS = 10_000
MAX_XLSX_SHEET = 1024 * 1024 * 1024
"""Inflated bytes of one worksheet's XML (cells are counted as well, see below)."""
MAX_XLSX_STRINGS = 256 * 1024 * 1024
"""Inflated bytes of the shared strings table, which openpyxl holds in memory."""
MAX_XLSX_PART = 32 * 1024 * 1024
"""Inflated bytes of any other part (workbook, styles, relationships)."""
MAX_XLSX_TOTAL = 2 * 1024 * 1024 * 1024
"""Inflated bytes of the whole workbook."""
MAX_XLSX_CELLS = 5_000_000
"""Cell elements in one worksheet's XML, empty ones included."""
MAX_XLSX_ROW_CELLS = 16_384
"""Cell elements in one row: a worksheet's own column limit."""
MAX_XML_DEPTH = 64
"""Nesting of any XML part (a worksheet is five levels deep)."""


def refusal(path: Path, message: str, detail: str = "") -> FileFormatError:
    """The error for a file that cannot be imported as it is; the message says what to do."""
    return FileFormatError(message, detail=detail, path=str(path))


def count(number: int) -> str:
    """1048576 -> "1,048,576", for messages."""
    return f"{number:,}"
