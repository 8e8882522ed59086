"""Two officers deciding on one application, on SQLite and on PostgreSQL (shared program).

The second officer's screen showed no decision (version 0); the first decided since,
so the second's decision is refused with the first's, and nothing of it is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from judgepanel.errors import StaleEditError
from judgepanel.model.staff import audit
from judgepanel.model.staff.decide.decisions import (
    decision_versions,
    load_decisions,
    set_decision,
)
from judgepanel.model.staff.schema.program import Application, Round
from tests.model.flows import Flow, fetch, make_flow


@pytest.fixture(params=["sqlite", "postgresql"])
def flow(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flow]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    made = make_flow(tmp_path, url=url, assign=False)
    yield made
    made.workspace.close()


def test_a_decision_over_another_officers_is_refused_with_theirs(flow: Flow) -> None:
    ws, app_id = flow.workspace, flow.app_ids["REC-002"]
    with ws.session() as session:
        set_decision(session, fetch(session, Round, flow.round_id),
                     fetch(session, Application, app_id), "winner", "Best evidence",
                     "beatriz", expected_version=0)
    with pytest.raises(StaleEditError) as refused, ws.session() as session:
        set_decision(session, fetch(session, Round, flow.round_id),
                     fetch(session, Application, app_id), "finalist", "Good", "tom",
                     expected_version=0)
    assert refused.value.current == "it is now “winner” (Best evidence)"
    assert refused.value.changed_by == "beatriz"
    with ws.session() as session:
        round_ = fetch(session, Round, flow.round_id)
        assert load_decisions(session, round_)["REC-002"].outcome == "winner"
        assert decision_versions(session, round_) == {"REC-002": 1}
        assert [e.actor for e in audit.events(session, "decision.")] == ["beatriz"]


def test_two_first_decisions_at_once_keep_one_and_refuse_the_other(
        postgres_url: str, tmp_path: Path) -> None:
    import threading

    from judgepanel.model.staff.workspace import StaffWorkspace

    made = make_flow(tmp_path, url=postgres_url, assign=False)
    other = StaffWorkspace.open(postgres_url)
    app_id = made.app_ids["REC-003"]
    outcome: list[BaseException | None] = []

    def second_officer() -> None:
        try:
            with other.session() as session:  # waits on the first officer's new row
                set_decision(session, fetch(session, Round, made.round_id),
                             fetch(session, Application, app_id), "finalist", "Good", "tom")
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 (handed to the test)
            outcome.append(error)

    try:
        with made.workspace.session() as session:
            set_decision(session, fetch(session, Round, made.round_id),
                         fetch(session, Application, app_id), "winner", "Best", "beatriz")
            worker = threading.Thread(target=second_officer)
            worker.start()
            worker.join(1.0)  # blocked until this transaction ends
            assert worker.is_alive()
        worker.join(30)
        assert len(outcome) == 1 and isinstance(outcome[0], StaleEditError)
        with made.workspace.session() as session:
            found = load_decisions(session, fetch(session, Round, made.round_id))
            assert (found["REC-003"].outcome, found["REC-003"].decided_by) == (
                "winner", "beatriz")
    finally:
        other.close()
        made.workspace.close()
