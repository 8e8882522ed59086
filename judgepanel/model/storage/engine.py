"""Engines, sessions, the declarative base and the portable column types.

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

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Numeric,
    String,
    create_engine,
    event,
)
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

DATABASE_NAME = "program.sqlite"

# Stable constraint names: Alembic can only alter or drop what it can name, and
# PostgreSQL and SQLite must end up with the same names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every staff-workspace table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Timezone-aware now: the only clock the model uses."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no timezone type and returns naive values; PostgreSQL returns
    aware ones. Normalising here means comparisons and the audit hash (which
    covers timestamps) behave the same on both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(dt.UTC)  # (SQLite: see bind_processor)

    def bind_processor(self, dialect: Dialect) -> Any:
        """On SQLite (no timezone type), the UTC time as the naive text SQLAlchemy's
        DATETIME writes, made by ``isoformat`` in C.

        SQLAlchemy formats it field by field in Python (2.4 µs a value against 0.8);
        a national merge stores 10,000 declaration times. A test pins the two to the
        same text.
        """
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        utc = dt.UTC

        def process(value: dt.datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is not utc:
                if value.tzinfo is None:
                    raise ValueError("timestamps must be timezone-aware")
                value = value.astimezone(utc)
            # "YYYY-MM-DD HH:MM:SS.ffffff" and the "+00:00" that UTC always adds, cut off.
            return value.isoformat(" ", "microseconds")[:26]

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class AuditLogColumns:
    """The columns of a hash-chained, append-only audit log (the rules are in audit.py).

    Both workspaces keep one (staff ``AuditEvent``, judge ``JudgeAuditEvent``), so
    the one chain algorithm in ``audit`` serves both. ``prev_hash`` is unique: two
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


class Money(TypeDecorator[Decimal]):
    """An amount of money, exact to the cent.

    Stored as ``NUMERIC(14, 2)``. SQLite has no decimal type, so there the
    value travels as a string and is turned back into a ``Decimal``: money
    never passes through a binary float.
    """

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(14, 2, asdecimal=False))
        return dialect.type_descriptor(Numeric(14, 2))

    def process_bind_param(self, value: Decimal | int | str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value).quantize(Decimal("0.01"))
        return str(amount) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.01"))


def sqlite_url(folder: Path) -> URL:
    """The URL of the workspace database inside ``folder``."""
    return URL.create("sqlite+pysqlite", database=str(Path(folder).resolve() / DATABASE_NAME))


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
