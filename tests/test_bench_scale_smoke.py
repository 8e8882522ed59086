"""The scale benchmark still runs end to end (on a small round); its figures are not checked.

Timing targets live in ``make bench`` only; this keeps the benchmark itself from rotting
(the floor script in its own process, the three merge-and-rank runs).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_small_scale_benchmark_runs_and_reports_every_step() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "scale", "--applications", "60", "--judges", "6",
         "--reviews", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for step in ("import", "assignment", "build all bundles", "merge all results (run 3)",
                 "rank (leaderboard) (run 3)", "floor script (own process, best of 3)",
                 "same rows into the product schema"):
        assert step in out, out
    assert "ranked 60 applications; floor inserted 1080 scores" in out, out
    assert re.search(r"merge \+ rank = [0-9.]+x the floor", out), out


def test_several_benchmarks_each_run_in_a_process_of_their_own() -> None:
    """What one benchmark leaves behind must not slow the next (see bench/__main__.py)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench", "scale", "scale", "--applications", "12",
         "--judges", "3", "--reviews", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    processes = re.findall(r"^== bench scale \(process (\d+)\)$", done.stdout, re.MULTILINE)
    assert len(processes) == 2 and len(set(processes)) == 2, done.stdout
