"""Does the staff app keep its GUI thread free on a 2,000-application program?

Builds the national-size round of ``bench_scale`` (2,000 applications, 120
judges, 5 reviews each, every results file merged), adds a shortlisted second
round, then opens the program in a ``StaffPage`` and shows every screen, first
in the latest round and then after switching rounds. A ``QTimer`` heartbeat
ticks every 5 ms on the GUI thread; the longest gap between two ticks while a
screen loads (its background read plus showing the result) is that screen's
worst stall. Target: no screen stalls the GUI thread for more than 100 ms.

The program is opened as the app opens it (``MainWindow.open_program``: the
workspace in the background, then the staff screens). Long reads go through the
``TaskRunner`` (``StaffContext.read``); what is left on the GUI thread is putting
rows into the tables. Each stall is reported with the GUI thread's own CPU time in
it (on a machine busy with other work the wall time stretches while the CPU time
does not) and the time Python's garbage collector ran in it (the app collects on the
GUI thread, so a collection is part of a stall).

The collector freezes the bursts of objects a background read brings (see
``judgepanel/ui/gc_guard.py``); cycles that were garbage at a freeze wait for the
next thaw. ``--passes N`` tours every screen N times, as a long session would, and
reports Python's heap after each tour and what one thaw-and-collect frees at the
end: the memory that freezing held back. Usage:
``python -m bench staff_ui [--small] [--program FOLDER] [--passes N]`` (``--program``
reuses a program kept by ``python -m bench scale --keep``; it is copied, not changed).
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STALL_TARGET_MS = 100.0
HEARTBEAT_MS = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench staff_ui", description=__doc__)
    parser.add_argument("--small", action="store_true", help="200 applications, 12 judges")
    parser.add_argument("--program", type=Path,
                        help="a program folder kept by 'bench scale --keep' (copied)")
    parser.add_argument("--passes", type=int, default=1,
                        help="tour every screen this many times (memory over a long session)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _compile_as_installed()
    with tempfile.TemporaryDirectory(prefix="jp-bench-staff-ui-") as tmp:
        os.environ.setdefault("JUDGEPANEL_HOME", str(Path(tmp) / "home"))
        folder = Path(tmp) / "program"
        if args.program:
            shutil.copytree(args.program, folder)
        else:
            _build(Path(tmp), folder, small=args.small)
        _add_second_round(folder)
        return _measure(folder, Path(tmp), max(args.passes, 1))


def _compile_as_installed() -> None:
    """Give JudgePanel's modules their bytecode, as an install has it (pip compiles them).

    Without it, a checkout run with PYTHONDONTWRITEBYTECODE set (this project's CI
    machines set it) compiles every module a background task imports, at each run:
    ``compile`` holds the interpreter lock, so opening the program stalled the GUI
    thread by up to 90 ms that no installed copy pays.
    """
    import compileall

    import judgepanel

    compileall.compile_dir(Path(judgepanel.__file__).parent, quiet=1)


def _build(tmp: Path, folder: Path, *, small: bool) -> None:
    import contextlib
    import io

    from bench.bench_scale import run

    n_apps, n_judges = (200, 12) if small else (2000, 120)
    print(f"building {n_apps} applications x {n_judges} judges (bench scale) …")
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        run(tmp / "scale", n_apps, n_judges, 5, False)
    shutil.move(tmp / "scale" / "program", folder)
    print(f"  built in {time.perf_counter() - start:.0f} s")


def _add_second_round(folder: Path) -> None:
    """Shortlist the top 10% into a second round, so there are rounds to switch between."""
    from sqlalchemy import select

    from judgepanel.model.staff.decide.shortlist import shortlist_into_new_round
    from judgepanel.model.staff.schema.program import Application, Round
    from judgepanel.model.staff.workspace import StaffWorkspace

    workspace = StaffWorkspace.open(folder)
    try:
        with workspace.session() as session:
            rounds = list(session.scalars(select(Round).order_by(Round.number)))
            if len(rounds) < 2:
                count = len(list(session.scalars(select(Application.id))))
                shortlist_into_new_round(session, rounds[0], "Finalists", "bench",
                                         top=max(count // 10, 1))
    finally:
        workspace.close()


class Heartbeat:
    """Ticks on the GUI thread; the longest gap between ticks is the worst stall.

    Beside each gap's wall time it keeps the GUI thread's own CPU time in it
    (``time.thread_time``): a stall much longer than its CPU time was spent waiting
    (for a core, with the machine busy, or for the GIL), not working. It also keeps the
    time Python's cyclic garbage collector ran in the gap (``gc.callbacks``; the app
    collects on the GUI thread only, judgepanel/ui/gc_guard.py).
    """

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()
        self.worst = self.worst_cpu = self.worst_gc = 0.0
        self.gc_in_gap = 0.0  # seconds the collector ran since the last tick
        self._gc_started = 0.0

    def _collecting(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started:
            self.gc_in_gap += time.perf_counter() - self._gc_started
            self._gc_started = 0.0

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if now - self.last > self.worst:
            self.worst, self.worst_cpu = now - self.last, cpu - self.last_cpu
            self.worst_gc = self.gc_in_gap
        self.last, self.last_cpu, self.gc_in_gap = now, cpu, 0.0

    def start(self) -> None:
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.worst = self.worst_cpu = self.worst_gc = self.gc_in_gap = 0.0
        gc.callbacks.append(self._collecting)
        self.timer.start()

    def stop(self) -> tuple[float, float, float]:
        """The worst stall, the GUI thread's CPU time in it and the collector's, in ms."""
        self._tick()
        self.timer.stop()
        gc.callbacks.remove(self._collecting)
        return self.worst * 1000, self.worst_cpu * 1000, self.worst_gc * 1000


def _settle(app: Any, page: Any, timeout: float = 120.0) -> float:
    """Process events until no background work is left; returns the seconds it took."""
    start = time.perf_counter()
    while True:
        app.processEvents()
        if page.ctx.busy == 0 and time.perf_counter() - start > 0.05:
            app.processEvents()
            if page.ctx.busy == 0:
                return time.perf_counter() - start
        if time.perf_counter() - start > timeout:
            raise TimeoutError("a screen did not finish loading")
        time.sleep(0.001)


def _tour(app: Any, page: Any, beat: Heartbeat,
          results: list[tuple[str, float, tuple[float, float, float]]]) -> None:
    """Show every screen in the latest round, then again in the first."""
    rounds = [page.round_box.itemData(i) for i in range(page.round_box.count())]
    for label, round_id in (("latest round", rounds[-1]), ("first round", rounds[0])):
        beat.start()
        page.ctx.set_round(round_id)
        _settle(app, page)
        results.append((f"switch to the {label}", 0.0, beat.stop()))
        for key in page.screens:
            beat.start()
            page.show_screen(key)
            seconds = _settle(app, page)
            results.append((f"{key} ({label})", seconds, beat.stop()))


def _heap_mb() -> float:
    """Python's heap in MB (allocated blocks; most are small objects of 32-64 bytes)."""
    return sys.getallocatedblocks() * 48 / 1e6


