"""The kill loop, short: SIGKILL each staff step once at a random moment (make killtest
runs 100). Each workspace must be whole afterwards: SQLite integrity, the audit chain,
the step all or nothing (tools/killtest.py says how each is checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.killtest import STEPS, kill_loop, report


@pytest.mark.slow
def test_a_short_kill_loop_leaves_every_workspace_whole(tmp_path: Path) -> None:
    lines: list[str] = []
    figures = kill_loop(len(STEPS), applications=12, seed=16, keep=tmp_path,
                        say=lines.append)
    assert not figures.failures, "\n".join(figures.failures)
    assert sum(figures.runs.values()) == len(STEPS)
    assert all(figures.runs[step] == 1 for step in STEPS), report(figures)
