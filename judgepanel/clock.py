"""The one clock: every "now" in JudgePanel comes from here.

Why one place: timestamps are compared, hashed (the audit chain) and written into
signed files, so they must all be timezone-aware UTC, and a test that needs a fixed
time has one function to replace. Files spell a moment as ISO 8601 UTC with a ``Z``
and whole seconds (docs/formats.md); the databases keep microseconds.
"""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Now, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def stamp(at: dt.datetime | None = None) -> str:
    """``at`` (default: now) as files spell a moment: ``2026-05-01T09:30:00Z``."""
    moment = utcnow() if at is None else at
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
