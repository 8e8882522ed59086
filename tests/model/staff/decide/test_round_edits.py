"""A shortlist to preview and undo, and round edits (issue 15, item 4): the plan's
entries, taking an application out of a round, deleting a round, all audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from judgepanel.cli import main
from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.decide.shortlist import plan_shortlist, shortlist_into_new_round
from judgepanel.model.staff.prepare.applications import find_application
from judgepanel.model.staff.prepare.assignments import add_assignment, list_assignments
from judgepanel.model.staff.prepare.rounds import (
    delete_round,
    find_round,
    remove_round_application,
    round_applications,
)
from judgepanel.model.staff.schema.program import Application, Assignment, Judge, Round, RubricRow
from judgepanel.model.staff.schema.results import IssuedBundle
from judgepanel.model.staff.settings import DISAGREEMENT_RANGE, set_setting, setting_value
from tests.model.board_fixtures import ACTOR, BoardProgram, build_board_program


@pytest.fixture
def bp(tmp_path: Path) -> Iterator[BoardProgram]:
    program = build_board_program(tmp_path)
    yield program
    program.ws.close()


def test_the_plan_lists_who_goes_through_with_ties_and_exclusions(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        round_ = session.get_one(Round, bp.round_id)
        plan = plan_shortlist(session, round_, top=6, exclude=["A08"], basis="raw")
    assert [e.ref for e in plan.entries] == ["A01", "A05", "A03", "A02", "A04", "A07", "A08"]
    assert [e.ref for e in plan.entries if e.tied] == ["A07", "A08"]
    assert [e.ref for e in plan.entries if e.excluded] == ["A08"]
    assert plan.entries[0].rank == 1 and plan.entries[-1].rank == 6
    assert plan.entries[0].score == pytest.approx(91.667, abs=1e-3)
    assert "A08" not in plan.selected


def _second_round(bp: BoardProgram) -> int:
    with bp.ws.session() as session:
        outcome = shortlist_into_new_round(session, session.get_one(Round, bp.round_id),
                                           "Final round", ACTOR, top=3, basis="raw")
        return outcome.round.number


def _handles(session: Session, bp: BoardProgram, number: int, ref: str
             ) -> tuple[Round, Application, Judge]:
    """Round ``number``, the application ``ref`` and the first judge, in ``session``."""
    program = bp.ws.program(session)
    judge = session.scalars(select(Judge).order_by(Judge.id)).first()
    assert judge is not None
    return find_round(session, program, number), find_application(session, program, ref), judge


def test_an_application_comes_out_of_a_round_with_its_assignments(bp: BoardProgram) -> None:
    number = _second_round(bp)
    with bp.ws.session() as session:
        second, a05, judge = _handles(session, bp, number, "A05")
        add_assignment(session, second, judge, a05, ACTOR)
        assert remove_round_application(session, second, a05, ACTOR) == [judge.id]
        assert [a.ref for a in round_applications(session, second)] == ["A01", "A03"]
        assert list_assignments(session, second) == []
        (entry,) = audit.events(session, "round.application_removed")
        assert entry.details == {"round": number, "application": "A05",
                                 "assignments_removed": [judge.id]}
        with pytest.raises(ValidationError, match="not part of"):
            remove_round_application(session, second, a05, ACTOR)
        first = find_round(session, bp.ws.program(session), 1)
        with pytest.raises(ValidationError, match="holds every application"):
            remove_round_application(session, first, a05, ACTOR)


def test_an_application_a_bundle_holds_stays(bp: BoardProgram) -> None:
    number = _second_round(bp)
    with bp.ws.session() as session:
        second, a01, judge = _handles(session, bp, number, "A01")
        session.add(IssuedBundle(round_id=second.id, judge_id=judge.id, bundle_id="B-edit",
                                 manifest_sha256="0" * 64, recipients=[],
                                 applications=[["x1", a01.id]]))
        session.flush()
        with pytest.raises(ValidationError, match="a judge's bundle of this round already"):
            remove_round_application(session, second, a01, ACTOR)
        with pytest.raises(ValidationError, match="bundles were built for it"):
            delete_round(session, second, ACTOR)


def test_a_round_without_bundles_can_be_deleted_and_its_number_reused(
        bp: BoardProgram) -> None:
    number = _second_round(bp)
    with bp.ws.session() as session:
        program = bp.ws.program(session)
        second = find_round(session, program, number)
        set_setting(session, program, DISAGREEMENT_RANGE, 10.0, ACTOR, round_=second)
        judge = session.scalars(select(Judge).order_by(Judge.id)).first()
        assert judge is not None
        add_assignment(session, second, judge, find_application(session, program, "A01"), ACTOR)
        delete_round(session, second, ACTOR)
    with bp.ws.session() as session:
        program = bp.ws.program(session)
        assert [r.number for r in program.rounds] == [1]
        assert session.scalar(select(func.count()).select_from(Assignment).where(
            Assignment.round_id != bp.round_id)) == 0
        assert session.scalar(select(func.count()).select_from(RubricRow)) == 1
        (entry,) = audit.events(session, "round.deleted")
        assert entry.details["name"] == "Final round"
        assert entry.details["applications"] == ["A01", "A03", "A05"]
        with pytest.raises(ValidationError, match="first round"):
            delete_round(session, find_round(session, program, 1), ACTOR)
    # A new round takes the number again, without the deleted round's overrides.
    assert _second_round(bp) == number
    with bp.ws.session() as session:
        program = bp.ws.program(session)
        again = find_round(session, program, number)
        assert setting_value(program, DISAGREEMENT_RANGE, again) == 30.0


def test_cli_round_edits(bp: BoardProgram, capsys: pytest.CaptureFixture[str]) -> None:
    folder = bp.ws.folder
    assert folder is not None
    number = _second_round(bp)
    bp.ws.close()
    w = ["-w", str(folder)]
    assert main(["staff", "round", "remove-application", *w, "--round", str(number),
                 "A05", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["removed"] == ["A05"]
    assert main(["staff", "round", "remove-application", *w, "--round", "1", "A05"]) == 2
    assert "holds every application" in capsys.readouterr().err
    assert main(["staff", "round", "delete", *w, "--round", str(number)]) == 0
    assert "Deleted round 2 (Final round, 2 applications)" in capsys.readouterr().out
    assert main(["staff", "round", "delete", *w, "--round", "1"]) == 2
    assert main(["staff", "round", "list", *w, "--json"]) == 0
    assert [r["number"] for r in json.loads(capsys.readouterr().out)["rounds"]] == [1]
    assert main(["staff", "audit", *w, "--action", "round.", "--json"]) == 0
    actions = [e["action"] for e in json.loads(capsys.readouterr().out)["entries"]]
    assert "round.application_removed" in actions and "round.deleted" in actions
