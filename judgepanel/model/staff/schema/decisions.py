"""The panel's decision on each application of a round."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from judgepanel.model.staff.schema.base import Base
from judgepanel.model.staff.schema.program import Application
from judgepanel.model.storage.types import UTCDateTime
from judgepanel.model.storage.versions import VersionedColumns


class PanelDecision(VersionedColumns, Base):
    """The panel's decision on one application in one round (migration 0010).

    ``outcome`` is a name from the program's outcome list (``decide.decisions``); None
    once the decision is cleared (the row stays, so its version keeps counting and an
    officer clearing from an older view is refused like any stale edit). Versioned
    (``storage.versions``); every change is in the audit log.
    """

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("round_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Deleting a round (possible only before bundles) deletes its decisions.
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    outcome: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()
