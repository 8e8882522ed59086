"""The staff workspace's append-only, hash-chained audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    event,
)

from judgepanel.errors import WorkspaceError
from judgepanel.model.staff.schema.base import Base
from judgepanel.model.storage.hash_chain import AuditLogColumns


class AuditEvent(AuditLogColumns, Base):
    """One entry of the staff workspace's append-only, hash-chained audit log."""

    __tablename__ = "audit_events"


def _refuse_change(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise WorkspaceError(
        "The audit log can only grow; its entries cannot be changed or deleted.",
        detail=f"attempt to modify audit event seq={target.seq}",
    )


# Append-only, enforced for every ORM write path (bulk SQL is caught by audit.check).
event.listen(AuditEvent, "before_update", _refuse_change)
event.listen(AuditEvent, "before_delete", _refuse_change)
