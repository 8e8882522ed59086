"""Pausing Python's cyclic garbage collector around one bulk workflow step.

Why: merging a national round's results and ranking it allocate a few hundred
thousand short-lived objects (rows, dicts, tuples). Each allocation burst makes
the collector walk *every* tracked object in the process, including the
long-lived ORM state and the documents just read, and those full passes cost
10-20% of the step while finding almost nothing (the objects die by reference
counting). Pausing collection for the duration of the step and restoring it
afterwards is scoped and safe: nothing is leaked, cyclic garbage made during the
step is collected by the next ordinary pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable automatic collection inside the block; re-enable it after (even on error).

    If collection was already off (the caller, or another step in another thread,
    paused it), the block leaves it exactly as it found it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
