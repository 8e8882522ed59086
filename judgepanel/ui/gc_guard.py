"""Run Python's cyclic garbage collector on the GUI thread only.

Why: the collector runs in whichever thread happens to allocate when a
threshold is crossed. When that is a worker thread (TaskRunner) and the garbage
holds Qt objects (a closure that kept a widget, a dialog's wrapper), Qt objects
are destroyed off their thread and the process can crash. The cure used by
mature PySide/PyQt apps (Anki among them): switch automatic collection off and
collect from a timer on the GUI thread instead. Reference counting still frees
everything that is not in a cycle at once; only cycles wait for the timer.

A full collection (the oldest generation too) walks every object the program
holds: 50-100 ms once a national round is loaded. CPython itself runs one only
when the objects promoted since the last one exceed a quarter of those that
survived it, so the cost stays proportional to growth; Python does not expose
those counts, so the same rule is applied to the heap's size
(``sys.getallocatedblocks``, cheap): a full collection when the heap has grown
by a quarter since the last one. Without the rule, a full collection ran after
every ten younger ones however large the heap, each a stall of the GUI thread.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000
FULL_GROWTH = 1.25  # a full collection once the heap is this much larger than after the last


class MainThreadGC(QObject):
    """Collects on the GUI thread when the collector's counts pass its thresholds."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.heap_after_full = sys.getallocatedblocks()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> int:
        """Collect the generations that are due; returns how many objects were freed."""
        counts = gc.get_count()
        freed = 0
        if counts[0] > self.threshold[0]:
            generation = 0
            if counts[1] > self.threshold[1]:
                generation = 2 if counts[2] > self.threshold[2] and self._heap_grew() else 1
            freed = gc.collect(generation)
            if generation == 2:
                self.heap_after_full = sys.getallocatedblocks()
        return freed

    def _heap_grew(self) -> bool:
        return sys.getallocatedblocks() > self.heap_after_full * FULL_GROWTH

    def stop(self) -> None:
        """Give collection back to Python (tests, or the app shutting down)."""
        self.timer.stop()
        gc.enable()
