"""The staff workspace: one program's database plus its attachments folder.

A workspace folder holds ``program.sqlite`` (WAL, foreign keys,
``synchronous=FULL``) and ``attachments/`` (content-addressed). Several staff
sharing a program can instead point at a database URL (PostgreSQL); then the
attachments folder is given explicitly. The schema is created and upgraded
by Alembic; a database from a newer JudgePanel is refused, never guessed at.

All reads and writes go through :meth:`StaffWorkspace.session`, which commits
when the block ends and rolls everything back on any error, so a refused
import or a crash half-way leaves the database as it was.

Who acts (``actor``, written in every audit entry and decision): the name of the
program's staff identity once it has one, else this computer's user name.
"""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from judgepanel import paths
from judgepanel.errors import WorkspaceError
from judgepanel.model.staff import audit, migrations
from judgepanel.model.staff.attachments import AttachmentStore
from judgepanel.model.staff.identity import staff_identity_name
from judgepanel.model.staff.prepare.categories import add_category
from judgepanel.model.staff.schema import AuditEvent, Program
from judgepanel.model.storage.engine import make_engine, session_factory
from judgepanel.text import text_problem

DATABASE_NAME = "program.sqlite"
ATTACHMENTS_FOLDER = "attachments"

_NOT_A_WORKSPACE = (
    "This is not a JudgePanel workspace. Choose the folder that holds your program "
    "(it contains “program.sqlite”), or create a new workspace."
)
_UNREADABLE = (
    "The workspace could not be opened: its database is damaged, is not a JudgePanel "
    "database, or is in use by another program. Close other copies of JudgePanel and "
    "try again, or restore the workspace from a backup."
)


def sqlite_url(folder: Path) -> URL:
    """The URL of the workspace database inside ``folder``."""
    return URL.create("sqlite+pysqlite", database=str(Path(folder).resolve() / DATABASE_NAME))


def _default_actor() -> str:
    try:
        return getpass.getuser() or "staff"
    except Exception:  # no user name on some locked-down systems
        return "staff"


def _resolve(target: Path | str) -> tuple[URL, Path | None]:
    """(database URL, workspace folder or None) for a folder path or a database URL."""
    if isinstance(target, str) and "://" in target:
        url = make_url(target)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return url, Path(url.database).resolve().parent
        return url, None
    folder = Path(target).expanduser().resolve()
    return sqlite_url(folder), folder


def _sqlite_file(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


class StaffWorkspace:
    """An open staff workspace. Use :meth:`create` or :meth:`open`, then :meth:`session`."""

    def __init__(
        self,
        engine: Engine,
        *,
        folder: Path | None,
        attachments_root: Path,
        actor: str,
        program_id: int,
    ) -> None:
        self.engine = engine
        self.folder = folder
        self.attachments = AttachmentStore(attachments_root)
        self.actor = actor
        self.program_id = program_id
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
    ) -> StaffWorkspace:
        """Make a new workspace in ``target`` (a folder, or a URL of an empty database)."""
        name = program_name.strip()
        if not name:
            raise WorkspaceError("Give the program a name.", path="program_name")
        if (problem := text_problem(name, multiline=False)) is not None:  # judgepanel/text.py
            raise WorkspaceError(f"The program's name {problem}. Delete that character.",
                                 path="program_name")
        url, folder = _resolve(target)
        db_file = _sqlite_file(url)
        if db_file is not None:
            if db_file.exists():
                raise WorkspaceError(
                    "There is already a workspace in this folder. Open it instead, or "
                    "choose an empty folder for the new program.",
                    path=str(db_file.parent),
                )
            db_file.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        actor = actor or _default_actor()
        try:
            with engine.connect() as connection:
                if inspect(connection).get_table_names():
                    raise WorkspaceError(
                        "This database already holds data. Choose an empty database for "
                        "a new program.",
                        detail=url.render_as_string(hide_password=True),
                    )
            migrations.upgrade(engine)
            with session_factory(engine).begin() as session:
                program = Program(name=name, description=description, currency=currency)
                session.add(program)
                session.flush()
                for category in categories:
                    add_category(session, program, category)
                audit.append(
                    session,
                    actor,
                    "workspace.created",
                    {"program": name, "schema": migrations.head_revision()},
                )
                program_id = program.id
        except BaseException:
            engine.dispose()
            if db_file is not None:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(str(db_file) + suffix).unlink(missing_ok=True)
            raise
        root = attachments or cls._attachments_root(folder)
        return cls(
            engine, folder=folder, attachments_root=root, actor=actor, program_id=program_id
        )

    @classmethod
    def open(
        cls,
        target: Path | str,
        *,
        attachments: Path | None = None,
        actor: str | None = None,
    ) -> StaffWorkspace:
        """Open an existing workspace (folder or URL), upgrading an older schema."""
        url, folder = _resolve(target)
        db_file = _sqlite_file(url)
        if db_file is not None and not db_file.is_file():
            raise WorkspaceError(
                _NOT_A_WORKSPACE,
                detail=f"no {DATABASE_NAME} here",
                path=str(folder or db_file),
            )
        engine = make_engine(url)
        try:
            cls._bring_up_to_date(engine, actor or _default_actor(), str(folder or ""))
            with session_factory(engine)() as session:
                ids = list(session.scalars(select(Program.id).order_by(Program.id)))
                if len(ids) != 1:
                    raise WorkspaceError(
                        _NOT_A_WORKSPACE, detail=f"{len(ids)} program rows",
                        path=str(folder or ""))
                if actor is None:
                    program = session.get(Program, ids[0])
                    assert program is not None
                    actor = staff_identity_name(session, program) or _default_actor()
        except DBAPIError as exc:
            engine.dispose()
            raise WorkspaceError(_UNREADABLE, detail=str(exc.orig), path=str(folder or "")) from exc
        except BaseException:
            engine.dispose()
            raise
        root = attachments or cls._attachments_root(folder)
        return cls(engine, folder=folder, attachments_root=root, actor=actor, program_id=ids[0])

    @staticmethod
    def _attachments_root(folder: Path | None) -> Path:
        if folder is not None:
            return folder / ATTACHMENTS_FOLDER
        return paths.data_home() / ATTACHMENTS_FOLDER

    @staticmethod
    def _bring_up_to_date(engine: Engine, actor: str, where: str) -> None:
        with engine.connect() as connection:
            current = migrations.current_revision(connection)
        if current is None:
            raise WorkspaceError(_NOT_A_WORKSPACE, detail="no schema revision", path=where)
        if not migrations.is_known(current):
            raise WorkspaceError(
                "This workspace was saved by a newer version of JudgePanel. Install the "
                "newer version to open it; this one will not change it.",
                detail=f"schema revision {current!r}; this version knows up to "
                f"{migrations.head_revision()!r}",
                path=where,
            )
        head = migrations.head_revision()
        if current != head:
            migrations.upgrade(engine)
            with session_factory(engine).begin() as session:
                audit.append(session, actor, "workspace.upgraded",
                                  {"from": current, "to": head})

    # --- using --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The database URL (password hidden), for display and for reopening."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits at the end of the block, rolls back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def program(self, session: Session) -> Program:
        """This workspace's program, in ``session``."""
        program = session.get(Program, self.program_id)
        if program is None:
            raise WorkspaceError(_NOT_A_WORKSPACE, detail="the program row is gone")
        return program

    def record(
        self, session: Session, action: str, details: dict[str, Any] | None = None
    ) -> AuditEvent:
        """Append an audit entry as this workspace's actor."""
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
