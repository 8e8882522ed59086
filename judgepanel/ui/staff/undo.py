"""Undo for the edits a person expects to take back: assignment cells and dismissals.

Each edit is done first (in the background); only when the workspace accepted
it is a command pushed, whose first ``redo`` is then a no-op. So a refused
edit never sits on the undo stack. Undo and redo call the same model
functions as the edit (each leaves its own audit entry: the log records the
change and its reversal, it is never rewritten).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand
from sqlalchemy.orm import Session

from judgepanel.model import conflicts as conflict_rules
from judgepanel.model.assigning import add_assignment, remove_assignment
from judgepanel.model.entities import Application, Conflict, Judge, Round
from judgepanel.ui.staff.context import ASSIGNMENTS, CONFLICTS, StaffContext

Change = Callable[[Session], Any]


class _Reversible(QUndoCommand):
    def __init__(self, ctx: StaffContext, text: str, do: Change, undo: Change,
                 topic: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self._do, self._undo, self.topic = do, undo, topic
        self._first = True

    def redo(self) -> None:
        if self._first:  # already done before the push
            self._first = False
            return
        self.ctx.write(self._do, lambda _r: None, topic=self.topic)

    def undo(self) -> None:
        self.ctx.write(self._undo, lambda _r: None, topic=self.topic)


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
