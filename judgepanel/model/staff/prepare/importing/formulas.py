"""Workbook cells that hold a formula but no saved value.

A workbook keeps, beside each formula, the value it last calculated; a file written
by a script (or saved without calculating) has the formula alone, and its cells read
as empty. Importing them as empty would lose data without a word, so the import asks
this module which of the empty cells it reads are such formulas and names them.

Only called after ``sources.read_table`` accepted the file, through the same guarded
reading (``workbook``), and no further than the last row it needs.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Collection, Generator
from pathlib import Path

from judgepanel.model.staff.prepare.importing.sources import SourceTable
from judgepanel.model.staff.prepare.importing.workbook import read_xlsx_rows

FORMULA_SHOWN = 60  # characters of a formula quoted in a message
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")  # <f>, <f t="shared" …>, <x:f>
_CHUNK = 1 << 20


def has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (a quick look at its XML,
    which most workbooks end here: reading every cell a second time costs as much as
    the import's own read)."""
    try:
        with zipfile.ZipFile(path) as book:
            for name in book.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with book.open(name) as part:
                    tail = b""
                    while chunk := part.read(_CHUNK):
                        if _FORMULA_TAG.search(tail + chunk):
                            return True
                        tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, KeyError):
        return True  # cannot tell: take the careful, slower look
    return False


def empty_cells(table: SourceTable, columns: Collection[str]) -> set[tuple[int, str]]:
    """(row number, column) of every empty cell of ``columns`` in ``table``'s rows."""
    return {(row.number, column) for row in table.rows for column in columns
            if column in row.values and row.values[column] in ("", [])}


def unsaved_formulas(path: Path, sheet: str | None, table: SourceTable,
                     cells: Collection[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """Of ``cells`` ((row number, column) pairs of an .xlsx ``table``), those holding a
    formula without a saved value, with the formula (shortened) as the value."""
    if table.kind != "xlsx" or not cells or not has_formulas(path):
        return {}
    position = {name: index for index, name in enumerate(table.headers)}
    wanted: dict[int, dict[int, str]] = {}
    for number, column in cells:
        if column in position:
            wanted.setdefault(number, {})[position[column]] = column
    if not wanted:
        return {}
    last = max(wanted)
    found: dict[tuple[int, str], str] = {}
    # The same guarded reading as the import's own, asking for formulas this time;
    # closed at once when the last row needed has gone by (the workbook is released).
    rows = read_xlsx_rows(path, sheet, data_only=False)
    with contextlib.closing(rows) if isinstance(rows, Generator) else contextlib.nullcontext():
        for number, values in rows:
            if number > last:
                break
            for index, column in wanted.get(number, {}).items():
                value = values[index] if index < len(values) else None
                if isinstance(value, str) and value.startswith("="):
                    shown = value if len(value) <= FORMULA_SHOWN else (
                        value[:FORMULA_SHOWN - 1] + "…")
                    found[(number, column)] = shown
    return found
