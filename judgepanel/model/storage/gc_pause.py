"""Pausing Python's cyclic garbage collector for the length of one bulk workflow step.

Why: merging a national round's results and ranking it allocate a few hundred
thousand short-lived objects (rows, dicts, tuples). Each allocation burst makes the
collector walk *every* tracked object in the process, including the long-lived ORM
state and the documents just read, while finding almost nothing (the objects die by
reference counting). Measured on ``bench scale`` (2,000 applications, 120 judges,
CPU time, median of 5, on the command line): merging spent 117 ms in collections
without the pause and 1 ms with it (0.70 s -> 0.53 s of CPU), ranking 138 ms and
19 ms (0.49 s -> 0.41 s).

The desktop app switches automatic collection off already (``ui/gc_guard.py``
collects on the GUI thread from a timer), so there the pause changes nothing; the
command line and scripts are where it counts.

:func:`bulk_step` wraps the step's function: its locals (the files read, the
session's objects, the working dicts) are freed when it returns, *before*
collection resumes, so the collector's first pass walks only what the step returned.
Cyclic garbage made during the step is collected by the next ordinary pass.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable automatic collection inside the block; re-enable it after (even on error).

    If collection was already off (the caller, the app, or another step in another
    thread paused it), the block leaves it exactly as it found it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def bulk_step(step: Callable[P, R]) -> Callable[P, R]:
    """Run ``step`` with collection paused (see the module docstring for why)."""

    @functools.wraps(step)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused_gc():
            return step(*args, **kwargs)

    return run
