"""Many plain rows into one table, or out of a query, on any database.

Why this exists: a national round's merge lands 80,000 rows (scores, reviews,
declarations), and its ranking reads them back. SQLAlchemy's own executemany path
builds and processes a parameter dictionary per row, which cost about as much as
SQLite's work of storing them; reading, it wraps every row the driver returns in a
``Row`` (a fifth of the time of reading 60,000 scores).

:func:`insert_rows` compiles the statement once for the connection's dialect,
looks up each column's bind processor (the same one SQLAlchemy would apply, e.g.
for timestamps) once, and hands the driver tuples (or, for drivers with named
parameters such as psycopg, dictionaries) directly. Only for rows that need
nothing back (no generated keys, no defaults to fetch) and that the caller has
already validated.

:func:`select_rows` runs a Core select on the session's own connection (so inside
its transaction) and returns the driver's tuples, with each column's result
processor applied as SQLAlchemy would (SQLite's booleans, timestamps).

Both lean on SQLAlchemy's engine internals (``CursorFetchStrategy``,
``processors.to_float``, a compiled statement's ``positiontup`` and ``binds``), so
pyproject.toml pins the SQLAlchemy minor version they are tested against, and
tests/model/storage/test_bulk.py compares both with SQLAlchemy's own path (rows
stored and read back, the text stored, error types) on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import Select, Table, insert
from sqlalchemy.engine.cursor import CursorFetchStrategy
from sqlalchemy.engine.processors import to_float
from sqlalchemy.orm import Session

Row = Sequence[Any]


def insert_rows(session: Session, table: Table, columns: Sequence[str],
                rows: Sequence[Row]) -> None:
    """INSERT ``rows`` (values in ``columns`` order) into ``table`` in one executemany."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(columns):
        # The dialect's own form of the type, as SQLAlchemy's compiler uses: a
        # TypeDecorator's generic ``impl`` would hand SQLite a datetime for the driver's
        # (deprecated) adapter to format, in another text than the ORM stores.
        found = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if found is to_float and all(type(row[index]) is float for row in rows):
            continue  # it only converts what is not a float yet (SQLite: 60,000 scores)
        if found is not None:
            processors.append((index, found))
    if processors:
        rows = _processed(rows, processors)
    if compiled.positiontup is not None:  # qmark, format, numeric
        position = {name: index for index, name in enumerate(columns)}
        order = [position[name] for name in compiled.positiontup]
        if order != list(range(len(columns))):
            rows = [tuple(row[i] for i in order) for row in rows]
        params: list[Any] = [tuple(row) for row in rows]
    else:  # named, pyformat
        if set(compiled.binds) != set(columns):  # a renamed bind: let SQLAlchemy map it
            session.execute(insert(table), [dict(zip(columns, row, strict=True))
                                            for row in rows])
            return
        params = [dict(zip(columns, row, strict=True)) for row in rows]
    connection.exec_driver_sql(compiled.string, params)


def select_rows(session: Session, query: Select[Any]) -> list[tuple[Any, ...]]:
    """Every row of ``query`` as a plain tuple, as ``session.execute(query)`` would give.

    For selects of columns (no ORM entities). SQLAlchemy compiles and executes the
    statement as usual (its cache, parameters and events included); only the rows
    are taken from the driver's cursor as they come, each column's result processor
    applied as SQLAlchemy would.
    """
    connection = session.connection()
    result = connection.execute(query)
    try:
        if type(result.cursor_strategy) is not CursorFetchStrategy:  # e.g. buffered
            return [tuple(row) for row in result]
        cursor = result.cursor
        rows = cast(list[tuple[Any, ...]], cursor.fetchall())  # a list, by DB-API
        described = cursor.description
    finally:
        result.close()
    dialect = connection.dialect
    processors = [(index, found) for index, (column, description)
                  in enumerate(zip(query.selected_columns, described, strict=True))
                  if (found := column.type.dialect_impl(dialect).result_processor(
                      dialect, description[1])) is not None]
    return _processed(rows, processors) if processors and rows else rows


def _processed(rows: Sequence[Row], processors: Sequence[tuple[int, Callable[[Any], Any]]]
               ) -> list[tuple[Any, ...]]:
    """``rows`` with ``processors`` applied to their columns (index, processor)."""
    # Column by column: map() and zip() keep the loop out of Python.
    values = [list(column) for column in zip(*rows, strict=True)]
    for index, processor in processors:
        values[index] = list(map(processor, values[index]))
    return list(zip(*values, strict=True))
