"""Rounds: adding them, which applications they hold, blind review, and the rubric as rows.

Which applications a round holds follows one rule, applied only in
:func:`round_applications`: the **first** round holds every application of the
program (so importing never has to touch rounds), and every **later** round
holds exactly its rows in ``round_applications`` (written when the round is
added, usually by a shortlist). Applications imported after a later round was
added therefore go into the first round only.

Why rubric rows and not one JSON blob: reports and queries need criteria by key
(weights, which count), and the database keeps keys unique per rubric. Levels
stay a JSON list because they are only ever read whole. The dataclasses in
``rubric.py`` remain the one place where rubric rules are checked: reading
back builds (and so validates) a ``Rubric``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session, selectinload

from judgepanel.clock import utcnow
from judgepanel.errors import ValidationError
from judgepanel.model.rubric.comments import CommentRule
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.rubric.levels import Level
from judgepanel.model.staff import audit
from judgepanel.model.staff.schema.base import round_applications_table
from judgepanel.model.staff.schema.program import (
    Application,
    Assignment,
    CriterionRow,
    Program,
    Round,
    RubricRow,
)
from judgepanel.model.staff.schema.results import IssuedBundle
from judgepanel.model.staff.settings import forget_round_settings
from judgepanel.text import text_problem

FIRST_ROUND = 1


def is_past_due(due: dt.date, today: dt.date | None = None) -> bool:
    """Whether a due date given for a round is already over (results due "yesterday").

    The command line refuses such a date unless asked (``--allow-past-due``), and the
    app warns: it is almost always a typing slip (2025 for 2026).
    """
    return due < (today or utcnow().date())


# --- membership ------------------------------------------------------------------------


def holds_every_application(round_: Round) -> bool:
    """Whether ``round_`` is the first round, which holds every application by rule."""
    return round_.number == FIRST_ROUND


def round_applications_query(round_: Round) -> Select[Application]:
    """The module's rule as a query: the first round's program, or a later round's rows."""
    query = select(Application).where(Application.program_id == round_.program_id)
    if not holds_every_application(round_):
        table = round_applications_table
        query = query.join(table, table.c.application_id == Application.id).where(
            table.c.round_id == round_.id)
    return query


def round_applications(session: Session, round_: Round) -> list[Application]:
    """The applications ``round_`` holds, ordered by id (categories loaded).

    The first round: every application of the program. A later round: exactly
    its membership rows. Every workflow asks here, so they cannot disagree.
    """
    return list(session.scalars(round_applications_query(round_)
                                .options(selectinload(Application.categories))
                                .order_by(Application.id)))


def outside_round(session: Session, round_: Round, applications: Iterable[Application]
                  ) -> list[Application]:
    """Those of ``applications`` that ``round_`` does not hold, ordered by reference."""
    wanted = {a.id: a for a in applications}
    inside = set(session.scalars(round_applications_query(round_)
                                 .where(Application.id.in_(sorted(wanted)))
                                 .with_only_columns(Application.id)))
    return sorted((a for i, a in wanted.items() if i not in inside), key=lambda a: a.ref)


def _write_members(session: Session, round_: Round, applications: Iterable[Application]
                   ) -> list[Application]:
    """Insert membership rows for those not yet in ``round_``; returns the new ones."""
    wanted = {a.id: a for a in applications}
    foreign = sorted(a.ref for a in wanted.values() if a.program_id != round_.program_id)
    if foreign:
        raise ValidationError(f"{', '.join(foreign)} belongs to another program.",
                              path="applications")
    table = round_applications_table
    present = set(session.scalars(select(table.c.application_id).where(
        table.c.round_id == round_.id)))
    added = [wanted[i] for i in sorted(wanted) if i not in present]
    if added:
        session.execute(insert(table), [{"round_id": round_.id, "application_id": a.id}
                                        for a in added])
        session.expire(round_, ["applications"])
    return added


def add_round_applications(session: Session, round_: Round,
                           applications: Iterable[Application], actor: str) -> int:
    """Put more applications into a later round (audited); returns how many were new.

    The first round already holds every application, so it is refused there.
    """
    if holds_every_application(round_):
        raise ValidationError(
            f"“{round_.name}” is the first round: it already holds every application of "
            "the program.", path="round")
    added = _write_members(session, round_, applications)
    if added:
        audit.append(session, actor, "round.applications_added", {
            "round": round_.number, "applications": [a.ref for a in added]})
    return len(added)


def _bundled(session: Session, round_: Round) -> set[int]:
    """Application ids any bundle of ``round_`` held (replaced bundles included)."""
    held: set[int] = set()
    for contents in session.scalars(select(IssuedBundle.applications).where(
            IssuedBundle.round_id == round_.id)):
        held.update(int(app_id) for _key, app_id in contents or ())
    return held


@dataclass(frozen=True)
class RoundMember:
    """An application a round holds, and whether a bundle of the round holds it (then it
    cannot be taken out)."""

    id: int
    ref: str
    title: str
    bundled: bool


def round_members(session: Session, round_: Round) -> list[RoundMember]:
    """What ``round_`` holds, for the round editor (reference order)."""
    held = _bundled(session, round_)
    return sorted((RoundMember(a.id, a.ref, a.title, a.id in held)
                   for a in round_applications(session, round_)), key=lambda m: m.ref)


