"""The compendium finds the summary whatever the form called it, lets staff choose the
field, is titled for the program, and sorts titles naturally (issue 15, items 3 and 9)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from judgepanel.cli import main
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.staff.prepare.rounds import add_round, save_rubric
from judgepanel.model.staff.schema.program import Application
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.reports import build_report
from judgepanel.reports.data import ReportOptions
from judgepanel.reports.gather import field_key, gather, options_from_settings

TITLES = ("Project 19", "Project 3", "Project 100")


def _workspace(tmp_path: Path, *, grants: bool) -> StaffWorkspace:
    ws = StaffWorkspace.create(tmp_path / "ws", "Prix", actor="staff")
    with ws.session() as s:
        program = ws.program(s)
        round_ = add_round(s, program, "First", "staff",
                           budget=Decimal(100_000) if grants else None)
        save_rubric(s, round_, Rubric("R", (Criterion("impact", "Impact"),)), "staff")
        s.add_all([Application(
            program_id=program.id, ref=f"A-{i}", title=title, awarded_amount=(
                Decimal(1000) if grants else None),
            requested_amount=Decimal(1000) if grants else None,
            fields={" Practice  Summary ": f"What {title} did.", "Notes": f"Note on {title}"})
            for i, title in enumerate(TITLES, start=1)])
    return ws


@pytest.fixture
def recognition(tmp_path: Path) -> Iterator[StaffWorkspace]:
    ws = _workspace(tmp_path, grants=False)
    yield ws
    ws.close()


def _text(path: Path) -> str:
    return " ".join("".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_field_names_match_without_regard_to_case_or_spacing() -> None:
    assert field_key(" Practice  Summary ") == field_key("practice_summary") == field_key(
        "PRACTICE-summary")
    assert field_key("Résumé") == field_key("resume")


def test_the_summary_is_found_and_the_field_can_be_chosen(recognition: StaffWorkspace,
                                                          tmp_path: Path) -> None:
    with recognition.session() as s:
        program = recognition.program(s)
        data = gather(s, program, None, options_from_settings(program))
        assert data.app["A-1"].summary == "What Project 19 did."
        chosen = gather(s, program, None, options_from_settings(program, summary_field="notes"))
        assert chosen.app["A-1"].summary == "Note on Project 19"
    out = build_report("compendium", recognition, None, tmp_path / "c.pdf",
                       options=ReportOptions(selected=("A-1", "A-2", "A-3")))
    text = _text(out)
    assert "Best practices" in text and "Funded initiatives" not in text
    # Titles in natural order: 3, 19, 100.
    assert text.index("Project 3 ") < text.index("Project 19") < text.index("Project 100")


def test_a_grants_compendium_is_titled_funded_initiatives(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, grants=True)
    try:
        out = build_report("compendium", ws, None, tmp_path / "c.pdf")
    finally:
        ws.close()
    text = _text(out)
    assert "Funded initiatives" in text and "Best practices" not in text
    assert "What Project 3 did." in text


def test_cli_summary_field_option(recognition: StaffWorkspace, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = recognition.folder
    assert folder is not None
    recognition.close()
    out = tmp_path / "notes.pdf"
    assert main(["staff", "report", "compendium", "-w", str(folder), "--out", str(out),
                 "--select", "A-1", "--summary-field", "NOTES"]) == 0
    assert "Wrote the compendium to" in capsys.readouterr().out
    assert "Note on Project 19" in _text(out)
