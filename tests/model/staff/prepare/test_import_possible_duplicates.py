"""With a reference column, two rows (or a row and an application already in the program)
that are the same application by ``identity_key`` under two references are imported,
and named as possible duplicates: a web form sent twice gets two submission ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from judgepanel.model.staff.prepare.importing.rows import (
    DUPLICATE,
    PossibleDuplicate,
    identity_key,
)
from judgepanel.model.staff.prepare.importing.workflow import check_file, import_file
from judgepanel.model.staff.workspace import StaffWorkspace

HEADER = "Submission ID,Title,Organisation,City,Email"
FIRST = "A-001,Écoles sans haine,Ville de Montréal,Montréal,amelie@example.org"
OTHER = "A-002,Open Doors,Shelbyville Council,Shelbyville,bo@shelbyville.org"
AGAIN = "A-003,Écoles sans haine,Ville de Montréal,Montréal,amelie@example.org"


def _write(folder: Path, lines: list[str], name: str = "apps.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_rows_under_two_references_are_imported_and_named(
        workspace: StaffWorkspace, tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER, FIRST, OTHER, AGAIN])
    report = check_file(workspace, path)
    assert report.ok and len(report.good) == 3
    assert report.possible_duplicates == [PossibleDuplicate(4, "A-003", "A-001", 2)]
    assert str(report.possible_duplicates[0]) == (
        "Rows 2 and 4 look like the same application (same title, organisation and contact "
        "e-mail) under two references, A-001 and A-003: check that it was not sent twice.")
    outcome = import_file(workspace, path)
    assert outcome.refs == ["A-001", "A-002", "A-003"]
    assert outcome.report.possible_duplicates == report.possible_duplicates


def test_a_third_copy_is_named_against_the_first(workspace: StaffWorkspace,
                                                 tmp_path: Path) -> None:
    third = AGAIN.replace("A-003", "A-009")
    report = check_file(workspace, _write(tmp_path, [HEADER, FIRST, OTHER, AGAIN, third]))
    assert [(d.row, d.ref, d.like_row, d.like_ref) for d in report.possible_duplicates] == [
        (4, "A-003", 2, "A-001"), (5, "A-009", 2, "A-001")]


def test_a_row_like_an_application_already_in_the_program(workspace: StaffWorkspace,
                                                          tmp_path: Path) -> None:
    assert import_file(workspace, _write(tmp_path, [HEADER, FIRST, OTHER])).refs == [
        "A-001", "A-002"]
    later = _write(tmp_path, [HEADER, AGAIN, "A-004,Youth Voices,Ogdenville,,cy@og.gov"],
                   "later.csv")
    report = check_file(workspace, later)
    assert report.ok
    assert report.possible_duplicates == [PossibleDuplicate(2, "A-003", "A-001")]
    assert str(report.possible_duplicates[0]) == (
        "Row 2 (A-003) looks like A-001, already in the program (same title, organisation "
        "and contact e-mail) under another reference: check that it was not sent twice.")
    assert import_file(workspace, later).refs == ["A-003", "A-004"]


@pytest.mark.parametrize(("title", "organisation", "email", "alike"), [
    ("ECOLES  SANS HAINE", "ville de montreal", "Amelie@Example.org", True),
    ("  Écoles sans\u00a0haine ", "Ville de Montréal ", "amelie@example.org", True),
    ("Écoles sans haine", "Ville de Montréal", "amelie2@example.org", False),
    ("Écoles sans haine", "Ville de Laval", "amelie@example.org", False),
    ("Écoles sans peur", "Ville de Montréal", "amelie@example.org", False),
])
def test_alike_means_what_identity_key_says(workspace: StaffWorkspace, tmp_path: Path,
                                            title: str, organisation: str, email: str,
                                            alike: bool) -> None:
    """Case, accents and spacing aside, as the check without references compares."""
    assert alike == (identity_key(title, organisation, email) == identity_key(
        "Écoles sans haine", "Ville de Montréal", "amelie@example.org"))
    row = f'A-003,"{title}","{organisation}",,{email}'
    report = check_file(workspace, _write(tmp_path, [HEADER, FIRST, row]))
    assert report.ok
    assert [d.row for d in report.possible_duplicates] == ([3] if alike else [])


def test_a_row_with_a_problem_is_not_named(workspace: StaffWorkspace,
                                           tmp_path: Path) -> None:
    """Only rows that would be imported: the bad one is listed as a problem already."""
    bad = AGAIN.replace("Montréal,amelie", "Montréal,amelie at")
    report = check_file(workspace, _write(tmp_path, [HEADER, FIRST, bad]))
    assert report.bad_rows == [3] and report.possible_duplicates == []


def test_without_references_the_repeat_stays_a_problem_not_a_notice(
        workspace: StaffWorkspace, tmp_path: Path) -> None:
    lines = [HEADER.split(",", 1)[1], FIRST.split(",", 1)[1], AGAIN.split(",", 1)[1]]
    path = _write(tmp_path, lines)
    report = check_file(workspace, path)
    assert [(p.row, p.field) for p in report.problems] == [(3, DUPLICATE)]
    assert report.possible_duplicates == []
    assert check_file(workspace, path, allow_duplicates=True).possible_duplicates == []
