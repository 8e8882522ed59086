"""Undo for the edits a person expects to take back.

Assignment cells, dismissed conflicts, a judge's details, withdrawing a judge,
staff's awards on the funding line, a shortlist (undone by deleting the round it
made, while no bundle was built for it) and taking an application out of a round.

Each edit is done first (in the background); only when the workspace accepted
it is a command pushed, whose first ``redo`` is then a no-op. So a refused
edit never sits on the undo stack. Undo and redo call the same model
functions as the edit (each leaves its own audit entry: the log records the
change and its reversal, it is never rewritten).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtGui import QUndoCommand
from sqlalchemy.orm import Session

from judgepanel.errors import JudgePanelError, ValidationError
from judgepanel.model.staff.decide import awards
from judgepanel.model.staff.prepare import conflicts as conflict_rules
from judgepanel.model.staff.prepare import judges as judge_rules
from judgepanel.model.staff.prepare.assignments import add_assignment, remove_assignment
from judgepanel.model.staff.prepare.rounds import (
    add_round_applications,
    delete_round,
    find_round,
    remove_round_application,
)
from judgepanel.model.staff.schema import Application, Conflict, Judge, Program, Round
from judgepanel.ui.staff.context import (
    ASSIGNMENTS,
    AWARDS,
    CONFLICTS,
    JUDGES,
    PROGRAM,
    StaffContext,
)

Change = Callable[[Session], Any]


@dataclass(frozen=True)
class JudgeDetails:
    """What staff know about a judge beyond the card (screening uses all of it)."""

    email: str
    organisation: str
    city: str
    affiliations: tuple[str, ...]


class _Reversible(QUndoCommand):
    """``after_redo``/``after_undo`` get the change's result on the GUI thread, before
    the topic is announced (a shortlist's undo chooses another round first)."""

    def __init__(self, ctx: StaffContext, text: str, do: Change, undo: Change,
                 topic: str, *, after_redo: Callable[[Any], None] | None = None,
                 after_undo: Callable[[Any], None] | None = None) -> None:
        super().__init__(text)
        self.ctx = ctx
        self._do, self._undo, self.topic = do, undo, topic
        self._after_redo = after_redo or (lambda _r: None)
        self._after_undo = after_undo or (lambda _r: None)
        self._first = True

    def redo(self) -> None:
        if self._first:  # already done before the push
            self._first = False
            return
        self.ctx.write(self._do, self._after_redo, topic=self.topic)

    def undo(self) -> None:
        self.ctx.write(self._undo, self._after_undo, topic=self.topic)


def _pair(session: Session, round_id: int, judge_id: int,
          application_id: int) -> tuple[Round, Judge, Application]:
    round_, judge = session.get(Round, round_id), session.get(Judge, judge_id)
    application = session.get(Application, application_id)
    assert round_ is not None and judge is not None and application is not None
    return round_, judge, application


def set_assigned(ctx: StaffContext, round_id: int, judge_id: int, application_id: int,
                 assigned: bool, text: str) -> None:
    """Assign (or unassign) one pair; on success the change goes on the undo stack."""
    actor = ctx.workspace.actor

    def add(session: Session) -> None:
        add_assignment(session, *_pair(session, round_id, judge_id, application_id), actor)

    def remove(session: Session) -> None:
        remove_assignment(session, *_pair(session, round_id, judge_id, application_id), actor)

    do, undo = (add, remove) if assigned else (remove, add)
    ctx.write(do, lambda _r: ctx.undo_stack.push(
        _Reversible(ctx, text, do, undo, ASSIGNMENTS)), topic=ASSIGNMENTS)


def dismiss_conflicts(ctx: StaffContext, conflict_ids: list[int], note: str, text: str) -> None:
    """Dismiss findings with a reason; undo puts them back to open."""
    actor = ctx.workspace.actor

    def do(session: Session) -> None:
        for cid in conflict_ids:
            conflict = session.get(Conflict, cid)
            assert conflict is not None
            conflict_rules.dismiss(session, conflict, actor, note)

    def undo(session: Session) -> None:
        for cid in conflict_ids:
            conflict = session.get(Conflict, cid)
            assert conflict is not None
            conflict_rules.reopen(session, conflict, actor, "dismissal undone")

    ctx.write(do, lambda _r: ctx.undo_stack.push(
        _Reversible(ctx, text, do, undo, CONFLICTS)), topic=CONFLICTS)


def _judge(session: Session, judge_id: int) -> Judge:
    judge = session.get(Judge, judge_id)
    assert judge is not None
    return judge


def set_judge_details(ctx: StaffContext, judge_id: int, before: JudgeDetails,
                      after: JudgeDetails, text: str) -> None:
    """Change what staff know about a judge; undo puts the previous details back."""
    actor = ctx.workspace.actor

    def apply(details: JudgeDetails) -> Change:
        def change(session: Session) -> None:
            judge = _judge(session, judge_id)
            judge_rules.set_profile(session, judge, actor, email=details.email,
                                    organisation=details.organisation, city=details.city)
            judge_rules.set_affiliations(session, judge, details.affiliations, actor)
        return change

    do, undo = apply(after), apply(before)
    ctx.write(do, lambda _r: ctx.undo_stack.push(_Reversible(ctx, text, do, undo, JUDGES)),
              topic=JUDGES)


def set_judge_active(ctx: StaffContext, judge_id: int, active: bool, text: str) -> None:
    """Withdraw a judge (or bring them back); undo does the opposite."""
    actor = ctx.workspace.actor

    def apply(value: bool) -> Change:
        def change(session: Session) -> None:
            judge_rules.set_active(session, _judge(session, judge_id), value, actor)
        return change

    do, undo = apply(active), apply(not active)
    ctx.write(do, lambda _r: ctx.undo_stack.push(_Reversible(ctx, text, do, undo, JUDGES)),
              topic=JUDGES)


def change_award(ctx: StaffContext, application_id: int, before: Decimal | None,
                 after: Decimal | None, note: str, text: str, *,
                 on_error: Callable[[JudgePanelError], None] | None = None) -> None:
    """Set (or clear) staff's award for an application; undo puts the previous one back."""
    actor = ctx.workspace.actor

    def apply(amount: Decimal | None, why: str) -> Change:
        def change(session: Session) -> None:
            application = session.get(Application, application_id)
            assert application is not None
            awards.set_award(session, application, amount, actor, note=why)
        return change

    do, undo = apply(after, note), apply(before, "award change undone")
    ctx.write(do, lambda _r: ctx.undo_stack.push(_Reversible(ctx, text, do, undo, AWARDS)),
              topic=AWARDS, on_error=on_error)


@dataclass(frozen=True)
class ShortlistRule:
    """Everything ``shortlist_into_new_round`` needs, kept so redo can make the round again."""

    source_round_id: int
    name: str
    top: int | None
    threshold: float | None
    basis: str
    category: str | None  # a category key, when shortlisting within one
    per_category: bool
    exclude: tuple[str, ...]


def shortlist_round(ctx: StaffContext, rule: ShortlistRule, text: str,
                    on_done: Callable[[int, tuple[str, ...]], None], *,
                    parent: Any = None) -> None:
    """Make the next round from a shortlist and show it; undo deletes that round (refused
    once bundles were built for it), redo makes it again."""
    from judgepanel.model.staff.decide.shortlist import shortlist_into_new_round

    actor = ctx.workspace.actor
    made: dict[str, int] = {}

    def do(session: Session) -> tuple[int, int, tuple[str, ...]]:
        source = session.get(Round, rule.source_round_id)
        if source is None:
            raise ValidationError("The round this shortlist was taken from no longer "
                                  "exists.", path="round")
        outcome = shortlist_into_new_round(
            session, source, rule.name, actor, top=rule.top, threshold=rule.threshold,
            basis=rule.basis,  # type: ignore[arg-type]
            category=rule.category, per_category=rule.per_category, exclude=rule.exclude)
        made["number"] = outcome.round.number
        return outcome.round.id, len(outcome.plan.selected), outcome.plan.warnings

    def undo(session: Session) -> int:
        program = session.get(Program, ctx.workspace.program_id)
        assert program is not None
        delete_round(session, find_round(session, program, made["number"]), actor)
        return rule.source_round_id

    def shown(result: tuple[int, int, tuple[str, ...]]) -> None:
        ctx.set_round(result[0])

    def first(result: tuple[int, int, tuple[str, ...]]) -> None:
        shown(result)
        ctx.undo_stack.push(_Reversible(ctx, text, do, undo, PROGRAM, after_redo=shown,
                                        after_undo=ctx.set_round))
        on_done(result[1], result[2])

    ctx.write(do, first, topic=PROGRAM, parent=parent,
              label=ctx.tr("Creating the next round…"))


def take_out_of_round(ctx: StaffContext, round_id: int, application_id: int, text: str,
                      on_done: Callable[[], None] | None = None) -> None:
    """Take an application out of a later round (with its assignments there); undo puts
    it back with the same assignments."""
    actor = ctx.workspace.actor
    judges: list[int] = []

    def do(session: Session) -> None:
        round_ = session.get(Round, round_id)
        application = session.get(Application, application_id)
        assert round_ is not None and application is not None
        judges[:] = remove_round_application(session, round_, application, actor)

    def undo(session: Session) -> None:
        round_ = session.get(Round, round_id)
        application = session.get(Application, application_id)
        assert round_ is not None and application is not None
        add_round_applications(session, round_, [application], actor)
        for judge_id in judges:
            judge = session.get(Judge, judge_id)
            assert judge is not None
            add_assignment(session, round_, judge, application, actor)

    def first(_result: None) -> None:
        ctx.undo_stack.push(_Reversible(ctx, text, do, undo, ASSIGNMENTS))
        if on_done is not None:
            on_done()

    ctx.write(do, first, topic=ASSIGNMENTS)
