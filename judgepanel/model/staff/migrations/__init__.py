"""Alembic migrations of the staff workspace, run from code (no alembic.ini).

Why programmatic: a workspace is created and upgraded by the app itself, so the
script location is this package folder, found at runtime, and the migration
runs on the caller's connection (which also makes in-memory SQLite work).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

SCRIPT_LOCATION = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic config pointing at this folder, optionally bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this version of JudgePanel knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(connection: Connection) -> str | None:
    """The database's schema revision, or None when it has none (not migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def is_known(revision: str) -> bool:
    """Whether ``revision`` is one of ours (an unknown one means a newer JudgePanel)."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the schema to ``target`` inside one transaction."""
    with engine.begin() as connection:
        upgrade_on(connection, target)


def upgrade_on(connection: Connection, target: str = "head") -> None:
    """Bring the schema to ``target`` in the caller's transaction (with what it does next)."""
    command.upgrade(alembic_config(connection), target)
