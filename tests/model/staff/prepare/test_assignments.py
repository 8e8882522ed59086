"""Assignment in the workspace: the planner fed from the database, and manual changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.prepare import conflicts
from judgepanel.model.staff.prepare.assignments import (
    add_assignment,
    auto_assign,
    list_assignments,
    remove_assignment,
)
from judgepanel.model.staff.prepare.categories import find_category, set_judge_categories
from judgepanel.model.staff.prepare.judges import set_active, set_profile
from judgepanel.model.staff.schema.program import Application, Assignment, Judge
from tests.model.flows import ACTOR, Flow, fetch, make_flow


@pytest.fixture
def flow(tmp_path: Path) -> Iterator[Flow]:
    f = make_flow(tmp_path, assign=False)
    yield f
    f.workspace.close()


def pairs(flow: Flow) -> set[tuple[int, int]]:
    with flow.workspace.session() as session:
        return {(a.judge_id, a.application_id)
                for a in list_assignments(session, flow.round(session))}


def test_every_application_gets_its_judges_and_loads_are_even(flow: Flow) -> None:
    with flow.workspace.session() as session:
        outcome = auto_assign(session, flow.round(session), ACTOR, per_application=2, seed=3)
    assert len(outcome.added) == 12 and outcome.unmet == [] and outcome.dropped == []
    saved = pairs(flow)
    assert saved == set(outcome.added)
    assert Counter(app for _, app in saved) == dict.fromkeys(flow.app_ids.values(), 2)
    assert sorted(Counter(judge for judge, _ in saved).values()) == [3, 3, 3, 3]
    with flow.workspace.session() as session:
        (event,) = audit.events(session, "assignment.auto")
        assert event.details["per_application"] == 2
        assert len(event.details["added"]) == 12
    # Running again changes nothing: the round is already complete.
    with flow.workspace.session() as session:
        again = auto_assign(session, flow.round(session), ACTOR, per_application=2, seed=9)
    assert again.added == [] and pairs(flow) == saved


def test_conflicts_are_never_assigned_and_an_existing_pair_is_replaced(flow: Flow) -> None:
    maria, kwame = flow.judge_ids["Maria López"], flow.judge_ids["Kwame Mensah"]
    rec1, rec2 = flow.app_ids["REC-001"], flow.app_ids["REC-002"]
    with flow.workspace.session() as session:
        add_assignment(session, flow.round(session), fetch(session, Judge, maria),
                       fetch(session, Application, rec1), ACTOR)
        # Staff confirm a conflict on the pair already assigned ...
        conflicts.declare(session, fetch(session, Judge, maria), fetch(session, Application, rec1),
                          "Sits on the board", ACTOR)
        # ... and screening finds an (undecided) one for another pair: same city.
        set_profile(session, fetch(session, Judge, kwame), ACTOR, city="Porto")
        conflicts.screen(session, flow.workspace.program(session), ACTOR)
    before = pairs(flow)
    # An undecided finding blocks the whole run (docs/staff-guide.md), writing nothing.
    with flow.workspace.session() as session, pytest.raises(ValidationError) as refused:
        auto_assign(session, flow.round(session), ACTOR, per_application=2)
    assert "1 possible conflict of interest is still undecided" in refused.value.message
    assert "Kwame Mensah × REC-002" in refused.value.message
    assert pairs(flow) == before
    with flow.workspace.session() as session:
        (finding,) = conflicts.list_conflicts(session, flow.workspace.program(session),
                                              status="open")
        conflicts.confirm(session, finding, ACTOR, "Lives next door")
        outcome = auto_assign(session, flow.round(session), ACTOR, per_application=2)
    assert outcome.dropped == [(maria, rec1)]
    saved = pairs(flow)
    assert (maria, rec1) not in saved and (kwame, rec2) not in saved
    assert Counter(app for _, app in saved)[rec1] == 2
    # Once dismissed, a finding no longer keeps the pair apart.
    with flow.workspace.session() as session:
        for row in list_assignments(session, flow.round(session)):
            session.delete(row)
        (finding,) = conflicts.list_conflicts(session, flow.workspace.program(session),
                                              status="confirmed", source="detected")
        conflicts.dismiss(session, finding, ACTOR, "Different neighbourhood after all")
        session.flush()
        auto_assign(session, flow.round(session), ACTOR, per_application=4, allow_short=True)
    saved = pairs(flow)
    assert (kwame, rec2) in saved and (maria, rec1) not in saved


def test_category_panels_limit_who_reviews_what(flow: Flow) -> None:
    maria, kwame = flow.judge_ids["Maria López"], flow.judge_ids["Kwame Mensah"]
    with flow.workspace.session() as session:
        program = flow.workspace.program(session)
        education_panel = find_category(session, program, "Education")
        youth_panel = find_category(session, program, "Youth engagement")
        assert education_panel is not None and youth_panel is not None
        set_judge_categories(fetch(session, Judge, maria), [education_panel])
        set_judge_categories(fetch(session, Judge, kwame), [youth_panel])
        session.flush()
        outcome = auto_assign(session, flow.round(session), ACTOR, per_application=2)
        education = {a.id for a in session.scalars(select(Application))
                     if a.categories[0].key == "education"}
    assert outcome.unmet == []
    saved = pairs(flow)
    assert {app for judge, app in saved if judge == maria} <= education
    assert {app for judge, app in saved if judge == kwame}.isdisjoint(education)
    # Without panels the same seed may put Maria on a youth application: the rule did it.
    with flow.workspace.session() as session:
        for row in list_assignments(session, flow.round(session)):
            session.delete(row)
        session.flush()
        auto_assign(session, flow.round(session), ACTOR, per_application=4,
                    by_category=False)
    assert {app for judge, app in pairs(flow) if judge == maria} == set(flow.app_ids.values())


def test_an_impossible_request_is_refused_and_writes_nothing(flow: Flow) -> None:
    # Five judges per application with four judges: the draw cannot be done as asked.
    with flow.workspace.session() as session, pytest.raises(ValidationError) as refused:
        auto_assign(session, flow.round(session), ACTOR, per_application=5)
    assert "6 applications would stay short of judges" in refused.value.message
    assert "REC-001: 1 judge short (only 4 judges on the panel)" in refused.value.message
    assert "Nothing was assigned" in refused.value.message
    assert pairs(flow) == set()
    with flow.workspace.session() as session:
        assert audit.events(session, "assignment.auto") == []
        # The check shows the plan, and the shortfall, without writing.
        plan = auto_assign(session, flow.round(session), ACTOR, per_application=5, check=True)
    assert not plan.written and len(plan.added) == 24 and len(plan.unmet) == 6
    assert all(u.missing == 1 and "only 4 judges" in u.reason for u in plan.unmet)
    assert str(plan.unmet[0]).startswith("REC-001: 1 judge short")
    assert plan.summary().startswith("24 assignments to add")
    assert pairs(flow) == set()
    # Asked for, the possible part is written.
    with flow.workspace.session() as session:
        outcome = auto_assign(session, flow.round(session), ACTOR, per_application=5,
                              allow_short=True)
    assert outcome.written and len(pairs(flow)) == 24
    assert "applications still need judges" in outcome.summary()


def test_a_load_cap_below_what_judges_hold_is_refused(flow: Flow) -> None:
    with flow.workspace.session() as session:
        auto_assign(session, flow.round(session), ACTOR, per_application=2, seed=3)
    before = pairs(flow)
    with flow.workspace.session() as session, pytest.raises(ValidationError) as refused:
        auto_assign(session, flow.round(session), ACTOR, per_application=3, max_load=2)
    assert "already hold more than 2 applications" in refused.value.message
    assert "Maria López (3)" in refused.value.message
    assert pairs(flow) == before


def test_a_withdrawn_judge_is_replaced(flow: Flow) -> None:
    with flow.workspace.session() as session:
        auto_assign(session, flow.round(session), ACTOR, per_application=2, seed=2)
    sofia = flow.judge_ids["Sofia Rossi"]
    held = {app for judge, app in pairs(flow) if judge == sofia}
    with flow.workspace.session() as session:
        set_active(session, fetch(session, Judge, sofia), False, ACTOR)
        outcome = auto_assign(session, flow.round(session), ACTOR, per_application=2)
    assert {app for _, app in outcome.added} == held
    assert all(judge != sofia for judge, _ in outcome.added)


def test_a_conflicted_pair_cannot_be_added_by_hand(flow: Flow) -> None:
    maria, rec3 = flow.judge_ids["Maria López"], flow.app_ids["REC-003"]
    with flow.workspace.session() as session:
        judge, application = fetch(session, Judge, maria), fetch(session, Application, rec3)
        conflict = conflicts.declare(session, judge, application, "Former employee", ACTOR,
                                     status=conflicts.OPEN)
        events_before = len(audit.events(session))
    with pytest.raises(ValidationError) as refused, flow.workspace.session() as session:
        add_assignment(session, flow.round(session), fetch(session, Judge, maria),
                       fetch(session, Application, rec3), ACTOR)
    assert "Maria López cannot review REC-003" in refused.value.message
    assert "Former employee" in refused.value.message
    assert "dismiss the conflict" in refused.value.message
    assert pairs(flow) == set()
    with flow.workspace.session() as session:
        assert len(audit.events(session)) == events_before
        conflicts.dismiss(session, fetch(session, type(conflict), conflict.id), ACTOR,
                          "Left in 2015")
        row = add_assignment(session, flow.round(session), fetch(session, Judge, maria),
                             fetch(session, Application, rec3), ACTOR)
        assert (row.judge_id, row.application_id) == (maria, rec3)
    assert pairs(flow) == {(maria, rec3)}


def test_manual_add_and_remove_are_audited(flow: Flow) -> None:
    ahmed, rec4 = flow.judge_ids["Ahmed Haddad"], flow.app_ids["REC-004"]
    with flow.workspace.session() as session:
        judge, application = fetch(session, Judge, ahmed), fetch(session, Application, rec4)
        first = add_assignment(session, flow.round(session), judge, application, ACTOR)
        again = add_assignment(session, flow.round(session), judge, application, ACTOR)
        assert again.id == first.id
        assert [e.action for e in audit.events(session, "assignment.")] == ["assignment.added"]
        remove_assignment(session, flow.round(session), judge, application, ACTOR)
        assert session.scalars(select(Assignment)).all() == []
        assert audit.events(session, "assignment.")[-1].details["ref"] == "REC-004"
    with pytest.raises(ValidationError, match="is not assigned"), \
            flow.workspace.session() as session:
        remove_assignment(session, flow.round(session), fetch(session, Judge, ahmed),
                          fetch(session, Application, rec4), ACTOR)


def test_a_withdrawn_judge_cannot_be_added(flow: Flow) -> None:
    kwame = flow.judge_ids["Kwame Mensah"]
    with flow.workspace.session() as session:
        set_active(session, fetch(session, Judge, kwame), False, ACTOR)
    with pytest.raises(ValidationError, match="withdrawn"), flow.workspace.session() as session:
        add_assignment(session, flow.round(session), fetch(session, Judge, kwame),
                       fetch(session, Application, flow.app_ids["REC-001"]), ACTOR)
    assert pairs(flow) == set()
