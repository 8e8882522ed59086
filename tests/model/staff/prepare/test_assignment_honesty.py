"""Assignment honesty (issue 15, item 5): coverage counts only reviews that can count,
bundles whose assignments changed are outdated, and the command line checks first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from judgepanel.cli import main
from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.bundles.issued import load_bundles
from judgepanel.model.staff.prepare import conflicts
from judgepanel.model.staff.prepare.assignments import (
    add_assignment,
    list_assignments,
    load_matrix,
    remove_assignment,
)
from judgepanel.model.staff.schema.program import Application, Judge
from tests.model.flows import ACTOR, Flow, fetch, make_flow


@pytest.fixture
def flow(tmp_path: Path) -> Iterator[Flow]:
    f = make_flow(tmp_path, per_application=3)
    yield f
    f.workspace.close()


def test_coverage_leaves_out_a_judge_who_declared_a_conflict(flow: Flow) -> None:
    rec1 = flow.app_ids["REC-001"]
    with flow.workspace.session() as session:
        round_ = flow.round(session)
        program = flow.workspace.program(session)
        assigned = [a.judge_id for a in list_assignments(session, round_)
                    if a.application_id == rec1]
        assert len(assigned) == 3
        assert load_matrix(session, program, round_).coverage()[rec1] == (3, 3)
        # The judge declares a conflict in their results (recorded as confirmed).
        conflicts.declare(session, fetch(session, Judge, assigned[0]),
                          fetch(session, Application, rec1), "My sister runs it", ACTOR,
                          source=conflicts.DECLARED)
        matrix = load_matrix(session, program, round_)
    assert matrix.coverage()[rec1] == (2, 3)  # 3 assigned, 2 reviews can count
    assert (assigned[0], rec1) in matrix.blocked and (assigned[0], rec1) in matrix.assigned


def test_a_bundle_whose_assignments_changed_is_outdated(flow: Flow) -> None:
    out = flow.root / "outbox"
    with flow.workspace.session() as session:
        round_id = flow.round(session).id
    build_bundles(flow.workspace, round_id, flow.staff, out)
    with flow.workspace.session() as session:
        rows = load_bundles(session, flow.round(session))
        assert rows and not any(r.outdated for r in rows)
        assert {r.folder for r in rows} == {str(out.resolve())}
        # A judge gains an application after the bundles went out.
        judge = fetch(session, Judge, flow.judge_ids["Maria López"])
        held = {a.application_id for a in list_assignments(session, flow.round(session))
                if a.judge_id == judge.id}
        extra = next(i for i in flow.app_ids.values() if i not in held)
        add_assignment(session, flow.round(session), judge, fetch(session, Application, extra),
                       ACTOR)
        rows = load_bundles(session, flow.round(session))
    assert [r.judge for r in rows if r.outdated] == ["Maria López"]
    build_bundles(flow.workspace, round_id, flow.staff, out, judges=[judge.id])
    with flow.workspace.session() as session:
        rows = load_bundles(session, flow.round(session))
        assert not any(r.outdated for r in rows)
        assert [r.superseded for r in rows if r.judge == "Maria López"] == [False, True]
        # Taking an application away outdates it too.
        remove_assignment(session, flow.round(session), judge,
                          fetch(session, Application, extra), ACTOR)
        assert [r.judge for r in load_bundles(session, flow.round(session))
                if r.outdated] == ["Maria López"]


def test_cli_checks_refuses_and_warns_of_outdated_bundles(
        flow: Flow, capsys: pytest.CaptureFixture[str]) -> None:
    folder = flow.workspace.folder
    assert folder is not None
    with flow.workspace.session() as session:
        round_id = flow.round(session).id
    build_bundles(flow.workspace, round_id, flow.staff, flow.root / "outbox")
    flow.workspace.close()
    w = ["-w", str(folder)]
    # Five judges per application with four judges: the check shows the shortfall (exit 1),
    # the run is refused (exit 2) and writes nothing.
    assert main(["staff", "assign", "run", *w, "--per-application", "5", "--check"]) == 1
    out = capsys.readouterr().out
    assert "Nothing was changed (--check)." in out and "short: REC-001" in out
    assert main(["staff", "assign", "run", *w, "--per-application", "5", "--json"]) == 2
    refused = json.loads(capsys.readouterr().out)
    assert not refused["ok"] and "Nothing was assigned" in refused["error"]
    assert main(["staff", "assign", "run", *w, "--per-application", "3", "--max-load", "2"]) == 2
    assert "already hold more than 2" in capsys.readouterr().err
    assert main(["staff", "assign", "show", *w, "--json"]) == 0
    before = json.loads(capsys.readouterr().out)["assignments"]
    assert sum(len(v) for v in before.values()) == 18
    # --allow-short writes what is possible (exit 1: done in part) and warns that every
    # judge's bundle is now outdated.
    assert main(["staff", "assign", "run", *w, "--per-application", "5", "--allow-short",
                 "--json"]) == 1
    done = json.loads(capsys.readouterr().out)
    assert done["written"] and done["added"] == 6 and len(done["unmet"]) == 6
    assert main(["staff", "assign", "show", *w]) == 0
    assert "! Outdated bundles" in capsys.readouterr().out
