"""The one way the desktop app runs long work off the GUI thread.

A task is a plain function ``fn(progress) -> result`` from the model or formats
layer. :class:`TaskRunner` runs it on a thread pool, turns its progress calls into
signals, and delivers the result (or the error) on the GUI thread. Workers never
touch widgets; only the UI owns the progress display.

Workers and the GUI thread share Python's interpreter lock, and the GUI thread needs
it for every Python call Qt makes (a model's ``data``, a slot, a timer). CPython hands
the lock to a waiting thread only once it has waited a whole *switch interval*
(5 ms by default) without the holder letting go; a worker that lets go and takes it
straight back (each query, each fetched row) restarts that wait, so the GUI thread
can wait for tens of milliseconds at a time. :func:`favour_the_gui_thread` shortens
the interval to 1 ms. Measured in ``bench staff_ui`` (2,000 applications, eight runs
each, same machine): the worst stall of the first round's assignment screen went from
a median of 71 ms (up to 116) to 36 ms (up to 66), and no run passed 100 ms (one of
eight did at 5 ms); loads took as long as before.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import isValid

from judgepanel.errors import Cancelled, JudgePanelError
from judgepanel.progress import Progress

log = logging.getLogger(__name__)

Work = Callable[[Progress], Any]

SWITCH_INTERVAL_S = 0.001  # see the module docstring


def favour_the_gui_thread() -> None:
    """Let a waiting GUI thread have the interpreter lock sooner (the app calls it once)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


class _Signals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    """One unit of background work. Connect to ``signals`` before starting it."""

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.work = work
        self.signals = _Signals()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report."""
        self._cancel.set()

    def _report(self, done: int, total: int, label: str) -> None:
        if self._cancel.is_set():
            raise Cancelled()
        self.signals.progress.emit(done, total, label)

    @Slot()
    def run(self) -> None:
        try:
            result = self.work(self._report)
        except JudgePanelError as error:
            self.signals.failed.emit(error)
        except Exception as error:  # a bug: log it, show a calm message
            log.exception("background task failed")
            self.signals.failed.emit(
                JudgePanelError(
                    "Something went wrong inside JudgePanel. Your work is saved; "
                    "please try again, and tell the program staff if it happens again.",
                    detail=repr(error),
                )
            )
        else:
            self.signals.finished.emit(result)


class TaskRunner(QObject):
    """Starts tasks on a private pool and keeps them alive until they finish."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._running: set[Task] = set()
        self._closed = False

    def start(
        self,
        work: Work,
        *,
        on_done: Callable[[Any], None],
        on_error: Callable[[JudgePanelError], None],
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> Task:
        task = Task(work)
        self._running.add(task)
        if on_progress is not None:
            task.signals.progress.connect(on_progress)

        def finished(result: object) -> None:
            self._running.discard(task)
            if self.delivering:
                on_done(result)

        def failed(error: object) -> None:
            self._running.discard(task)
            assert isinstance(error, JudgePanelError)
            if self.delivering:
                on_error(error)

        task.signals.finished.connect(finished)
        task.signals.failed.connect(failed)
        self.pool.start(task)
        return task

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)

    @property
    def delivering(self) -> bool:
        """Whether results still go to their callbacks: not once the runner is closed, nor
        once Qt has deleted it with its parent (a window closed while work ran on)."""
        return not self._closed and isValid(self)

    def close(self, msecs: int = -1) -> bool:
        """Wait for running work and drop results still on their way: their page is closing."""
        self._closed = True
        for task in list(self._running):
            task.cancel()
        return self.wait(msecs)
