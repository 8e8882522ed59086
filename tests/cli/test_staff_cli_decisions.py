"""`judgepanel staff decide`: the panel's decisions from the command line.

The round is tests/model/board_fixtures.py: it has a budget, so the outcomes are
funded (with its award) and not funded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_staff_cli import as_json, jp
from tests.model.board_fixtures import build_board_program


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    program = build_board_program(tmp_path)
    program.ws.close()
    return tmp_path / "program"


def test_decide_list_clear_and_undo(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "decide", "A06", "funded", "-w", ws, "--reason",
              "Only proposal for the estate", "--amount", "$8,000") == 0
    assert capsys.readouterr().out.strip() == (
        "A06: funded (8,000.00 USD). Reason: Only proposal for the estate")
    assert jp(monkeypatch, "staff", "decide", "A01", "Not  Funded", "-w", ws, "--reason",
              "Funded by the city already", "--json") == 0
    made = as_json(capsys)
    assert made["decision"]["outcome"] == "not funded"
    assert made["decision"]["award"] == "0.00" and made["decision"]["version"] == 1

    assert jp(monkeypatch, "staff", "decide", "--list", "-w", ws, "--json") == 0
    listing = as_json(capsys)
    assert [o["name"] for o in listing["outcomes"]] == ["funded", "not funded"]
    assert [(d["application"], d["outcome"]) for d in listing["decisions"]] == [
        ("A01", "not funded"), ("A06", "funded")]
    assert listing["applications"] == 8
    assert jp(monkeypatch, "staff", "decide", "--list", "-w", ws) == 0
    out = capsys.readouterr().out
    assert out.startswith("Round 1: 2 of 8 applications decided. Outcomes: funded, "
                          "not funded.")
    assert "A06           funded 8,000.00 USD: Only proposal for the estate" in out

    assert jp(monkeypatch, "staff", "decide", "A06", "--clear", "-w", ws) == 0
    assert capsys.readouterr().out.strip() == "A06 has no decision in round 1 now."
    assert jp(monkeypatch, "staff", "decide", "A06", "--undo", "-w", ws, "--json") == 0
    assert as_json(capsys)["decision"]["award"] == "8000.00"
    # A stale edit: the officer saw version 1 of A01's decision; it is at 1 still, then 2.
    assert jp(monkeypatch, "staff", "decide", "A01", "funded", "-w", ws, "--reason", "x",
              "--expect-version", "1") == 0
    capsys.readouterr()
    assert jp(monkeypatch, "staff", "decide", "A01", "--clear", "-w", ws,
              "--expect-version", "1", "--json") == 2
    refusal = as_json(capsys)
    assert refusal["ok"] is False and "Another officer" in refusal["error"]


@pytest.mark.parametrize(("args", "words"), [
    (("A01", "winner", "--reason", "x"), "“winner” is not one of this program's outcomes"),
    (("A01", "funded"), "Give the reason"),
    (("ZZZ", "funded", "--reason", "x"), "No application with the reference “ZZZ”"),
    (("A01",), "Give the outcome"),
    ((), "Name the application"),
    (("A01", "--clear"), "no decision"),
    (("A01", "not funded", "--reason", "x", "--amount", "5"), "An amount goes only"),
    (("A01", "funded", "--reason", "x", "--amount", "lots"), "not an amount of money"),
])
def test_plain_refusals(ws: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
                        words: str) -> None:
    assert jp(monkeypatch, "staff", "decide", *args, "-w", ws) == 2
    captured = capsys.readouterr()
    assert words in captured.err and "Traceback" not in captured.err
    assert jp(monkeypatch, "staff", "decide", "--list", "-w", ws, "--json") == 0
    assert as_json(capsys)["decisions"] == []


def test_a_programs_own_outcomes_set_as_json(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "setting", "set", "decisions.outcomes",
              '["gold", {"name": "silver", "selected": true}, "none"]', "-w", ws) == 0
    assert capsys.readouterr().out.startswith(
        'decisions.outcomes = [{"name": "gold", "selected": false, "award": false}, ')
    assert jp(monkeypatch, "staff", "decide", "A08", "Silver", "--reason", "Close second",
              "-w", ws, "--json") == 0
    made = as_json(capsys)["decision"]
    assert (made["outcome"], made["selected"], made["award"]) == ("silver", True, None)
    assert jp(monkeypatch, "staff", "setting", "set", "decisions.outcomes", "[oops",
              "-w", ws) == 2
    assert "not valid JSON" in capsys.readouterr().err