def remove_round_application(session: Session, round_: Round, application: Application,
                             actor: str) -> list[int]:
    """Take an application out of a later round, with its assignments there (audited).

    Refused for the first round (it holds every application by rule) and once a bundle
    of the round holds the application: a judge may already be reading it. Returns the
    ids of the judges it was assigned to, so the removal can be undone.
    """
    if holds_every_application(round_):
        raise ValidationError(
            f"“{round_.name}” is the first round: it holds every application of the "
            "program by rule, so none can be taken out of it. Take away its assignments "
            "instead.", path="round")
    table = round_applications_table
    member = session.scalar(select(func.count()).select_from(table).where(
        table.c.round_id == round_.id, table.c.application_id == application.id))
    if not member:
        raise ValidationError(f"{application.ref} is not part of “{round_.name}”.",
                              path="application")
    if application.id in _bundled(session, round_):
        raise ValidationError(
            f"{application.ref} cannot be taken out of “{round_.name}”: a judge's bundle of "
            "this round already holds it. Take it out before building bundles, or build "
            "the judge's bundle again without it.", path="application")
    assignments = list(session.scalars(select(Assignment).where(
        Assignment.round_id == round_.id, Assignment.application_id == application.id)
        .order_by(Assignment.judge_id)))
    judges = [a.judge_id for a in assignments]
    for row in assignments:
        session.delete(row)
    session.execute(delete(table).where(table.c.round_id == round_.id,
                                        table.c.application_id == application.id))
    session.expire(round_, ["applications"])
    session.flush()
    audit.append(session, actor, "round.application_removed", {
        "round": round_.number, "application": application.ref,
        "assignments_removed": judges})
    return judges


def delete_round(session: Session, round_: Round, actor: str) -> None:
    """Delete a later round that no bundle was built for, with what it holds (audited).

    Its membership, assignments, rubric and per-round settings go; the applications stay
    in the program. The audit entry keeps what is needed to make the round again.
    """
    if holds_every_application(round_):
        raise ValidationError(
            f"“{round_.name}” is the first round, which holds every application; it cannot "
            "be deleted.", path="round")
    built = session.scalar(select(func.count()).select_from(IssuedBundle).where(
        IssuedBundle.round_id == round_.id))
    if built:
        raise ValidationError(
            f"“{round_.name}” cannot be deleted: bundles were built for it, so judges may "
            "hold them and their results must still find their round.", path="round")
    members = [a.ref for a in round_applications(session, round_)]
    rubric = round_.rubric.name if round_.rubric is not None else None
    details: dict[str, object] = {
        "round": round_.number, "name": round_.name, "applications": members,
        "rubric": rubric, "due": round_.due_at.isoformat() if round_.due_at else None,
        "budget": None if round_.budget is None else f"{round_.budget:.2f}"}
    for row in session.scalars(select(Assignment).where(Assignment.round_id == round_.id)):
        session.delete(row)
    table = round_applications_table
    session.execute(delete(table).where(table.c.round_id == round_.id))
    program = session.get(Program, round_.program_id)
    assert program is not None
    forget_round_settings(program, round_.number)
    session.flush()
    session.delete(round_)  # its rubric goes with it (the relationship's cascade)
    session.flush()
    session.expire(program, ["rounds"])
    audit.append(session, actor, "round.deleted", details)


# --- rounds ------------------------------------------------------------------------------


def add_round(session: Session, program: Program, name: str, actor: str, *,
              due_at: dt.datetime | None = None, budget: Decimal | None = None,
              applications: Iterable[Application] | None = None) -> Round:
    """Add the next round (numbered 1, 2, ...) to the program.

    The first round holds every application and takes no ``applications``. A later
    round holds ``applications`` (a shortlist) or, when not given, every application
    of the program today, written as its membership rows.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the round a name.", path="name")
    if (problem := text_problem(name, multiline=False)) is not None:  # judgepanel/text.py
        raise ValidationError(f"The round's name {problem}. Delete that character.",
                              path="name")
    if budget is not None and budget < 0:
        raise ValidationError("A budget cannot be negative.", path="budget")
    last = session.scalar(select(func.max(Round.number)).where(Round.program_id == program.id))
    number = (last or 0) + 1
    if number == FIRST_ROUND and applications is not None:
        raise ValidationError("The first round holds every application of the program; "
                              "it cannot be limited to some.", path="applications")
    round_ = Round(program_id=program.id, number=number, name=name, due_at=due_at,
                   budget=budget, hidden_fields=[], hidden_attachment_labels=[])
    session.add(round_)
    session.flush()
    details: dict[str, object] = {"round": round_.number, "name": name}
    if not holds_every_application(round_):
        if applications is None:
            applications = session.scalars(
                select(Application).where(Application.program_id == program.id))
        details["applications"] = len(_write_members(session, round_, applications))
    audit.append(session, actor, "round.added", details)
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
        feedback_when=criterion.applicant_feedback.when,
        feedback_threshold=criterion.applicant_feedback.threshold,
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
        applicant_feedback=CommentRule(row.feedback_when,  # type: ignore[arg-type]
                                       row.feedback_threshold),
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
        overall_feedback_required=rubric.overall_feedback_required,
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
        overall_feedback_required=bool(row.overall_feedback_required),
    )


def round_by_id(session: Session, round_id: int | None) -> Round:
    """The round the screens are showing (refused plainly if it has gone)."""
    round_ = session.get(Round, round_id) if round_id is not None else None
    if round_ is None:
        raise ValidationError("This round no longer exists. Choose another round.",
                              path="round")
    return round_


def find_round(session: Session, program: Program, number: int | None) -> Round:
    """Round ``number`` of ``program``, or its latest round when None."""
    rounds = list(program.rounds)
    if not rounds:
        raise ValidationError(
            "This program has no round yet. Add a round first (`judgepanel staff init` adds "
            "the first).", path="round")
    if number is None:
        return rounds[-1]
    for round_ in rounds:
        if round_.number == number:
            return round_
    known = ", ".join(str(r.number) for r in rounds)
    raise ValidationError(f"There is no round {number} (rounds: {known}).", path="round")
