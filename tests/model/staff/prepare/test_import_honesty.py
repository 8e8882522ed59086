"""Imports that never lose or double data: reference columns recognised, duplicates
refused unless asked for, formula cells without a saved value named (issue 15, 1-2, 7)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from judgepanel.cli import main
from judgepanel.errors import ImportRowsError
from judgepanel.model.staff.prepare.importing.formulas import has_formulas
from judgepanel.model.staff.prepare.importing.mapping import ColumnMapping, holds_references
from judgepanel.model.staff.prepare.importing.rows import DUPLICATE, identity_key
from judgepanel.model.staff.prepare.importing.workflow import check_file, import_file
from judgepanel.model.staff.schema.program import Application
from judgepanel.model.staff.workspace import StaffWorkspace

ROWS = [
    "Title,Organisation,Email,Summary",
    "Safe Streets,City of Springfield,ana@springfield.gov,Lights",
    "Open Doors,Shelbyville Council,bo@shelbyville.org,Doors",
    "Youth Voices,City of Ogdenville,cy@ogdenville.gov,Voices",
]


def _write(folder: Path, lines: list[str], name: str = "apps.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _count(ws: StaffWorkspace) -> int:
    with ws.session() as session:
        return int(session.scalar(select(func.count()).select_from(Application)) or 0)


@pytest.mark.parametrize("header", ["Reference ID", "reference id", "REF", "Ref. No.",
                                    "Application number", "No.", "#", "Code", "ID",
                                    "Submission  Id", "Project code", "Nr"])
def test_a_column_that_plainly_holds_references_is_recognised(header: str) -> None:
    assert holds_references(header)
    mapping = ColumnMapping.guess(("Title", header, "Organisation"))
    assert mapping.ref == header


@pytest.mark.parametrize("header", ["Postal code", "Phone number", "Number of staff",
                                    "Title", "Project", "Budget", "ZIP code", ""])
def test_other_columns_are_not_taken_for_references(header: str) -> None:
    assert not holds_references(header)
    assert ColumnMapping.guess(("Title", header or "x")).ref is None


def test_a_reference_id_column_catches_the_repeated_id(workspace: StaffWorkspace,
                                                       tmp_path: Path) -> None:
    path = _write(tmp_path, ["Reference ID,Title", "R-1,Alpha", "R-2,Beta", "R-2,Gamma"])
    report = check_file(workspace, path)
    assert report.mapping is not None and report.mapping.ref == "Reference ID"
    assert [(p.row, p.field) for p in report.problems] == [(4, "ref")]
    assert "R-2 is also used on row 3" in report.problems[0].reason
    with pytest.raises(ImportRowsError):
        import_file(workspace, path)
    assert _count(workspace) == 0


def test_the_mapping_says_where_references_come_from() -> None:
    with_refs = ColumnMapping.guess(("Ref. No.", "Title", "Notes"))
    lines = with_refs.describe(("Ref. No.", "Title", "Notes"))
    assert "  ref               ← “Ref. No.”" in lines
    assert "  kept as form fields: “Notes”" in lines
    assert lines[-1] == "References come from the column “Ref. No.”."
    without = ColumnMapping.guess(("Title", "Notes"))
    assert "  ref               ← (none)" in without.describe(("Title", "Notes"))
    assert "made as APP-0001, APP-0002" in without.references_note()


def test_identity_key_folds_case_accents_and_spaces() -> None:
    assert identity_key("Łódź  Pride", "Café Org", "A@Example.org") == identity_key(
        "lodz pride", "CAFE   org ", "a@example.org")
    assert identity_key("Pride", "Org", "a@x.org") != identity_key("Pride", "Org", "b@x.org")


def test_importing_the_same_sheet_again_adds_nothing(workspace: StaffWorkspace,
                                                     tmp_path: Path) -> None:
    path = _write(tmp_path, ROWS)
    first = import_file(workspace, path)
    assert first.refs == ["APP-0001", "APP-0002", "APP-0003"]
    # The same rows again, one with other spacing, case and accents: all refused.
    again = _write(tmp_path, [ROWS[0], "SAFE  streets,City of Springfield,ANA@springfield.gov,",
                              *ROWS[2:]], "again.csv")
    with pytest.raises(ImportRowsError) as refused:
        import_file(workspace, again)
    assert refused.value.path == DUPLICATE
    assert "repeat applications already in the program" in refused.value.message
    assert [r for r, _ in refused.value.rows] == [2, 3, 4]
    assert "APP-0001" in refused.value.rows[0][1]
    assert _count(workspace) == 3
    # Good rows only: a sheet with one new row adds just that one.
    grown = _write(tmp_path, [*ROWS, "New Park,City of Springfield,ana@springfield.gov,"],
                   "grown.csv")
    added = import_file(workspace, grown, good_rows_only=True)
    assert added.refs == ["APP-0004"] and added.report.duplicate_rows == [2, 3, 4]
    assert _count(workspace) == 4
    # Asked for explicitly, they are added.
    forced = import_file(workspace, path, allow_duplicates=True)
    assert len(forced.refs) == 3 and _count(workspace) == 7


def test_a_row_repeating_an_earlier_row_is_a_duplicate_too(workspace: StaffWorkspace,
                                                           tmp_path: Path) -> None:
    path = _write(tmp_path, [*ROWS, ROWS[1]])
    report = check_file(workspace, path)
    assert [(p.row, p.field) for p in report.problems] == [(5, DUPLICATE)]
    assert "repeats row 2" in report.problems[0].reason
    assert check_file(workspace, path, allow_duplicates=True).ok


def test_with_mapped_references_rows_are_told_apart_by_reference(
        workspace: StaffWorkspace, tmp_path: Path) -> None:
    path = _write(tmp_path, ["Ref,Title,Organisation,Email", "A-1,Same,Org,a@x.org",
                             "A-2,Same,Org,a@x.org"])
    assert import_file(workspace, path).refs == ["A-1", "A-2"]


def _formula_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Title", "Organisation", "Email"])
    sheet.append(["Safe Streets", "City of Springfield", "ana@springfield.gov"])
    sheet.append(['=CONCAT("Open ","Doors")', "=B2", "bo@shelbyville.org"])
    sheet.append(["Youth Voices", "", "cy@ogdenville.gov"])
    book.save(path)  # openpyxl saves formulas without a calculated value
    return path


def test_only_a_workbook_with_formulas_gets_a_second_look(tmp_path: Path) -> None:
    assert has_formulas(_formula_workbook(tmp_path / "with.xlsx"))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Title", "Organisation"])
    sheet.append(["Safe Streets", ""])
    book.save(tmp_path / "without.xlsx")
    assert not has_formulas(tmp_path / "without.xlsx")


def test_a_formula_without_a_saved_value_is_named_not_called_empty(
        workspace: StaffWorkspace, tmp_path: Path) -> None:
    path = _formula_workbook(tmp_path / "apps.xlsx")
    report = check_file(workspace, path)
    assert [(p.row, p.field) for p in report.problems] == [(3, "Title"), (3, "Organisation")]
    assert 'holds a formula (=CONCAT("Open ","Doors")) with no saved value' in (
        report.problems[0].reason)
    assert "is empty" not in " ".join(p.reason for p in report.problems)
    # A plainly empty cell stays an empty cell: row 4 imports with no organisation.
    outcome = import_file(workspace, path, good_rows_only=True)
    assert len(outcome.refs) == 2


def test_cli_prints_the_mapping_and_check_writes_nothing(
        workspace: StaffWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = workspace.folder
    assert folder is not None
    workspace.close()
    path = _write(tmp_path, ROWS)
    assert main(["staff", "import", "-w", str(folder), str(path), "--check"]) == 0
    out = capsys.readouterr().out
    assert "Columns used:" in out and "  title             ← “Title”" in out
    assert "No column holds references" in out and "Nothing was imported (--check)" in out
    assert main(["staff", "import", "-w", str(folder), str(path)]) == 0
    capsys.readouterr()
    # Again: refused as duplicates (exit 2), the check lists them (exit 1), nothing added.
    assert main(["staff", "import", "-w", str(folder), str(path), "--check", "--json"]) == 1
    checked = json.loads(capsys.readouterr().out)
    assert checked["imported"] == 0 and checked["references"] == "generated"
    assert [p["row"] for p in checked["problems"]] == [2, 3, 4]
    assert main(["staff", "import", "-w", str(folder), str(path)]) == 2
    assert "--allow-duplicates" in capsys.readouterr().err
    assert main(["staff", "import", "-w", str(folder), str(path), "--allow-duplicates",
                 "--ref-prefix", "GR", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["refs"] == ["GR-0001", "GR-0002", "GR-0003"]
    with StaffWorkspace.open(folder) as reopened:
        assert _count(reopened) == 6
