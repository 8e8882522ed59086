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

A background task's results arrive as a burst of young objects (a 2,000-row board
is 60,000-140,000 of them) that live on. Collecting them walks them all and frees
almost nothing: measured in ``bench staff_ui``, a young collection of 118,000-142,000
objects took 46-47 ms of the GUI thread and freed 10-28. So a burst is frozen instead
(``gc.freeze``: constant time; the objects move where no collection walks them).
Reference counting still frees frozen objects that are not in a cycle. Cycles that
were garbage at the freeze wait for :meth:`MainThreadGC.collect_all`, which thaws
everything and collects it: when the app stops being the active one (nobody is
looking at the window), and at the next tick after a program closes. Measured over
six tours of every screen of that program (``bench staff_ui --passes 6``): Python's
heap stayed at 55-56 MB (67 MB without freezing), and the final thaw freed 1 MB.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication

INTERVAL_MS = 1000
FULL_GROWTH = 1.25  # a full collection once the heap is this much larger than after the last
BURST = 20_000  # more young objects than this since the last tick are frozen, not walked


class MainThreadGC(QObject):
    """Collects on the GUI thread when the collector's counts pass its thresholds."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.heap_after_full = sys.getallocatedblocks()
        self.frozen = False  # objects wait in the permanent generation
        self.full_due = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)
        if isinstance(app := QGuiApplication.instance(), QGuiApplication):
            app.applicationStateChanged.connect(self._state_changed)

    def check(self) -> int:
        """Collect the generations that are due; returns how many objects were freed."""
        if self.full_due:
            return self.collect_all()
        counts = gc.get_count()
        freed = 0
        if counts[0] > BURST:
            gc.freeze()
            self.frozen = True
        elif counts[0] > self.threshold[0]:
            generation = 0
            if counts[1] > self.threshold[1]:
                generation = 2 if counts[2] > self.threshold[2] and self._heap_grew() else 1
            freed = gc.collect(generation)
            if generation == 2:
                self.heap_after_full = sys.getallocatedblocks()
        return freed

    def _heap_grew(self) -> bool:
        return sys.getallocatedblocks() > self.heap_after_full * FULL_GROWTH

    def request_full(self) -> None:
        """Collect everything at the next tick (a program has closed: its cycles are garbage)."""
        self.full_due = True

    def collect_all(self) -> int:
        """Thaw what was frozen and collect every generation; returns how many were freed."""
        gc.unfreeze()
        self.frozen = self.full_due = False
        freed = gc.collect()
        self.heap_after_full = sys.getallocatedblocks()
        return freed

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state != Qt.ApplicationState.ApplicationActive and (self.frozen or self.full_due):
            self.collect_all()

    def stop(self) -> None:
        """Give collection back to Python (tests, or the app shutting down)."""
        self.timer.stop()
        if isinstance(app := QGuiApplication.instance(), QGuiApplication):
            app.applicationStateChanged.disconnect(self._state_changed)
        gc.unfreeze()
        gc.enable()
