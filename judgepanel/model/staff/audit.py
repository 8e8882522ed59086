"""The staff workspace's audit log: the hash chain of ``storage.hash_chain`` on ``AuditEvent``.

Every staff step records what it did here, in the caller's transaction, under the
actor's name. The entries join the chain when that transaction commits
(``hash_chain.stage``): in a program several officers share, whoever commits first
takes the next place, and a writer that lost the race chains after the winner instead
of failing. The rules of the chain (what is hashed, how a break is found, why
``prev_hash`` is unique) are in ``storage.hash_chain``; the judge workspace keeps its
own log with the same algorithm on its own table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.storage import hash_chain
from judgepanel.model.storage.hash_chain import BrokenLink


def append(session: Session, actor: str, action: str,
           details: dict[str, Any] | None = None) -> AuditEvent:
    """Add an entry to the log when ``session`` commits (``details`` must be JSON data).

    The entry's ``seq`` and ``hash`` are set at commit; a rolled-back step records none.
    """
    entry: AuditEvent = hash_chain.stage(session, actor, [(action, details)],
                                         model=AuditEvent)[0]
    return entry


def append_many(session: Session, actor: str,
                entries: Sequence[tuple[str, dict[str, Any] | None]]) -> list[AuditEvent]:
    """Add ``(action, details)`` entries in order at commit: one read of the head, one flush."""
    return hash_chain.stage(session, actor, entries, model=AuditEvent)


def head(session: Session) -> tuple[int, str] | None:
    """(sequence number, hash) of the newest entry; record it to detect truncation later."""
    return hash_chain.head(session, model=AuditEvent)


def check(session: Session, anchor: tuple[int, str] | None = None) -> list[BrokenLink]:
    """Every broken link in the log, oldest first; an empty list means intact."""
    return hash_chain.check(session, anchor, model=AuditEvent)


def events(session: Session, action_prefix: str = "") -> list[AuditEvent]:
    """Entries oldest first, optionally only actions starting with ``action_prefix``."""
    return hash_chain.events(session, action_prefix, model=AuditEvent)


@dataclass(frozen=True)
class AuditListing:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    details: str


def load_audit(session: Session) -> list[AuditListing]:
    return [AuditListing(e.seq, e.at, e.actor, e.action,
                     json.dumps(e.details, ensure_ascii=False, sort_keys=True, default=str))
            for e in events(session)]


def broken_links(session: Session) -> list[str]:
    """Every broken link in words; empty when the chain is intact."""
    return [str(b) for b in check(session)]
