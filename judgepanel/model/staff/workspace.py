"""The staff workspace: one program's database and its attachments.

A workspace folder holds ``program.sqlite`` (WAL, foreign keys, ``synchronous=FULL``)
and ``attachments/`` (content-addressed). A program several officers share lives in a
PostgreSQL database instead (``staff.location`` reads its address and connects), with
its attachments in the same database (``attachments.DatabaseStore``), so every officer
sees the same files. The schema is created and upgraded by Alembic; a database from a
newer JudgePanel is refused, never guessed at. A folder is upgraded when opened; a
shared database only by the explicit :meth:`StaffWorkspace.upgrade` (``judgepanel staff
upgrade``), once every officer has closed it.

All reads and writes go through :meth:`StaffWorkspace.session`, which commits when the
block ends and rolls everything back on any error, so a refused import or a crash
half-way leaves the database as it was: every step is one transaction. On a shared
database, a step that collided with another officer's (a deadlock, the same new row
twice, a row changed under it) is refused whole with ``ConcurrentChangeError``;
:meth:`StaffWorkspace.run` does such a step again, up to a few times.

Who acts (``actor``, written in every audit entry and decision): on a shared program the
database login each officer connects as (they log in as themselves,
docs/shared-workspace.md), so the log and the app's news say which officer it was;
otherwise the name of the program's staff identity once it has one, else this
computer's user name.
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from judgepanel import paths
from judgepanel.errors import ConcurrentChangeError, WorkspaceError
from judgepanel.model.staff import audit, migrations
from judgepanel.model.staff.attachments import AttachmentStore, DatabaseStore, FolderStore
from judgepanel.model.staff.identity import staff_identity_name
from judgepanel.model.staff.location import (
    DATABASE_NAME,
    PasswordPrompt,
    ProgramLocation,
    connect,
    locate,
    url_password,
)
from judgepanel.model.staff.locks import hold_schema
from judgepanel.model.staff.prepare.categories import add_category
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.program import Program
from judgepanel.model.storage.engine import session_factory
from judgepanel.model.storage.hash_chain import WRITTEN_KEY
from judgepanel.text import text_problem

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTACHMENTS_FOLDER = "attachments"
# SQLSTATEs of a step that collided with another writer's: doing it again may succeed.
COLLISIONS = frozenset({"40001", "40P01", "23505", "55P03"})

_NOT_A_WORKSPACE = (
    "This is not a JudgePanel workspace. Choose the folder that holds your program "
    "(it contains “program.sqlite”), or create a new workspace."
)
_UNREADABLE = (
    "The workspace could not be opened: its database is damaged, is not a JudgePanel "
    "database, or is in use by another program. Close other copies of JudgePanel and "
    "try again, or restore the workspace from a backup."
)
_COLLIDED = (
    "Another officer changed the same part of the program at the same moment, so nothing "
    "of this step was saved. Try again."
)


def sqlite_url(folder: Path) -> URL:
    """The URL of the workspace database inside ``folder``."""
    return locate(Path(folder)).url


def _default_actor() -> str:
    try:
        return getpass.getuser() or "staff"
    except Exception:  # no user name on some locked-down systems
        return "staff"


def _login(location: ProgramLocation) -> str | None:
    """On a server, the database user this officer logs in as (None elsewhere)."""
    return (location.url.username or None) if location.on_server else None


def _sqlite_file(location: ProgramLocation) -> Path | None:
    url = location.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _translated(exc: BaseException) -> BaseException | None:
    """The plain refusal for a database error on a shared program (None: not ours to word)."""
    if isinstance(exc, StaleDataError):
        return ConcurrentChangeError(_COLLIDED, detail=str(exc))
    if not isinstance(exc, DBAPIError):
        return None
    state = getattr(exc.orig, "sqlstate", None)
    if state in COLLISIONS:
        return ConcurrentChangeError(_COLLIDED, detail=f"{state}: {exc.orig}")
    lost = state is None and isinstance(exc, OperationalError)
    if exc.connection_invalidated or lost or (state or "").startswith(("08", "57P")):
        return WorkspaceError(
            "The connection to the database server was lost, so nothing of this step was "
            "saved. Check the network and try again.", detail=str(exc.orig))
    return None


class StaffWorkspace:
    """An open staff workspace. Use :meth:`create` or :meth:`open`, then :meth:`session`."""

    def __init__(self, engine: Engine, *, location: ProgramLocation,
                 attachments: AttachmentStore, actor: str, program_id: int) -> None:
        self.engine = engine
        self.location = location
        self.folder = location.folder
        self.attachments = attachments
        self.actor = actor
        self.program_id = program_id
        # Audit entries this workspace wrote: news from other officers is everything else.
        self.written_seqs: set[int] = set()
        self._sessions: sessionmaker[Session] = session_factory(engine)

    # --- opening ------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        target: Path | str,
        program_name: str,
        *,
        description: str = "",
        currency: str = "USD",
        categories: Iterable[str] = (),
        attachments: Path | None = None,
        actor: str | None = None,
        ask_password: PasswordPrompt | None = None,
    ) -> StaffWorkspace:
        """Make a new workspace in ``target`` (a folder, or the URL of an empty database).

        All or nothing: the schema, the program and its first audit entry are made in
        one transaction, and a folder made for it is removed again on failure.
        """
        name = program_name.strip()
        if not name:
            raise WorkspaceError("Give the program a name.", path="program_name")
        if (problem := text_problem(name, multiline=False)) is not None:  # judgepanel/text.py
            raise WorkspaceError(f"The program's name {problem}. Delete that character.",
                                 path="program_name")
        location = locate(target)
        cls._check_attachments(location, attachments)
        db_file = _sqlite_file(location)
        made_folder = False
        if db_file is not None:
            if db_file.exists():
                raise WorkspaceError(
                    "There is already a workspace in this folder. Open it instead, or "
                    "choose an empty folder for the new program.",
                    path=str(db_file.parent),
                )
            made_folder = not db_file.parent.exists()
            db_file.parent.mkdir(parents=True, exist_ok=True)
        actor = actor or _login(location) or _default_actor()
        engine: Engine | None = None
        try:
            engine = connect(location, password=url_password(target),
                             ask_password=ask_password)
            with engine.connect() as connection, connection.begin():
                hold_schema(connection)
                if inspect(connection).get_table_names():
                    raise WorkspaceError(
                        "This database already holds data. Choose an empty database for "
                        "a new program (or open the program it holds).",
                        detail=location.display)
                migrations.upgrade_on(connection)
                program_id = cls._first_program(connection, actor, name, description,
                                                currency, categories)
        except BaseException:
            if engine is not None:
                engine.dispose()
            if db_file is not None:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(str(db_file) + suffix).unlink(missing_ok=True)
                if made_folder:
                    with contextlib.suppress(OSError):
                        db_file.parent.rmdir()
            raise
        return cls(engine, location=location, actor=actor, program_id=program_id,
                   attachments=cls._store(engine, location, attachments))

    @staticmethod
    def _first_program(connection: Connection, actor: str, name: str, description: str,
                       currency: str, categories: Iterable[str]) -> int:
        session = Session(bind=connection, expire_on_commit=False)
        try:
            program = Program(name=name, description=description, currency=currency)
            session.add(program)
            session.flush()
            for category in categories:
                add_category(session, program, category)
            audit.append(session, actor, "workspace.created",
                         {"program": name, "schema": migrations.head_revision()})
            session.commit()  # the caller's transaction ends with the connection block
            return program.id
        finally:
            session.close()

    @classmethod
    def open(
        cls,
        target: Path | str,
        *,
        attachments: Path | None = None,
        actor: str | None = None,
        password: str | None = None,
        ask_password: PasswordPrompt | None = None,
    ) -> StaffWorkspace:
        """Open an existing workspace (folder or URL); a folder's older schema is upgraded.

        On a server the password is ``password``, else the one in ``target``, else the
        keyring's (``location.connect`` says what happens next).
        """
        location = locate(target)
        cls._check_attachments(location, attachments)
        db_file = _sqlite_file(location)
        where = location.display
        if db_file is not None and not db_file.is_file():
            raise WorkspaceError(_NOT_A_WORKSPACE, detail=f"no {DATABASE_NAME} here",
                                 path=where)
        engine = connect(location, password=password or url_password(target),
                         ask_password=ask_password)
        try:
            cls._bring_up_to_date(engine, location, actor or _login(location) or _default_actor())
            with session_factory(engine)() as session:
                ids = list(session.scalars(select(Program.id).order_by(Program.id)))
                if len(ids) != 1:
                    raise WorkspaceError(_NOT_A_WORKSPACE,
                                         detail=f"{len(ids)} program rows", path=where)
                actor = actor or _login(location)  # on a server, the officer it knows
                if actor is None:
                    program = session.get(Program, ids[0])
                    assert program is not None
                    actor = staff_identity_name(session, program) or _default_actor()
        except DBAPIError as exc:
            engine.dispose()
            raise WorkspaceError(_UNREADABLE, detail=str(exc.orig), path=where) from exc
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, location=location, actor=actor, program_id=ids[0],
                   attachments=cls._store(engine, location, attachments))

    @classmethod
    def upgrade(cls, target: Path | str, *, actor: str | None = None,
                ask_password: PasswordPrompt | None = None) -> tuple[str | None, str]:
        """Bring a workspace's schema to this version's: (revision before, after).

        The explicit step a shared database needs (``judgepanel staff upgrade``): run it
        once every officer has closed the program, after a backup. Two officers running
        it at once take turns; the second finds nothing left to do.
        """
        location = locate(target)
        engine = connect(location, password=url_password(target), ask_password=ask_password)
        try:
            with engine.connect() as connection, connection.begin():
                hold_schema(connection)
                current = cls._known_revision(connection, location)
                head = migrations.head_revision()
                if current == head:
                    return current, head
                cls._check_closed(connection, location)
                migrations.upgrade_on(connection)
            with session_factory(engine).begin() as session:
                audit.append(session, actor or _login(location) or _default_actor(),
                             "workspace.upgraded",
                             {"from": current, "to": head})
            return current, head
        finally:
            engine.dispose()

    @staticmethod
    def _check_closed(connection: Connection, location: ProgramLocation) -> None:
        """Refuse to upgrade a shared program officers still have open (their JudgePanel
        would go on with the old schema)."""
        if not location.on_server:
            return
        others = connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND application_name = :name"),
            {"name": location.connection_url.query.get("application_name", "JudgePanel")})
        if others:
            raise WorkspaceError(
                f"The program is still open on {others} connection"
                f"{'s' if others != 1 else ''} of JudgePanel. Ask every officer to close "
                "it, then run the upgrade again.", detail=f"{others} other sessions",
                path=location.display)

    @staticmethod
    def _check_attachments(location: ProgramLocation, attachments: Path | None) -> None:
        if attachments is not None and location.on_server:
            raise ValueError("a program on a server keeps its attachments in its database")

    @staticmethod
    def _store(engine: Engine, location: ProgramLocation,
               attachments: Path | None) -> AttachmentStore:
        if location.on_server:
            return DatabaseStore(engine)
        if attachments is not None:
            return FolderStore(attachments)
        if location.folder is not None:
            return FolderStore(location.folder / ATTACHMENTS_FOLDER)
        return FolderStore(paths.data_home() / ATTACHMENTS_FOLDER)

    @staticmethod
    def _known_revision(connection: Connection, location: ProgramLocation) -> str:
        current = migrations.current_revision(connection)
        where = location.display
        if current is None:
            if location.on_server and not inspect(connection).get_table_names():
                raise WorkspaceError(
                    "This database holds no program yet. Create one in it with `judgepanel "
                    "staff init --workspace ADDRESS`, or move one in with `judgepanel staff "
                    "copy --to ADDRESS`.", detail="empty database", path=where)
            raise WorkspaceError(_NOT_A_WORKSPACE, detail="no schema revision", path=where)
        if not migrations.is_known(current):
            raise WorkspaceError(
                "This workspace was saved by a newer version of JudgePanel. Install the "
                "newer version to open it; this one will not change it.",
                detail=f"schema revision {current!r}; this version knows up to "
                f"{migrations.head_revision()!r}",
                path=where,
            )
        return current

    @classmethod
    def _bring_up_to_date(cls, engine: Engine, location: ProgramLocation, actor: str) -> None:
        with engine.connect() as connection:
            current = cls._known_revision(connection, location)
        head = migrations.head_revision()
        if current == head:
            return
        if location.on_server:
            raise WorkspaceError(
                "This shared program was saved by an older version of JudgePanel and needs "
                "an upgrade first. Once every officer has closed it (and after a backup), "
                "run `judgepanel staff upgrade --workspace ADDRESS`; see "
                "docs/shared-workspace.md.",
                detail=f"schema revision {current!r}, this version needs {head!r}",
                path=location.display)
        migrations.upgrade(engine)
        with session_factory(engine).begin() as session:
            audit.append(session, actor, "workspace.upgraded", {"from": current, "to": head})

    # --- using --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The database URL (never with a password), for display and for reopening."""
        return self.location.display if self.location.on_server else \
            self.engine.url.render_as_string(hide_password=True)

    @property
    def shared(self) -> bool:
        """Whether the program lives on a server several officers may use at once."""
        return self.location.on_server

    @contextlib.contextmanager
    def session(self, *, snapshot: bool = False) -> Iterator[Session]:
        """A unit of work: commits at the end of the block, rolls back on any error.

        ``snapshot`` (for reads on a shared program): every query of the block sees the
        program as it was at the first one, not another officer's commit half-way.
        """
        session = self._sessions()
        try:
            if snapshot and self.shared:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session
            session.commit()
            self.written_seqs.update(session.info.get(WRITTEN_KEY, ()))
        except BaseException as exc:
            session.rollback()
            # A row version that moved under this step (``storage.versions``) is worded on
            # either database; the server's own collisions only where there are any.
            stale = isinstance(exc, StaleDataError)
            plain = _translated(exc) if self.shared or stale else None
            if plain is not None:
                raise plain from exc
            raise
        finally:
            session.close()

    def run(self, change: Callable[[Session], T], *, attempts: int = 4) -> T:
        """``change(session)`` as one transaction, done again when it collided with another
        officer's step at the same moment (each attempt all or nothing)."""
        for attempt in range(1, attempts + 1):
            try:
                with self.session() as session:
                    return change(session)
            except ConcurrentChangeError as error:
                if attempt == attempts:
                    raise
                log.info("step collided with another officer's (%s); again", error.detail)
                time.sleep(random.uniform(0.01, 0.05) * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def program(self, session: Session) -> Program:
        """This workspace's program, in ``session``."""
        program = session.get(Program, self.program_id)
        if program is None:
            raise WorkspaceError(_NOT_A_WORKSPACE, detail="the program row is gone")
        return program

    def record(
        self, session: Session, action: str, details: dict[str, Any] | None = None
    ) -> AuditEvent:
        """Append an audit entry as this workspace's actor (at commit)."""
        return audit.append(session, self.actor, action, details)

    def schema_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return migrations.current_revision(connection)

    def audit_event_count(self) -> int:
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(AuditEvent)) or 0

    def close(self) -> None:
        """Release the database (checkpoints the WAL on SQLite)."""
        self.engine.dispose()

    def __enter__(self) -> StaffWorkspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
