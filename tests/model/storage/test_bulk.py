"""``bulk``: what insert_rows stores must be what the ORM would have stored, and what
select_rows reads what SQLAlchemy would have read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    text,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from judgepanel.model.storage.bulk import insert_rows, select_rows
from judgepanel.model.storage.engine import make_engine
from judgepanel.model.storage.types import UTCDateTime

METADATA = MetaData()
THINGS = Table(
    "things", METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
    Column("flag", Boolean),
    Column("value", Float),
    Column("at", UTCDateTime),
)
AT = dt.datetime(2026, 3, 1, 9, 30, 0, 250000, tzinfo=dt.UTC)
ROWS = [("a", True, 1, AT), ("b", False, 2.5, AT + dt.timedelta(hours=1)),
        ("c", None, None, None)]


def _stored(session: Session) -> list[tuple[object, ...]]:
    return [tuple(row) for row in session.execute(
        select(THINGS.c.name, THINGS.c.flag, THINGS.c.value, THINGS.c.at).order_by(THINGS.c.id))]


@pytest.fixture
def session(tmp_path: Path) -> Session:
    engine = make_engine(f"sqlite:///{tmp_path / 'bulk.sqlite'}")
    METADATA.create_all(engine)
    with Session(engine) as session:
        yield session  # type: ignore[misc]
    engine.dispose()


COLUMNS = ("name", "flag", "value", "at")


def _orm_then_bulk(session: Session, rows: list[Any],
                   read: Callable[[Session], list[tuple[object, ...]]]
                   ) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """What ``read`` finds after the ORM's insert of ``rows``, and after insert_rows'."""
    session.execute(insert(THINGS), [dict(zip(COLUMNS, row, strict=True)) for row in rows])
    by_orm = read(session)
    session.execute(THINGS.delete())
    insert_rows(session, THINGS, COLUMNS, rows)
    return by_orm, read(session)


def test_rows_read_back_as_the_orm_would_store_them(session: Session) -> None:
    expected, stored = _orm_then_bulk(session, ROWS, _stored)
    assert stored == expected
    assert expected[0] == ("a", True, 1.0, AT)  # timestamps come back aware, in UTC


def _raw(session: Session) -> list[tuple[object, ...]]:
    """The values as the database holds them, read past SQLAlchemy's types."""
    return [tuple(row) for row in session.connection().exec_driver_sql(
        "SELECT name, flag, value, at FROM things ORDER BY id")]


def test_the_database_holds_the_very_values_the_orm_writes(session: Session) -> None:
    """Not only the same after reading back: the same stored text, so SQL that sorts or
    compares timestamps sees one format (a whole second included)."""
    expected, stored = _orm_then_bulk(session, [*ROWS, ("d", True, 3, AT.replace(microsecond=0))],
                                      _raw)
    assert stored == expected
    assert expected[-1][3] == "2026-03-01 09:30:00.000000"


@pytest.mark.parametrize("values", [(1.0, 2.5, -0.0), (1, 2.5, None)], ids=["floats", "mixed"])
def test_numbers_are_stored_as_the_orm_stores_them(session: Session,
                                                   values: tuple[Any, ...]) -> None:
    """All floats skip SQLite's float conversion (it would change nothing); anything
    else still takes it."""
    rows = [(f"n{i}", None, value, None) for i, value in enumerate(values)]

    def typed(session: Session) -> list[tuple[object, ...]]:
        return [tuple(row) for row in session.connection().exec_driver_sql(
            "SELECT value, typeof(value) FROM things ORDER BY id")]

    expected, stored = _orm_then_bulk(session, rows, typed)
    assert stored == expected
    assert [kind for _, kind in stored][:2] == ["real", "real"]


def test_columns_in_any_order(session: Session) -> None:
    insert_rows(session, THINGS, ("at", "value", "name", "flag"),
                [(at, value, name, flag) for name, flag, value, at in ROWS])
    assert [row[0] for row in _stored(session)] == ["a", "b", "c"]
    assert _stored(session)[1] == ("b", False, 2.5, AT + dt.timedelta(hours=1))


