"""`judgepanel staff import`: rows that look like one application sent twice under two
references are imported, and said so in the summary and in --json (--check too)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from judgepanel.cli import main
from judgepanel.model.staff.workspace import StaffWorkspace

SHEET = [
    "Submission ID,Title,Organisation,City,Email",
    "A-001,Écoles sans haine,Ville de Montréal,Montréal,amelie@example.org",
    "A-002,Open Doors,Shelbyville Council,Shelbyville,bo@shelbyville.org",
    "A-003,Écoles sans haine,Ville de Montréal,Montréal,amelie@example.org",
]
NOTICE = ("Rows 2 and 4 look like the same application (same title, organisation and "
          "contact e-mail) under two references, A-001 and A-003: check that it was not "
          "sent twice.")


@pytest.fixture
def program(tmp_path: Path) -> Path:
    folder = tmp_path / "program"
    StaffWorkspace.create(folder, "Recognition 2026", actor="test").close()
    return folder


def _sheet(folder: Path, lines: list[str], name: str = "apps.csv") -> str:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_check_and_import_name_the_rows_and_import_them_all(
        program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = _sheet(tmp_path, SHEET)
    assert main(["staff", "import", "-w", str(program), sheet, "--check"]) == 0
    out = capsys.readouterr().out
    assert "Checked apps.csv: 3 rows, all good. Nothing was imported (--check)." in out
    assert f"  note: {NOTICE}\n" in out
    assert main(["staff", "import", "-w", str(program), sheet, "--check", "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert checked["problems"] == [] and checked["imported"] == 0
    assert checked["possible_duplicates"] == [{"row": 4, "ref": "A-003", "like_row": 2,
                                               "like_ref": "A-001", "notice": NOTICE}]
    assert main(["staff", "import", "-w", str(program), sheet]) == 0
    out = capsys.readouterr().out
    assert "Imported 3 applications from apps.csv: 3 rows, all good." in out
    assert f"  note: {NOTICE}\n" in out


def test_json_names_a_row_like_an_application_already_in_the_program(
        program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "import", "-w", str(program), _sheet(tmp_path, SHEET[:3])]) == 0
    capsys.readouterr()
    later = _sheet(tmp_path, [SHEET[0], SHEET[3]], "later.csv")
    assert main(["staff", "import", "-w", str(program), later, "--json"]) == 0
    imported = json.loads(capsys.readouterr().out)
    assert imported["refs"] == ["A-003"]
    assert imported["possible_duplicates"] == [{
        "row": 2, "ref": "A-003", "like_row": None, "like_ref": "A-001",
        "notice": "Row 2 (A-003) looks like A-001, already in the program (same title, "
                  "organisation and contact e-mail) under another reference: check that it "
                  "was not sent twice."}]


def test_nothing_to_note_says_nothing(program: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "import", "-w", str(program), _sheet(tmp_path, SHEET[:3]),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["possible_duplicates"] == []


def test_a_title_above_the_headings_is_said_and_not_imported(
        program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = _sheet(tmp_path, ['"Applications received, 2026"', "", *SHEET[:3]])
    assert main(["staff", "import", "-w", str(program), sheet]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("Row 1 is the sheet's title, not an application: the headings are "
                      "on row 3.")
    assert "Imported 2 applications from apps.csv: 2 rows, all good." in out
    assert main(["staff", "import", "-w", str(program), sheet, "--check", "--json"]) == 1
    checked = json.loads(capsys.readouterr().out)
    assert (checked["title_rows"], checked["header_row"]) == ([1], 3)
