"""Progress reported as data, so workers never touch widgets.

A long operation takes an optional ``progress`` callable and calls it with
``(done, total, label)``. The callable may raise :class:`~judgepanel.errors.Cancelled`
to stop the work; operations are written so that a cancellation leaves nothing
half-written.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, done: int, total: int, label: str) -> None: ...


def no_progress(done: int, total: int, label: str) -> None:
    """The default: report nothing."""
