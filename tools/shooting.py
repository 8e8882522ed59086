"""What every screenshot pass shares: the names of the files written (README.md and
the guides link to them) and a pass's helpers (waiting for Qt, shooting a window, a new
main window, opening the demo program). tools/screenshots.py runs the passes."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

SIZE = (1280, 800)
FIRST_DISPLAY = 94
JUDGE_SLUG = "amara-okafor"
COMPENDIUM_NOTE = "Clear steps another city could follow; worth sharing."


# Every file tools/screenshots.py writes; the guides and README link to these names.
STAFF_SCREENS = ("overview", "rubric", "applications", "judges", "conflicts", "assignment",
                 "bundles", "results", "leaderboard", "audit")
JUDGE_SHOTS = ("judge-0-identity", "judge-1-info", "judge-2-declarations", "judge-3-score",
               "judge-4-pdf", "judge-5-overview", "judge-6-submit", "judge-7-continue",
               "staff-diverged")
"""Taken light and dark, at 1280 x 800 and (suffix ``-1024``) 1024 x 700."""
SMALL = (1024, 700)
MEETING = "staff-meeting"  # the panel meeting, light and dark, 1280 x 800 and 1024 x 700
MEETING_FULL = "staff-meeting-full"  # its full-window mode, to share on a screen


def variant_name(name: str, size: tuple[int, int], dark: bool) -> str:
    """``name`` in a pass: ``-1024`` for the small window, ``-dark`` for dark."""
    return name + ("-1024" if size == SMALL else "") + ("-dark" if dark else "")


def staff_screen_shots(dark: bool) -> list[tuple[str, str]]:
    """(screen key, file name) of the staff pass at 1280 x 800: the screens of
    STAFF_SCREENS but the leaderboard (shot on the grants demo) and the meeting (its own
    shots), the round at a glance last (it shows what the other screens left behind);
    dark, only the round at a glance."""
    if dark:
        return [("overview", "staff-overview-dark")]
    keys = [k for k in STAFF_SCREENS if k not in ("leaderboard", "overview")]
    return [(key, f"staff-{key}") for key in [*keys, "overview"]]


def pass_names(size: tuple[int, int], dark: bool) -> list[str]:
    """Every file one pass (light or dark, at one size) writes, in the order it does."""
    names: list[str] = []
    if size == SIZE:
        names += [name for _key, name in staff_screen_shots(dark)]
        names += [] if dark else ["staff-import"]  # a dialog, shot on its own
        names += ["staff-leaderboard-dark"] if dark else ["staff-leaderboard",
                                                          "staff-shortlist"]  # a dialog
    names.append(variant_name(MEETING, size, dark))
    names += [MEETING_FULL] if size == SIZE and not dark else []
    return names + [variant_name(name, size, dark) for name in JUDGE_SHOTS]


def all_names() -> list[str]:
    """Every file the passes write, each once (a test holds it)."""
    return [name for size in (SIZE, SMALL) for dark in (False, True)
            for name in pass_names(size, dark)]


def page_workspace(window: Any) -> Any:
    return window.staff_page.workspace


class Shooter:
    """One pass (light or dark, at one size) over a copy of the demo, with a fresh home
    and window: the helpers the staff's and the judge's shots use."""

    def __init__(self, app: Any, demo: Path, work: Path, out: Path, *, dark: bool,
                 only: set[str], size: tuple[int, int] = SIZE) -> None:
        self.app, self.demo, self.out, self.dark, self.only = app, demo, out, dark, only
        self.work = work
        self.size = size
        self.written: list[Path] = []

    def variant(self, name: str) -> str:
        """``name`` for this pass: ``-1024`` for the small window, ``-dark`` for dark."""
        return variant_name(name, self.size, self.dark)

    # helpers ---------------------------------------------------------------------------

    def wait(self, done: Callable[[], bool] = lambda: True, *, least: float = 0.3,
             timeout: float = 60.0) -> None:
        """Let Qt run until ``done()`` holds (and at least ``least`` seconds passed)."""
        start = time.monotonic()
        while True:
            self.app.processEvents()
            elapsed = time.monotonic() - start
            if elapsed >= least and done():
                return
            if elapsed > timeout:
                raise SystemExit("Timed out waiting for the app (see the window state).")
            time.sleep(0.01)

    def wanted(self, name: str) -> bool:
        return not self.only or name in self.only

    def shot(self, window: Any, name: str) -> None:
        self.wait(least=0.4)
        window.repaint()
        self.wait(least=0.1)
        screen = window.screen()
        pixmap = screen.grabWindow(window.winId())
        path = self.out / f"{name}.png"
        if not pixmap.save(str(path), "PNG"):
            raise SystemExit(f"Could not write {path}.")
        self.written.append(path)
        print("wrote", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

    def new_window(self, tag: str) -> Any:
        from PySide6.QtCore import QSettings

        from judgepanel.ui.main_window import MainWindow

        settings = QSettings(str(self.work / f"{tag}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.setGeometry(0, 0, *self.size)
        window.show()
        window.raise_()
        window.activateWindow()
        self.wait(least=0.3)
        return window

    def close(self, window: Any) -> None:
        window.close()
        window.deleteLater()
        self.wait(least=0.1)

    def staff_settled(self, window: Any) -> Callable[[], bool]:
        return lambda: window.staff_page is None or not window.staff_page.ctx.busy

    def open_program(self, window: Any, path: Path) -> Any:
        shown: list[str] = []
        window.program_shown.connect(shown.append)
        window.open_path(str(path))  # opened in the background
        self.wait(lambda: bool(shown) or not window.statusBar().currentMessage(), least=0.0)
        page = window.staff_page
        if page is None:
            raise SystemExit(f"The program at {path} did not open.")
        page.ctx.ask_identity_file = lambda _parent: self.demo / "keys" / "staff.identity"
        self.wait(self.staff_settled(window), least=0.5)
        return page

    def close_judge(self, window: Any) -> None:
        window.judge.shutdown()
        self.close(window)

