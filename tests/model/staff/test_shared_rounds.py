"""Two and four officers (processes) working one shared program at once, round after round.

The workload is ``shared_officers``'s. Afterwards, on the server: the audit chain is
intact; no update was lost (a counter every officer raised by read-version-write ends
at officers x rounds, the panel's decision every officer records each round ends at
version officers x rounds, each officer's own edits end at their last value); every step
was all or nothing (each step that took effect left exactly its audit entries and rows,
each refused one nothing: no stray attachment chunks, one row per merged file, one
acceptance per results file); and the program ends exactly as the same work done one
officer after the other (on an SQLite copy made before the work began): the ranking,
the awards, the conflict decisions, the assignments, the accepted results.

The figures (processes, rounds, steps, edits refused as stale, runs refused as busy,
steps and audit appends done again after a collision) are printed (``pytest -s``).
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from judgepanel.model.staff import audit
from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.decide.leaderboard import compute
from judgepanel.model.staff.prepare import conflicts
from judgepanel.model.staff.prepare.assignments import list_assignments
from judgepanel.model.staff.prepare.rounds import add_round, save_rubric
from judgepanel.model.staff.schema.decisions import PanelDecision
from judgepanel.model.staff.schema.program import (
    Application,
    Assignment,
    Attachment,
    AttachmentChunk,
    Conflict,
    Judge,
    Round,
)
from judgepanel.model.staff.schema.results import ReceivedResults
from judgepanel.model.staff.transfer import copy_program
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.flows import (
    ACTOR,
    complete_results,
    make_flow,
    open_bundle,
    write_judge_results,
)
from tests.model.staff.shared_officers import OfficerLog, Plan, run_officer, work


def _sequenced(number: int) -> Any:
    def score(app_id: str, criterion: Any) -> float:
        scale = criterion.valid_scores()
        return float(scale[(number + sum(map(ord, app_id))) % len(scale)])
    return score


def _setup(root: Path, url: str, officers: int, rounds: int) -> Plan:
    flow = make_flow(root, url=url)
    ws = flow.workspace
    with ws.session() as session:
        first = session.get_one(Round, flow.round_id)
        first.budget = Decimal("30000")
        second = add_round(session, ws.program(session), "Second round", ACTOR)
        save_rubric(session, second, flow.rubric, ACTOR)
        assigned = {(a.judge_id, a.application_id) for a in list_assignments(session, first)}
        free = [(j, a) for j in sorted(flow.judge_ids.values())
                for a in sorted(flow.app_ids.values()) if (j, a) not in assigned]
        made = [conflicts.declare(session, session.get_one(Judge, j),
                                  session.get_one(Application, a), f"tie {k}", ACTOR,
                                  status=conflicts.OPEN).id
                for k, (j, a) in enumerate(free[:officers + 1])]
        shared_pair = free[officers + 1]
        second_id = second.id
    built = build_bundles(ws, flow.round_id, flow.staff, root / "bundles")
    (root / "results").mkdir()
    results = []
    for number in range(1, rounds + 1):
        files = []
        for bundle in built:
            with open_bundle(flow, bundle) as opened:
                document = complete_results(opened, sequence=number,
                                            score=_sequenced(number))
            files.append(str(write_judge_results(
                flow, root / "results" / f"{bundle.judge_id}-{number}.jpresults", document,
                flow.identity_of(bundle.judge_id))))
        results.append(tuple(files))
    sheets = root / "sheets"
    sheets.mkdir()
    for number in range(1, rounds + 1):  # every officer's import of a round carries it
        (sheets / f"letter-{number}.txt").write_bytes(f"letter {number}\n".encode() * 30_000)
    imports = []
    for officer in range(officers):
        mine = []
        for number in range(1, rounds + 1):
            sheet = sheets / f"o{officer}-r{number}.csv"
            sheet.write_text(f"ref,title,attachments\nO{officer}-R{number},Officer {officer} "
                             f"round {number},letter-{number}.txt\n")
            mine.append(str(sheet))
        imports.append(tuple(mine))
    shared = sheets / "shared.csv"
    shared.write_text("ref,title,attachments\nS-1,Shared one,letter-1.txt\n"
                      "S-2,Shared two,letter-1.txt\n")
    apps = flow.app_ids
    plan = Plan(url=url, rounds=rounds, officers=officers,
                staff_secret=flow.staff.secret_text(), round1=flow.round_id,
                round2=second_id, counter_app=apps["REC-001"],
                own_apps=tuple(apps[f"REC-00{i + 2}"] for i in range(officers)),
                decided_app=apps[f"REC-00{officers + 2}"],
                shared_conflict=made[-1], own_conflicts=tuple(made[:officers]),
                shared_pair=shared_pair, judges=tuple(sorted(flow.judge_ids.values())),
                imports=tuple(imports), shared_import=str(shared), attachments=str(sheets),
                results=tuple(results))
    copy_program(ws, root / "serial")  # the same program, for the work done serially
    ws.close()
    return plan


def _picture(ws: StaffWorkspace, plan: Plan) -> dict[str, Any]:
    """What the program ends as, by references and names (ids differ between runs)."""
    with ws.session() as session:
        board = compute(session, session.get_one(Round, plan.round1))
        names = dict(session.execute(select(Judge.id, Judge.name)).all())
        refs = dict(session.execute(select(Application.id, Application.ref)).all())
        pairs = sorted((number, names[j], refs[a]) for number, j, a in session.execute(
            select(Round.number, Assignment.judge_id, Assignment.application_id)
            .join(Round, Round.id == Assignment.round_id)))
        decided = sorted((names[c.judge_id], refs[c.application_id], c.status)
                         for c in session.scalars(select(Conflict)))
        accepted = sorted((names[r.judge_id], r.sequence) for r in session.scalars(
            select(ReceivedResults).where(ReceivedResults.status == "accepted")))
        return {
            "ranking": [(r.application.ref, r.rank_raw, r.rank_adjusted, r.rank_z,
                         None if r.stats.mean is None else round(r.stats.mean, 9),
                         r.funding.awarded if r.funding else None) for r in board.rows],
            "awards": sorted((a.ref, a.awarded_amount) for a in session.scalars(
                select(Application)) if a.awarded_amount is not None),
            "conflicts": decided, "assignments": pairs, "accepted": accepted,
            "applications": sorted(refs.values()),
        }


def _run(plan: Plan) -> list[OfficerLog]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(plan.officers)
    results = context.Queue()
    processes = [context.Process(target=run_officer, args=(plan, i, barrier, results))
                 for i in range(plan.officers)]
    for process in processes:
        process.start()
    logs = [results.get(timeout=900) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    failed = [log for log in logs if not isinstance(log, OfficerLog)]
    assert failed == [], failed
    return sorted(logs, key=lambda log: log.officer)


def _head(url: str) -> int:
    with StaffWorkspace.open(url) as ws, ws.session() as session:
        head = audit.head(session)
        return head[0] if head else 0


def _check_all_or_nothing(ws: StaffWorkspace, plan: Plan, logs: list[OfficerLog],
                          start: int) -> None:
    """Each step that took effect left its audit entries (after ``start``, the setup's
    last) and rows; a refused one left nothing."""
    done: Counter[str] = sum((log.done for log in logs), Counter())
    rows = [row for log in logs for row in log.merge_rows]
    with ws.session() as session:
        assert audit.check(session) == []
        seqs = list(session.scalars(select(audit.AuditEvent.seq).order_by(
            audit.AuditEvent.seq)))
        assert seqs == list(range(1, len(seqs) + 1))
        actions = Counter(e.action for e in audit.events(session) if e.seq > start)
        # The decision's award of 0, set once (when the application asked for an amount).
        passed_over = session.get_one(Application, plan.decided_app).awarded_amount == 0
        assert actions["award.set"] == done["award"] + passed_over
        assert actions["decision.set"] == done["decision"]
        assert actions["conflict.dismissed"] + actions["conflict.open"] == done["conflict"]
        assert actions["assignment.added"] + actions["assignment.removed"] == \
            done["assignment"]
        assert actions["assignment.auto"] == done["assignment run"]
        assert actions["applications.imported"] == done["import"]
        assert actions["results.accepted"] + actions["results.refused"] == len(rows)
        assert session.scalar(select(func.count()).select_from(ReceivedResults)) == len(rows)
        chunks = set(session.scalars(select(AttachmentChunk.sha256)))
        assert chunks == set(session.scalars(select(Attachment.sha256)))  # none stray
        assert all(ws.attachments.verify(sha) for sha in chunks)
    accepted = Counter((judge, seq) for judge, seq, status, _ in rows if status == "accepted")
    judges = {judge for judge, *_ in rows}
    assert accepted == Counter({(j, n): 1 for j in judges for n in range(1, plan.rounds + 1)})
    assert {reason for *_, status, reason in rows if status != "accepted"} <= {"replay",
                                                                                "older"}


def _check_nothing_lost(ws: StaffWorkspace, plan: Plan, logs: list[OfficerLog]) -> None:
    total = plan.officers * plan.rounds
    with ws.session() as session:
        counter = session.get_one(Application, plan.counter_app)
        assert counter.awarded_amount == Decimal(total)  # every raise counted, none lost
        for officer, app_id in enumerate(plan.own_apps):
            assert session.get_one(Application, app_id).awarded_amount == Decimal(
                100 * (officer + 1) + plan.rounds)
        decision = session.scalars(select(PanelDecision).where(
            PanelDecision.application_id == plan.decided_app)).one()
        assert decision.version == total  # every decision recorded, none overwritten
        assert decision.outcome == "not funded" and decision.reason in {
            f"O{o}-R{plan.rounds}" for o in range(plan.officers)}
        shared = session.get_one(Conflict, plan.shared_conflict)
        assert shared.status == (conflicts.OPEN if total % 2 == 0 else conflicts.DISMISSED)
        for conflict_id in plan.own_conflicts:
            assert session.get_one(Conflict, conflict_id).status == (
                conflicts.OPEN if plan.rounds % 2 == 0 else conflicts.DISMISSED)
        refs = set(session.scalars(select(Application.ref)))
        assert {f"O{o}-R{n}" for o in range(plan.officers)
                for n in range(1, plan.rounds + 1)} | {"S-1", "S-2"} <= refs
    assert sum(log.shared_import == "imported" for log in logs) == 1
    assert sum(log.done["assignment run"] for log in logs) >= 1


@pytest.mark.slow
@pytest.mark.parametrize(("officers", "rounds"), [(2, 12), (4, 8)])
def test_officers_at_once_end_as_one_after_the_other(
        postgres_url: str, tmp_path: Path, officers: int, rounds: int) -> None:
    plan = _setup(tmp_path, postgres_url, officers, rounds)
    start = _head(postgres_url)
    logs = _run(plan)
    with StaffWorkspace.open(postgres_url) as ws:
        _check_all_or_nothing(ws, plan, logs, start)
        _check_nothing_lost(ws, plan, logs)
        together = _picture(ws, plan)
    # At once, each round's change of the shared pair went through once; the others
    # were told it had changed (one after the other, every one goes through).
    assert sum(log.done["assignment"] for log in logs) == rounds + officers * rounds
    serial = str(tmp_path / "serial")
    alone = [work(plan, officer, url=serial) for officer in range(officers)]
    with StaffWorkspace.open(serial) as ws:
        _check_nothing_lost(ws, plan, alone)
        one_by_one = _picture(ws, plan)
    for key in together:
        assert together[key] == one_by_one[key], key
    stale: Counter[str] = sum((log.stale for log in logs), Counter())
    steps = sum(sum(log.done.values()) for log in logs)
    print(f"\nshared rounds: {officers} processes x {rounds} rounds: {steps} steps took "
          f"effect ({sum(len(log.merge_rows) for log in logs)} results files merged or "
          f"refused); edits refused as stale: {dict(stale)}; assignment runs refused as "
          f"busy: {sum(log.busy for log in logs)}; steps done again after a collision: "
          f"{sum(log.retried_steps for log in logs)}; audit appends chained again: "
          f"{sum(log.audit_races for log in logs)}; slowest officer "
          f"{max(log.seconds for log in logs):.1f} s")
