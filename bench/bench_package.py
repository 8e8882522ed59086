"""The packaged app: sizes, and cold start to the first window beside the source install
and a bare PySide6 window, in the same run.

``python -m bench package [--runs N]`` after ``make package``. Targets (issue 13): the
unpacked Linux folder at most 180 MB, the ``.tar.gz`` at most 75 MB, the frozen app's
cold start at most 1.5x a bare PySide6 window.

Each start is a new process on the offscreen platform, timed from launch to the
moment it reports its first window up (``time.time()``, so exit is not counted):

- bare: ``python -c`` importing QtWidgets, showing a 1280x800 QMainWindow, one
  ``processEvents`` (the issue's reference: it draws no text and touches no Qt enum);
- text: the same window with one centred line of text (a QLabel, ``Qt.AlignmentFlag``):
  what any window that says something pays on top, which is Qt's font set-up
  (fontconfig) and the ``Qt`` namespace's 94 enum types (about 15 ms to create, on
  first use);
- source: the installed ``judgepanel gui`` of this venv (the command line, the
  desktop-library check, the single-instance probe, the main window), reporting when
  its event loop first runs and quitting (``JUDGEPANEL_SMOKE``, judgepanel/ui/smoke.py);
- frozen: the same from build/pyinstaller/dist/judgepanel (PyInstaller's bootloader
  included), with no venv on PATH.

Runs are interleaved so all three see the same disk cache and load; the median of
each is reported, with the ratios to the bare window, and the ratio of the fastest runs
(on a shared machine the median moves with the neighbours' load: the bare window, the
shortest, most of all).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FROZEN = ROOT / "build" / "pyinstaller" / "dist" / "judgepanel"
DIST = ROOT / "dist"
FOLDER_TARGET_MB, TARBALL_TARGET_MB, START_TARGET = 180, 75, 1.5

BARE = """
import time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([]); w = QMainWindow(); w.resize(1280, 800); w.show(); app.processEvents()
print(f"shown_at={time.time()}")
"""
TEXT = """
import time
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication([]); w = QMainWindow(); w.resize(1280, 800)
w.setCentralWidget(QLabel("Welcome to JudgePanel", alignment=Qt.AlignmentFlag.AlignCenter))
w.show(); app.processEvents()
print(f"shown_at={time.time()}")
"""


def folder_mb(folder: Path) -> float:
    return sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_symlink()) / 1e6


def timed(command: list[str], env: dict[str, str], report: Path) -> float:
    """Seconds from launch to the first window (the ``shown_at`` the process reports)."""
    report.unlink(missing_ok=True)
    start = time.time()
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True,
                          timeout=120)
    text = report.read_text(encoding="utf-8") if report.exists() else done.stdout
    return float(text.split("shown_at=", 1)[1].split()[0]) - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench package")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv or [])
    tarballs = sorted(DIST.glob("judgepanel-*.tar.gz"))
    debs = sorted(DIST.glob("judgepanel_*.deb"))
    frozen_exe = FROZEN / "judgepanel"
    if not frozen_exe.is_file():
        print(f"no frozen build in {FROZEN}: run `make package` first")
        return 0
    folder = folder_mb(FROZEN)
    print(f"unpacked folder: {folder:.1f} MB (target <= {FOLDER_TARGET_MB})")
    for tarball in tarballs:
        size = tarball.stat().st_size / 1e6
        print(f"{tarball.name}: {size:.1f} MB (target <= {TARBALL_TARGET_MB})")
    for deb in debs:
        print(f"{deb.name}: {deb.stat().st_size / 1e6:.1f} MB")

    source_exe = Path(sys.executable).parent / "judgepanel"
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "smoke.txt"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JUDGEPANEL_SMOKE=str(report),
                   JUDGEPANEL_HOME=str(Path(scratch) / "home"))
        frozen_env = dict(env, PATH="/usr/bin:/bin")
        frozen_env.pop("VIRTUAL_ENV", None)
        commands = {
            "bare": ([sys.executable, "-c", BARE], env),
            "text": ([sys.executable, "-c", TEXT], env),
            "source": ([str(source_exe), "gui"], env),
            "frozen": ([str(frozen_exe), "gui"], frozen_env),
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command, command_env in commands.values():  # one warm-up each
            timed(command, command_env, report)
        for _ in range(args.runs):
            for name, (command, command_env) in commands.items():
                times[name].append(timed(command, command_env, report))
    median = {name: statistics.median(samples) for name, samples in times.items()}
    for name, samples in times.items():
        print(f"cold start {name:<6}: median {median[name] * 1000:.0f} ms "
              f"(range {min(samples) * 1000:.0f}-{max(samples) * 1000:.0f} ms, "
              f"{len(samples)} runs)")
    print(f"ratio source/bare {median['source'] / median['bare']:.2f}, "
          f"frozen/bare {median['frozen'] / median['bare']:.2f} (target <= {START_TARGET}), "
          f"frozen/source {median['frozen'] / median['source']:.2f}")
    print(f"beside a window with text: text/bare {median['text'] / median['bare']:.2f}, "
          f"frozen/text {median['frozen'] / median['text']:.2f}")
    best = {name: min(samples) for name, samples in times.items()}
    print(f"best of {args.runs} (the runs least disturbed by other work on this machine): "
          f"frozen/bare {best['frozen'] / best['bare']:.2f}, "
          f"source/bare {best['source'] / best['bare']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