def test_nothing_to_insert_runs_no_statement(session: Session) -> None:
    insert_rows(session, THINGS, ("name",), [])
    assert _stored(session) == []


def test_the_drivers_errors_come_out_as_sqlalchemys(session: Session) -> None:
    """As from session.execute: callers (and the session's rollback) see one kind."""
    insert_rows(session, THINGS, ("id", "name"), [(1, "a")])
    with pytest.raises(IntegrityError):
        insert_rows(session, THINGS, ("id", "name"), [(2, "b"), (1, "again")])
    session.rollback()
    assert _stored(session) == []
    with pytest.raises(OperationalError):
        select_rows(session, select(THINGS.c.name).where(text("no_such_column = 1")))


def test_a_naive_timestamp_is_refused_as_by_the_orm(session: Session) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        insert_rows(session, THINGS, ("name", "at"), [("x", dt.datetime(2026, 1, 1))])


@pytest.mark.parametrize("value", [
    AT, AT.replace(microsecond=0), AT.replace(microsecond=1),
    dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.datetime(2024, 2, 29, 0, 0, 0, 999999, tzinfo=dt.timezone(dt.timedelta(hours=9))),
    dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
])
def test_sqlite_timestamps_are_the_text_sqlalchemys_datetime_writes(value: dt.datetime) -> None:
    """UTCDateTime formats SQLite's text itself (faster); it must be SQLAlchemy's, in UTC."""
    dialect = sqlite.dialect()
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None and theirs is not None
    assert ours(value) == theirs(value.astimezone(dt.UTC).replace(tzinfo=None))
    assert ours(None) is None


QUERIES = {
    "all": select(THINGS.c.name, THINGS.c.flag, THINGS.c.value, THINGS.c.at)
    .order_by(THINGS.c.id),
    # parameters that need the type's bind processor, a literal, and no rows at all
    "bound": select(THINGS.c.at, THINGS.c.name).where(THINGS.c.at > AT,
                                                      THINGS.c.flag.is_(False)),
    "none": select(THINGS.c.flag).where(THINGS.c.at < AT - dt.timedelta(days=1)),
    # an IN list, which SQLAlchemy expands at execution
    "in-list": select(THINGS.c.name, THINGS.c.at).where(THINGS.c.name.in_(["a", "c"]))
    .order_by(THINGS.c.name),
}


def _reads_as_sqlalchemy(session: Session) -> None:
    insert_rows(session, THINGS, COLUMNS, ROWS)
    for name, query in QUERIES.items():
        expected = [tuple(row) for row in session.execute(query)]
        rows = select_rows(session, query)
        assert rows == expected, name
        assert all(type(row) is tuple for row in rows)
        assert all(type(a) is type(b) for row, want in zip(rows, expected, strict=True)
                   for a, b in zip(row, want, strict=True)), name  # a bool stays a bool
    assert [len(select_rows(session, q)) for q in QUERIES.values()] == [3, 1, 0, 2]


def test_select_rows_reads_what_sqlalchemy_reads(session: Session) -> None:
    _reads_as_sqlalchemy(session)


def test_select_rows_reads_what_sqlalchemy_reads_on_postgresql(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        METADATA.create_all(engine)
        with Session(engine) as session:
            _reads_as_sqlalchemy(session)
    finally:
        engine.dispose()


def test_select_rows_of_a_streamed_query_come_from_sqlalchemys_rows(session: Session) -> None:
    """A buffering fetch strategy may have read ahead of the driver's cursor: then the
    rows come through SQLAlchemy, still as plain tuples."""
    insert_rows(session, THINGS, COLUMNS, ROWS)
    query = QUERIES["all"].execution_options(stream_results=True, max_row_buffer=1)
    rows = select_rows(session, query)
    assert rows == [tuple(row) for row in session.execute(QUERIES["all"])]
    assert len(rows) == 3 and all(type(row) is tuple for row in rows)


def test_select_rows_sees_the_sessions_own_changes(session: Session) -> None:
    """Read on the session's connection, inside its transaction, before any commit."""
    insert_rows(session, THINGS, COLUMNS, ROWS[:1])
    assert select_rows(session, select(THINGS.c.name)) == [("a",)]
