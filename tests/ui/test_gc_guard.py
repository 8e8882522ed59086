from __future__ import annotations

import gc
import threading

from judgepanel.ui.gc_guard import MainThreadGC


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
