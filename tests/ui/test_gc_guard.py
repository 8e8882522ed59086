from __future__ import annotations

import gc
import sys
import threading
import weakref

from PySide6.QtCore import Qt

from judgepanel.ui.gc_guard import BURST, FULL_GROWTH, MainThreadGC


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_cycles_are_collected_on_the_gui_thread_not_in_workers(qapp) -> None:
    collector = MainThreadGC(qapp, interval_ms=10_000)
    try:
        assert not gc.isenabled()
        collected_in: list[str] = []

        def note(phase: str, info: dict) -> None:
            if phase == "stop":
                collected_in.append(threading.current_thread().name)

        gc.callbacks.append(note)
        try:
            def worker() -> None:
                for _ in range(20 * gc.get_threshold()[0]):
                    Cycle()

            thread = threading.Thread(target=worker, name="worker")
            thread.start()
            thread.join()
            assert "worker" not in collected_in
            assert gc.get_count()[0] > collector.threshold[0]
            assert collector.check() > 0
            assert collected_in and set(collected_in) == {threading.main_thread().name}
        finally:
            gc.callbacks.remove(note)
    finally:
        collector.stop()
        gc.disable()  # the session's collector (tests/ui/conftest.py) keeps it off


def test_a_full_collection_waits_until_the_heap_has_grown(qapp) -> None:
    collector = MainThreadGC(qapp, interval_ms=10_000)
    generations: list[int] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            generations.append(info["generation"])

    def younger_collections_due() -> None:
        """Garbage until the oldest generation is due by the collector's counts, then
        enough more that a check has found it due (gc.freeze resets the counts)."""
        young, middle, old = collector.threshold
        after_due = 0
        for _ in range(100 * (middle + 1) * (old + 1)):
            for _ in range(young + 1):
                Cycle()
            collector.check()
            if gc.get_count()[2] > old or 2 in generations:
                after_due += 1
                if after_due > 2 * (middle + 1):
                    return
        raise AssertionError("the oldest generation never came due")

    gc.collect()
    gc.callbacks.append(note)
    try:
        collector.heap_after_full = sys.getallocatedblocks()
        younger_collections_due()
        assert gc.get_count()[2] > collector.threshold[2]  # due by count...
        assert 2 not in generations  # ...but the heap has not grown: no full collection
        assert 1 in generations
        kept: list[list[Cycle]] = []
        # The heap grows by a quarter, and a margin: the garbage the collections free
        # must not take it back under the line.
        while sys.getallocatedblocks() <= collector.heap_after_full * (FULL_GROWTH + 0.1):
            kept.append([Cycle() for _ in range(1000)])
        younger_collections_due()
        assert 2 in generations
        assert collector.heap_after_full >= sys.getallocatedblocks() * 0.5
        del kept
    finally:
        gc.callbacks.remove(note)
        collector.stop()
        gc.disable()  # the session's collector (tests/ui/conftest.py) keeps it off


def test_a_burst_of_young_objects_is_frozen_not_walked(qapp) -> None:
    """A background read's results arrive as a burst that lives on: walking it frees
    nothing, so the collector freezes it (constant time) instead of collecting."""
    collector = MainThreadGC(qapp, interval_ms=10_000)
    collections: list[int] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()
    gc.callbacks.append(note)
    try:
        results = [[index] for index in range(BURST + 1000)]  # what a worker delivered
        assert gc.get_count()[0] > BURST
        assert collector.check() == 0
        assert collections == []  # nothing was walked...
        assert collector.frozen and gc.get_freeze_count() >= len(results)  # ...all set aside
        assert gc.get_count()[0] < collector.threshold[0]
        # Below a burst, the young generation is collected as before.
        for _ in range(collector.threshold[0] + 1):
            Cycle()
        assert collector.check() > 0
        assert collections == [0]
        del results
    finally:
        gc.callbacks.remove(note)
        collector.stop()
        gc.disable()  # the session's collector (tests/ui/conftest.py) keeps it off
    assert gc.get_freeze_count() == 0  # stopping thaws what was frozen


def _frozen_garbage(collector: MainThreadGC) -> weakref.ref[Cycle]:
    """A cycle that is garbage when a burst is frozen: only a thaw can free it."""
    gc.collect()
    garbage = Cycle()
    watch = weakref.ref(garbage)
    del garbage
    burst = [[index] for index in range(BURST + 1000)]
    collector.check()
    del burst
    gc.collect()
    assert collector.frozen and watch() is not None  # a full collection does not reach it
    return watch


def test_a_closed_program_thaws_and_collects_at_the_next_tick(qapp) -> None:
    collector = MainThreadGC(qapp, interval_ms=10_000)
    try:
        watch = _frozen_garbage(collector)
        collector.request_full()
        assert collector.check() > 0
        assert watch() is None
        assert not collector.frozen and gc.get_freeze_count() == 0
        assert not collector.full_due
    finally:
        collector.stop()
        gc.disable()


def test_leaving_the_app_thaws_and_collects(qapp) -> None:
    """When another app becomes the active one, nobody is watching the window: the full
    collection's pause costs nothing there."""
    collector = MainThreadGC(qapp, interval_ms=10_000)
    try:
        watch = _frozen_garbage(collector)
        qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
        assert watch() is not None  # still the active app: no pause
        qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationInactive)
        assert watch() is None
        assert not collector.frozen and gc.get_freeze_count() == 0
    finally:
        collector.stop()
        gc.disable()
