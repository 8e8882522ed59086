from __future__ import annotations

import gc
import sys
import threading

from judgepanel.ui.gc_guard import FULL_GROWTH, MainThreadGC


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
        """Enough garbage for the oldest generation to be due by the collector's counts."""
        young, middle, old = collector.threshold
        for _ in range((middle + 1) * (old + 2)):
            for _ in range(young + 1):
                Cycle()
            collector.check()

    gc.collect()
    gc.callbacks.append(note)
    try:
        collector.heap_after_full = sys.getallocatedblocks()
        younger_collections_due()
        assert gc.get_count()[2] > collector.threshold[2]  # due by count...
        assert 2 not in generations  # ...but the heap has not grown: no full collection
        assert 1 in generations
        kept: list[list[Cycle]] = []
        while sys.getallocatedblocks() <= collector.heap_after_full * FULL_GROWTH:
            kept.append([Cycle() for _ in range(1000)])  # the heap grows by a quarter
        younger_collections_due()
        assert 2 in generations
        assert collector.heap_after_full >= sys.getallocatedblocks() * 0.5
        del kept
    finally:
        gc.callbacks.remove(note)
        collector.stop()
        gc.disable()  # the session's collector (tests/ui/conftest.py) keeps it off
