"""Undo for the edits a person expects to take back.

Assignment cells, dismissed conflicts, a judge's details, withdrawing a judge,
staff's awards on the funding line, the panel's decisions, a shortlist (undone by
deleting the round it made, while no bundle was built for it) and taking an
application out of a round.

Each edit is done first (in the background); only when the workspace accepted
it is a command pushed, whose first ``redo`` is then a no-op. So a refused
edit never sits on the undo stack. Undo and redo call the same model
functions as the edit (each leaves its own audit entry: the log records the
change and its reversal, it is never rewritten).

In a shared program, undo never overwrites another officer's later edit: each step
carries the version its row had after the step before (or, for an assignment cell,
whether it was assigned), and the model refuses a stale one with the new value
(``storage.versions``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtGui import QUndoCommand
from sqlalchemy.orm import Session

from judgepanel.errors import JudgePanelError, ValidationError
from judgepanel.model.staff.decide import awards
from judgepanel.model.staff.decide.decisions import clear_decision, set_decision
from judgepanel.model.staff.prepare import conflicts as conflict_rules
from judgepanel.model.staff.prepare import judges as judge_rules
from judgepanel.model.staff.prepare.assignments import add_assignment, remove_assignment
from judgepanel.model.staff.prepare.rounds import (
    add_round_applications,
    delete_round,
    find_round,
    remove_round_application,
)
from judgepanel.model.staff.schema.program import Application, Conflict, Judge, Program, Round
from judgepanel.ui.staff.context import (
    ASSIGNMENTS,
    AWARDS,
    CONFLICTS,
    DECISIONS,
    JUDGES,
    PROGRAM,
    StaffContext,
)

Change = Callable[[Session], Any]
# A step given the version(s) it was made from, returning the version(s) after it.
Step = Callable[[Session, Any], Any]


@dataclass(frozen=True)
class JudgeDetails:
    """What staff know about a judge beyond the card (screening uses all of it)."""

    email: str
    organisation: str
    city: str
    affiliations: tuple[str, ...]


class _Reversible(QUndoCommand):
    """Steps (``Step``) are given the result of the step before and return their own: for
    a versioned edit, the row's version(s) the next step must find (in a shared program,
    undo never overwrites another officer's later edit). ``after_redo``/``after_undo``
    get the result on the GUI thread, before the topic is announced (a shortlist's undo
    chooses another round first)."""

    def __init__(self, ctx: StaffContext, text: str, do: Step, undo: Step,
                 topic: str, *, version: Any = None,
                 after_redo: Callable[[Any], None] | None = None,
                 after_undo: Callable[[Any], None] | None = None) -> None:
        super().__init__(text)
        self.ctx = ctx
        self._do, self._undo, self.topic = do, undo, topic
        self.version = version  # the last step's result (None: unversioned)
        self._after_redo = after_redo or (lambda _r: None)
        self._after_undo = after_undo or (lambda _r: None)
        self._first = True

    def redo(self) -> None:
        if self._first:  # already done before the push
            self._first = False
            return
        self._step(self._do, self._after_redo)

    def undo(self) -> None:
        self._step(self._undo, self._after_undo)

    def _step(self, step: Step, after: Callable[[Any], None]) -> None:
        expected = self.version

        def done(result: Any) -> None:
            self.version = result
            after(result)

        self.ctx.write(lambda session: step(session, expected), done, topic=self.topic)


def _plain(change: Change) -> Step:
    return lambda session, _expected: change(session)


def _push(ctx: StaffContext, text: str, do: Step, undo: Step, topic: str,
          version: Any = None,
          on_error: Callable[[JudgePanelError], None] | None = None,
          on_done: Callable[[], None] | None = None) -> None:
    """Do ``do`` now; once accepted, put it on the undo stack with the version it left
    (then ``on_done``, before ``topic`` is announced)."""
    def done(after: Any) -> None:
        ctx.undo_stack.push(_Reversible(ctx, text, do, undo, topic, version=after))
        if on_done is not None:
            on_done()

    ctx.write(lambda session: do(session, version), done, topic=topic, on_error=on_error)


def _pair(session: Session, round_id: int, judge_id: int,
          application_id: int) -> tuple[Round, Judge, Application]:
    round_, judge = session.get(Round, round_id), session.get(Judge, judge_id)
    application = session.get(Application, application_id)
    assert round_ is not None and judge is not None and application is not None
    return round_, judge, application


def set_assigned(ctx: StaffContext, round_id: int, judge_id: int, application_id: int,
                 assigned: bool, text: str) -> None:
    """Assign (or unassign) one pair; on success the change goes on the undo stack.

    Each step is made from the cell's state before it: another officer's change of the
    same cell in between is refused, not overwritten.
    """
    actor = ctx.workspace.actor

    def add(session: Session) -> None:
        add_assignment(session, *_pair(session, round_id, judge_id, application_id), actor,
                       made_from=False)

    def remove(session: Session) -> None:
        remove_assignment(session, *_pair(session, round_id, judge_id, application_id), actor,
                          made_from=True)

    do, undo = (add, remove) if assigned else (remove, add)
    _push(ctx, text, _plain(do), _plain(undo), ASSIGNMENTS)


def dismiss_conflicts(ctx: StaffContext, versions: Mapping[int, int | None], note: str,
                      text: str) -> None:
    """Dismiss findings (conflict id -> the version shown) with a reason; undo reopens them."""
    actor = ctx.workspace.actor

    def apply(decide: Callable[..., int], why: str) -> Step:
        def step(session: Session, expected: Mapping[int, int | None]) -> dict[int, int]:
            after = {}
            for cid, version in expected.items():
                conflict = session.get(Conflict, cid)
                assert conflict is not None
                after[cid] = decide(session, conflict, actor, why, expected_version=version)
            return after
        return step

    _push(ctx, text, apply(conflict_rules.dismiss, note),
          apply(conflict_rules.reopen, "dismissal undone"), CONFLICTS, dict(versions))


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
    _push(ctx, text, _plain(do), _plain(undo), JUDGES)


def set_judge_active(ctx: StaffContext, judge_id: int, active: bool, text: str) -> None:
    """Withdraw a judge (or bring them back); undo does the opposite."""
    actor = ctx.workspace.actor

    def apply(value: bool) -> Change:
        def change(session: Session) -> None:
            judge_rules.set_active(session, _judge(session, judge_id), value, actor)
        return change

    do, undo = apply(active), apply(not active)
    _push(ctx, text, _plain(do), _plain(undo), JUDGES)


def change_award(ctx: StaffContext, application_id: int, before: Decimal | None,
                 after: Decimal | None, note: str, text: str, *,
                 on_error: Callable[[JudgePanelError], None] | None = None,
                 version: int | None = None) -> None:
    """Set (or clear) staff's award for an application; undo puts the previous one back.

    ``version``: the application's version the board showed (another officer's award
    since then is not overwritten: the model refuses with the new value).
    """
    actor = ctx.workspace.actor

    def apply(amount: Decimal | None, why: str) -> Step:
        def step(session: Session, expected: int | None) -> int:
            application = session.get(Application, application_id)
            assert application is not None
            return awards.set_award(session, application, amount, actor, note=why,
                                    expected_version=expected)
        return step

    _push(ctx, text, apply(after, note), apply(before, "award change undone"), AWARDS,
          version, on_error)


@dataclass(frozen=True)
class DecisionState:
    """A decision as the meeting screen sets it (``amount`` with an award outcome only)."""

    outcome: str
    reason: str
    amount: Decimal | None = None


def change_decision(ctx: StaffContext, round_id: int, application_id: int,
                    before: DecisionState | None, after: DecisionState | None, text: str, *,
                    version: int = 0,
                    on_error: Callable[[JudgePanelError], None] | None = None,
                    on_done: Callable[[], None] | None = None) -> None:
    """Decide (or clear) the panel's decision; undo puts the previous one back.

    ``version``: the decision's version the screen showed (0: none), so another
    officer's decision since is not overwritten (the model refuses with the new value).
    ``on_done`` runs once it is recorded.
    """
    actor = ctx.workspace.actor

    def apply(state: DecisionState | None) -> Step:
        def step(session: Session, expected: int | None) -> int:
            round_, application = session.get(Round, round_id), session.get(
                Application, application_id)
            assert round_ is not None and application is not None
            if state is None:
                row = clear_decision(session, round_, application, actor,
                                     expected_version=expected)
            else:
                row = set_decision(session, round_, application, state.outcome, state.reason,
                                   actor, amount=state.amount, expected_version=expected)
            return row.version if row is not None else 0
        return step

    _push(ctx, text, apply(after), apply(before), DECISIONS, version, on_error, on_done)


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
    once bundles were built for it: work not saved in it goes with it, announced on
    ``round_deleted``, and the round it came from shows), redo makes it again."""
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

    def undo(session: Session) -> tuple[int, int]:
        program = session.get(Program, ctx.workspace.program_id)
        assert program is not None
        round_ = find_round(session, program, made["number"])
        deleted = round_.id
        delete_round(session, round_, actor)
        return deleted, rule.source_round_id

    def shown(result: tuple[int, int, tuple[str, ...]]) -> None:
        ctx.set_round(result[0])

    def deleted(result: tuple[int, int]) -> None:
        ctx.round_deleted.emit(result[0])  # no question about work in a round now gone
        ctx.set_round(result[1])

    def first(result: tuple[int, int, tuple[str, ...]]) -> None:
        shown(result)
        ctx.undo_stack.push(_Reversible(ctx, text, _plain(do), _plain(undo), PROGRAM,
                                        after_redo=shown, after_undo=deleted))
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
        ctx.undo_stack.push(_Reversible(ctx, text, _plain(do), _plain(undo), ASSIGNMENTS))
        if on_done is not None:
            on_done()

    ctx.write(do, first, topic=ASSIGNMENTS)
