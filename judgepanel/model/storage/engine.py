"""Engines and sessions: how every workspace opens its database.

Why this module exists: every workspace (a staff program, and later the judge's
own) opens its database the same way. SQLite gets its durability settings (WAL,
foreign keys, ``synchronous=FULL``) from a connect listener that runs *only*
when the dialect is SQLite, so the same code runs unchanged on a PostgreSQL URL.

pysqlite's own transaction handling is switched off (``isolation_level=None``)
and SQLAlchemy emits ``BEGIN`` itself: that makes DDL transactional (a failed
migration leaves nothing half-built) and SAVEPOINTs reliable. This is the
recipe from SQLAlchemy's SQLite dialect documentation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Engine,
    create_engine,
    event,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

# Stable constraint names: Alembic can only alter or drop what it can name, and
# PostgreSQL and SQLite must end up with the same names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when a transaction begins.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        # 16 KiB pages (SQLite's default is 4 KiB): a kept raw results file (~58 KB)
        # spans 4 pages instead of 15, and the merge's B-trees are shallower. It must come
        # before journal_mode=WAL, and it only shapes a new, empty database: an existing
        # one (every workspace made before this) keeps its page size, and this is a no-op.
        cursor.execute("PRAGMA page_size=16384")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        # Up to 64 MiB of page cache (SQLite's default is 2 MiB): a merge of a national
        # round updates indexes all over the file; grown only as pages are used.
        cursor.execute("PRAGMA cache_size=-65536")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def make_engine(url: str | URL) -> Engine:
    """An engine for ``url``; SQLite connections get the durability pragmas.

    An in-memory SQLite URL gets a single shared connection, so every session
    (and the migration that built the schema) sees the same database.
    """
    url = make_url(url)
    kwargs: dict[str, Any] = {}
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite:
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
        if _is_memory(url):
            kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    if sqlite:
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (the GUI shows them)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
