"""The judge workspace: one SQLite file holding what the judge did, never what they read.

Why it exists: a judge works for days on a laptop that may crash, run out of battery
or be closed mid-sentence. Everything the judge decides (conflict declarations,
scores, comments, overall views, private notes, where they were, which results
files they exported) is committed here at once, each change in its own short
transaction, so nothing the screen showed as saved is ever lost. The applications'
content stays in the encrypted bundle and is never copied here.

One file per person, by default ``data_home()/judge.sqlite``; it can hold several
bundles (programs, rounds). SQLite runs with WAL, foreign keys and
``synchronous=FULL`` (``storage.engine.make_engine``): a commit that returned survives a killed
process or a power cut. The schema is versioned by a row in ``judge_meta``; a file
from a newer JudgePanel is refused, never guessed at.

The workspace also pins, per program, the staff key of the first bundle opened
(trust on first use): anyone who knows a judge's public key can build a bundle that
is consistent with itself, so a later bundle of the same program signed by another
staff key is refused unless the judge explicitly accepts the new key
(:class:`StaffKeyChangedError`, ``accept_staff_key``).

The audit chain uses the staff log's hash (``hash_chain.entry_hash``) on a judge-side
table, so one algorithm covers both sides. The workflow rules (declare before
reading, no scores for a conflict, ...) live in ``session``; this module only
stores.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import (
    Engine,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from judgepanel import paths
from judgepanel.clock import utcnow
from judgepanel.errors import WorkspaceError
from judgepanel.formats.results.lineage import legacy_export_id, new_export_id
from judgepanel.model.judge.schema import (
    BundleRow,
    ExportRow,
    JudgeAuditEvent,
    JudgeBase,
    MetaRow,
    StaffKeyChangedError,
    StaffKeyRow,
)
from judgepanel.model.storage import hash_chain
from judgepanel.model.storage.engine import make_engine, session_factory
from judgepanel.model.storage.hash_chain import BrokenLink

DATABASE_NAME = "judge.sqlite"
SCHEMA_VERSION = 4
"""Bump with every schema change, and teach :func:`_upgrade` the step from the last one."""
VERSION_KEY = "schema_version"

_NOT_OURS = (
    "This file is not a JudgePanel judge workspace, or it is damaged. "
    "Choose another file, or move this one away and JudgePanel will start a new workspace."
)
_NEWER = (
    "Your judging data was saved by a newer version of JudgePanel. Install the newer "
    "version to continue; this one will not change your data."
)




def default_path() -> Path:
    return paths.data_home() / DATABASE_NAME


class JudgeWorkspace:
    """An open judge workspace. :meth:`open` it, then use :meth:`transaction` per change."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path
        self._sessions: sessionmaker[Session] = session_factory(engine)

    @classmethod
    def open(cls, path: Path | str | None = None) -> JudgeWorkspace:
        """Open (creating if needed) the workspace file; refuse a newer or foreign one."""
        db_file = Path(path).expanduser() if path is not None else default_path()
        if db_file.is_dir():
            raise WorkspaceError(_NOT_OURS, detail="the path is a folder", path=str(db_file))
        db_file.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(URL.create("sqlite+pysqlite", database=str(db_file.resolve())))
        try:
            _prepare(engine, str(db_file))
        except (DBAPIError, sqlite3.DatabaseError) as error:
            engine.dispose()
            raise WorkspaceError(_NOT_OURS, detail=str(getattr(error, "orig", error)),
                                 path=str(db_file)) from None
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, db_file)

    def schema_version(self) -> int:
        with self.read() as session:
            value = session.scalar(select(MetaRow.value).where(MetaRow.key == VERSION_KEY))
        return int(value or 0)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One change: committed (durably) when the block ends, rolled back on any error."""
        with self._sessions.begin() as session:
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A look without changes: nothing done in it is committed.

        Closing (not rolling back) leaves the loaded rows readable after the block.
        """
        session = self._sessions()
        try:
            yield session
        finally:
            session.close()

    # --- the audit chain --------------------------------------------------------------

    def record(self, session: Session, actor: str, action: str,
               details: dict[str, Any] | None = None) -> JudgeAuditEvent:
        """Append an audit entry in the caller's transaction (``details`` must be JSON data)."""
        entry: JudgeAuditEvent = hash_chain.append(session, actor, action, details,
                                              model=JudgeAuditEvent)
        return entry

    def audit_events(self, action_prefix: str = "") -> list[JudgeAuditEvent]:
        with self.read() as session:
            return hash_chain.events(session, action_prefix, model=JudgeAuditEvent)

    def audit_head(self) -> tuple[int, str] | None:
        with self.read() as session:
            return hash_chain.head(session, model=JudgeAuditEvent)

    def check_audit(self, anchor: tuple[int, str] | None = None) -> list[BrokenLink]:
        """Every broken link, oldest first (the rules of ``hash_chain.check``); [] = intact."""
        with self.read() as session:
            return hash_chain.check(session, anchor, model=JudgeAuditEvent)

    # --- what is stored ------------------------------------------------------------

    def register_bundle(self, manifest: dict[str, Any], manifest_sha256: str,
                        path: Path, *, accept_staff_key: str | None = None) -> int:
        """Find or start the record of a bundle being opened; returns its row id.

        First the staff key is checked against the program's pinned one (see
        :meth:`_check_staff_key`); a refusal changes nothing. A bundle id seen before
        with another manifest is refused: its stored work was done against other
        applications or another rubric, so it must not be mixed in.
        """
        bundle_id = manifest["bundle_id"]
        judge = manifest["judge"]
        with self.transaction() as s:
            self._check_staff_key(s, manifest, path, accept_staff_key)
            row = s.scalars(select(BundleRow).where(BundleRow.bundle_id == bundle_id)).first()
            if row is not None and row.manifest_sha256 != manifest_sha256:
                raise WorkspaceError(
                    f"You already worked on a different bundle with the same name ({bundle_id}). "
                    "Ask the program staff which bundle to use; your earlier work is kept.",
                    detail=f"stored manifest {row.manifest_sha256}, this one {manifest_sha256}")
            now = utcnow()
            if row is None:
                row = BundleRow(
                    bundle_id=bundle_id, manifest_sha256=manifest_sha256, path=str(path),
                    program_id=manifest["program"]["id"],
                    program_name=manifest["program"]["name"],
                    round_id=manifest["round"]["id"], round_name=manifest["round"]["name"],
                    judge_name=judge["name"], judge_fingerprint=judge["fingerprint"],
                    due=manifest["due"], first_opened_at=now, last_opened_at=now,
                    position_view="", revision=0)
                s.add(row)
            else:
                row.path, row.last_opened_at = str(path), now
            s.flush()
            self.record(s, judge["fingerprint"], "bundle.opened",
                        {"bundle": bundle_id, "manifest_sha256": manifest_sha256})
            return row.id

    def _check_staff_key(self, s: Session, manifest: dict[str, Any], path: Path,
                         accept: str | None) -> None:
        """Trust on first use, per program: pin the first staff key, refuse another.

        ``accept`` is the fingerprint of a new key the judge accepted after a warning
        (``StaffKeyChangedError.offered``, confirmed with the staff): if this bundle
        has that key, the program is re-pinned to it. Naming the fingerprint, not just
        saying yes, means a file swapped after the warning is still refused. The
        first pin and a replacement are audited; a refusal writes nothing.
        """
        staff, program_id = manifest["staff"], manifest["program"]["id"]
        actor = manifest["judge"]["fingerprint"]
        pin = s.scalars(select(StaffKeyRow).where(StaffKeyRow.program_id == program_id)).first()
        if pin is not None and pin.fingerprint == staff["fingerprint"]:
            return
        if pin is not None and accept != staff["fingerprint"]:
            raise StaffKeyChangedError(program_id, pin.fingerprint, staff["fingerprint"],
                                       path=str(path))
        details = {"program": program_id, "bundle": manifest["bundle_id"],
                   "fingerprint": staff["fingerprint"], "staff_name": staff["name"]}
        action = "staff_key.pinned" if pin is None else "staff_key.replaced"
        if pin is None:
            pin = StaffKeyRow(program_id=program_id)
            s.add(pin)
        else:
            details["replaced"] = pin.fingerprint
        pin.staff_name, pin.fingerprint = staff["name"], staff["fingerprint"]
        pin.minisign_public_key, pin.age_recipient = (staff["minisign_public_key"],
                                                      staff["age_recipient"])
        pin.bundle_id, pin.pinned_at = manifest["bundle_id"], utcnow()
        s.flush()
        self.record(s, actor, action, details)

    def staff_key(self, program_id: str) -> StaffKeyRow | None:
        """The staff key pinned for ``program_id`` (None before its first bundle)."""
        with self.read() as session:
            return session.scalars(
                select(StaffKeyRow).where(StaffKeyRow.program_id == program_id)).first()

    def bundles(self) -> list[BundleRow]:
        """Bundles opened on this computer, most recently opened first (the start page)."""
        with self.read() as session:
            return list(session.scalars(
                select(BundleRow).order_by(BundleRow.last_opened_at.desc(), BundleRow.id.desc())))

    def close(self) -> None:
        """Release the file (checkpoints the WAL)."""
        self.engine.dispose()

    def __enter__(self) -> JudgeWorkspace:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _prepare(engine: Engine, where: str) -> None:
    """Create the schema in an empty file, or check the version of an existing one."""
    with engine.begin() as connection:
        tables = set(inspect(connection).get_table_names())
        if not tables:
            JudgeBase.metadata.create_all(connection)
            connection.execute(insert(MetaRow).values(key=VERSION_KEY, value=str(SCHEMA_VERSION)))
            return
        if MetaRow.__tablename__ not in tables:
            raise WorkspaceError(_NOT_OURS, detail=f"tables: {sorted(tables)[:8]}", path=where)
        value = connection.scalar(select(MetaRow.value).where(MetaRow.key == VERSION_KEY))
        if value is None or not value.isdigit() or int(value) < 1:
            raise WorkspaceError(_NOT_OURS, detail=f"schema version {value!r}", path=where)
        version = int(value)
        if version > SCHEMA_VERSION:
            raise WorkspaceError(
                _NEWER, path=where,
                detail=f"schema version {version}; this JudgePanel knows up to {SCHEMA_VERSION}",
            )
        if version < SCHEMA_VERSION:
            _upgrade(connection, version)


