"""Moving a program: a whole copy between a folder (SQLite) and a server (PostgreSQL).

``judgepanel staff copy --to URL_OR_FOLDER`` moves a program in (a folder to a shared
database, when a second officer joins) or out (a shared database to a folder, to
archive a finished program or to work offline), or between two of either kind. The
copy is exact: every row with its ids, the attachments (streamed one chunk at a time
from the source's store into the target's), and the audit log entry for entry, so
its chain and hashes stay valid and the copy proves it came from the original.

All or nothing, and checked before it counts: the source is read as one moment (a
snapshot: officers may go on working meanwhile; their later changes are not in the
copy), the target is built in one transaction, and before that transaction commits
the copy's row count of every table must equal the source's, every attachment must
have arrived with its digest, and the copy's audit chain must be intact and end at
the source's head. Only then is ``workspace.copied_in`` appended to the copy's log
(and, in the source, ``workspace.copied_out``). A target that is not empty is refused;
a folder made for a failed copy is removed again.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, LargeBinary, Table, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from judgepanel.errors import DamagedFileError, WorkspaceError
from judgepanel.model.staff import audit, migrations
from judgepanel.model.staff.attachments import CHUNK, AttachmentStore, DatabaseStore, FolderStore
from judgepanel.model.staff.location import (
    DATABASE_NAME,
    PasswordPrompt,
    ProgramLocation,
    connect,
    locate,
    url_password,
)
from judgepanel.model.staff.locks import hold_schema
from judgepanel.model.staff.schema.base import Base
from judgepanel.model.staff.schema.program import Attachment, AttachmentChunk
from judgepanel.model.staff.workspace import ATTACHMENTS_FOLDER, StaffWorkspace
from judgepanel.progress import Progress, no_progress

BATCH = 2000  # rows per INSERT: memory stays bounded whatever the program's size
BLOB_BATCH = 20  # for tables with files in them (a raw results file is up to 8 MiB)


@dataclass(frozen=True)
class CopyReport:
    target: str  # the copy's folder or address (never a password)
    rows: dict[str, int]  # table -> rows copied (equal in source and copy)
    attachments: int
    attachment_bytes: int
    audit_head: tuple[int, str] | None  # the source's head, now also the copy's

    def summary(self) -> str:
        return (f"Copied {sum(self.rows.values())} rows in {len(self.rows)} tables, "
                f"{self.attachments} attachments ({self.attachment_bytes:,} bytes) and "
                f"{self.audit_head[0] if self.audit_head else 0} audit entries to "
                f"{self.target}. Row counts and the audit chain check out.")


def _tables() -> list[Table]:
    """Every table the copy moves row by row, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name != AttachmentChunk.__tablename__]


@contextlib.contextmanager
def _snapshot(source: StaffWorkspace) -> Iterator[Connection]:
    """The source as one moment: REPEATABLE READ on PostgreSQL, a read transaction on
    SQLite (which in WAL mode sees one moment too)."""
    options = {"isolation_level": "REPEATABLE READ"} if source.shared else {}
    with source.engine.connect() as connection:
        connection = connection.execution_options(**options)
        with connection.begin():
            yield connection


def _count(connection: Connection, table: Table) -> int:
    return connection.scalar(select(func.count()).select_from(table)) or 0


def _copy_rows(source: Connection, target: Connection, table: Table) -> int:
    copied = 0
    blobs = any(isinstance(c.type, LargeBinary) for c in table.columns)
    rows = source.execution_options(stream_results=True,
                                    yield_per=BLOB_BATCH if blobs else BATCH).execute(
        select(table).order_by(*table.primary_key.columns))
    for batch in rows.partitions():
        target.execute(insert(table), [dict(row._mapping) for row in batch])
        copied += len(batch)
    return copied


def _reset_sequences(target: Connection) -> None:
    """After rows arrive with their ids, PostgreSQL's id counters must start above them."""
    if target.dialect.name != "postgresql":
        return
    for table in _tables():
        column = table.c.get("id")
        if column is None or not column.autoincrement or not column.primary_key:
            continue
        target.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
            f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"))


def _pieces(store: AttachmentStore, sha256: str) -> Iterator[bytes]:
    with store.open(sha256) as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _target_store(location: ProgramLocation, target: Connection) -> AttachmentStore:
    if location.on_server:
        return DatabaseStore(target.engine)  # writes go through the copy's transaction
    assert location.folder is not None
    return FolderStore(location.folder / ATTACHMENTS_FOLDER)


def _check_target(location: ProgramLocation, source: StaffWorkspace) -> None:
    if location.display == source.location.display:
        raise WorkspaceError("The copy must go somewhere else than the program itself.",
                             path=location.display)
    if not location.on_server and location.folder is None:
        raise WorkspaceError("Copy the program to a folder or to a database server.",
                             path=location.display)
    folder = None if location.on_server else location.folder
    if folder is not None and folder.is_dir() and any(folder.iterdir()):
        raise WorkspaceError(
            "There is already something in this folder. Choose a new, empty folder for "
            "the copy.", path=str(location.folder))


