"""The panel's decisions: an outcome from the program's list for each application of a round.

A decision names an outcome (``settings.DECISION_OUTCOMES``: winner, finalist,
honourable mention, not selected by default; funded, not funded when the round has a
budget), a reason (required: the Decisions report prints it), who decided (the
workspace's actor) and when. It is versioned like an award (``storage.versions``): a
change made from an older view is refused with the new value. Every change is in the
audit log (``decision.set``, ``decision.cleared``) with what it replaced, which is
what :func:`undo_decision` puts back.

In a grants program (one whose outcomes include an ``award`` outcome) the decision
owns the award (``awards.set_award``, the one home of an amount): an award outcome
sets it (the amount given, else the award already set, else the amount requested),
any other outcome sets it to 0 (passed over), and clearing the decision clears the
award (the funding line decides again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from judgepanel.clock import utcnow
from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.decide.awards import set_award
from judgepanel.model.staff.prepare.rounds import holds_every_application
from judgepanel.model.staff.schema.decisions import PanelDecision
from judgepanel.model.staff.schema.program import Application, Category, Program, Round
from judgepanel.model.staff.settings import (
    DECISION_OUTCOMES,
    GRANT_OUTCOMES,
    RECOGNITION_OUTCOMES,
    Outcome,
    setting_value,
)
from judgepanel.model.storage.versions import claim, stale
from judgepanel.text import text_problem

SET_ACTION = "decision.set"
CLEAR_ACTION = "decision.cleared"
MAX_REASON = 4000


@dataclass(frozen=True)
class DecisionInfo:
    """A decision as screens, reports and exports read it (plain data)."""

    ref: str
    title: str
    outcome: str
    reason: str
    decided_by: str
    decided_at: dt.datetime | None
    version: int
    selected: bool
    award: Decimal | None  # the application's award (grants), else None


def is_grants(session: Session, round_: Round) -> bool:
    """Whether the round hands out money: it, or a category of its program, has a budget."""
    if round_.budget is not None:
        return True
    return session.scalar(select(Category.id).where(
        Category.program_id == round_.program_id, Category.budget.is_not(None))) is not None


def outcomes(session: Session, round_: Round) -> tuple[Outcome, ...]:
    """The program's outcome list, best first (its setting, else the defaults for its kind)."""
    program = session.get(Program, round_.program_id)
    assert program is not None
    chosen = setting_value(program, DECISION_OUTCOMES)
    if chosen is not None:
        return chosen
    return GRANT_OUTCOMES if is_grants(session, round_) else RECOGNITION_OUTCOMES


def find_outcome(choices: tuple[Outcome, ...], name: str) -> Outcome:
    """The outcome called ``name`` (case and spacing ignored), or a refusal listing them."""
    wanted = " ".join(name.split()).casefold()
    for outcome in choices:
        if outcome.name.casefold() == wanted:
            return outcome
    raise ValidationError(
        f"“{name}” is not one of this program's outcomes. Choose one of: "
        f"{', '.join(o.name for o in choices)}.", path="outcome")


def _row(session: Session, round_: Round, application: Application) -> PanelDecision | None:
    return session.scalar(select(PanelDecision).where(PanelDecision.round_id == round_.id,
                                                 PanelDecision.application_id == application.id))


def _describe(row: PanelDecision | None) -> str:
    if row is None or row.outcome is None:
        return "it now has no decision"
    return f"it is now “{row.outcome}” ({row.reason})"


def _state(row: PanelDecision | None, application: Application) -> dict[str, Any] | None:
    if row is None or row.outcome is None:
        return None
    award = application.awarded_amount
    return {"outcome": row.outcome, "reason": row.reason,
            "amount": None if award is None else f"{award:.2f}"}


def _claim(session: Session, round_: Round, application: Application,
           expected_version: int | None, actor: str) -> PanelDecision | None:
    """The decision row, locked and checked against the version the officer saw (0: none)."""
    row = _row(session, round_, application)
    what = f"the decision on {application.ref}"
    if row is None:
        if expected_version not in (None, 0):
            raise stale(what, "it now has no decision", version=0,
                        detail=f"edit made from version {expected_version}, no row")
        return None
    if expected_version == 0:
        expected_version = -1  # the officer saw no decision; someone has made one since
    return claim(session, row, expected_version, actor, what=what, now=_describe)


