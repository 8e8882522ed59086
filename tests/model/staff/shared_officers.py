"""Several officers working one shared program at once: the workload of test_shared_rounds.

Each officer (a process, as on separate computers) works through the same rounds. In
every round each one imports a file of their own (with an attachment whose bytes the
other officers import too, so the attachment store races), raises the award of one
application every officer raises (a counter: read the version, set amount + 1 from it,
and read again when another officer was quicker), sets the award of an application
of their own, records the panel's decision on an application every officer decides on
(from the version read, again when another officer was quicker, the first decision
included), toggles a conflict decision every officer toggles and one of their own,
assigns or unassigns a pair every officer wants to change (the first wins, the others
are told it changed) and a pair of their own, and merges every judge's results files
of that round (everyone merges the same files: one acceptance each, the rest "already
merged"). In the first round they also import one file together and all start an
automatic assignment of the second round at the same moment.

The work is chosen so that its end state does not depend on who went first: the same
lists done one officer after the other (``serial=True``) must end the same. What each
officer saw (steps done, edits refused as stale, runs refused as busy, merge outcomes,
steps and audit appends done again after a collision) comes back as an
:class:`OfficerLog`.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from judgepanel.crypto.identity import Identity
from judgepanel.errors import (
    ConcurrentChangeError,
    ImportRowsError,
    StaleEditError,
    ValidationError,
)
from judgepanel.model.staff.decide.awards import set_award
from judgepanel.model.staff.decide.decisions import set_decision
from judgepanel.model.staff.prepare import conflicts
from judgepanel.model.staff.prepare.assignments import (
    add_assignment,
    auto_assign,
    remove_assignment,
)
from judgepanel.model.staff.prepare.importing.workflow import import_file
from judgepanel.model.staff.prepare.rounds import round_applications
from judgepanel.model.staff.results.merging import merge_results
from judgepanel.model.staff.schema.decisions import PanelDecision
from judgepanel.model.staff.schema.program import Application, Conflict, Judge, Round
from judgepanel.model.staff.workspace import StaffWorkspace

T = TypeVar("T")
STEP_ATTEMPTS = 20


@dataclass(frozen=True)
class Plan:
    """Everything an officer needs, as plain data (it crosses into another process)."""

    url: str
    rounds: int
    officers: int
    staff_secret: str
    round1: int
    round2: int
    counter_app: int  # every officer raises its award by 1 each round
    own_apps: tuple[int, ...]  # officer i sets the award of own_apps[i]
    decided_app: int  # every officer records the panel's decision on it each round
    shared_conflict: int
    own_conflicts: tuple[int, ...]
    shared_pair: tuple[int, int]  # (judge id, application id) in round 1
    judges: tuple[int, ...]
    imports: tuple[tuple[str, ...], ...]  # [officer][round - 1] -> the CSV to import
    shared_import: str
    attachments: str  # the folder the CSVs' attachment names are in
    results: tuple[tuple[str, ...], ...]  # [round - 1] -> every judge's results files


@dataclass
class OfficerLog:
    officer: int
    done: Counter[str] = field(default_factory=Counter)  # steps that took effect, by kind
    stale: Counter[str] = field(default_factory=Counter)  # edits refused: made from old view
    busy: int = 0  # assignment runs refused: another was running
    merge_rows: list[tuple[str, int, str, str | None]] = field(default_factory=list)
    shared_import: str = ""  # "imported" or the refusal's message
    retried_steps: int = 0  # steps done again after colliding with another officer's
    audit_races: int = 0  # audit appends that lost the race and chained again
    seconds: float = 0.0


class _Counting(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages[record.name] += 1


def _again(log: OfficerLog, step: Any) -> Any:
    """A whole step, done again when it collided with another officer's (as the app does)."""
    for attempt in range(STEP_ATTEMPTS):
        try:
            return step()
        except ConcurrentChangeError:
            if attempt == STEP_ATTEMPTS - 1:
                raise
            log.retried_steps += 1
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def _raise_counter(ws: StaffWorkspace, plan: Plan, actor: str, log: OfficerLog) -> None:
    """Read the award and its version, write amount + 1 from it; read again if stale."""
    while True:
        with ws.session() as session:
            application = session.get_one(Application, plan.counter_app)
            seen, amount = application.version, application.awarded_amount or Decimal(0)
        try:
            ws.run(lambda s, seen=seen, amount=amount: set_award(
                s, s.get_one(Application, plan.counter_app), amount + 1, actor,
                note="one more", expected_version=seen))
        except StaleEditError:
            log.stale["award"] += 1
            continue
        log.done["award"] += 1
        return


def _decide(ws: StaffWorkspace, plan: Plan, officer: int, number: int, actor: str,
            log: OfficerLog) -> None:
    """Record the panel's decision from the version just read (0: none yet); read again
    if another officer decided meanwhile, the first decision included."""
    while True:
        with ws.session() as session:
            row = session.scalars(select(PanelDecision).where(
                PanelDecision.round_id == plan.round1,
                PanelDecision.application_id == plan.decided_app)).one_or_none()
            seen = 0 if row is None else row.version
        try:
            ws.run(lambda s, seen=seen: set_decision(
                s, s.get_one(Round, plan.round1), s.get_one(Application, plan.decided_app),
                "not funded", f"O{officer}-R{number}", actor, expected_version=seen))
        except StaleEditError:
            log.stale["decision"] += 1
            continue
        log.done["decision"] += 1
        return


