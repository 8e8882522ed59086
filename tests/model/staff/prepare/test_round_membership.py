"""Which applications a round holds: the first round all, a later round exactly its rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.prepare.assignments import add_assignment, auto_assign, list_assignments
from judgepanel.model.staff.prepare.rounds import (
    add_round,
    add_round_applications,
    outside_round,
    round_applications,
    save_rubric,
)
from judgepanel.model.staff.results.round_reviews import load_round_reviews
from judgepanel.model.staff.schema.program import Application, Assignment, Judge, Program, Round
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.flows import ACTOR, Flow, fetch, make_flow

ALL = ["REC-001", "REC-002", "REC-003", "REC-004", "REC-005", "REC-006"]


@pytest.fixture
def flow(tmp_path: Path) -> Iterator[Flow]:
    f = make_flow(tmp_path)
    yield f
    f.workspace.close()


def refs(apps: list[Application]) -> list[str]:
    return [a.ref for a in apps]


def _later_round(flow: Flow, chosen: list[str] | None) -> int:
    """Round 2 holding ``chosen`` (None: every application), with the flow's rubric."""
    with flow.workspace.session() as session:
        program = flow.workspace.program(session)
        apps = None if chosen is None else [fetch(session, Application, flow.app_ids[r])
                                            for r in chosen]
        second = add_round(session, program, "Final", ACTOR, applications=apps)
        save_rubric(session, second, flow.rubric, ACTOR)
        return second.id


def _late_application(flow: Flow) -> None:
    with flow.workspace.session() as session:
        session.add(Application(program_id=flow.workspace.program_id, ref="REC-007",
                                title="Late entry"))


def test_the_first_round_holds_every_application_even_later_imports(flow: Flow) -> None:
    _late_application(flow)
    with flow.workspace.session() as session:
        first = flow.round(session)
        assert refs(round_applications(session, first)) == [*ALL, "REC-007"]
        assert first.applications == []  # no rows: the rule says "all"
        late = session.scalars(select(Application).where(Application.ref == "REC-007")).one()
        assert outside_round(session, first, [late]) == []


def test_a_later_round_holds_exactly_its_rows(flow: Flow) -> None:
    chosen = _later_round(flow, ["REC-005", "REC-002"])
    everything = _later_round(flow, None)  # round 3: every application of today
    _late_application(flow)
    with flow.workspace.session() as session:
        second, third = fetch(session, Round, chosen), fetch(session, Round, everything)
        assert refs(round_applications(session, second)) == ["REC-002", "REC-005"]  # by id
        assert refs(second.applications) == ["REC-002", "REC-005"]
        assert refs(round_applications(session, third)) == ALL  # not the late one
        assert all(a.categories for a in round_applications(session, second))
        outside = outside_round(session, second, round_applications(session, third))
        assert refs(outside) == ["REC-001", "REC-003", "REC-004", "REC-006"]
        added = [e.details for e in audit.events(session, "round.added")]
        assert added[1:] == [{"round": 2, "name": "Final", "applications": 2},
                             {"round": 3, "name": "Final", "applications": 6}]


def test_the_first_round_cannot_be_limited(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        some = [Application(program_id=program.id, ref="A-1", title="T")]
        session.add_all(some)
        with pytest.raises(ValidationError, match="first round holds every application"):
            add_round(session, program, "Only one", ACTOR, applications=some)
        first = add_round(session, program, "First", ACTOR)
        with pytest.raises(ValidationError, match="already holds every application"):
            add_round_applications(session, first, some, ACTOR)
        assert refs(round_applications(session, first)) == ["A-1"]


def test_applications_can_be_added_to_a_later_round_once(flow: Flow) -> None:
    round_id = _later_round(flow, ["REC-001"])
    with flow.workspace.session() as session:
        second = fetch(session, Round, round_id)
        more = [fetch(session, Application, flow.app_ids[r]) for r in ("REC-004", "REC-001")]
        assert add_round_applications(session, second, more, ACTOR) == 1
        assert add_round_applications(session, second, more, ACTOR) == 0
        assert refs(round_applications(session, second)) == ["REC-001", "REC-004"]
        assert refs(second.applications) == ["REC-001", "REC-004"]
        entries = audit.events(session, "round.applications_added")
        assert [e.details for e in entries] == [{"round": 2, "applications": ["REC-004"]}]
        stranger = Program(name="Other program")
        session.add(stranger)
        session.flush()
        foreign = Application(program_id=stranger.id, ref="X-1", title="Elsewhere")
        session.add(foreign)
        session.flush()
        with pytest.raises(ValidationError, match="X-1 belongs to another program"):
            add_round_applications(session, second, [foreign], ACTOR)


def test_assignment_keeps_to_the_round(flow: Flow) -> None:
    round_id = _later_round(flow, ["REC-001", "REC-003", "REC-004"])
    with flow.workspace.session() as session:
        second = fetch(session, Round, round_id)
        outcome = auto_assign(session, second, ACTOR, per_application=2, seed=4)
        held = {flow.app_ids[r] for r in ("REC-001", "REC-003", "REC-004")}
        assert {a for _, a in outcome.added} == held
        assert {a.application_id for a in list_assignments(session, second)} == held
        outsider = fetch(session, Application, flow.app_ids["REC-002"])
        with pytest.raises(ValidationError, match="REC-002 is not part of “Final”"):
            auto_assign(session, second, ACTOR, per_application=2, applications=[outsider])
        judge = fetch(session, Judge, flow.judge_ids["Maria López"])
        with pytest.raises(ValidationError, match="REC-002 is not part of “Final”"):
            add_assignment(session, second, judge, outsider, ACTOR)
        assert len(list_assignments(session, second)) == 6


def test_bundles_refuse_an_assignment_outside_the_round(flow: Flow) -> None:
    round_id = _later_round(flow, ["REC-001"])
    maria = flow.judge_ids["Maria López"]
    with flow.workspace.session() as session:  # as only hand-edited data could have it
        session.add_all([
            Assignment(round_id=round_id, judge_id=maria, application_id=flow.app_ids[r])
            for r in ("REC-001", "REC-006")])
    with pytest.raises(ValidationError, match="REC-006 is assigned in “Final” but not part"):
        build_bundles(flow.workspace, round_id, flow.staff, flow.root / "out")
    assert not (flow.root / "out").exists()
    # The reviews of the round still show the stray application rather than lose it.
    with flow.workspace.session() as session:
        reviews = load_round_reviews(session, fetch(session, Round, round_id))
        assert sorted(a.ref for a in reviews.apps.values()) == ["REC-001", "REC-006"]
