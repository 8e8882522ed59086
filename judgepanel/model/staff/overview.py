"""What the staff app's overview shows: the program, its rounds and a count of each step.

Plain frozen data read in one session (on a worker thread) for the GUI thread to keep.
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
from judgepanel.model.staff.schema import (
    Application,
    Assignment,
    IssuedBundle,
    Judge,
    Program,
    ReceivedResults,
    Round,
    RubricRow,
)


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


@dataclass(frozen=True)
class Overview:
    program: str
    description: str
    currency: str
    staff_key: bool
    rounds: tuple[RoundInfo, ...]
    categories: tuple[tuple[str, str], ...]  # (key, name)
    counts: dict[str, int]


def rounds_of(session: Session, program: Program) -> tuple[RoundInfo, ...]:
    return tuple(RoundInfo(r.id, r.number, r.name, r.due_at, r.budget) for r in program.rounds)


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def load_overview(session: Session, program: Program, round_id: int | None) -> Overview:
    rounds = rounds_of(session, program)
    rid = round_id if round_id is not None else (rounds[-1].id if rounds else None)
    counts = {
        "applications": _count(session, select(Application.id).where(
            Application.program_id == program.id)),
        "judges": _count(session, select(Judge.id).where(Judge.program_id == program.id)),
        "open_conflicts": len(list_conflicts(session, program, status="open")),
        "assignments": _count(session, select(Assignment.id).where(Assignment.round_id == rid)),
        "bundles": _count(session, select(IssuedBundle.id).where(
            IssuedBundle.round_id == rid, IssuedBundle.superseded.is_(False))),
        "results": _count(session, select(ReceivedResults.id).join(IssuedBundle).where(
            IssuedBundle.round_id == rid, ReceivedResults.status == "accepted")),
    }
    return Overview(program.name, program.description, program.currency,
                    bool(program.staff_age_recipient), rounds,
                    tuple((c.key, c.name) for c in program.categories), counts)


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
