"""Retake every screenshot in docs/screenshots from a freshly built demo.

Usage (from the repository root)::

    .venv/bin/python tools/screenshots.py [--out docs/screenshots] [--display :N]
                                          [--only NAME ...] [--keep]

Why a script: the guides show the app, and hand-made screenshots drift from it
(an old demo's due date read "238 days ago"). This builds the demo through the
real workflows, opens the real ``MainWindow`` in a private X server (Xvfb, so
the desktop's theme, fonts and scaling never leak into the docs) and puts each
screen in a realistic state through the same APIs the app uses, then saves the
file names README.md and docs/*-guide.md refer to. Nothing of the user's is
touched: JUDGEPANEL_HOME, the settings file and the demo live in a temporary
folder, and the keyring backend is the one that stores nothing.

``--display :N`` uses an X server you already run (for example under
``xvfb-run``) instead of starting ``Xvfb :94`` (or the next free number).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from judge_shots import PassShooter
from shooting import FIRST_DISPLAY, ROOT, SIZE, SMALL, all_names

# --- the X server -------------------------------------------------------------------------


def _free_display() -> int:
    for number in range(FIRST_DISPLAY, FIRST_DISPLAY + 50):
        if not (Path(f"/tmp/.X{number}-lock").exists()
                or Path(f"/tmp/.X11-unix/X{number}").exists()):
            return number
    raise SystemExit("No free X display number found for Xvfb.")


@contextmanager
def x_server(display: str | None) -> Iterator[str]:
    """The display to draw on: the one given, or a private Xvfb we start and stop."""
    if display:
        yield display
        return
    if shutil.which("Xvfb") is None:
        raise SystemExit("Xvfb is not installed (apt install xvfb), or pass --display.")
    number = _free_display()
    width, height = SIZE
    process = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        socket = Path(f"/tmp/.X11-unix/X{number}")
        deadline = time.monotonic() + 10
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Xvfb :{number} did not start.")
            time.sleep(0.05)
        yield f":{number}"
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()




# --- the passes ---------------------------------------------------------------------------



def run(out: Path, display: str, work: Path, only: set[str]) -> list[Path]:
    os.environ["DISPLAY"] = display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ.setdefault("QT_SCALE_FACTOR", "1")
    from PySide6.QtWidgets import QApplication

    from judgepanel.model.demo.build import build_demo
    from judgepanel.ui.appearance import dark_palette

    print("building the demo…")
    built = work / "demo"
    build_demo(built)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        ["judgepanel-screenshots"])
    app.setStyle("Fusion")  # the same look on every machine (also Qt's default on Xvfb)
    light = app.palette()
    written: list[Path] = []
    for size in (SIZE, SMALL):
        for dark in (False, True):
            # Each pass works on its own copy and its own judge home, so each starts fresh.
            tag = ("dark" if dark else "light") + f"-{size[0]}"
            demo = work / f"demo-{tag}"
            shutil.copytree(built, demo)
            os.environ["JUDGEPANEL_HOME"] = str(work / f"home-{tag}")
            app.setPalette(dark_palette() if dark else light)
            shooter = PassShooter(app, demo, work, out, dark=dark, only=only, size=size)
            shooter.staff()
            shooter.leaderboard()
            shooter.meeting()
            shooter.judge()
            written += shooter.written
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Retake docs/screenshots from a fresh demo.")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--display", help="an X display to use instead of a private Xvfb")
    parser.add_argument("--only", nargs="*", default=[], metavar="NAME",
                        help="only these shots (file names without .png)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    unknown = set(args.only) - set(all_names())
    if unknown:
        parser.error(f"unknown shots: {', '.join(sorted(unknown))}; "
                     f"known: {', '.join(all_names())}")
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="jp-screenshots-"))
    # Never the user's data or keyring: everything lives in the temporary folder.
    os.environ["JUDGEPANEL_HOME"] = str(work / "home")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    try:
        with x_server(args.display) as display:
            written = run(args.out.resolve(), display, work, set(args.only))
    finally:
        if args.keep:
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{len(written)} screenshots written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