def _toggle(ws: StaffWorkspace, conflict_id: int, actor: str, log: OfficerLog) -> None:
    """Dismiss an open finding or reopen a dismissed one, from the version just read."""
    while True:
        with ws.session() as session:
            conflict = session.get_one(Conflict, conflict_id)
            seen, status = conflict.version, conflict.status

        def decide(s: Any, seen: int = seen, status: str = status) -> int:
            row = s.get_one(Conflict, conflict_id)
            if status == conflicts.OPEN:
                return conflicts.dismiss(s, row, actor, "not a real tie", expected_version=seen)
            return conflicts.reopen(s, row, actor, "look again", expected_version=seen)

        try:
            ws.run(decide)
        except StaleEditError:
            log.stale["conflict"] += 1
            continue
        log.done["conflict"] += 1
        return


def _pair(ws: StaffWorkspace, plan: Plan, judge_id: int, application_id: int, add: bool,
          actor: str, log: OfficerLog) -> None:
    def change(s: Any) -> None:
        args = (s.get_one(Round, plan.round1), s.get_one(Judge, judge_id),
                s.get_one(Application, application_id), actor)
        if add:
            add_assignment(s, *args, made_from=False)
        else:
            remove_assignment(s, *args, made_from=True)

    try:
        ws.run(change)
    except StaleEditError:
        log.stale["assignment"] += 1
        return
    log.done["assignment"] += 1


def _auto_assign(ws: StaffWorkspace, plan: Plan, actor: str, log: OfficerLog) -> None:
    try:
        with ws.session() as session:
            second = session.get_one(Round, plan.round2)
            # Open findings refuse a run over the applications they concern (staff
            # guide); the findings the officers toggle between open and dismissed stay
            # out of it, so every run has something to plan.
            toggled = set(session.scalars(select(Conflict.application_id).where(
                Conflict.id.in_((*plan.own_conflicts, plan.shared_conflict)))))
            auto_assign(session, second, actor, per_application=2, seed=7,
                        applications=[a for a in round_applications(session, second)
                                      if a.id not in toggled])
    except ConcurrentChangeError as error:
        if "automatically right now" not in error.message:
            raise
        log.busy += 1
        return
    log.done["assignment run"] += 1


def work(plan: Plan, officer: int, barrier: Any = None, url: str | None = None) -> OfficerLog:
    """One officer's rounds on ``url`` (default the plan's); ``barrier`` starts each round
    with every officer at once (None: this officer works alone)."""
    actor = f"officer-{officer}"
    log = OfficerLog(officer)
    counting = _Counting()
    for name in ("judgepanel.model.storage.hash_chain", "judgepanel.model.staff.workspace"):
        logging.getLogger(name).addHandler(counting)
        logging.getLogger(name).setLevel(logging.INFO)
    staff = Identity.from_secret_text(plan.staff_secret)
    ws = StaffWorkspace.open(url or plan.url, actor=actor)
    attachments = Path(plan.attachments)
    started = time.perf_counter()
    try:
        own_judge = plan.judges[officer % len(plan.judges)]
        for number in range(1, plan.rounds + 1):
            if barrier is not None:
                barrier.wait(timeout=120)
            if number == 1:
                _auto_assign(ws, plan, actor, log)
                if barrier is not None:
                    barrier.wait(timeout=120)  # no conflict changes while a run plans
            outcome = _again(log, lambda n=number: import_file(
                ws, plan.imports[officer][n - 1], attachments_dir=attachments))
            log.done["import"] += 1
            if number == 1:
                try:
                    _again(log, lambda: import_file(ws, plan.shared_import,
                                                    attachments_dir=attachments))
                    log.shared_import = "imported"
                    log.done["import"] += 1
                except (ValidationError, ImportRowsError) as error:
                    log.shared_import = error.message  # another officer imported it first
            _raise_counter(ws, plan, actor, log)
            own = plan.own_apps[officer]
            with ws.session() as session:
                seen = session.get_one(Application, own).version
            ws.run(lambda s, n=number, seen=seen, own=own: set_award(
                s, s.get_one(Application, own), Decimal(100 * (officer + 1) + n), actor,
                expected_version=seen))
            log.done["award"] += 1
            _decide(ws, plan, officer, number, actor, log)
            _toggle(ws, plan.shared_conflict, actor, log)
            _toggle(ws, plan.own_conflicts[officer], actor, log)
            _pair(ws, plan, *plan.shared_pair, number % 2 == 1, actor, log)
            mine = next(iter(outcome.refs))
            with ws.session() as session:
                mine_id = session.scalars(select(Application.id).where(
                    Application.ref == mine)).one()
            _pair(ws, plan, own_judge, mine_id, True, actor, log)
            report = _again(log, lambda n=number: merge_results(
                ws, [Path(p) for p in plan.results[n - 1]], staff))
            log.done["merge"] += 1
            log.merge_rows += [(r.judge or "", r.sequence or 0, r.status, r.reason)
                               for r in report.rows]
        if barrier is not None:
            barrier.wait(timeout=120)
    finally:
        ws.close()
        log.seconds = time.perf_counter() - started
        log.audit_races = counting.messages["judgepanel.model.storage.hash_chain"]
        for name in ("judgepanel.model.storage.hash_chain", "judgepanel.model.staff.workspace"):
            logging.getLogger(name).removeHandler(counting)
    return log


def run_officer(plan: Plan, officer: int, barrier: Any, results: Any) -> None:
    """A process's entry point: the officer's log (or what went wrong) into ``results``."""
    try:
        results.put(work(plan, officer, barrier))
    except BaseException as error:  # reported to the test, which fails with it
        import traceback

        results.put(f"officer {officer}: {traceback.format_exc()}")
        if barrier is not None:
            barrier.abort()
        raise SystemExit(1) from error
