"""The panel's decisions: outcomes from the program's list, reasons, awards, versions, undo.

The board program (board_fixtures.py) has a round budget, so its outcomes are the
grants defaults (funded, not funded); a program setting turns it into a recognition list.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from judgepanel.errors import StaleEditError, ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.decide.decisions import (
    clear_decision,
    decision_versions,
    departures,
    load_decisions,
    outcomes,
    set_decision,
    undo_decision,
)
from judgepanel.model.staff.decide.leaderboard import compute
from judgepanel.model.staff.schema.program import Application, Round
from judgepanel.model.staff.settings import (
    DECISION_OUTCOMES,
    RECOGNITION_OUTCOMES,
    set_setting,
)
from tests.model.board_fixtures import ACTOR, BoardProgram, build_board_program


@pytest.fixture
def bp(tmp_path: Path) -> Iterator[BoardProgram]:
    program = build_board_program(tmp_path)
    yield program
    program.ws.close()


def _parts(session: Session, bp: BoardProgram, ref: str) -> tuple[Round, Application]:
    round_ = session.get(Round, bp.round_id)
    app = session.get(Application, bp.apps[ref])
    assert round_ is not None and app is not None
    return round_, app


def test_a_grants_round_funds_with_the_award_and_passes_over_with_zero(
        bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        round_, a06 = _parts(session, bp, "A06")
        assert [o.name for o in outcomes(session, round_)] == ["funded", "not funded"]
        set_decision(session, round_, a06, "Funded", "Only proposal reaching the estate",
                     ACTOR, amount=Decimal(8000))
        _, a01 = _parts(session, bp, "A01")
        set_decision(session, round_, a01, "not funded", "Already funded by the city", ACTOR)
        _, a02 = _parts(session, bp, "A02")
        set_decision(session, round_, a02, "funded", "Strong plan", ACTOR)  # requested 20k
    with bp.ws.session() as session:
        round_, _ = _parts(session, bp, "A06")
        found = load_decisions(session, round_)
        assert list(found) == ["A01", "A02", "A06"]
        assert (found["A06"].outcome, found["A06"].award, found["A06"].selected) == (
            "funded", Decimal("8000.00"), True)
        assert (found["A01"].outcome, found["A01"].award) == ("not funded", Decimal("0.00"))
        assert found["A02"].award == Decimal("20000.00")
        assert found["A06"].decided_by == ACTOR and found["A06"].decided_at
        board = compute(session, round_)
        assert board.funding is not None
        row = board.funding.row("A01")
        assert row is not None and row.awarded == 0  # the funding line takes the decision
        entries = audit.events(session, "decision.set")
        assert [e.details["application"] for e in entries] == ["A06", "A01", "A02"]
        assert entries[0].details["amount"] == "8000.00"
        assert entries[0].details["previous"] is None


def test_refusals_are_plain_and_leave_nothing(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        round_, a01 = _parts(session, bp, "A01")
        with pytest.raises(ValidationError, match="“winner” is not one of this program's "
                           "outcomes. Choose one of: funded, not funded."):
            set_decision(session, round_, a01, "winner", "Best", ACTOR)
        with pytest.raises(ValidationError, match="Give the reason"):
            set_decision(session, round_, a01, "funded", "   ", ACTOR)
        with pytest.raises(ValidationError, match="An amount goes only"):
            set_decision(session, round_, a01, "not funded", "No", ACTOR, amount=5)
        with pytest.raises(ValidationError, match="more than it requested"):
            set_decision(session, round_, a01, "funded", "Yes", ACTOR, amount=10**6)
        with pytest.raises(ValidationError, match="no decision .* to clear"):
            clear_decision(session, round_, a01, ACTOR)
    with bp.ws.session() as session:
        round_, a01 = _parts(session, bp, "A01")
        assert load_decisions(session, round_) == {}
        assert a01.awarded_amount is None
        assert audit.events(session, "decision.") == []


def test_recognition_outcomes_from_the_setting(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        program = bp.ws.program(session)
        set_setting(session, program, DECISION_OUTCOMES,
                    ["winner", {"name": "finalist", "selected": True}, "not selected"], ACTOR)
    with bp.ws.session() as session:
        round_, a08 = _parts(session, bp, "A08")
        assert [(o.name, o.selected) for o in outcomes(session, round_)] == [
            ("winner", False), ("finalist", True), ("not selected", False)]
        set_decision(session, round_, a08, "finalist", "Bold idea", ACTOR)
        assert a08.awarded_amount is None  # no award outcome: awards left alone
    with bp.ws.session() as session:
        program = bp.ws.program(session)
        with pytest.raises(ValidationError, match="must not name an outcome twice"):
            set_setting(session, program, DECISION_OUTCOMES, ["a", "A"], ACTOR)
    assert RECOGNITION_OUTCOMES[0].name == "winner" and RECOGNITION_OUTCOMES[0].selected


def test_a_decision_edited_from_an_old_view_is_refused(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        round_, a03 = _parts(session, bp, "A03")
        assert decision_versions(session, round_) == {}
        set_decision(session, round_, a03, "funded", "Need is real", "beatriz",
                     expected_version=0)
    with pytest.raises(StaleEditError) as refused, bp.ws.session() as session:
        round_, a03 = _parts(session, bp, "A03")
        set_decision(session, round_, a03, "not funded", "Thin plan", ACTOR,
                     expected_version=0)
    assert refused.value.message.startswith(
        "Another officer (beatriz) changed the decision on A03 while you were looking at "
        "it: it is now “funded” (Need is real).")
    with bp.ws.session() as session:
        round_, a03 = _parts(session, bp, "A03")
        seen = decision_versions(session, round_)["A03"]
        set_decision(session, round_, a03, "not funded", "Thin plan", ACTOR,
                     expected_version=seen)
    with pytest.raises(StaleEditError), bp.ws.session() as session:
        round_, a03 = _parts(session, bp, "A03")
        clear_decision(session, round_, a03, "beatriz", expected_version=seen)


def test_undo_puts_back_what_was_replaced(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        round_, a05 = _parts(session, bp, "A05")
        set_decision(session, round_, a05, "funded", "First view", ACTOR, amount=12000)
        set_decision(session, round_, a05, "not funded", "Second view", ACTOR)
        undo_decision(session, round_, a05, ACTOR)
        again = load_decisions(session, round_)["A05"]
        assert (again.outcome, again.reason, again.award) == (
            "funded", "First view", Decimal("12000.00"))
        clear_decision(session, round_, a05, ACTOR)
        assert "A05" not in load_decisions(session, round_)
        assert a05.awarded_amount is None  # the funding line decides again
        undo_decision(session, round_, a05, ACTOR)
        assert load_decisions(session, round_)["A05"].outcome == "funded"
        _, a07 = _parts(session, bp, "A07")
        set_decision(session, round_, a07, "funded", "Only one", ACTOR)
        undo_decision(session, round_, a07, ACTOR)
        assert "A07" not in load_decisions(session, round_)
        assert [e.action for e in audit.events(session, "decision.")][-2:] == [
            "decision.set", "decision.cleared"]


def test_departures_name_each_application_decided_above_a_better_ranked_one() -> None:
    choices = RECOGNITION_OUTCOMES
    ranks = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}
    decided = {"A": "not selected", "B": "winner", "C": "finalist", "D": "winner",
               "E": "retired outcome"}
    found = departures(ranks, decided, choices)
    assert [(d.ref, d.rank, d.outcome, d.over) for d in found] == [
        ("B", 2, "winner", (("A", 1, "not selected"),)),
        ("C", 3, "finalist", (("A", 1, "not selected"),)),
        ("D", 4, "winner", (("A", 1, "not selected"), ("C", 3, "finalist")))]
    in_order = {"A": "winner", "B": "winner", "C": "finalist"}
    assert departures(ranks, in_order, choices) == []
    assert departures({}, decided, choices) == []  # nothing ranked, nothing to depart from


def test_other_officers_read_a_decision_in_words(bp: BoardProgram) -> None:
    from judgepanel.model.staff.activity import activity_since, latest_seq

    with bp.ws.session() as session:
        start = latest_seq(session)
    with bp.ws.session() as session:
        round_, a04 = _parts(session, bp, "A04")
        set_decision(session, round_, a04, "funded", "Good", "beatriz", amount=1000)
        clear_decision(session, round_, a04, "beatriz")
    with bp.ws.session() as session:
        words = [str(a) for a in activity_since(session, start)]
    assert "beatriz decided “funded” for A04 (round 1)" in words
    assert "beatriz cleared the decision on A04 (round 1)" in words


def test_an_application_outside_the_round_is_refused(bp: BoardProgram) -> None:
    from judgepanel.model.staff.prepare.rounds import add_round

    with bp.ws.session() as session:
        _, a02 = _parts(session, bp, "A02")
        later = add_round(session, bp.ws.program(session), "Final", ACTOR, applications=[a02])
        _, a01 = _parts(session, bp, "A01")
        with pytest.raises(ValidationError, match="A01 is not in “Final”"):
            set_decision(session, later, a01, "funded", "Yes", ACTOR)


def test_not_funding_an_application_that_asked_for_nothing(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        round_, a08 = _parts(session, bp, "A08")
        a08.requested_amount = None
        set_decision(session, round_, a08, "not funded", "Asked for no money", ACTOR)
        assert a08.awarded_amount is None
        with pytest.raises(ValidationError, match="A08 has no requested amount"):
            set_decision(session, round_, a08, "funded", "Yes", ACTOR)
