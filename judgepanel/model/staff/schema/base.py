"""The declarative base of every staff-workspace table, its JSON column types, and the
association tables (categories of applications and judges, a later round's members)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    MetaData,
    Table,
)
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import DeclarativeBase

from judgepanel.model.storage.engine import NAMING_CONVENTION


class Base(DeclarativeBase):
    """Declarative base of every staff-workspace table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# JSON columns that code edits in place (``program.settings["x"] = 1``) must notice
# the change; tracking is shallow (a nested dict edited in place is not seen).
JSONDict = MutableDict.as_mutable(JSON)
JSONList = MutableList.as_mutable(JSON)

application_categories = Table(
    "application_categories",
    Base.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)

# Which applications a later round holds (one row each). The first round has no
# rows: it holds every application of the program. ``rounds.round_applications``
# is the one place that applies this rule; read membership there, not here.
round_applications_table = Table(
    "round_applications",
    Base.metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"),
           primary_key=True),
)

# A judge listed for a category reviews (by default) that category's applications.
judge_categories = Table(
    "judge_categories",
    Base.metadata,
    Column("judge_id", ForeignKey("judges.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)
