"""Shortlisting: the best applications of a round go through to a new round.

Staff first look at a ``plan_shortlist`` (nothing is written), then create the
round with ``shortlist_into_new_round``. The selection follows
``ranking.shortlist``: ``top=N`` takes every application ranked N or better,
so a tie across the cut-off takes all the tied ones and names them in
``ties_at_cutoff``; staff settle such a tie by passing ``exclude``, which
drops applications from the selection (it does not pull in the next one; raise
N for that).
``threshold=T`` keeps applications whose shown score (raw mean, adjusted score,
or the 0..100 z display) is at least T. With ``per_category`` the rule applies in
each category separately and the union goes through (an application selected
in two categories goes once).

The plan lists every application the rule picks (``entries``, in ranking order) with
its rank, score and whether it is tied at the cut-off or excluded, so staff see the
shortlist, and settle a tie, before any round is made. A shortlist is undone by
deleting the round it made (``rounds.delete_round``), allowed until bundles are built.

The new round gets a copy of the source round's rubric unless another is
given, and the same blind-review choice. Category membership is program-wide
(an application keeps its categories in every round), so the shortlisted
applications stay in their categories with nothing to copy. The new round holds
exactly the selected applications (its ``round_applications`` rows, see
``rounds.round_applications``), and the whole step is one audit entry on top of
those for the round and rubric.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.scoring.ranking import DEFAULT_BASIS, Basis, shortlist
from judgepanel.model.staff import audit
from judgepanel.model.staff.decide.leaderboard import Leaderboard, compute, compute_all
from judgepanel.model.staff.prepare.rounds import (
    add_round,
    rubric_for_round,
    save_rubric,
    set_blind_review,
)
from judgepanel.model.staff.schema.program import Application, Category, Program, Round


@dataclass(frozen=True)
class ShortlistEntry:
    """One application the rule picks, as the preview shows it."""

    ref: str
    title: str
    rank: int
    score: float
    tied: bool  # tied at the cut-off: it goes through only because of the tie
    excluded: bool  # staff left it out


@dataclass(frozen=True)
class ShortlistPlan:
    """Who would go through, and what staff should know before deciding."""

    source_round: int  # number
    basis: Basis
    top: int | None
    threshold: float | None
    category: str | None  # a single category's key, when shortlisting within one
    per_category: bool
    selected: tuple[str, ...]  # application refs, in ranking order (category by category)
    by_category: Mapping[str, tuple[str, ...]]  # category key -> selected (per_category only)
    ties_at_cutoff: tuple[str, ...]
    excluded: tuple[str, ...]
    warnings: tuple[str, ...]
    entries: tuple[ShortlistEntry, ...] = ()


@dataclass(frozen=True)
class ShortlistOutcome:
    round: Round  # the new round
    plan: ShortlistPlan


def _warnings(board: Leaderboard) -> list[str]:
    out = []
    missing = sum(len(r.missing) for r in board.rows)
    if missing:
        out.append(f"{missing} assigned review{'s are' if missing != 1 else ' is'} still "
                   "missing; the ranking may change when they arrive.")
    if board.open_conflicts:
        n = len(board.open_conflicts)
        out.append(f"{n} counted review{'s have' if n != 1 else ' has'} an undecided conflict "
                   "of interest. Confirm or dismiss it first.")
    unranked = len(board.ranking.unranked)
    if unranked:
        out.append(f"{unranked} application{'s have' if unranked != 1 else ' has'} no score "
                   f"on this basis and cannot be shortlisted.")
    return out


def plan_shortlist(session: Session, round_: Round, *, top: int | None = None,
                   threshold: float | None = None, basis: Basis = DEFAULT_BASIS,
                   category: Category | str | None = None, per_category: bool = False,
                   exclude: Collection[str] = ()) -> ShortlistPlan:
    """Work out a shortlist of ``round_`` without changing anything."""
    if per_category and category is not None:
        raise ValidationError("Shortlist either within one category or in every category, "
                              "not both.", path="category")
    if per_category:
        boards = compute_all(session, round_, basis=basis)
        lists = list(boards.by_category.values())
        overall = boards.overall
    else:
        overall = compute(session, round_, category=category, basis=basis)
        lists = [overall]
    known = {r.application.ref for r in overall.rows}
    unknown = sorted(set(exclude) - known)
    if unknown:
        raise ValidationError(f"{', '.join(unknown)} is not an application of this round.",
                              path="exclude")
    selected: list[str] = []
    ties: list[str] = []
    by_category: dict[str, tuple[str, ...]] = {}
    warnings: list[str] = _warnings(overall)
    titles = {r.application.ref: r.application.title for r in overall.rows}
    entries: dict[str, ShortlistEntry] = {}
    for board in lists:
        chosen = shortlist(board.ranking, top=top, threshold=threshold)
        picked = tuple(ref for ref in chosen.selected if ref not in exclude)
        if per_category and board.category is not None:
            by_category[board.category.key] = picked
        selected.extend(ref for ref in picked if ref not in selected)
        ties.extend(ref for ref in chosen.ties_at_cutoff if ref not in ties)
        for ref in chosen.selected:
            row = board.ranking.row(ref)
            if ref not in entries and row is not None:
                entries[ref] = ShortlistEntry(ref, titles.get(ref, ""), row.rank, row.score,
                                              ref in chosen.ties_at_cutoff, ref in exclude)
    if ties:
        where = "" if not per_category else " (in at least one category)"
        warnings.append(f"A tie at the cut-off{where} takes {len(ties)} applications "
                        f"through: {', '.join(ties)}. Exclude some to keep to the number.")
    return ShortlistPlan(
        source_round=round_.number, basis=basis, top=top, threshold=threshold,
        category=overall.category.key if overall.category else None,
        per_category=per_category, selected=tuple(selected), by_category=by_category,
        ties_at_cutoff=tuple(ties), excluded=tuple(sorted(set(exclude))),
        warnings=tuple(warnings), entries=tuple(entries.values()))


def shortlist_into_new_round(
    session: Session, round_: Round, name: str, actor: str, *,
    top: int | None = None, threshold: float | None = None, basis: Basis = DEFAULT_BASIS,
    category: Category | str | None = None, per_category: bool = False,
    exclude: Collection[str] = (), rubric: Rubric | None = None,
    due_at: dt.datetime | None = None, budget: Decimal | None = None,
) -> ShortlistOutcome:
    """Create the next round holding the shortlist of ``round_`` (see the module docstring)."""
    plan = plan_shortlist(session, round_, top=top, threshold=threshold, basis=basis,
                          category=category, per_category=per_category, exclude=exclude)
    if not plan.selected:
        raise ValidationError(
            "No application meets this rule, so there is nothing to shortlist. Lower the "
            "minimum score, or wait until reviews have been merged.", path="shortlist")
    program = session.get(Program, round_.program_id)
    assert program is not None
    new_rubric = rubric if rubric is not None else rubric_for_round(session, round_)
    by_ref = {a.ref: a for a in session.scalars(select(Application).where(
        Application.program_id == program.id, Application.ref.in_(plan.selected)))}
    new_round = add_round(session, program, name, actor, due_at=due_at, budget=budget,
                          applications=[by_ref[ref] for ref in plan.selected])
    save_rubric(session, new_round, new_rubric, actor)
    if round_.is_blind:
        set_blind_review(session, new_round, actor, hidden_fields=round_.hidden_fields,
                         hidden_attachment_labels=round_.hidden_attachment_labels)
    audit.append(session, actor, "round.shortlisted", {
        "from_round": round_.number, "round": new_round.number, "basis": basis,
        "top": top, "threshold": threshold, "category": plan.category,
        "per_category": per_category, "selected": list(plan.selected),
        "ties_at_cutoff": list(plan.ties_at_cutoff), "excluded": list(plan.excluded),
        "rubric": new_rubric.name, "rubric_copied": rubric is None})
    return ShortlistOutcome(new_round, plan)
