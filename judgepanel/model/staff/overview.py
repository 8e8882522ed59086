"""What the staff app's round dashboard shows, and ``staff round list``.

The round at a glance (:func:`load_dashboard`): each judge's bundle (not built, built,
sent, outdated), their results (none yet, which export and when), the reviews still
missing, the judges past the due date, the conflicts to decide, and the next step with
the screen it happens on. Plain frozen data read in one session (on a worker thread)
for the GUI thread to keep; the numbers come from the workflows that own them
(``bundles.issued.load_bundles``, the leaderboard's missing reviews), never recounted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from judgepanel.model.staff.prepare.conflicts import list_conflicts
from judgepanel.model.staff.prepare.rounds import round_applications_query
from judgepanel.model.staff.results.ordering import NOT_NEEDED, REPLACED, SET_ASIDE
from judgepanel.model.staff.schema.decisions import PanelDecision
from judgepanel.model.staff.schema.program import Assignment, Program, Round, RubricRow
from judgepanel.model.staff.schema.results import IssuedBundle, ReceivedResults


@dataclass(frozen=True)
class RoundInfo:
    id: int
    number: int
    name: str
    due_at: dt.datetime | None
    budget: Decimal | None

    @property
    def label(self) -> str:
        return f"{self.number}. {self.name}"


def rounds_of(session: Session, program: Program) -> tuple[RoundInfo, ...]:
    return tuple(RoundInfo(r.id, r.number, r.name, r.due_at, r.budget) for r in program.rounds)


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


@dataclass(frozen=True)
class RoundSummary:
    """One round in a line: what it holds and how far it got (``staff round list``)."""

    number: int
    name: str
    applications: int
    rubric: str | None
    due: dt.datetime | None
    budget: Decimal | None
    assignments: int
    bundles: int  # live ones (not superseded)
    blind: bool


def round_summaries(session: Session, program: Program) -> list[RoundSummary]:
    """Every round of ``program``, first to last."""
    return [round_summary(session, round_) for round_ in program.rounds]


def round_summary(session: Session, round_: Round) -> RoundSummary:
    """What ``round_`` holds and how far it got."""
    count = session.scalar(round_applications_query(round_).with_only_columns(
        func.count()).order_by(None))
    rubric = session.scalars(select(RubricRow.name).where(RubricRow.round_id == round_.id)
                             ).first()
    assigned = _count(session, select(Assignment.id).where(Assignment.round_id == round_.id))
    bundles = _count(session, select(IssuedBundle.id).where(
        IssuedBundle.round_id == round_.id, IssuedBundle.superseded.is_(False)))
    return RoundSummary(round_.number, round_.name, count or 0, rubric, round_.due_at,
                        round_.budget, assigned, bundles, round_.is_blind)


# --- the round at a glance ------------------------------------------------------------

# The screens a dashboard line leads to (the staff app's keys for them).
RUBRIC_SCREEN, APPLICATIONS_SCREEN, JUDGES_SCREEN, CONFLICTS_SCREEN = (
    "rubric", "applications", "judges", "conflicts")
ASSIGNMENT_SCREEN, BUNDLES_SCREEN, RESULTS_SCREEN, LEADERBOARD_SCREEN = (
    "assignment", "bundles", "results", "leaderboard")
MEETING_SCREEN = "meeting"


@dataclass(frozen=True)
class JudgeProgress:
    """One judge in the round: their bundle, their results, what is still missing."""

    judge_id: int
    name: str
    assigned: int
    bundle: str  # "not built" | "built" | "sent" | "outdated"
    built_at: dt.datetime | None
    sent_at: dt.datetime | None
    results: str  # "none yet" | "accepted" | "refused"
    sequence: int | None  # the export (results sequence) of the newest file received
    received_at: dt.datetime | None
    missing: int  # assigned reviews not received yet (conflicts aside)
    late: bool  # the due date has passed and reviews are still missing

    @property
    def reached(self) -> bool:
        """The bundle reached the judge: ticked sent, or their results came back from it
        (officers seldom tick a bundle sent)."""
        return self.bundle == "sent" or (self.bundle == "built" and self.results != "none yet")


@dataclass(frozen=True)
class NextStep:
    code: str  # what to do, for the app to say in the officer's language
    text: str
    screen: str


@dataclass(frozen=True)
class RoundDashboard:
    program: str
    round: RoundInfo
    applications: int
    judges_enrolled: int
    has_rubric: bool
    assignments: int
    open_conflicts: int
    judges: tuple[JudgeProgress, ...]
    past_due: bool
    next_step: NextStep

    @property
    def missing(self) -> int:
        return sum(j.missing for j in self.judges)

    @property
    def late(self) -> tuple[JudgeProgress, ...]:
        return tuple(j for j in self.judges if j.late)

    def count(self, bundle: str) -> int:
        return sum(1 for j in self.judges if j.bundle == bundle)


def _missing_by_judge(session: Session, round_: Round) -> dict[int, int]:
    """The leaderboard's count of missing reviews per judge (empty without a rubric)."""
    from judgepanel.errors import ValidationError
    from judgepanel.model.staff.decide.leaderboard import compute

    try:
        board = compute(session, round_)
    except ValidationError:  # no rubric yet: nothing can be reviewed, nothing is missing
        return {}
    return {row.judge.id: row.missing for row in board.judges}


