"""Rounds: adding them, their blind-review choice, and their rubric stored as rows.

Why rubric rows and not one JSON blob: reports and queries need criteria by key
(weights, which count), and the database keeps keys unique per rubric. Levels
stay a JSON list because they are only ever read whole. The dataclasses in
``rubric.py`` remain the one place where rubric rules are checked: reading
back builds (and so validates) a ``Rubric``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from judgepanel.errors import ValidationError
from judgepanel.model import audit
from judgepanel.model.entities import CriterionRow, IssuedBundle, Program, Round, RubricRow
from judgepanel.model.rubric import CommentRule, Criterion, Level, Rubric


def add_round(session: Session, program: Program, name: str, actor: str, *,
              due_at: dt.datetime | None = None, budget: Decimal | None = None) -> Round:
    """Add the next round (numbered 1, 2, ...) to the program."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the round a name.", path="name")
    if budget is not None and budget < 0:
        raise ValidationError("A budget cannot be negative.", path="budget")
    last = session.scalar(select(func.max(Round.number)).where(Round.program_id == program.id))
    round_ = Round(program_id=program.id, number=(last or 0) + 1, name=name, due_at=due_at,
                   budget=budget, hidden_fields=[], hidden_attachment_labels=[])
    session.add(round_)
    session.flush()
    audit.append(session, actor, "round.added", {"round": round_.number, "name": name})
    return round_


def set_blind_review(session: Session, round_: Round, actor: str, *,
                     hidden_fields: Iterable[str] = (),
                     hidden_attachment_labels: Iterable[str] = ()) -> None:
    """Choose the application fields and attachment labels judges in this round never see.

    Bundles already issued keep what they had; the choice applies to new bundles.
    """
    round_.hidden_fields = sorted({f.strip() for f in hidden_fields if f.strip()})
    round_.hidden_attachment_labels = sorted(
        {label.strip() for label in hidden_attachment_labels if label.strip()})
    session.flush()
    audit.append(session, actor, "round.blind_review", {
        "round": round_.number, "hidden_fields": round_.hidden_fields,
        "hidden_attachment_labels": round_.hidden_attachment_labels})


def _row(position: int, criterion: Criterion) -> CriterionRow:
    return CriterionRow(
        position=position,
        key=criterion.key,
        title=criterion.title,
        guidance=criterion.guidance,
        weight=float(criterion.weight),
        scale_min=float(criterion.min),
        scale_max=float(criterion.max),
        step=float(criterion.step),
        levels=[{"score": lv.score, "descriptor": lv.descriptor} for lv in criterion.levels],
        counts=criterion.counts,
        comment_when=criterion.comment.when,
        comment_threshold=criterion.comment.threshold,
    )


def _criterion(row: CriterionRow) -> Criterion:
    return Criterion(
        key=row.key,
        title=row.title,
        guidance=row.guidance,
        weight=row.weight,
        min=row.scale_min,
        max=row.scale_max,
        step=row.step,
        levels=tuple(Level(lv["score"], lv["descriptor"]) for lv in row.levels or ()),
        counts=row.counts,
        comment=CommentRule(row.comment_when, row.comment_threshold),  # type: ignore[arg-type]
    )


def save_rubric(session: Session, round_: Round, rubric: Rubric, actor: str) -> RubricRow:
    """Set (or replace) the round's rubric; refused once bundles have gone out.

    Results are checked against the rubric the judge received, so changing it
    after bundles were issued would make every returned file fail the check.
    """
    issued = session.scalar(
        select(func.count())
        .select_from(IssuedBundle)
        .where(IssuedBundle.round_id == round_.id, IssuedBundle.superseded.is_(False))
    )
    if issued:
        raise ValidationError(
            f"The rubric of “{round_.name}” cannot be changed: bundles for this round have "
            "already been sent to judges. Start a new round to use a different rubric.",
            path="rubric",
        )
    if round_.rubric is not None:
        session.delete(round_.rubric)
        session.flush()
    row = RubricRow(
        round_id=round_.id,
        name=rubric.name,
        tie_break=rubric.tie_break,
        criteria=[_row(i, c) for i, c in enumerate(rubric.criteria)],
    )
    session.add(row)
    session.flush()
    session.refresh(round_, ["rubric"])
    audit.append(
        session,
        actor,
        "rubric.saved",
        {"round": round_.number, "rubric": rubric.name, "criteria": list(rubric.keys)},
    )
    return row


def rubric_for_round(session: Session, round_: Round) -> Rubric:
    """The round's rubric as the validated dataclass."""
    row = session.scalars(select(RubricRow).where(RubricRow.round_id == round_.id)).first()
    if row is None:
        raise ValidationError(
            f"“{round_.name}” has no rubric yet. Load a rubric for this round first.",
            path="rubric",
        )
    return Rubric(
        name=row.name,
        criteria=tuple(_criterion(c) for c in row.criteria),
        tie_break=row.tie_break,
    )