def _upgrade(connection: Any, version: int) -> None:
    """Bring an older schema up to date, one step at a time, in the opening transaction.

    1 -> 2: the staff key pins. A schema-1 file has no record of which staff key
    signed its bundles, so each program is pinned when its next bundle is opened.

    2 -> 3: export ids and "unable to review" (results format 2). Each export already
    written is a version-1 file: it gets the id staff give it too, made from the file's
    SHA-256 (``lineage.legacy_export_id``), so the next export names it among those it
    supersedes; an attempt never written gets a fresh id.

    3 -> 4: feedback for the applicant (results format 3), per criterion and overall,
    empty in every review kept so far; what the judge wrote stays their comment for
    the panel.
    """
    if version == 1:
        JudgeBase.metadata.tables[StaffKeyRow.__tablename__].create(connection)
        version = 2
    if version == 2:
        for statement in (
                "ALTER TABLE judge_reviews ADD COLUMN unable_reason TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE judge_reviews ADD COLUMN unable_at DATETIME"):
            connection.execute(text(statement))
        _rebuild_exports(connection)
        version = 3
    if version == 3:
        for statement in (
                "ALTER TABLE judge_scores ADD COLUMN feedback TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE judge_reviews ADD COLUMN overall_feedback TEXT NOT NULL DEFAULT ''"):
            connection.execute(text(statement))
        version = 4
    if version != SCHEMA_VERSION:  # pragma: no cover - every step above ends at the latest
        raise WorkspaceError(_NOT_OURS, detail=f"no upgrade path from schema version {version}")
    connection.execute(update(MetaRow).where(MetaRow.key == VERSION_KEY)
                       .values(value=str(SCHEMA_VERSION)))


def _rebuild_exports(connection: Any) -> None:
    """Schema 2 -> 3 for ``judge_exports``: export ids, ``supersedes``, unique by id.

    SQLite cannot change a table's constraints in place, so the table is made anew from
    the schema and the rows copied over (nothing refers to it).
    """
    old = [dict(row) for row in connection.execute(text(
        "SELECT id, bundle_row_id, sequence, path, sha256, status, revision, created_at "
        "FROM judge_exports ORDER BY id")).mappings()]
    connection.execute(text("DROP TABLE judge_exports"))
    table = JudgeBase.metadata.tables[ExportRow.__tablename__]
    table.create(connection)
    for row in old:
        sha256 = row["sha256"]
        row["export_id"] = legacy_export_id(sha256) if sha256 else new_export_id()
        row["supersedes"] = "[]"
    if old:
        connection.execute(text(
            "INSERT INTO judge_exports (id, bundle_row_id, sequence, path, sha256, status, "
            "revision, created_at, export_id, supersedes) VALUES (:id, :bundle_row_id, "
            ":sequence, :path, :sha256, :status, :revision, :created_at, :export_id, "
            ":supersedes)"), old)
