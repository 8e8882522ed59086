"""A sheet's title above its headings (as exports often have) is not taken for them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from judgepanel.model.staff.prepare.importing.sources import read_table
from judgepanel.model.staff.prepare.importing.workflow import preview

HEADINGS = ["Ref", "Title", "Organisation"]


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_title_and_a_blank_row_above_the_headings(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "export.xlsx", [
        ["Applications received — Villes inclusives 2027"], ["Exported 2026-12-06"], [],
        HEADINGS, ["A-1", "Écoles sans haine", "Ville de Montréal"],
        ["A-2", "Quartiers sûrs", "City of Dayton"]])
    table = read_table(path)
    assert table.headers == tuple(HEADINGS) and table.header_row == 4
    assert table.title_rows == (1, 2)
    assert [(r.number, r.values["Title"]) for r in table.rows] == [
        (5, "Écoles sans haine"), (6, "Quartiers sûrs")]
    assert table.title_note() == ("Rows 1 and 2 are the sheet's title, not an application: "
                                  "the headings are on row 4.")
    shown = preview(path)
    assert (shown.title_rows, shown.header_row, shown.total_rows) == ((1, 2), 4, 2)
    assert shown.mapping.title == "Title"


def test_a_title_line_in_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Applications 2027\nRef,Title,Organisation\nA-1,One,Org\n", "utf-8")
    table = read_table(path)
    assert (table.headers, table.title_rows, table.header_row) == (tuple(HEADINGS), (1,), 2)
    assert table.title_note().startswith("Row 1 is the sheet's title")


@pytest.mark.parametrize("rows", [2, 5, 6, 9])
def test_a_table_of_one_column_is_still_one(tmp_path: Path, rows: int) -> None:
    """Up to five one-cell rows are held as a possible title; a table of one column is a
    table however long (its first row the header, as always)."""
    path = tmp_path / "titles.csv"
    path.write_text("\n".join(["Title", *(f"Application {n}" for n in range(2, rows + 1))])
                    + "\n", "utf-8")
    table = read_table(path)
    assert (table.headers, table.title_rows, table.header_row) == (("Title",), (), 1)
    assert [r.number for r in table.rows] == list(range(2, rows + 1))
    assert [r.values["Title"] for r in table.rows] == [f"Application {n}"
                                                       for n in range(2, rows + 1)]
    assert table.title_note() == ""


def test_headings_on_the_first_row_as_before(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "plain.xlsx", [HEADINGS, ["A-1", "One", ""], ["A-2", "", ""]])
    table = read_table(path)
    assert (table.headers, table.title_rows, table.header_row) == (tuple(HEADINGS), (), 1)
    assert [r.number for r in table.rows] == [2, 3]
