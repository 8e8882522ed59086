"""What other officers did: the audit entries after a point, in plain words.

Why from the audit log: every change to a program leaves exactly one chained entry
with who did it, in commit order, so "what changed since I last looked" is the entries
after the newest one seen. The staff app asks this every few seconds on a shared program
(one indexed query), reloads the screens the changes touch and says who changed what;
the same words would serve a command-line ``staff activity`` or a report.

``family`` is the part of the action before the dot (``award``, ``results``, ...): the
app maps families to the screens that show them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.program import Judge

NEWS_LIMIT = 200  # at most this many entries per look (a big merge is summed up)


@dataclass(frozen=True)
class Activity:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    words: str  # "set the award for G-7 to 12,000.00"

    @property
    def family(self) -> str:
        return self.action.split(".", 1)[0]

    def __str__(self) -> str:
        return f"{self.actor} {self.words}"


def latest_seq(session: Session) -> int:
    """The newest entry's number (0 for an empty log): where to start looking."""
    return session.scalar(select(func.max(AuditEvent.seq))) or 0


def activity_since(session: Session, seq: int, *, limit: int = NEWS_LIMIT) -> list[Activity]:
    """The entries after ``seq``, oldest first, each in words."""
    rows = list(session.execute(
        select(AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action,
               AuditEvent.details)
        .where(AuditEvent.seq > seq).order_by(AuditEvent.seq).limit(limit)))
    names: dict[int, str] = {}
    if any(isinstance(details, dict) and "judge" in details for *_, details in rows):
        names = {judge_id: name for judge_id, name in session.execute(select(Judge.id, Judge.name))}
    return [Activity(s, at, actor, action, describe(action, details or {}, names))
            for s, at, actor, action, details in rows]


def _judge(details: dict[str, Any], names: dict[int, str]) -> str:
    judge = details.get("judge")
    return names.get(judge, "a judge") if isinstance(judge, int) else "a judge"


def _award(d: dict[str, Any], _n: dict[int, str]) -> str:
    if d.get("amount") is None:
        return f"cleared the award for {d.get('application')}"
    return f"set the award for {d.get('application')} to {Decimal(d['amount']):,.2f}"


_WORDS: dict[str, Callable[[dict[str, Any], dict[int, str]], str]] = {
    "applications.imported": lambda d, _n: f"imported {d.get('imported')} applications "
                                          f"from {d.get('source')}",
    "assignment.added": lambda d, n: f"assigned {d.get('ref')} to {_judge(d, n)} "
                                     f"(round {d.get('round')})",
    "assignment.removed": lambda d, n: f"took {d.get('ref')} away from {_judge(d, n)} "
                                       f"(round {d.get('round')})",
    "assignment.auto": lambda d, _n: f"assigned round {d.get('round')} automatically "
                                     f"({len(d.get('added') or ())} pairs added)",
    "award.set": _award,
    "conflict.confirmed": lambda d, n: f"confirmed the conflict of interest of "
                                       f"{_judge(d, n)} (#{d.get('conflict')})",
    "conflict.dismissed": lambda d, n: f"dismissed the conflict of interest of "
                                       f"{_judge(d, n)} (#{d.get('conflict')})",
    "conflict.open": lambda d, _n: f"reopened conflict of interest #{d.get('conflict')}",
    "conflict.declared": lambda d, n: f"recorded a conflict of interest of {_judge(d, n)}",
    "conflicts.screened": lambda d, _n: f"screened for conflicts of interest "
                                        f"({d.get('new')} new)",
    "judge.enrolled": lambda d, _n: f"enrolled the judge {d.get('name')}",
    "judge.profile": lambda d, n: f"changed the details of {_judge(d, n)}",
    "judge.affiliations": lambda d, n: f"changed the affiliations of {_judge(d, n)}",
    "judge.active": lambda d, n: ("brought back " if d.get("active") else "withdrew ")
    + _judge(d, n),
    "results.accepted": lambda d, _n: f"merged the results file {d.get('file')}",
    "results.refused": lambda d, _n: f"received and refused the results file {d.get('file')}",
    "bundle.issued": lambda d, n: f"built the bundle of {_judge(d, n)}",
    "bundle.sent": lambda d, n: ("marked as sent the bundle of " if d.get("sent") else
                                 "marked as not sent the bundle of ") + _judge(d, n),
    "rubric.saved": lambda d, _n: f"saved the rubric of round {d.get('round')}",
    "round.added": lambda d, _n: f"added round {d.get('round', '')}".rstrip(),
    "round.shortlisted": lambda d, _n: f"shortlisted round {d.get('from_round')} into "
                                       f"round {d.get('round')}",
    "program.setting": lambda d, _n: f"changed the setting {d.get('setting')}",
    "decision.set": lambda d, _n: f"decided “{d.get('outcome')}” for {d.get('application')} "
                                  f"(round {d.get('round')})",
    "decision.cleared": lambda d, _n: f"cleared the decision on {d.get('application')} "
                                      f"(round {d.get('round')})",
}


def describe(action: str, details: dict[str, Any], names: dict[int, str] | None = None) -> str:
    """An audit entry in words ("merged the results file amara-2.jpresults")."""
    words = _WORDS.get(action)
    if words is not None:
        try:
            return words(details, names or {})
        except (TypeError, ValueError, KeyError, InvalidOperation):
            pass  # an entry written by an older version, shaped otherwise
    return f"made a change ({action})"
