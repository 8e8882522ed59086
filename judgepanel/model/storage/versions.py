"""Row versions: an edit carries the version it was made from, and a stale one is refused.

Why: officers sharing a program edit the same rows (an award, a conflict decision,
the panel's decision on an application). Without a check, whoever saves second
silently overwrites the first, who never learns it. So a row officers edit carries a
``version`` and who changed it last (``changed_by``):

- the version is SQLAlchemy's version counter (``version_id_col``): every UPDATE
  through the ORM adds one and names the old value in its WHERE clause, so two
  transactions can never both update a row from the same version;
- an edit function takes the version the officer's screen showed and calls
  :func:`claim` first: it reads the row again, locked (``SELECT … FOR UPDATE`` on
  PostgreSQL; SQLite has one writer at a time anyway), and refuses with
  :class:`~judgepanel.errors.StaleEditError` ("another officer changed this: here is
  the new value") when the version moved on. ``None`` means "no view to be stale"
  (a script that reads and writes in one step).

A new editable table gets the same protection by mixing in :class:`VersionedColumns`
and calling :func:`claim` in its edit function (decisions, awards and conflict
decisions all do).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Integer, String, text
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from judgepanel.errors import StaleEditError


class VersionedColumns:
    """``version`` (1 when made, +1 on every change) and ``changed_by`` (the last editor)."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    changed_by: Mapped[str | None] = mapped_column(String(200))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


Row = TypeVar("Row", bound=VersionedColumns)


def claim(session: Session, row: Row, expected: int | None, actor: str, *, what: str,
          now: Callable[[Row], str]) -> Row:
    """Lock ``row`` for this transaction, check it is still at ``expected``, sign it.

    ``what`` names the row for a person ("the award for G-7"), ``now`` says its
    current value ("it is now 12,000.00"). Call before changing the row; the change
    then bumps the version when flushed.
    """
    session.flush()  # this transaction's own changes first: the refresh must not lose them
    session.refresh(row, with_for_update=True)
    if expected is not None and row.version != expected:
        raise stale(what, now(row), changed_by=row.changed_by, version=row.version,
                    detail=f"edit made from version {expected}, the row is at {row.version}")
    row.changed_by = actor
    return row


def stale(what: str, current: str, *, changed_by: str | None = None,
          version: int | None = None, detail: str = "") -> StaleEditError:
    """The refusal of an edit made from an out-of-date view, in the one wording."""
    by = f" ({changed_by})" if changed_by else ""
    return StaleEditError(
        f"Another officer{by} changed {what} while you were looking at it: {current}. "
        "Nothing was saved. Look at the new value and make your change again if it is "
        "still right.",
        current=current, changed_by=changed_by, version=version, detail=detail)