def _next_step(d: dict[str, Any], judges: list[JudgeProgress], past_due: bool) -> NextStep:
    if not d["has_rubric"]:
        return NextStep("rubric", "Set the round's rubric.", RUBRIC_SCREEN)
    if not d["applications"]:
        return NextStep("import", "Import the applications.", APPLICATIONS_SCREEN)
    if not d["judges_enrolled"]:
        return NextStep("enroll", "Enroll the judges from their cards.", JUDGES_SCREEN)
    if d["open_conflicts"]:
        return NextStep("conflicts", "Decide the possible conflicts of interest.", CONFLICTS_SCREEN)
    if not d["assignments"]:
        return NextStep("assign", "Assign judges to the applications.", ASSIGNMENT_SCREEN)
    if any(j.bundle == "outdated" for j in judges):
        return NextStep("rebuild", "Rebuild the outdated bundles and send them again.",
                        BUNDLES_SCREEN)
    if any(j.bundle == "not built" for j in judges):
        return NextStep("build", "Build the judges' bundles.", BUNDLES_SCREEN)
    if any(j.bundle == "built" and j.results == "none yet" for j in judges):
        return NextStep("send", "Send the bundles and tick them off as sent.", BUNDLES_SCREEN)
    if any(j.late for j in judges):
        return NextStep("remind", "Remind the judges past the due date, and take in their results.",
                        RESULTS_SCREEN)
    if any(j.missing for j in judges):
        return NextStep("results", "Take in the judges' results files as they arrive.",
                        RESULTS_SCREEN)
    if d["undecided"]:
        return NextStep("meeting", "Every review is in: hold the panel meeting and record each "
                        "decision with its reason.", MEETING_SCREEN)
    return NextStep("done", "Every application has the panel's decision: export the ranking "
                    "and write the reports.", LEADERBOARD_SCREEN)


def load_dashboard(session: Session, program: Program, round_id: int | None,
                   now: dt.datetime | None = None) -> RoundDashboard | None:
    """The round at a glance (the latest round when ``round_id`` is None); None for a
    program that has no round yet."""
    from judgepanel.clock import utcnow
    from judgepanel.model.staff.bundles.issued import load_bundles
    from judgepanel.model.staff.prepare.rounds import round_by_id

    if round_id is None and not program.rounds:
        return None
    round_ = program.rounds[-1] if round_id is None else round_by_id(session, round_id)
    now = now or utcnow()
    past_due = round_.due_at is not None and round_.due_at < now
    assigned: dict[int, int] = {}
    for judge_id, in session.execute(select(Assignment.judge_id).where(
            Assignment.round_id == round_.id)):
        assigned[judge_id] = assigned.get(judge_id, 0) + 1
    current = {b.judge_id: b for b in load_bundles(session, round_) if not b.superseded}
    newest: dict[int, ReceivedResults] = {}  # by judge: the newest file that tells
    for received in session.scalars(select(ReceivedResults).join(IssuedBundle).where(
            IssuedBundle.round_id == round_.id).order_by(ReceivedResults.id)):
        # A replaced or set-aside export, or a repeat, does not: the one merged does.
        if (received.judge_id is not None and received.status not in (REPLACED, SET_ASIDE)
                and received.refusal_reason not in NOT_NEEDED):
            newest[received.judge_id] = received
    missing = _missing_by_judge(session, round_)
    names = {j.id: j.name for j in program.judges}
    active = {j.id for j in program.judges if j.active}
    people = sorted(set(assigned) | set(current), key=lambda j: (names.get(j, ""), j))
    judges: list[JudgeProgress] = []
    for judge_id in people:
        if judge_id not in active and judge_id not in current:
            continue
        bundle = current.get(judge_id)
        state = ("not built" if bundle is None else "outdated" if bundle.outdated
                 else "sent" if bundle.sent_at is not None else "built")
        got = newest.get(judge_id)
        gaps = missing.get(judge_id, assigned.get(judge_id, 0) if got is None else 0)
        judges.append(JudgeProgress(
            judge_id, names.get(judge_id, "?"), assigned.get(judge_id, 0), state,
            bundle.created if bundle else None, bundle.sent_at if bundle else None,
            "none yet" if got is None else ("accepted" if got.status == "accepted"
                                            else "refused"),
            got.sequence if got else None, got.received_at if got else None, gaps,
            past_due and gaps > 0))
    counts: dict[str, Any] = {
        "has_rubric": (session.scalar(select(func.count()).select_from(RubricRow).where(
            RubricRow.round_id == round_.id)) or 0) > 0,
        "applications": session.scalar(round_applications_query(round_).with_only_columns(
            func.count()).order_by(None)) or 0,
        "judges_enrolled": len(active),
        "open_conflicts": len(list_conflicts(session, program, status="open")),
        "assignments": sum(assigned.values()),
    }
    counts["undecided"] = counts["applications"] - (session.scalar(
        select(func.count()).select_from(PanelDecision).where(
            PanelDecision.round_id == round_.id, PanelDecision.outcome.is_not(None))) or 0)
    info = RoundInfo(round_.id, round_.number, round_.name, round_.due_at, round_.budget)
    return RoundDashboard(program.name, info, counts["applications"],
                          counts["judges_enrolled"], counts["has_rubric"],
                          counts["assignments"], counts["open_conflicts"], tuple(judges),
                          past_due, _next_step(counts, judges, past_due))