def _measure(folder: Path, tmp: Path, passes: int) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from judgepanel.ui.gc_guard import MainThreadGC
    from judgepanel.ui.main_window import MainWindow
    from judgepanel.ui.tasks import favour_the_gui_thread

    app = QApplication.instance() or QApplication([])
    collector = MainThreadGC(app)  # as the app runs (judgepanel/ui/app.py)
    favour_the_gui_thread()
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.show()
    app.processEvents()
    beat = Heartbeat()
    beat.start()
    start = time.perf_counter()
    window.open_program(str(folder))  # as a double-click does: opened in the background
    while window.staff_page is None:
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - start > 120:
            raise TimeoutError("the program did not open")
    page = window.staff_page
    _settle(app, page)
    results: list[tuple[str, float, tuple[float, float, float]]] = [
        ("open the program", time.perf_counter() - start, beat.stop())]
    try:
        for number in range(1, passes + 1):
            _tour(app, page, beat, results)
            if passes > 1:
                print(f"tour {number}: Python heap about {_heap_mb():.0f} MB "
                      f"({gc.get_freeze_count()} objects frozen)")
        if passes > 1:
            before = _heap_mb()
            freed = collector.collect_all()
            print(f"  one thaw-and-collect freed {freed} objects ({before - _heap_mb():.1f} MB): "
                  f"what freezing held back over {passes} tours")
        print(f"{'screen':36} {'load s':>7} {'worst stall ms':>15} {'its GUI CPU ms':>15} "
              f"{'its GC ms':>10}")
        for name, seconds, (stall, cpu, collecting) in results:
            flag = "" if stall <= STALL_TARGET_MS else "  > target"
            print(f"{name:36} {seconds:7.2f} {stall:15.0f} {cpu:15.0f} {collecting:10.0f}{flag}")
    finally:
        window.close_program()
        window.deleteLater()
        app.processEvents()
        collector.stop()
    worst, worst_cpu, worst_gc = max(s for _n, _t, s in results)
    ok = worst <= STALL_TARGET_MS
    print(f"  {'PASS' if ok else 'MISS'}  worst GUI-thread stall {worst:.0f} ms "
          f"<= {STALL_TARGET_MS:.0f} ms (the GUI thread's CPU time in it: {worst_cpu:.0f} ms, "
          f"garbage collection {worst_gc:.0f} ms; "
          f"most CPU time in any stall: {max(s[1] for _n, _t, s in results):.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