def _check_reason(reason: str) -> str:
    cleaned = (reason or "").strip()
    if not cleaned:
        raise ValidationError("Give the reason for the decision: the Decisions report "
                              "prints it beside the scores.", path="reason")
    problem = text_problem(cleaned, multiline=True)
    if problem is not None or len(cleaned) > MAX_REASON:
        raise ValidationError(f"The reason cannot be kept: "
                              f"{problem or f'it is longer than {MAX_REASON} characters'}.",
                              path="reason")
    return cleaned


def _in_round(round_: Round, application: Application) -> None:
    if not holds_every_application(round_) and application not in round_.applications:
        raise ValidationError(f"{application.ref} is not in “{round_.name}”: decide on it "
                              "in a round that holds it.", path="application")


def _save(session: Session, round_: Round, application: Application,
          row: PanelDecision | None, actor: str, outcome: str, reason: str) -> PanelDecision:
    """Write the decision: a new row at version 1, or the next version of the old one."""
    if row is not None:
        row.outcome, row.reason, row.decided_by, row.decided_at = (
            outcome, reason, actor, utcnow())
        session.flush()
        return row
    row = PanelDecision(round_id=round_.id, application_id=application.id, outcome=outcome,
                        reason=reason, decided_by=actor, decided_at=utcnow(),
                        changed_by=actor)
    try:
        with session.begin_nested():  # (it flushes first: add the row inside it)
            session.add(row)
            session.flush()
    except IntegrityError:  # another officer made the first decision meanwhile
        raise stale(f"the decision on {application.ref}", "it now has a decision",
                    detail="decision row created concurrently") from None
    return row


def set_decision(session: Session, round_: Round, application: Application, outcome: str,
                 reason: str, actor: str, *, amount: Decimal | int | None = None,
                 expected_version: int | None = None) -> PanelDecision:
    """Record the panel's decision on ``application`` in ``round_`` (audited).

    ``expected_version``: the decision's version the officer's screen showed (0: it
    showed none; None: no view to be stale). ``amount`` only with an award outcome.
    """
    choices = outcomes(session, round_)
    chosen = find_outcome(choices, outcome)
    cleaned = _check_reason(reason)
    if amount is not None and not chosen.award:
        raise ValidationError(f"An amount goes only with an outcome that funds (“{chosen.name}” "
                              "does not).", path="amount")
    _in_round(round_, application)
    row = _claim(session, round_, application, expected_version, actor)
    previous = _state(row, application)
    if any(o.award for o in choices):
        if chosen.award:
            award = (amount if amount is not None
                     else application.awarded_amount or application.requested_amount)
        else:  # passed over; an application that asked for nothing has nothing to pass
            award = None if application.requested_amount is None else Decimal(0)
        if chosen.award and award is None:
            raise ValidationError(f"{application.ref} has no requested amount: give the "
                                  "award with --amount.", path="amount")
        if award != application.awarded_amount:
            set_award(session, application, award, actor, note=f"decision: {chosen.name}")
    row = _save(session, round_, application, row, actor, chosen.name, cleaned)
    kept = application.awarded_amount if any(o.award for o in choices) else None
    audit.append(session, actor, SET_ACTION, {
        "round": round_.number, "application": application.ref, "outcome": chosen.name,
        "reason": cleaned, "amount": None if kept is None else f"{kept:.2f}",
        "previous": previous})
    return row


