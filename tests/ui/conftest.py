"""Qt tests collect garbage on the GUI thread only, as the app does (see ui/gc_guard.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from judgepanel.ui.gc_guard import MainThreadGC


@pytest.fixture(scope="session", autouse=True)
def main_thread_gc(qapp) -> Iterator[MainThreadGC]:
    collector = MainThreadGC(qapp)
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def collect_on_the_gui_thread(main_thread_gc: MainThreadGC) -> Iterator[None]:
    yield
    main_thread_gc.collect_all()
