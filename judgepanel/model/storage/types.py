"""Portable column types: timestamps always timezone-aware UTC, money exact to the cent.

Both workspaces (staff and judge) use them, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


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