def clear_decision(session: Session, round_: Round, application: Application, actor: str, *,
                   expected_version: int | None = None) -> PanelDecision | None:
    """Take the decision back (audited); in a grants program the award is cleared too."""
    row = _claim(session, round_, application, expected_version, actor)
    if row is None or row.outcome is None:
        raise ValidationError(f"{application.ref} has no decision in “{round_.name}” to "
                              "clear.", path="application")
    previous = _state(row, application)
    if any(o.award for o in outcomes(session, round_)) \
            and application.awarded_amount is not None:
        set_award(session, application, None, actor, note="decision cleared")
    row.outcome, row.reason, row.decided_by, row.decided_at = None, "", actor, utcnow()
    session.flush()
    audit.append(session, actor, CLEAR_ACTION, {
        "round": round_.number, "application": application.ref, "previous": previous})
    return row


def undo_decision(session: Session, round_: Round, application: Application, actor: str, *,
                  expected_version: int | None = None) -> PanelDecision | None:
    """Put back what the last change to this decision replaced (a decision, or none)."""
    last = None
    for event in audit.events(session, "decision."):
        details = event.details or {}
        if details.get("round") == round_.number \
                and details.get("application") == application.ref:
            last = details
    if last is None:
        raise ValidationError(f"{application.ref} has no decision in “{round_.name}” to "
                              "undo.", path="application")
    before = last.get("previous")
    if before is None:
        return clear_decision(session, round_, application, actor,
                              expected_version=expected_version)
    amount = before.get("amount")
    chosen = find_outcome(outcomes(session, round_), before["outcome"])
    return set_decision(session, round_, application, before["outcome"], before["reason"],
                        actor, amount=Decimal(amount) if amount and chosen.award else None,
                        expected_version=expected_version)


def decision_versions(session: Session, round_: Round) -> dict[str, int]:
    """Each application's decision version in the round, by ref (0: no row yet)."""
    rows = session.execute(select(Application.ref, PanelDecision.version).join(
        PanelDecision, PanelDecision.application_id == Application.id).where(
        PanelDecision.round_id == round_.id))
    return {ref: version for ref, version in rows}


def load_decisions(session: Session, round_: Round) -> Mapping[str, DecisionInfo]:
    """The round's decisions by application ref (cleared ones left out), ref order."""
    choices = {o.name: o for o in outcomes(session, round_)}
    grants = any(o.award for o in choices.values())
    rows = session.execute(select(PanelDecision, Application).join(
        Application, PanelDecision.application_id == Application.id).where(
        PanelDecision.round_id == round_.id, PanelDecision.outcome.is_not(None)).order_by(
        Application.ref))
    found: dict[str, DecisionInfo] = {}
    for row, app in rows:
        assert row.outcome is not None
        outcome = choices.get(row.outcome)
        found[app.ref] = DecisionInfo(
            ref=app.ref, title=app.title, outcome=row.outcome, reason=row.reason,
            decided_by=row.decided_by or "",
            decided_at=row.decided_at,
            version=row.version, selected=bool(outcome and outcome.selected),
            award=app.awarded_amount if grants else None)
    return found


@dataclass(frozen=True)
class Departure:
    """A decision that puts an application above better-ranked ones.

    ``ref`` got a better outcome (earlier in the program's list) than every application
    in ``over``, though each of those ranks above it: (ref, rank, outcome) each.
    """

    ref: str
    rank: int
    outcome: str
    over: tuple[tuple[str, int, str], ...]


def departures(ranks: Mapping[str, int], decided: Mapping[str, str],
               choices: tuple[Outcome, ...]) -> list[Departure]:
    """Every decided application placed above a better-ranked decided one, best rank first.

    ``ranks``: rank by ref (the unranked are left out); ``decided``: outcome name by
    ref. An outcome no longer in the list counts as the last.
    """
    place = {o.name: i for i, o in enumerate(choices)}
    last = len(choices)
    ranked = sorted(((ranks[ref], place.get(outcome, last), ref)
                     for ref, outcome in decided.items() if ref in ranks))
    found = []
    for rank, level, ref in ranked:
        over = tuple((other, other_rank, decided[other])
                     for other_rank, other_level, other in ranked
                     if other_rank < rank and other_level > level)
        if over:
            found.append(Departure(ref, rank, decided[ref], over))
    return sorted(found, key=lambda d: (d.rank, d.ref))
