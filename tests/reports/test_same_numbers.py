"""Reports show the leaderboard's numbers: same reviews, same conflicts, same ranks, same line.

Built on the leaderboard's own hand-checked round (tests/model/board_fixtures.py):
a superseded bundle with a higher sequence, a refused file, a judge's declared
conflict, a staff conflict confirmed after the judge scored, an open finding on a
review that counts, two categories with budgets. If gather ever decides on its own
again, one of these comparisons breaks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from judgepanel.errors import ValidationError
from judgepanel.model.scoring.funding import FundingLine
from judgepanel.model.scoring.ranking import DisagreementRule, Ranking
from judgepanel.model.staff.decide.leaderboard import RoundBoards, compute_all
from judgepanel.model.staff.prepare import rounds
from judgepanel.model.staff.schema.program import Application, Round
from judgepanel.reports import render
from judgepanel.reports.data import ReportData
from judgepanel.reports.gather import gather, options_from_settings
from tests.model.board_fixtures import ACTOR, RUBRIC, BoardProgram, build_board_program


@pytest.fixture
def bp(tmp_path: Path) -> Iterator[BoardProgram]:
    program = build_board_program(tmp_path)
    yield program
    program.ws.close()


def _both(bp: BoardProgram, basis: str = "raw") -> tuple[ReportData, RoundBoards]:
    with bp.ws.session() as session:
        program = bp.ws.program(session)
        round_ = session.get_one(Round, bp.round_id)
        data = gather(session, program, round_.number,
                      options_from_settings(program, basis=basis))
        boards = compute_all(session, round_, basis=basis)  # type: ignore[arg-type]
    return data, boards


def _rows(ranking: Ranking) -> list[tuple[object, ...]]:
    return [(r.application_id, r.rank, r.score, r.ranked_on, r.shared, r.disagreement)
            for r in ranking.rows]


def _line(line: FundingLine | None) -> list[tuple[object, ...]]:
    assert line is not None
    return [(r.application_id, r.status, r.awarded, r.running_total, r.remaining)
            for r in line.rows] + [("line", line.line_at, line.total_awarded)]


@pytest.mark.parametrize("basis", ["raw", "adjusted", "z"])
def test_reports_rank_fund_and_count_as_the_leaderboard(bp: BoardProgram, basis: str) -> None:
    data, boards = _both(bp, basis)
    overall = boards.overall
    assert data.options.basis == basis and data.disagreement == overall.disagreement
    assert _rows(data.ranking()) == _rows(overall.ranking)
    assert _rows(data.ranking("raw")) == _rows(overall.raw)
    assert _rows(data.ranking("adjusted")) == _rows(overall.adjusted)
    assert _rows(data.ranking("z")) == _rows(overall.z)
    assert data.ranking().unranked == overall.ranking.unranked
    assert data.standings.applications == {r.application.ref: r.stats for r in overall.rows}
    assert data.standings.alpha == overall.alpha
    assert {j.judge.id: j.stats for j in overall.judges if j.stats} == {
        int(k): v for k, v in data.standings.judges.items()}
    assert data.budget is not None
    assert _line(data.funding()) == _line(overall.funding)
    assert set(boards.by_category) == {"youth", "housing"}
    for board in boards.by_category.values():
        assert board.category is not None
        name = board.category.name
        assert _rows(data.ranking(category=name)) == _rows(board.ranking)
        if board.category.budget is not None:
            assert _line(data.funding(name)) == _line(board.funding)
    counted = {(r.judge.id, r.application.ref) for r in overall.reviews if r.counted}
    assert {(int(r.judge), r.application) for r in data.reviews} == counted


def test_which_reviews_count_is_the_models_rule(bp: BoardProgram) -> None:
    data, boards = _both(bp)
    j = {short: str(judge_id) for short, judge_id in bp.judges.items()}
    total = {(r.judge, r.application): r.total for r in data.reviews}
    # The newer bundle wins over a superseded one with a higher sequence (A02 = 0 there),
    # and a refused file (J2's seq 3, A02 = 100) never counts.
    assert total[(j["J1"], "A02")] == 75 and total[(j["J2"], "A02")] == 50
    # Declared in the newest file, and confirmed by staff after scoring: out, listed.
    assert (j["J4"], "A03") not in total and (j["J1"], "A07") not in total
    assert data.conflicted_pairs == {(j["J4"], "A03"), (j["J1"], "A07")}
    assert data.standings.applications["A07"].conflicted == (j["J1"],)
    # An open finding does not remove the review (the leaderboard's rule); it is listed.
    assert total[(j["J2"], "A05")] == 75
    assert data.undecided == ((j["J2"], "A05"),)
    assert [(c.judge.id, c.application_ref) for c in boards.overall.open_conflicts] == [
        (bp.judges["J2"], "A05")]
    assert data.standings.applications["A05"].mean == 87.5
    # The register still shows every finding on the round's applications.
    assert {(c.application, c.status) for c in data.conflicts} >= {
        ("A05", "open"), ("A07", "confirmed"), ("A02", "confirmed")}


def test_dossier_marks_the_undecided_conflict_and_hides_the_excluded(
        bp: BoardProgram, tmp_path: Path) -> None:
    data, _ = _both(bp)
    out = render("dossier", data, tmp_path / "d.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out).pages).split())
    a05 = text[text.index("Project A05"):text.index("Project A06")]
    # Judges lettered in enrolment order: J1 Ana = A, J2 Ben = B, J3 Chloé = C, J4 Dev = D.
    assert "Judge B" in a05 and "undecided" in a05
    assert "Until staff decide, Judge B's scores count" in a05
    assert "J2 on A05" in a05  # Ben's overall comment is shown: his review counts
    a07 = text[text.index("Project A07"):text.index("Project A08")]
    assert "J1 on A07" not in a07 and "Board member of the applicant" in a07
    a03 = text[text.index("Project A03"):text.index("Project A04")]
    assert "J4 on A03" not in a03 and "I advised this organisation last year" in a03
    for name in ("Ana Ruiz", "Ben Okafor", "Dev Patel"):
        assert name not in text


def test_disagreement_limits_are_the_leaderboards_settings(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        bp.ws.program(session).settings = {
            "disagreement_range": 10, "disagreement_sd": None,
            "disagreement_max_range": 99,  # the reports' old name: no longer read
            "round_settings": {"1": {"disagreement_sd": 5}}}
    data, boards = _both(bp)
    assert data.disagreement == DisagreementRule(max_range=10, max_sd=5)
    assert data.disagreement == boards.overall.disagreement
    with bp.ws.session() as session:
        bp.ws.program(session).settings = {"disagreement_range": "wide"}
    with pytest.raises(ValidationError, match="disagreement limit"):
        _both(bp)


def test_a_later_round_holds_only_its_applications(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        program = bp.ws.program(session)
        chosen = [session.get_one(Application, bp.apps[ref]) for ref in ("A05", "A01")]
        second = rounds.add_round(session, program, "Final round", ACTOR, applications=chosen)
        rounds.save_rubric(session, second, RUBRIC, ACTOR)
    with bp.ws.session() as session:
        data = gather(session, bp.ws.program(session))  # the latest round
    assert data.round_number == 2
    assert [a.ref for a in data.applications] == ["A01", "A05"]
    assert data.reviews == () and data.conflicted == () and data.undecided == ()
    assert {c.application for c in data.conflicts} == {"A05"}  # the open finding, still open
    assert data.ranking().rows == () and data.ranking().unranked == ("A01", "A05")
