"""Who may do what at the same moment in a program several officers share.

Most steps need no lock of their own: row versions (``storage.versions``) keep edits
from overwriting each other, unique keys refuse a second copy of the same thing, and
the audit chain orders commits. A few steps read a whole picture and write from it,
and two at once would each act on a picture the other is changing:

- an automatic assignment run plans from every existing pair: a second run of the same
  round at the same time is refused (:func:`claim_assignment_run`), and hand edits of
  pairs and conflict decisions wait for a run to finish (:func:`hold_assignments`);
- merging checks a results file against what was accepted before for its bundle: two
  merges touching the same bundle take turns (:func:`hold_bundles`), so the second sees
  the first's acceptance and says "already merged";
- creating or upgrading the schema (:func:`hold_schema`).

On PostgreSQL these are advisory locks that end with the transaction
(``pg_advisory_xact_lock``; a database's locks are its own). On SQLite a database has
one writer at a time, which already gives the same guarantee, so they do nothing there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from judgepanel.errors import ConcurrentChangeError
from judgepanel.model.staff.schema.program import Round
from judgepanel.model.staff.schema.results import IssuedBundle

# The first key of each advisory lock: what it protects ("JP" and a number).
SCHEMA, ASSIGNMENT_RUN, ASSIGNMENTS, MERGE = 0x4A500001, 0x4A500002, 0x4A500003, 0x4A500004


def _on_server(bind: Session | Connection) -> bool:
    dialect = bind.get_bind().dialect if isinstance(bind, Session) else bind.dialect
    return dialect.name == "postgresql"


def hold(bind: Session | Connection, purpose: int, key: int = 0) -> None:
    """Wait for, then hold until the transaction ends, the lock ``(purpose, key)``."""
    if _on_server(bind):
        bind.execute(text("SELECT pg_advisory_xact_lock(:purpose, :key)"),
                     {"purpose": purpose, "key": key})


def try_hold(bind: Session | Connection, purpose: int, key: int = 0) -> bool:
    """Hold the lock ``(purpose, key)`` if nobody else does; False (at once) if taken."""
    if not _on_server(bind):
        return True
    return bool(bind.execute(text("SELECT pg_try_advisory_xact_lock(:purpose, :key)"),
                             {"purpose": purpose, "key": key}).scalar())


def hold_schema(bind: Session | Connection) -> None:
    """Creating or upgrading the schema: one officer at a time."""
    hold(bind, SCHEMA)


def claim_assignment_run(session: Session, round_: Round) -> None:
    """Start an automatic assignment run of ``round_``, or refuse: another one is running."""
    if not try_hold(session, ASSIGNMENT_RUN, round_.id):
        raise ConcurrentChangeError(
            f"Another officer is assigning “{round_.name}” automatically right now. Wait "
            "until that has finished, then look at the assignments and run it again if "
            "needed.", detail=f"assignment run lock of round {round_.id} is held")
    hold_assignments(session, round_.program_id)


def hold_assignments(session: Session, program_id: int) -> None:
    """Hand edits of pairs and conflict decisions: wait while a run plans from them."""
    hold(session, ASSIGNMENTS, program_id)


def hold_bundles(session: Session, bundle_ids: Iterable[str]) -> None:
    """Merging results for these bundles: take turns with any other merge touching them.

    Locks are taken in one order (by row id), so two merges cannot wait for each other.
    """
    wanted = sorted(set(bundle_ids))
    if not wanted or not _on_server(session):
        return
    ids = session.scalars(select(IssuedBundle.id).where(IssuedBundle.bundle_id.in_(wanted))
                          .order_by(IssuedBundle.id))
    for row_id in ids:
        hold(session, MERGE, row_id)
