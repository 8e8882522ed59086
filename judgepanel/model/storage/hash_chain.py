"""The append-only, hash-chained audit log: its columns and its algorithm, for any workspace.

Why a chain: staff must be able to show that the record of who did what
(imports, enrolments, conflict decisions, accepted results) was not edited
afterwards. Each entry's hash covers its own content and the previous entry's
hash, so changing or deleting any entry breaks every link after it, and
``check`` names the first entry that no longer fits.

Entry hash = SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8)
of ``{"seq", "at", "actor", "action", "details", "prev"}``; ``at`` is the UTC
time as ISO 8601 with microseconds. The first entry's ``prev`` is 64 zeros.

What the chain cannot show on its own: that the newest entries were not cut
off the end. Compare with a ``head()`` recorded elsewhere (a report, an
e-mail) by passing it to ``check(anchor=...)``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Integer, String, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from judgepanel.clock import utcnow
from judgepanel.errors import ConcurrentChangeError, ValidationError
from judgepanel.model.storage.types import UTCDateTime

log = logging.getLogger(__name__)

GENESIS = "0" * 64
APPEND_ATTEMPTS = 100
# session.info keys: entries waiting for the commit, and the seqs a session wrote.
STAGED_KEY = "judgepanel.audit.staged"
WRITTEN_KEY = "judgepanel.audit.written"


class AuditLogColumns:
    """The columns of a hash-chained, append-only audit log (the rules are below).

    Both workspaces keep one (staff ``AuditEvent``, judge ``JudgeAuditEvent``), so
    the one chain algorithm in this module serves both. ``prev_hash`` is unique: two
    writers racing to append after the same entry cannot both succeed, so the
    chain can never fork, on SQLite or PostgreSQL.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes: the form that is hashed."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(
    seq: int, at: dt.datetime, actor: str, action: str, details: Any, prev: str
) -> str:
    """The hash an entry with these contents must carry."""
    payload = {
        "seq": seq,
        "at": _timestamp(at),
        "actor": actor,
        "action": action,
        "details": details,
        "prev": prev,
    }
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def _latest(session: Session, model: Any) -> Any:
    return session.scalars(select(model).order_by(model.seq.desc()).limit(1)).first()


def append(
    session: Session,
    actor: str,
    action: str,
    details: dict[str, Any] | None = None,
    *,
    model: Any,
) -> Any:
    """Add an entry after the newest one, now (in the caller's transaction).

    ``details`` must be JSON data (str keys; str, numbers, bools, None, lists,
    dicts). ``model`` is the mapped log class, any class with :class:`AuditLogColumns`:
    the judge's ``JudgeAuditEvent``; the staff log stages its entries instead
    (:func:`stage`), so the shared log's head is held only while committing.
    """
    return append_many(session, actor, [(action, details)], model=model)[0]


def append_many(
    session: Session,
    actor: str,
    entries: Sequence[tuple[str, dict[str, Any] | None]],
    *,
    model: Any,
) -> list[Any]:
    """Add ``(action, details)`` entries in order, chained as :func:`append` would.

    One read of the newest entry and one flush for all of them: a merge of 120
    results files records 120 entries.
    """
    events = _entries(actor, entries, model)
    if events:
        _chain(session, events, model)
    return events


def stage(
    session: Session,
    actor: str,
    entries: Sequence[tuple[str, dict[str, Any] | None]],
    *,
    model: Any,
) -> list[Any]:
    """Add entries to the log when ``session`` commits: numbered, timed and chained then.

    Why at commit: with several writers at once (a shared program), the entry that
    takes the head of the chain makes every other writer's append wait until its
    transaction ends. Taken as the last thing before COMMIT, the head is held for
    milliseconds, not for the rest of a merge, and no writer ever waits for the head
    while holding rows another writer needs (no deadlock through the log). Entries keep
    the order they were staged in; a rolled-back transaction records none of them. The
    returned entries get their ``seq`` and ``hash`` at commit.
    """
    events = _entries(actor, entries, model)
    if events:
        session.info.setdefault(STAGED_KEY, []).append((model, events))
        if not event.contains(session, "before_commit", _write_staged):
            event.listen(session, "before_commit", _write_staged)
            event.listen(session, "after_transaction_end", _drop_staged)
    return events


def _entries(actor: str, entries: Sequence[tuple[str, dict[str, Any] | None]],
             model: Any) -> list[Any]:
    return [model(actor=actor, action=action, details=_normalised(details))
            for action, details in entries]


