"""Hostile and oversized import files: a typed refusal naming the file, in bounded memory.

Each case is one the issue (#16) reported as a traceback, a five-minute stall or gigabytes
of memory, or one the fuzz harnesses (fuzz/) found; the bounds are docs/formats.md
section 9's.
"""

from __future__ import annotations

import io
import json
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from judgepanel.errors import FileFormatError, ImportRowsError
from judgepanel.model.staff.prepare.importing import limits
from judgepanel.model.staff.prepare.importing.mapping import ColumnMapping
from judgepanel.model.staff.prepare.importing.sources import read_table
from judgepanel.model.staff.prepare.importing.workflow import import_file
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.staff.prepare import xlsx_crafting as craft

MB = 1024 * 1024


def _refused(path: Path, match: str) -> FileFormatError:
    with pytest.raises(FileFormatError, match=match) as caught:
        read_table(path)
    assert caught.value.path == str(path)
    return caught.value


def _peak(action: object) -> int:
    """Peak bytes Python allocated while ``action`` ran (it is expected to raise)."""
    tracemalloc.start()
    try:
        action()  # type: ignore[operator]
    except FileFormatError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


# --- XLSX: every damaged workbook is a typed refusal ---------------------------------


@pytest.mark.parametrize("make", [craft.workbook_bytes, craft.shared_strings_workbook])
def test_a_sound_workbook_still_reads(tmp_path: Path, make: object) -> None:
    table = read_table(craft.write(tmp_path / "ok.xlsx", make()))  # type: ignore[operator]
    assert table.headers == ("Title", "City")
    assert [r.values["City"] for r in table.rows] == ["Springfield", "Shelbyville"]