def copy_program(source: StaffWorkspace, to: Path | str, *, actor: str | None = None,
                 ask_password: PasswordPrompt | None = None,
                 progress: Progress = no_progress) -> CopyReport:
    """Copy the program ``source`` holds to ``to`` (an empty folder, or an empty database)."""
    location = locate(to)
    _check_target(location, source)
    made = location.folder is not None and not location.on_server \
        and not location.folder.exists()
    if location.folder is not None and not location.on_server:
        location.folder.mkdir(parents=True, exist_ok=True)
    engine = connect(location, password=url_password(to), ask_password=ask_password)
    try:
        with engine.connect() as target, target.begin():
            report = _copy(source, location, target, actor or source.actor, progress)
    except BaseException:
        engine.dispose()
        if made and location.folder is not None:
            shutil.rmtree(location.folder, ignore_errors=True)
        elif location.folder is not None and not location.on_server:
            for name in (DATABASE_NAME, f"{DATABASE_NAME}-wal", f"{DATABASE_NAME}-shm"):
                (location.folder / name).unlink(missing_ok=True)
            shutil.rmtree(location.folder / ATTACHMENTS_FOLDER, ignore_errors=True)
        raise
    engine.dispose()
    with source.session() as session:
        source.record(session, "workspace.copied_out", {
            "to": report.target, "head": list(report.audit_head or ()),
            "rows": sum(report.rows.values()), "attachments": report.attachments})
    return report


def _copy(source: StaffWorkspace, location: ProgramLocation, target: Connection,
          actor: str, progress: Progress) -> CopyReport:
    hold_schema(target)
    if inspect(target).get_table_names():
        raise WorkspaceError(
            "This database already holds data. Copy the program into an empty database "
            "(docs/shared-workspace.md says how to make one).", path=location.display)
    migrations.upgrade_on(target)
    tables = _tables()
    rows: dict[str, int] = {}
    expected: dict[str, int] = {}
    session = Session(bind=target)
    with _snapshot(source) as reading:
        revision = migrations.current_revision(reading)
        if revision != migrations.head_revision():
            raise WorkspaceError("Upgrade the program first (`judgepanel staff upgrade`).",
                                 detail=f"source at {revision}", path=source.location.display)
        digests = sorted(set(reading.scalars(select(Attachment.sha256))))
        total = len(tables) + len(digests)
        for step, table in enumerate(tables):
            progress(step, total, f"Copying {table.name}")
            expected[table.name] = _count(reading, table)
            rows[table.name] = _copy_rows(reading, target, table)
        sent = _copy_attachments(source.attachments, _target_store(location, target),
                                 digests, session, progress, len(tables), total)
        head = audit.head(Session(bind=reading))
    _reset_sequences(target)
    _verify(target, session, tables, expected, digests, head, location)
    progress(total, total, "Checking the copy")
    audit.append(session, actor, "workspace.copied_in", {
        "from": source.location.display, "head": list(head or ()),
        "rows": sum(rows.values()), "attachments": len(digests)})
    session.commit()  # writes the entry; the caller's block commits the transaction
    return CopyReport(location.display, rows, len(digests), sent, head)


def _copy_attachments(store: AttachmentStore, into: AttachmentStore, digests: list[str],
                      session: Session, progress: Progress, done: int, total: int) -> int:
    sent = 0
    for step, sha256 in enumerate(digests):
        progress(done + step, total, "Copying attachments")
        stored = into.put_chunks(_pieces(store, sha256), session=session)
        if stored.sha256 != sha256:
            raise DamagedFileError(
                f"An attachment in {store.where} is damaged (its contents no longer match "
                "it), so the copy was not made. Restore it from a backup first.",
                detail=f"blob {sha256} reads as {stored.sha256}")
        sent += stored.size
    return sent


def _verify(target: Connection, session: Session, tables: list[Table],
            expected: dict[str, int], digests: list[str], head: tuple[int, str] | None,
            location: ProgramLocation) -> None:
    """The copy's rows, attachments and audit chain against the source's, before commit."""
    problems: list[str] = []
    for table in tables:
        have = _count(target, table)
        if have != expected[table.name]:
            problems.append(f"{table.name}: {have} rows, the program has "
                            f"{expected[table.name]}")
    if location.on_server:
        present = set(target.scalars(select(AttachmentChunk.sha256)
                                     .where(AttachmentChunk.position == 0)))
    else:
        assert location.folder is not None
        folder = FolderStore(location.folder / ATTACHMENTS_FOLDER)
        present = {d for d in digests if folder.verify(d)}
    missing = [d for d in digests if d not in present]
    if missing:
        problems.append(f"{len(missing)} attachments did not arrive")
    broken = audit.check(session, head)
    problems += [str(b) for b in broken]
    if audit.head(session) != head:
        problems.append(f"the copy's audit log ends at {audit.head(session)}, not {head}")
    if problems:
        raise WorkspaceError(
            "The copy did not check out, so it was not kept. Nothing was changed in the "
            "program; try again, and keep this message if it happens again.",
            detail="; ".join(problems), path=location.display)


def counts(workspace: StaffWorkspace) -> dict[str, int]:
    """Rows per table (for comparing a program with its copy)."""
    with _snapshot(workspace) as reading:
        return {table.name: _count(reading, table) for table in _tables()}