def _write_staged(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT ending; the log waits for the real commit
    write_staged(session)


def write_staged(session: Session) -> None:
    """Chain the entries ``session`` staged now (reading the log does: a step sees its own)."""
    staged = session.info.pop(STAGED_KEY, None)
    if not staged:
        return
    session.flush()  # every other change first: from here to COMMIT the head is ours
    for model, events in staged:
        _chain(session, events, model)
        session.info.setdefault(WRITTEN_KEY, []).extend(e.seq for e in events)


def _drop_staged(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended: commit or rollback
        session.info.pop(STAGED_KEY, None)


def _chain(session: Session, events: list[Any], model: Any) -> None:
    """Number and chain ``events`` after the newest entry, and insert them.

    Another writer may take the same place first (a shared program): the unique
    ``seq`` and ``prev_hash`` refuse the second insert (on PostgreSQL after waiting for
    the first writer's commit), so the insert runs in a SAVEPOINT, and on losing the
    race the head is read again (READ COMMITTED sees the winner's entry) and the
    entries chained after it. Only the append is repeated, never the step's work.
    """
    for _attempt in range(APPEND_ATTEMPTS):
        last = session.execute(
            select(model.seq, model.hash).order_by(model.seq.desc()).limit(1)).first()
        seq, prev = (last[0], last[1]) if last else (0, GENESIS)
        for entry in events:
            seq += 1
            entry.seq, entry.prev_hash = seq, prev
            entry.at = utcnow()  # microsecond precision is what SQLite and PostgreSQL keep
            entry.hash = entry_hash(seq, entry.at, entry.actor, entry.action, entry.details,
                                    prev)
            prev = entry.hash
        try:
            with session.begin_nested():
                session.add_all(events)
        except IntegrityError as exc:
            log.info("audit log: another writer appended first (%s); chaining again",
                     type(exc.orig).__name__)
            continue
        return
    raise ConcurrentChangeError(
        "Too many officers were saving changes at the same moment, so this one was not "
        "saved. Try again.", detail=f"{APPEND_ATTEMPTS} attempts to append to the audit log")


def _normalised(details: dict[str, Any] | None) -> Any:
    try:
        return json.loads(canonical_json(details or {}))
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            "This action could not be recorded in the audit log.",
            detail=f"details are not JSON data: {exc}",
            path="details",
        ) from exc


def head(session: Session, *, model: Any) -> tuple[int, str] | None:
    """(sequence number, hash) of the newest entry; record it to detect truncation later."""
    write_staged(session)
    last = _latest(session, model)
    return (last.seq, last.hash) if last else None


@dataclass(frozen=True)
class BrokenLink:
    """One place where the log no longer fits together."""

    seq: int
    problem: str

    def __str__(self) -> str:
        return f"Audit entry {self.seq}: {self.problem}"


def check(
    session: Session, anchor: tuple[int, str] | None = None, *, model: Any
) -> list[BrokenLink]:
    """Every broken link in the chain, oldest first; an empty list means intact.

    Reads the rows straight from the database (not from the session's cache),
    so edits made with plain SQL or another tool are seen.
    """
    write_staged(session)
    broken: list[BrokenLink] = []
    expected_seq = 1
    expected_prev = GENESIS
    hashes: dict[int, str] = {}
    rows = session.execute(
        select(
            model.seq,
            model.at,
            model.actor,
            model.action,
            model.details,
            model.prev_hash,
            model.hash,
        ).order_by(model.seq)
    )
    for seq, at, actor, action, details, prev_hash, stored_hash in rows:
        if seq != expected_seq:
            missing = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}–{seq - 1}"
            broken.append(BrokenLink(seq, f"entries before it are missing ({missing})."))
        elif prev_hash != expected_prev:
            broken.append(BrokenLink(seq, "it does not follow the entry before it."))
        if entry_hash(seq, at, actor, action, details, prev_hash) != stored_hash:
            broken.append(BrokenLink(seq, "its contents were changed after it was written."))
        hashes[seq] = stored_hash
        expected_seq = seq + 1
        expected_prev = stored_hash
    if anchor is not None:
        anchor_seq, anchor_hash = anchor
        if anchor_seq not in hashes:
            broken.append(
                BrokenLink(anchor_seq, "it was recorded earlier but is no longer in the log.")
            )
        elif hashes[anchor_seq] != anchor_hash:
            broken.append(BrokenLink(anchor_seq, "it differs from the copy recorded earlier."))
    return broken


def events(
    session: Session, action_prefix: str = "", *, model: Any
) -> list[Any]:
    """Entries oldest first, optionally only actions starting with ``action_prefix``."""
    write_staged(session)
    query = select(model).order_by(model.seq)
    if action_prefix:
        query = query.where(model.action.startswith(action_prefix, autoescape=True))
    return list(session.scalars(query))