@pytest.mark.parametrize(("name", "damage", "match"), [
    ("encrypted", lambda d: craft.set_flags(d, 0x1), "protected with a password"),
    ("deflate64", lambda d: craft.set_method(d, 9), "compression JudgePanel cannot read"),
    ("aes", lambda d: craft.set_method(d, 99), "compression JudgePanel cannot read"),
    ("newer-zip", lambda d: craft.set_version_needed(d, 99), "damaged"),
    ("truncated", lambda d: d[: len(d) // 2], "damaged"),
    ("ole", lambda d: craft.OLE_MAGIC_FILE, "password, or is an old .xls"),
])
def test_damaged_zip_layers_are_refused(tmp_path: Path, name: str, damage: object,
                                        match: str) -> None:
    data = damage(craft.workbook_bytes())  # type: ignore[operator]
    _refused(craft.write(tmp_path / f"{name}.xlsx", data), match)


def _corrupt_deflate(data: bytes, member: str) -> bytes:
    """Flip bytes inside ``member``'s compressed data: zlib.error or a CRC mismatch."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(member.encode())
    buffer = bytearray(data)
    for i in range(start + 2, start + min(info.compress_size, 40)):
        buffer[i] ^= 0x5A
    return bytes(buffer)


@pytest.mark.parametrize(("name", "change", "match"), [
    ("invalid-xml", lambda n, c: c.replace(b"</row>", b"</rowx>", 1)
     if n == "xl/worksheets/sheet1.xml" else c, "damaged"),
    ("not-utf8", lambda n, c: c.replace(b"Springfield", b"Spring\xff\xfefield")
     if n == "xl/sharedStrings.xml" else c, "damaged"),
    ("doctype", lambda n, c: c.replace(b"<sst", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><sst', 1)
     if n == "xl/sharedStrings.xml" else c, "damaged"),
    ("deep", lambda n, c: c.replace(b"<v>", b"<q>" * 200 + b"</q>" * 200 + b"<v>", 1)
     if n == "xl/worksheets/sheet1.xml" else c, "damaged"),
    ("bad-reference", lambda n, c: c.replace(b'r="A2"', b'r="A2Z"')
     if n == "xl/worksheets/sheet1.xml" else c, "damaged"),
])
def test_damaged_parts_are_refused(tmp_path: Path, name: str, change: object,
                                   match: str) -> None:
    data = craft.rezip(craft.shared_strings_workbook(), change)  # type: ignore[arg-type]
    _refused(craft.write(tmp_path / f"{name}.xlsx", data), match)


def test_corrupt_compressed_data_is_refused(tmp_path: Path) -> None:
    data = _corrupt_deflate(craft.workbook_bytes(), "xl/worksheets/sheet1.xml")
    _refused(craft.write(tmp_path / "zlib.xlsx", data), "damaged")


def test_a_workbook_without_any_sheet_says_so(tmp_path: Path) -> None:
    def no_sheets(name: str, content: bytes) -> bytes | None:
        if name.startswith("xl/worksheets/"):
            return None
        if name == "xl/workbook.xml":
            head, _, rest = content.partition(b"<sheets>")
            return head + b"<sheets></sheets>" + rest.partition(b"</sheets>")[2]
        return content
    data = craft.rezip(craft.workbook_bytes(), no_sheets)
    _refused(craft.write(tmp_path / "nosheet.xlsx", data), "no worksheet")


# --- XLSX: bombs refused before they inflate, or as they do ---------------------------


def test_a_shared_strings_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    # 750 MB of shared strings compress to a few MB, and the directory says so: the
    # bound is checked there, before a byte is inflated.
    data = craft.set_declared_size(craft.shared_strings_workbook(), "xl/sharedStrings.xml",
                                   750 * MB)
    path = craft.write(tmp_path / "bomb.xlsx", data)
    assert _peak(lambda: read_table(path)) < 8 * MB
    _refused(path, "too large to import")


def test_a_part_inflating_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    rows = "".join(f'<si><t>{"x" * 30000}</t></si>' for _ in range(300))
    strings = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
              f"{rows}</sst>".encode()
    data = craft.rezip(craft.shared_strings_workbook(),
                       lambda n, c: strings if n == "xl/sharedStrings.xml" else c)
    # The directory claims 1 KB: zipfile stops there and the CRC check fails.
    data = craft.set_declared_size(data, "xl/sharedStrings.xml", 1024)
    _refused(craft.write(tmp_path / "liar.xlsx", data), "damaged")


def test_a_row_of_too_many_cells_is_refused_while_streaming(tmp_path: Path) -> None:
    cells = b"<c/>" * (limits.MAX_XLSX_ROW_CELLS + 1)  # empty cells: counted all the same

    def wide(name: str, content: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return content.replace(b"</sheetData>", b'<row r="4">' + cells +
                                   b"</row></sheetData>")
        return content
    path = craft.write(tmp_path / "wide.xlsx", craft.rezip(craft.workbook_bytes(), wide))
    _refused(path, "more than 16,384 cells")


def test_values_beyond_the_column_bound_are_refused(tmp_path: Path) -> None:
    def far(name: str, content: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return content.replace(b"</sheetData>", b'<row r="4"><c r="ZZ4" t="n"><v>1</v>'
                                   b"</c></row></sheetData>")
        return content
    path = craft.write(tmp_path / "far.xlsx", craft.rezip(craft.workbook_bytes(), far))
    _refused(path, "beyond column 500")


# --- CSV ---------------------------------------------------------------------------


def test_a_header_of_200000_columns_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(200_000)) + "\nA\n")  # 1.9 MB
    _refused(path, "header row names 200,000 columns")


def test_a_header_check_is_linear(tmp_path: Path) -> None:
    # 500 distinct names (the bound) read; the check is a set, not a list scan.
    path = tmp_path / "500.csv"
    path.write_text(",".join(f"c{i}" for i in range(500)) + "\n" + "x," * 499 + "x\n")
    assert len(read_table(path).headers) == 500


def test_a_flood_of_blank_rows_is_refused_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    with path.open("w") as out:
        out.write("Title\nA\n")
        out.write("\n" * (limits.MAX_RECORDS + 10))
    assert _peak(lambda: read_table(path)) < 8 * MB
    _refused(path, "more than 1,048,576 rows")


def test_blank_rows_below_the_bound_are_skipped_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "trailing.csv"
    with path.open("w") as out:
        out.write("Title,City\nA,B\n")
        out.write(",,\n" * 500_000)
    tracemalloc.start()
    table = read_table(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [r.values["Title"] for r in table.rows] == ["A"]
    assert peak < 8 * MB


def test_an_unclosed_quote_does_not_swallow_the_file(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    with path.open("w") as out:
        out.write('Title\n"never closed\n')
        out.write(("x" * 1000 + "\n") * 5000)
    _refused(path, "not well formed|longer than")


def test_a_record_longer_than_the_bound_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("Title\n" + "," * (limits.MAX_RECORD_CHARS + 10) + "\n")
    assert _peak(lambda: read_table(path)) < 64 * MB
    _refused(path, "longer than 4,194,304 characters")


def test_an_oversized_cell_names_its_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "cell.csv"
    path.write_text("Title,Summary\nA," + "y" * (limits.MAX_CELL + 1) + "\n")
    _refused(path, "Row 2, column “Summary”")


def test_too_many_rows_and_cells_are_refused(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from judgepanel.model.staff.prepare.importing import sources
    monkeypatch.setattr(sources, "MAX_ROWS", 3)
    path = tmp_path / "rows.csv"
    path.write_text("Title\n" + "A\n" * 4)
    _refused(path, "more than 3 rows")
    monkeypatch.setattr(sources, "MAX_ROWS", 100)
    monkeypatch.setattr(sources, "MAX_CELLS", 10)
    path.write_text("Title,City\n" + "A,B\n" * 6)
    _refused(path, "more than 10 cells")


def test_a_file_above_64_mb_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as out:
        out.truncate(limits.MAX_SOURCE_BYTES + 1)
    _refused(path, "too large to import")


def test_windows_code_page_csv_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "ansi.csv"
    path.write_bytes("Title;City\nCafé Ünity;Zürich\n".encode("cp1252"))
    table = read_table(path)
    assert table.rows[0].values == {"Title": "Café Ünity", "City": "Zürich"}


# --- JSON --------------------------------------------------------------------------


def test_json_nested_100000_deep_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    _refused(path, "not valid JSON|nested")
    path.write_text(json.dumps([{"a": [[[[[[[[[1]]]]]]]]]}]))
    _refused(path, "nested deeper")


def test_json_numbers_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    path.write_text('[{"Title": "A", "Amount": ' + "9" * 4000 + "}]")
    _refused(path, "not valid JSON")
    path.write_text('[{"Title": "A", "Amount": NaN}]')
    _refused(path, "not valid JSON")


def test_json_with_too_many_fields_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.json"
    path.write_text(json.dumps([{f"f{i}": i for i in range(limits.MAX_COLUMNS + 1)}]))
    _refused(path, "more than 500 different fields")


# --- the text policy, per cell -----------------------------------------------------


def test_control_and_bidi_characters_in_cells_are_row_problems(
        workspace: StaffWorkspace, tmp_path: Path) -> None:
    path = tmp_path / "text.csv"
    path.write_text("Title,City\n"
                    "Good one,Springfield\n"
                    "Bad\x00title,Springfield\n"
                    "Terminal \x1b[31mred,Ogdenville\n"
                    "Fine,Spring\u202efield\n"
                    '"Two\u2028lines",Shelbyville\n', encoding="utf-8")
    with pytest.raises(ImportRowsError) as caught:
        import_file(workspace, path, ColumnMapping(title="Title", city="City"))
    assert caught.value.rows == [
        (3, "'Title' holds U+0000 (NUL) at character 4; delete it in the spreadsheet "
            "and import again"),
        (4, "'Title' holds U+001B (ESCAPE) at character 10; delete it in the spreadsheet "
            "and import again"),
        (5, "'City' holds U+202E (RIGHT-TO-LEFT OVERRIDE) at character 7; delete it in the "
            "spreadsheet and import again"),
    ]
    table = read_table(path)
    assert table.rows[4].values["Title"] == "Two\nlines"  # the separator normalised


def test_a_stale_dimension_does_not_drop_rows_or_columns(tmp_path: Path) -> None:
    """openpyxl's read-only mode stops at the sheet's stated dimension; a producer that
    wrote a stale one must not cost applications or columns without a word."""
    def stale(name: str, content: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:A2"/>', content)
        return content
    path = craft.write(tmp_path / "stale.xlsx", craft.rezip(craft.workbook_bytes(), stale))
    table = read_table(path)
    assert table.headers == ("Title", "City")
    assert [r.values["City"] for r in table.rows] == ["Springfield", "Shelbyville"]


def test_cells_without_references_count_their_columns(tmp_path: Path) -> None:
    cells = b"".join(b'<c t="n"><v>1</v></c>' for _ in range(limits.MAX_COLUMNS + 1))

    def unreferenced(name: str, content: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return content.replace(b"</sheetData>", b"<row>" + cells + b"</row></sheetData>")
        return content
    path = craft.write(tmp_path / "norefs.xlsx",
                       craft.rezip(craft.workbook_bytes(), unreferenced))
    _refused(path, "beyond column 500")
