"""Many plain rows into one table with one ``executemany``, on any database.

Why this exists: a national round's merge lands 80,000 rows (scores, reviews,
declarations). SQLAlchemy's own executemany path builds and processes a parameter
dictionary per row, which cost about as much as SQLite's work of storing them.
Here the statement is compiled once for the connection's dialect, each column's
bind processor (the same one SQLAlchemy would apply, e.g. for timestamps) is
looked up once, and the driver receives tuples (or, for drivers with named
parameters such as psycopg, dictionaries) directly.

Only for rows that need nothing back (no generated keys, no defaults to fetch)
and that the caller has already validated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert
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
        if found is not None:
            processors.append((index, found))
    if processors:  # column by column: map() and zip() keep the loop out of Python
        values = [list(column) for column in zip(*rows, strict=True)]
        for index, processor in processors:
            values[index] = list(map(processor, values[index]))
        rows = list(zip(*values, strict=True))
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

