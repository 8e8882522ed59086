"""Two officers at once: stale edits refused with the new value, runs and merges take turns.

Versions work on both databases (a second session stands in for a second officer on
SQLite); what needs two transactions open at the same moment runs on PostgreSQL, with
a thread per officer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from judgepanel.errors import ConcurrentChangeError, JudgePanelError, StaleEditError
from judgepanel.model.staff import audit
from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.decide.awards import set_award
from judgepanel.model.staff.prepare import conflicts
from judgepanel.model.staff.prepare.assignments import (
    add_assignment,
    auto_assign,
    remove_assignment,
)
from judgepanel.model.staff.prepare.importing.workflow import import_file
from judgepanel.model.staff.prepare.rounds import add_round, save_rubric
from judgepanel.model.staff.results.merging import merge_results
from judgepanel.model.staff.schema.program import Application, Assignment, Conflict, Judge, Round
from tests.model.flows import (
    ACTOR,
    Flow,
    complete_results,
    fetch,
    make_flow,
    open_bundle,
    write_judge_results,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def flow(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flow]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    made = make_flow(tmp_path, url=url)
    yield made
    made.workspace.close()


@pytest.fixture
def shared(postgres_url: str, tmp_path: Path) -> Iterator[Flow]:
    made = make_flow(tmp_path, url=postgres_url)
    yield made
    made.workspace.close()


def _version(flow: Flow, entity: type, ident: int) -> int:
    with flow.workspace.session() as session:
        return int(fetch(session, entity, ident).version)


def test_an_award_made_from_an_old_version_is_refused_with_the_new_value(flow: Flow) -> None:
    ws, app_id = flow.workspace, flow.app_ids["REC-002"]
    seen = _version(flow, Application, app_id)  # what the first officer's board shows
    with ws.session() as session:  # the second officer is quicker
        after = set_award(session, fetch(session, Application, app_id), Decimal("7500"),
                          "beatriz", expected_version=seen)
    assert after == seen + 1
    with pytest.raises(StaleEditError) as refused, ws.session() as session:
        set_award(session, fetch(session, Application, app_id), Decimal("2000"), ACTOR,
                  expected_version=seen)
    error = refused.value
    assert error.message.startswith("Another officer (beatriz) changed the award for "
                                    "REC-002 while you were looking at it: it is now 7,500.00.")
    assert (error.current, error.changed_by, error.version) == (
        "it is now 7,500.00", "beatriz", seen + 1)
    with ws.session() as session:
        assert fetch(session, Application, app_id).awarded_amount == Decimal("7500.00")
        assert len(audit.events(session, "award.set")) == 1  # the refused edit left nothing
        # Made again from the new version, it goes through.
        set_award(session, fetch(session, Application, app_id), Decimal("2000"), ACTOR,
                  expected_version=error.version)
    with ws.session() as session:
        application = fetch(session, Application, app_id)
        assert (application.awarded_amount, application.changed_by) == (Decimal("2000.00"),
                                                                         ACTOR)


def test_a_conflict_decision_made_from_an_old_version_is_refused(flow: Flow) -> None:
    ws = flow.workspace
    with ws.session() as session:
        program = ws.program(session)
        judge = session.scalars(select(Judge).order_by(Judge.id)).first()
        application = fetch(session, Application, flow.app_ids["REC-005"])
        assert judge is not None and application is not None
        conflict = conflicts.declare(session, judge, application, "Board member", ACTOR,
                                     status=conflicts.OPEN)
        conflict_id = conflict.id
        assert program is not None
    seen = _version(flow, Conflict, conflict_id)
    with ws.session() as session:
        conflicts.dismiss(session, fetch(session, Conflict, conflict_id), "beatriz",
                          "Left the board in 2019", expected_version=seen)
    stale = "it is now dismissed \\(Left the board in 2019\\)"
    with pytest.raises(StaleEditError, match=stale), ws.session() as session:
        conflicts.confirm(session, fetch(session, Conflict, conflict_id), ACTOR,
                          expected_version=seen)
    with ws.session() as session:
        assert fetch(session, Conflict, conflict_id).status == conflicts.DISMISSED


def test_an_assignment_cell_edited_from_an_old_view_is_refused(flow: Flow) -> None:
    ws = flow.workspace
    with ws.session() as session:
        round_ = flow.round(session)
        pair = session.scalars(select(Assignment).where(Assignment.round_id == round_.id)
                               .order_by(Assignment.id)).first()
        assert pair is not None
        judge, application = pair.judge, pair.application
        remove_assignment(session, round_, judge, application, "beatriz", made_from=True)
    with pytest.raises(StaleEditError, match="it is not assigned now"), \
            ws.session() as session:
        remove_assignment(session, flow.round(session), fetch(session, Judge, judge.id),
                          fetch(session, Application, application.id), ACTOR, made_from=True)
    with ws.session() as session:
        add_assignment(session, flow.round(session), fetch(session, Judge, judge.id),
                       fetch(session, Application, application.id), "beatriz",
                       made_from=False)
    with pytest.raises(StaleEditError, match="it is assigned now"), ws.session() as session:
        add_assignment(session, flow.round(session), fetch(session, Judge, judge.id),
                       fetch(session, Application, application.id), ACTOR, made_from=False)
    with ws.session() as session:  # a script with no view to be stale: as before
        add_assignment(session, flow.round(session), fetch(session, Judge, judge.id),
                       fetch(session, Application, application.id), ACTOR)


def test_an_assignment_run_is_refused_while_another_runs(shared: Flow) -> None:
    ws = shared.workspace
    with ws.session() as session:
        program = ws.program(session)
        second = add_round(session, program, "Second round", ACTOR)
        save_rubric(session, second, shared.rubric, ACTOR)
        second_id = second.id
    running, finish = threading.Event(), threading.Event()
    outcome: list[Any] = []

    def first_officer() -> None:
        with ws.session() as session:
            outcome.append(auto_assign(session, session.get_one(Round, second_id), ACTOR,
                                       per_application=2, seed=3))
            running.set()
            finish.wait(timeout=10)  # the run is still in progress (not committed)

    thread = threading.Thread(target=first_officer)
    thread.start()
    assert running.wait(timeout=30)
    try:
        busy = "Another officer is assigning “Second round” automatically"
        with pytest.raises(ConcurrentChangeError, match=busy), ws.session() as session:
            auto_assign(session, session.get_one(Round, second_id), "beatriz",
                        per_application=2, seed=3)
    finally:
        finish.set()
        thread.join(timeout=30)
    with ws.session() as session:  # once it finished, a second run finds nothing to do
        again = auto_assign(session, session.get_one(Round, second_id), "beatriz",
                            per_application=2, seed=3)
    assert outcome[0].added and again.added == []


def test_two_officers_merging_one_file_get_one_acceptance_and_one_already_merged(
        shared: Flow, tmp_path: Path) -> None:
    built = build_bundles(shared.workspace, shared.round_id, shared.staff, tmp_path / "b")
    with open_bundle(shared, built[0]) as opened:
        document = complete_results(opened)
    path = write_judge_results(shared, tmp_path / "r.jpresults", document,
                               shared.identity_of(built[0].judge_id))
    start = threading.Barrier(2)
    reports: list[Any] = []

    def officer() -> None:
        start.wait(timeout=10)
        reports.append(merge_results(shared.workspace, [path], shared.staff))

    threads = [threading.Thread(target=officer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    rows = sorted((r.rows[0] for r in reports), key=lambda row: row.status)
    assert [(row.status, row.reason) for row in rows] == [("accepted", None),
                                                          ("refused", "replay")]
    assert rows[1].message.startswith("These results were already merged")
    with shared.workspace.session() as session:
        assert [e.action for e in audit.events(session, "results.")] == [
            "results.accepted", "results.refused"]
        assert audit.check(session) == []


def test_the_same_import_by_two_officers_at_once_is_done_once(shared: Flow,
                                                              tmp_path: Path) -> None:
    sheet = tmp_path / "late.csv"
    sheet.write_text("ref,title\nLATE-1,Late entry\nLATE-2,Another late entry\n")
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def officer() -> None:
        start.wait(timeout=10)
        try:
            outcomes.append(import_file(shared.workspace, sheet))
        except JudgePanelError as error:  # refused whole: collided, or found them there
            outcomes.append(error)

    threads = [threading.Thread(target=officer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    imported = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(imported) == 1 and imported[0].refs == ["LATE-1", "LATE-2"]
    assert len(refused) == 1
    with shared.workspace.session() as session:
        refs = session.scalars(select(Application.ref).where(Application.ref.like("LATE-%")))
        assert sorted(refs) == ["LATE-1", "LATE-2"]
        assert len(audit.events(session, "applications.imported")) == 1
