"""The one way the desktop app runs long work off the GUI thread.

A task is a plain function ``fn(progress) -> result`` from the model or formats
layer. :class:`TaskRunner` runs it on a thread pool, turns its progress calls into
signals, and delivers the result (or the error) on the GUI thread. Workers never
touch widgets; only the UI owns the progress display.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import isValid

from judgepanel.errors import Cancelled, JudgePanelError
from judgepanel.progress import Progress

log = logging.getLogger(__name__)

Work = Callable[[Progress], Any]


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
