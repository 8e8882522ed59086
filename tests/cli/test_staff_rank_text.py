"""`judgepanel staff rank`: the terminal prints the same figures as the app and reports."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from judgepanel import cli
from judgepanel.cli import staff_board
from judgepanel.model.staff.decide.leaderboard import Leaderboard


def test_figures_are_rounded_once_from_the_board_not_from_the_json(
        demo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """74.949 is 74.9 in the app; rounded to the JSON's 74.95 first, it printed 75.0."""
    real = staff_board.compute

    def near_halves(*args: Any, **kwargs: Any) -> Leaderboard:
        board = real(*args, **kwargs)
        first = board.rows[0]
        stats = dataclasses.replace(
            first.stats, adjusted=74.949,
            summary=dataclasses.replace(first.stats.summary, sd=3.049))
        rows = (dataclasses.replace(first, stats=stats), *board.rows[1:])
        return dataclasses.replace(board, alpha=0.6849, rows=rows)

    monkeypatch.setattr(staff_board, "compute", near_halves)
    program = str(demo / "program")
    assert cli.main(["staff", "rank", "-w", program, "--basis", "adjusted"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("(Krippendorff's alpha) 0.68")
    first = next(line for line in lines if line.lstrip().startswith("1 "))
    assert first.split()[1:4:2] == ["74.9", "3.0"]  # score, then (after N) the SD
    assert cli.main(["staff", "rank", "-w", program, "--basis", "adjusted", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["alpha"], data["rows"][0]["adjusted"], data["rows"][0]["sd"]) == (
        0.685, 74.95, 3.05)
