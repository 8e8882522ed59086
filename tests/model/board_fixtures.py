"""A judged round, written straight through the ORM, for the leaderboard, shortlist and exports.

The merge normally fills Review/Score/Declaration rows; here they are inserted
directly so the numbers are known by hand. Rubric: impact (weight 3, 1-5),
feasibility (weight 1, 1-5, comment below 3), advice (1-5, does not count),
tie-break impact. A total is ``(3 * (impact - 1) * 25 + (feasibility - 1) * 25) / 4``,
so equal impact and feasibility s give ``(s - 1) * 25``.

Counted totals (judges: J1 Ana, J2 Ben, J3 Chloé (never returned), J4 Dev)::

    app  categories      J1    J2    J3       J4          mean
    A01  youth           100   75    -        100         91.67
    A02  youth           75*   50**  -        -           62.5   (J3 has an unrelated conflict)
    A03  youth           50    75    -        declared    62.5   impact mean 4 > A02's 3.5
    A04  youth, housing  25    -     missing  75          50     range 50: flagged
    A05  housing         -     75o   missing  100         87.5   o = open conflict finding
    A06  housing         25    -     missing  -           25
    A07  housing         x     -     -        50          50     x = scored 100, staff conflict
    A08  housing         -     50    missing  -           50

    *  J1's newer bundle (seq 1) replaces an older, superseded bundle's seq 5 (A02 = 0).
    ** J2's seq 2 replaces seq 1 (A02 = 25); a refused seq 3 (A02 = 100) never counts.

Raw ranking: A01 1, A05 2, A03 3, A02 4, A04 5, A07 6, A08 6 (shared), A06 8.
Budgets: round 100 000, Housing 50 000. Requested: A01 40k, A02 20k, A03 25k,
A04 15k, A05 30k, A06 10k, A07 10k, A08 5k.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from judgepanel.model.rubric.comments import CommentRule
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.staff.prepare import rounds
from judgepanel.model.staff.prepare.categories import find_category
from judgepanel.model.staff.schema.program import Application, Assignment, Conflict, Judge
from judgepanel.model.staff.schema.results import (
    Declaration,
    IssuedBundle,
    ReceivedResults,
    Review,
    Score,
)
from judgepanel.model.staff.workspace import StaffWorkspace

ACTOR = "tester"
WHEN = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)

RUBRIC = Rubric(
    name="Board rubric",
    criteria=(
        Criterion("impact", "Impact", weight=3),
        Criterion("feasibility", "Feasibility", comment=CommentRule("below", 3)),
        Criterion("advice", "Would you advise funding?", counts=False),
    ),
    tie_break="impact",
)

APPLICATIONS = {  # ref: (categories, requested)
    "A01": (("Youth",), 40_000),
    "A02": (("Youth",), 20_000),
    "A03": (("Youth",), 25_000),
    "A04": (("Youth", "Housing"), 15_000),
    "A05": (("Housing",), 30_000),
    "A06": (("Housing",), 10_000),
    "A07": (("Housing",), 10_000),
    "A08": (("Housing",), 5_000),
}
JUDGES = {"J1": "Ana Ruiz", "J2": "Ben Okafor", "J3": "Chloé Martin", "J4": "Dev Patel"}
ASSIGNED = {
    "A01": ("J1", "J2", "J4"), "A02": ("J1", "J2"), "A03": ("J1", "J2", "J4"),
    "A04": ("J1", "J3", "J4"), "A05": ("J2", "J3", "J4"), "A06": ("J1", "J3"),
    "A07": ("J1", "J4"), "A08": ("J2", "J3"),
}
# Comments, keyed (judge, ref, criterion); one starts with "=" to test formula escaping.
COMMENTS = {
    ("J1", "A04", "feasibility"): '=HYPERLINK("http://example.invalid","click")',
    ("J1", "A06", "feasibility"): "Budget unclear",
    ("J2", "A03", "feasibility"): "Plan is thin, but the need is real",
}
Scores = dict[str, tuple[int, int, int]]  # ref -> (impact, feasibility, advice)


@dataclass(frozen=True)
class BoardProgram:
    ws: StaffWorkspace
    round_id: int
    apps: dict[str, int]  # ref -> id
    judges: dict[str, int]  # J1.. -> id


def _judge(program_id: int, short: str, name: str) -> Judge:
    n = short[1]
    return Judge(program_id=program_id, name=name, age_recipient=f"age1judge{n}",
                 minisign_public_key=f"RWjudge{n}", fingerprint=f"fp-{n}")


def _results(session: Session, bundle: IssuedBundle, app_ids: dict[str, int], seq: int,
             scores: Scores, *, declared: dict[str, str] | None = None, short: str = "",
             status: str = "accepted") -> ReceivedResults:
    results = ReceivedResults(
        issued_bundle_id=bundle.id, judge_id=bundle.judge_id, file_name=f"seq{seq}.jpresults",
        raw=b"stand-in", raw_sha256=f"{bundle.id:04d}{seq:060d}", signer="RWjudge",
        sequence=seq, status=status, received_at=WHEN,
        refusal_reason=None if status == "accepted" else "replay")
    session.add(results)
    session.flush()
    for ref, (impact, feasibility, advice) in scores.items():
        app_id = app_ids[ref]
        values = {"impact": impact, "feasibility": feasibility, "advice": advice}
        for key, value in values.items():
            session.add(Score(
                results_id=results.id, application_id=app_id, criterion_key=key,
                value=float(value), comment=COMMENTS.get((short, ref, key), "")))
        session.add(Review(results_id=results.id, application_id=app_id,
                           overall_comment=f"{short} on {ref}", confidence=4))
        session.add(Declaration(judge_id=bundle.judge_id, application_id=app_id,
                                results_id=results.id, conflict=False, declared_at=WHEN))
    for ref, reason in (declared or {}).items():
        session.add(Declaration(judge_id=bundle.judge_id, application_id=app_ids[ref],
                                results_id=results.id, conflict=True, reason=reason,
                                declared_at=WHEN))
    session.flush()
    return results


def build_board_program(folder: Path) -> BoardProgram:
    ws = StaffWorkspace.create(folder / "program", "Board Grants", categories=("Youth", "Housing"),
                               actor=ACTOR)
    with ws.session() as session:
        program = ws.program(session)
        youth = find_category(session, program, "youth")
        housing = find_category(session, program, "housing")
        assert youth is not None and housing is not None
        housing.budget = Decimal(50_000)
        cats = {"Youth": youth, "Housing": housing}
        round_ = rounds.add_round(session, program, "First round", ACTOR,
                                  budget=Decimal(100_000))
        rounds.save_rubric(session, round_, RUBRIC, ACTOR)
        apps = {}
        for ref, (names, requested) in APPLICATIONS.items():
            app = Application(program_id=program.id, ref=ref, title=f"Project {ref}",
                              organisation=f"Org {ref}", requested_amount=Decimal(requested),
                              categories=[cats[n] for n in names])
            session.add(app)
            apps[ref] = app
        judges = {s: _judge(program.id, s, n) for s, n in JUDGES.items()}
        session.add_all(judges.values())
        session.flush()
        app_ids = {ref: a.id for ref, a in apps.items()}
        for ref, shorts in ASSIGNED.items():
            for s in shorts:
                session.add(Assignment(round_id=round_.id, judge_id=judges[s].id,
                                       application_id=apps[ref].id))
        bundles = {}
        for s, judge in judges.items():
            bundles[s] = IssuedBundle(round_id=round_.id, judge_id=judge.id,
                                      bundle_id=f"b-{s}", manifest_sha256="0" * 64)
        old_j1 = IssuedBundle(round_id=round_.id, judge_id=judges["J1"].id, bundle_id="b-J1-old",
                              manifest_sha256="1" * 64, superseded=True)
        session.add(old_j1)
        session.flush()  # the superseded bundle gets the lower id: it is the older one
        session.add_all(bundles.values())
        session.flush()

        j1 = {"A01": (5, 5, 1), "A03": (3, 3, 1), "A04": (2, 2, 1), "A06": (2, 2, 1),
              "A07": (5, 5, 1)}
        _results(session, old_j1, app_ids, 5, {**j1, "A02": (1, 1, 1)}, short="J1")
        _results(session, bundles["J1"], app_ids, 1, {**j1, "A02": (4, 4, 1)}, short="J1")
        j2 = {"A01": (4, 4, 1), "A03": (5, 1, 1), "A05": (4, 4, 1), "A08": (3, 3, 1)}
        _results(session, bundles["J2"], app_ids, 1, {**j2, "A02": (2, 2, 1)}, short="J2")
        _results(session, bundles["J2"], app_ids, 2, {**j2, "A02": (3, 3, 1)}, short="J2")
        _results(session, bundles["J2"], app_ids, 3, {**j2, "A02": (5, 5, 1)}, short="J2",
                 status="refused")
        _results(session, bundles["J4"], app_ids, 1,
                 {"A01": (5, 5, 1), "A04": (4, 4, 1), "A05": (5, 5, 1), "A07": (3, 3, 1)},
                 declared={"A03": "I advised this organisation last year"}, short="J4")

        session.add_all([
            Conflict(judge_id=judges["J1"].id, application_id=apps["A07"].id, source="staff",
                     reasons=["Board member of the applicant"], status="confirmed"),
            Conflict(judge_id=judges["J3"].id, application_id=apps["A02"].id, source="detected",
                     reasons=["Same city"], status="confirmed"),
            Conflict(judge_id=judges["J2"].id, application_id=apps["A05"].id, source="detected",
                     reasons=["Same organisation: Springfield Trust"], status="open"),
        ])
        session.flush()
        return BoardProgram(ws, round_.id, app_ids, {s: j.id for s, j in judges.items()})
