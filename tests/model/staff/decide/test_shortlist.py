"""Shortlisting a judged round into a new round (see board_fixtures.py for the ranking)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.staff import audit
from judgepanel.model.staff.decide.leaderboard import compute
from judgepanel.model.staff.decide.shortlist import (
    ShortlistPlan,
    plan_shortlist,
    shortlist_into_new_round,
)
from judgepanel.model.staff.prepare import rounds
from judgepanel.model.staff.prepare.rounds import round_applications
from judgepanel.model.staff.schema.program import Round
from tests.model.board_fixtures import ACTOR, RUBRIC, BoardProgram, build_board_program

# Raw ranking of round 1: A01 1, A05 2, A03 3, A02 4, A04 5, A07 6, A08 6, A06 8.


@pytest.fixture
def bp(tmp_path: Path) -> Iterator[BoardProgram]:
    program = build_board_program(tmp_path)
    yield program
    program.ws.close()


def _plan(bp: BoardProgram, **kwargs: object) -> ShortlistPlan:
    with bp.ws.session() as session:
        kwargs.setdefault("basis", "raw")  # the fixture's table is the raw one
        return plan_shortlist(session, session.get_one(Round, bp.round_id), **kwargs)  # type: ignore[arg-type]


def _round_count(bp: BoardProgram) -> int:
    with bp.ws.session() as session:
        return session.scalar(select(func.count()).select_from(Round)) or 0


def test_top_n_overall(bp: BoardProgram) -> None:
    plan = _plan(bp, top=3)
    assert plan.selected == ("A01", "A05", "A03") and plan.ties_at_cutoff == ()
    # The plan tells staff what is still open in the source round.
    assert any("4 assigned reviews are still missing" in w for w in plan.warnings)
    assert any("undecided conflict" in w for w in plan.warnings)


def test_a_tie_at_the_cut_off_takes_both_and_says_so(bp: BoardProgram) -> None:
    plan = _plan(bp, top=6)
    assert plan.selected == ("A01", "A05", "A03", "A02", "A04", "A07", "A08")
    assert plan.ties_at_cutoff == ("A07", "A08")
    assert any("tie at the cut-off" in w for w in plan.warnings)
    settled = _plan(bp, top=6, exclude=["A08"])
    assert settled.selected == ("A01", "A05", "A03", "A02", "A04", "A07")
    assert settled.excluded == ("A08",)


def test_threshold_raw_and_normalised(bp: BoardProgram) -> None:
    assert _plan(bp, threshold=60).selected == ("A01", "A05", "A03", "A02")
    # Normalised display 50 + 10 z: A03 about 52.9 goes through, A02 about 47.6 does not.
    assert _plan(bp, threshold=50, basis="z").selected == ("A01", "A05", "A03")
    assert _plan(bp, top=2, threshold=60).selected == ("A01", "A05")


def test_within_one_category_and_in_every_category(bp: BoardProgram) -> None:
    assert _plan(bp, top=2, category="Housing").selected == ("A05", "A04")
    plan = _plan(bp, top=4, per_category=True)
    assert plan.by_category == {"youth": ("A01", "A03", "A02", "A04"),
                                "housing": ("A05", "A04", "A07", "A08")}
    # A04 is in both categories and goes through once.
    assert plan.selected == ("A01", "A03", "A02", "A04", "A05", "A07", "A08")


def test_bad_requests_are_refused(bp: BoardProgram) -> None:
    with pytest.raises(ValidationError, match="not an application of this round"):
        _plan(bp, top=3, exclude=["Z99"])
    with pytest.raises(ValidationError, match="not both"):
        _plan(bp, top=3, per_category=True, category="Youth")
    with pytest.raises(ValidationError, match="how many"):
        _plan(bp)


def test_shortlist_into_a_new_round_copies_rubric_and_keeps_categories(
        bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        source = session.get_one(Round, bp.round_id)
        rounds.set_blind_review(session, source, ACTOR, hidden_fields=["organisation"])
        outcome = shortlist_into_new_round(session, source, "Final", ACTOR, basis="raw", top=3)
        new_round = outcome.round
        assert (new_round.number, new_round.name) == (2, "Final")
        assert rounds.rubric_for_round(session, new_round) == RUBRIC
        assert new_round.hidden_fields == ["organisation"]
        members = round_applications(session, new_round)
        assert [a.ref for a in members] == ["A01", "A03", "A05"]
        assert {a.ref: [c.key for c in a.categories] for a in members} == {
            "A01": ["youth"], "A03": ["youth"], "A05": ["housing"]}
        # The source round still holds every application.
        assert len(round_applications(session, source)) == 8
        board = compute(session, new_round)
        assert [r.application.ref for r in board.rows] == ["A01", "A03", "A05"]
        assert board.reviews == () and board.raw.unranked == ("A01", "A03", "A05")
        housing = compute(session, new_round, category="housing")
        assert [r.application.ref for r in housing.rows] == ["A05"]
        entry = audit.events(session, "round.shortlisted")[-1]
        assert entry.details["selected"] == ["A01", "A05", "A03"]
        assert (entry.details["from_round"], entry.details["round"]) == (1, 2)
        assert entry.details["rubric_copied"] is True
        actions = [e.action for e in audit.events(session)[-4:]]
        assert actions == ["round.added", "rubric.saved", "round.blind_review",
                           "round.shortlisted"]
        assert audit.check(session) == []


def test_a_new_rubric_can_replace_the_copy(bp: BoardProgram) -> None:
    final = Rubric("Final rubric", (Criterion("merit", "Overall merit", max=10),))
    with bp.ws.session() as session:
        outcome = shortlist_into_new_round(session, session.get_one(Round, bp.round_id),
                                           "Final", ACTOR, threshold=80, rubric=final)
        assert rounds.rubric_for_round(session, outcome.round) == final
        assert outcome.round.hidden_fields == []
        assert outcome.plan.selected == ("A01", "A05")


def test_an_empty_shortlist_creates_nothing(bp: BoardProgram) -> None:
    before = _round_count(bp)
    with bp.ws.session() as session, pytest.raises(ValidationError, match="nothing to shortlist"):
        shortlist_into_new_round(session, session.get_one(Round, bp.round_id), "Final", ACTOR,
                                 threshold=99)
    assert _round_count(bp) == before


def test_a_shortlisted_round_can_be_shortlisted_again(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        second = shortlist_into_new_round(session, session.get_one(Round, bp.round_id),
                                          "Semi-final", ACTOR, basis="raw", top=5).round
        # Nothing is scored in round 2 yet, so nothing can go through.
        with pytest.raises(ValidationError, match="nothing to shortlist"):
            shortlist_into_new_round(session, second, "Final", ACTOR, basis="raw", top=1)
        assert [a.ref for a in round_applications(session, second)] == [
            "A01", "A02", "A03", "A04", "A05"]
