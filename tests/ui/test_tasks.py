from __future__ import annotations

from judgepanel.errors import JudgePanelError
from judgepanel.ui.tasks import TaskRunner


def test_result_and_progress_arrive_on_the_gui_thread(qtbot) -> None:
    runner = TaskRunner()
    seen: list[tuple[int, int, str]] = []
    results: list[object] = []

    def work(progress):
        for i in range(3):
            progress(i + 1, 3, "step")
        return "done"

    task = runner.start(work, on_done=results.append, on_error=lambda e: None,
                        on_progress=lambda d, t, label: seen.append((d, t, label)))
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)
    assert seen == [(1, 3, "step"), (2, 3, "step"), (3, 3, "step")]
    assert task not in runner._running


def test_errors_are_delivered_not_raised(qtbot) -> None:
    runner = TaskRunner()
    errors: list[JudgePanelError] = []

    def work(progress):
        raise JudgePanelError("Wrong passphrase")

    runner.start(work, on_done=lambda r: None, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert str(errors[0]) == "Wrong passphrase"


def test_unexpected_exceptions_become_calm_messages(qtbot) -> None:
    runner = TaskRunner()
    errors: list[JudgePanelError] = []
    runner.start(lambda progress: 1 / 0, on_done=lambda r: None, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert "Something went wrong" in str(errors[0])
    assert "ZeroDivisionError" in errors[0].detail


def test_cancel_stops_at_next_progress(qtbot) -> None:
    runner = TaskRunner()
    errors: list[JudgePanelError] = []
    import threading

    gate = threading.Event()

    def work(progress):
        gate.wait(5)
        progress(1, 2, "x")
        return "should not finish"

    task = runner.start(work, on_done=lambda r: errors.append(None), on_error=errors.append)
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert errors[0] is not None and "Cancelled" in str(errors[0])


def test_results_arriving_after_close_are_dropped(qtbot) -> None:
    import threading

    runner = TaskRunner()
    seen: list[object] = []
    gate = threading.Event()

    def work(progress):
        gate.wait(5)
        return "late"

    runner.start(work, on_done=seen.append, on_error=seen.append)
    gate.set()
    assert runner.close(5000)
    qtbot.wait(50)  # deliver whatever was queued for the GUI thread
    assert seen == []


def test_work_outliving_its_window_delivers_nothing(qtbot) -> None:
    """A window deleted while the result of its work is on its way to the GUI thread: the
    result goes nowhere, rather than to callbacks that would touch the deleted window."""
    from PySide6.QtWidgets import QWidget
    from shiboken6 import delete

    window = QWidget()
    runner = TaskRunner(window)
    delivered: list[object] = []
    runner.start(lambda progress: "done", on_done=delivered.append, on_error=delivered.append)
    runner.wait(5000)  # done: its result is queued for the GUI thread, not delivered yet
    delete(window)  # and the runner with it
    qtbot.wait(100)
    assert delivered == []
    assert not runner.delivering


RUN_IN_A_FRESH_PROCESS = """
import sys
from judgepanel.ui import app as desktop
from judgepanel.ui.file_open_events import DesktopApplication

before = sys.getswitchinterval()
application = DesktopApplication(sys.argv[:1])
application.exec = lambda: print(f"interval {before} {sys.getswitchinterval()}") or 0
sys.exit(desktop.run())
"""


def test_the_app_lets_the_gui_thread_have_the_interpreter_lock_sooner(tmp_path) -> None:
    """Workers share the interpreter lock with the GUI thread: the app shortens the wait
    for it (ui/tasks.py says why and what it measured)."""
    import os
    import subprocess
    import sys

    from judgepanel.ui.tasks import SWITCH_INTERVAL_S

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JUDGEPANEL_HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", RUN_IN_A_FRESH_PROCESS], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    before, during = (float(x) for x in done.stdout.split("interval ")[1].split())
    assert before == 0.005 and during == SWITCH_INTERVAL_S < before
