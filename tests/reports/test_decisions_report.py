"""The panel's decisions in the reports: the Decisions report, the compendium, feedback.

The round is tests/model/board_fixtures.py (raw ranking: A01 1, A05 2, A03 3, A02 4,
A04 5, A07 6, A08 6, A06 8), read back from the PDFs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from judgepanel.cli import main
from judgepanel.model.staff.decide.decisions import set_decision
from judgepanel.model.staff.schema.program import Application, Round
from judgepanel.model.staff.settings import DECISION_OUTCOMES, set_setting
from judgepanel.reports import build_report
from judgepanel.reports.gather import options_from_settings
from tests.model.board_fixtures import ACTOR, BoardProgram, build_board_program


@pytest.fixture
def bp(tmp_path: Path) -> Iterator[BoardProgram]:
    program = build_board_program(tmp_path)
    yield program
    program.ws.close()


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages)
                    .split())


def _decide(bp: BoardProgram, *decisions: tuple[str, str, str]) -> None:
    with bp.ws.session() as session:
        round_ = session.get_one(Round, bp.round_id)
        for ref, outcome, reason in decisions:
            set_decision(session, round_, session.get_one(Application, bp.apps[ref]), outcome,
                         reason, ACTOR)


def _report(bp: BoardProgram, kind: str, out: Path, **options: object) -> str:
    with bp.ws.session() as session:
        chosen = options_from_settings(bp.ws.program(session), basis="raw", **options)
    build_report(kind, bp.ws, None, out, options=chosen)
    return _text(out)


def _recognition(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        set_setting(session, bp.ws.program(session), DECISION_OUTCOMES,
                    [{"name": "winner", "selected": True}, "finalist", "not selected"], ACTOR)


def test_the_decisions_report_calls_out_each_departure_with_both_reasons(
        bp: BoardProgram, tmp_path: Path) -> None:
    _decide(bp, ("A01", "funded", "Top of the ranking"),
            ("A07", "funded", "Only housing project in the north"),
            ("A03", "not funded", "Overlaps with A01"))
    text = _report(bp, "decisions", tmp_path / "decisions.pdf")
    assert "3 of 8 2 1 1 Decided Funded Not funded Departures from the ranking" in text
    assert re.search(r"funded 1 A01 Project A01 91\.7 91\.7 40,000\.00 Top of the ranking "
                     r"tester, \d{4}-", text), text
    assert re.search(r"not funded 3 A03 Project A03 62\.5 \d+\.\d 0\.00 Overlaps", text)
    assert "A07 ranked 6, funded, above A03 (rank 3, not funded)." in text
    assert "Reason for A07: Only housing project in the north" in text
    assert "Reason for A03: Overlaps with A01" in text
    assert "A01 ranked" not in text  # in ranking order: no departure
    assert ("5 applications without a decision, in ranking order: A05 (2), A02 (4), A04 (5), "
            "A08 (6), A06 (8).") in text


def test_no_decisions_no_departures(bp: BoardProgram, tmp_path: Path) -> None:
    text = _report(bp, "decisions", tmp_path / "none.pdf")
    assert "The panel has not decided on any application yet." in text
    assert "None: no decided application was given a better outcome" in text


def test_the_compendium_takes_the_winners_once_decisions_exist(
        bp: BoardProgram, tmp_path: Path) -> None:
    _recognition(bp)
    before = _report(bp, "compendium", tmp_path / "before.pdf")
    assert "Project A01" in before and "Project A08" in before  # no decision: the top 10
    _decide(bp, ("A08", "winner", "Bold"), ("A01", "finalist", "Strong"),
            ("A05", "not selected", "Out of scope"))
    after = _report(bp, "compendium", tmp_path / "after.pdf")
    assert "Project A08" in after
    assert "Project A01" not in after and "Project A05" not in after


def test_feedback_says_the_outcome_only_when_the_program_allows(
        bp: BoardProgram, tmp_path: Path) -> None:
    _decide(bp, ("A06", "funded", "Only proposal for the estate"))
    quiet = _report(bp, "feedback", tmp_path / "quiet.pdf", applications=("A06",))
    assert "panel's decision" not in quiet
    told = _report(bp, "feedback", tmp_path / "told.pdf", applications=("A06",),
                   feedback_outcome=True)
    assert "The panel's decision: funded. Only proposal for the estate" in told
    assert "with the panel's decision" in told


def test_the_command_line_writes_the_decisions_report(
        bp: BoardProgram, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _decide(bp, ("A02", "funded", "Fits the budget"))
    out = tmp_path / "cli.pdf"
    folder = str(tmp_path / "program")
    bp.ws.close()
    assert main(["staff", "report", "decisions", "-w", folder, "--out", str(out)]) == 0
    assert "Wrote the decisions to" in capsys.readouterr().out
    assert "Fits the budget" in _text(out)
