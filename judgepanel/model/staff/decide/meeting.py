"""The panel meeting's agenda: the round's applications in the order the panel discusses them.

Order (what panels do, e.g. HotCRP's meeting tracker and NIH study sections): the top
of the ranking first (``top`` places on the lead basis), then the applications the
leaderboard flags for disagreement (``BoardRow.flags``), then the rest in ranking
order, then those with no score. Each item carries what the meeting shows: the
anonymised reviews side by side (judges by their enrolment index, which the screen
turns into Judge A, B, …, the letters the reports use), the raw and adjusted
scores, the judges with a conflict (not taking part), and the decision so far with the
version an edit is made from (``decisions``). Plain frozen data for the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.model.scoring.ranking import Basis
from judgepanel.model.staff.decide.decisions import (
    DecisionInfo,
    decision_versions,
    load_decisions,
    outcomes,
)
from judgepanel.model.staff.decide.leaderboard import BoardRow, compute
from judgepanel.model.staff.schema.program import Judge, Program, Round
from judgepanel.model.staff.settings import RANKING_BASIS, Outcome, setting_value

TOP = "top"
DISAGREEMENT = "disagreement"
REST = "rest"
UNSCORED = "unscored"


@dataclass(frozen=True)
class MeetingReview:
    judge: int  # the judge's enrolment index in the program (0 = Judge A)
    scores: tuple[float | None, ...]  # per criterion, in ``Meeting.criteria`` order
    comments: tuple[str, ...]  # per criterion, the panel comments
    overall_comment: str
    total: float | None


@dataclass(frozen=True)
class MeetingItem:
    ref: str
    title: str
    organisation: str
    group: str  # TOP, DISAGREEMENT, REST or UNSCORED: why it is where it is
    rank: int | None  # on the lead basis
    raw: float | None  # mean total, 0..100
    adjusted: float | None
    reviews: tuple[MeetingReview, ...]
    conflicted: tuple[int, ...]  # judges (enrolment index) not taking part
    flags: tuple[str, ...]
    decision: DecisionInfo | None
    version: int  # the decision's version (0: none yet)
    application_id: int
    requested: str = ""  # grants: the amount requested, as text


@dataclass(frozen=True)
class Meeting:
    round_id: int
    round_name: str
    basis: Basis
    criteria: tuple[tuple[str, str], ...]  # (key, title) of the criteria that count
    outcomes: tuple[Outcome, ...]
    items: tuple[MeetingItem, ...]

    @property
    def decided(self) -> int:
        return sum(1 for item in self.items if item.decision is not None)


def _group(row: BoardRow, rank: int | None, top: int) -> str:
    if rank is None:
        return UNSCORED
    if rank <= top:
        return TOP
    return DISAGREEMENT if row.flags else REST


def agenda(session: Session, round_: Round, *, top: int = 10) -> Meeting:
    """The round's applications in discussion order, with everything the meeting shows."""
    program = session.get(Program, round_.program_id)
    assert program is not None
    basis = setting_value(program, RANKING_BASIS)
    board = compute(session, round_, basis=basis)
    index = {judge_id: i for i, judge_id in enumerate(session.scalars(
        select(Judge.id).where(Judge.program_id == program.id).order_by(Judge.id)))}
    criteria = tuple((c.key, c.title) for c in board.rubric.criteria)
    by_app: dict[str, list[MeetingReview]] = {}
    for review in board.reviews:
        if not review.counted:
            continue
        by_app.setdefault(review.application.ref, []).append(MeetingReview(
            judge=index.get(review.judge.id, len(index)),
            scores=tuple(review.scores.get(key) for key, _ in criteria),
            comments=tuple(review.comments.get(key, "") for key, _ in criteria),
            overall_comment=review.overall_comment, total=review.total))
    decided = load_decisions(session, round_)
    versions = decision_versions(session, round_)
    groups: dict[str, list[MeetingItem]] = {TOP: [], DISAGREEMENT: [], REST: [], UNSCORED: []}
    for row in board.rows:  # ranked first, in ranking order; then the unranked by ref
        app, rank = row.application, board.rank_of(row)
        group = _group(row, rank, top)
        groups[group].append(MeetingItem(
            ref=app.ref, title=app.title, organisation=app.organisation, group=group,
            rank=rank, raw=row.stats.mean, adjusted=row.stats.adjusted,
            reviews=tuple(sorted(by_app.get(app.ref, ()), key=lambda r: r.judge)),
            conflicted=tuple(sorted(index.get(j.id, len(index)) for j in row.conflicted)),
            flags=row.flags, decision=decided.get(app.ref), version=versions.get(app.ref, 0),
            application_id=app.id,
            requested="" if app.requested is None else f"{app.requested:,.2f}"))
    return Meeting(round_id=round_.id, round_name=round_.name, basis=basis,
                   criteria=criteria, outcomes=outcomes(session, round_),
                   items=tuple(groups[TOP] + groups[DISAGREEMENT] + groups[REST]
                               + groups[UNSCORED]))
