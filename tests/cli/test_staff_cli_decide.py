"""`judgepanel staff shortlist|award|rank`: decisions from a judged round.

The round is tests/model/board_fixtures.py (numbers known by hand). Raw ranking:
A01 1, A05 2, A03 3, A02 4, A04 5, A07 6, A08 6 (shared), A06 8. Round budget
100,000; requested A01 40k, A05 30k, A03 25k, A02 20k, A04 15k, so the funding
line falls at A02 (95k committed).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.cli.test_staff_cli import as_json
from tests.cli.test_staff_cli import jp as plain_jp
from tests.model.board_fixtures import build_board_program


def jp(monkeypatch: pytest.MonkeyPatch, *args: object) -> int:
    """``judgepanel`` with ``--basis raw`` on the ranking commands: the fixture's table is
    the raw one (the default basis is adjusted)."""
    if (args[:2] in (("staff", "shortlist"), ("staff", "rank"), ("staff", "award"))
            and "--basis" not in args):
        args = (*args, "--basis", "raw")
    return plain_jp(monkeypatch, *args)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    program = build_board_program(tmp_path)
    program.ws.close()
    return tmp_path / "program"


def _rounds(ws: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> list[dict]:
    assert jp(monkeypatch, "staff", "round", "list", "-w", ws, "--json") == 0
    return as_json(capsys)["rounds"]


# --- shortlist ----------------------------------------------------------------------------


def test_dry_run_shows_the_selection_and_the_tie_and_changes_nothing(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--top", "6", "--dry-run",
              "--json") == 0
    plan = as_json(capsys)
    assert plan["dry_run"] is True
    assert plan["selected"] == ["A01", "A05", "A03", "A02", "A04", "A07", "A08"]
    assert plan["ties_at_cutoff"] == ["A07", "A08"]
    assert any("tie at the cut-off" in w for w in plan["warnings"])
    assert len(_rounds(ws, monkeypatch, capsys)) == 1

    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--top", "6", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "the top 6" in out and "7 applications" in out
    assert [line.split()[1] for line in out.splitlines() if "(tied at the cut-off)" in line
            ] == ["A07", "A08"]
    assert "Project A01" in out and "Nothing was changed" in out

    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--top", "6", "--exclude", "A08",
              "--dry-run", "--json") == 0
    settled = as_json(capsys)
    assert settled["selected"][-1] == "A07" and settled["excluded"] == ["A08"]


def test_threshold_per_category_and_within_one(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--threshold", "62.5",
              "--dry-run", "--json") == 0
    assert as_json(capsys)["selected"] == ["A01", "A05", "A03", "A02"]
    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--top", "1", "--per-category",
              "--dry-run", "--json") == 0
    plan = as_json(capsys)
    assert plan["by_category"] == {"youth": ["A01"], "housing": ["A05"]}
    assert plan["selected"] == ["A01", "A05"]
    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--top", "2", "--category",
              "housing", "--dry-run", "--json") == 0
    plan = as_json(capsys)
    assert plan["category"] == "housing" and plan["selected"] == ["A05", "A04"]


def test_shortlist_creates_the_next_round(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--top", "3", "--name",
              "Final round", "--due", "2036-06-30", "--budget", "60,000") == 0
    out = capsys.readouterr().out
    assert "Created round 2 “Final round”" in out and "assign run --round 2" in out
    rounds = _rounds(ws, monkeypatch, capsys)
    assert [(r["number"], r["name"], r["applications"]) for r in rounds] == [
        (1, "First round", 8), (2, "Final round", 3)]
    assert rounds[1]["rubric"] == "Board rubric" and rounds[1]["budget"] == "60000.00"
    assert rounds[1]["due"].startswith("2036-06-30")
    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--action", "round.shortlisted",
              "--json") == 0
    [entry] = as_json(capsys)["entries"]
    assert entry["details"]["selected"] == ["A01", "A05", "A03"]


def test_shortlist_refusals(ws: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--top", "3") == 2
    assert "--name" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--top", "0", "--dry-run") == 2
    assert "1 or more" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--threshold", "120",
              "--dry-run") == 2
    assert "0 to 100" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--top", "2", "--exclude", "ZZZ",
              "--dry-run", "--json") == 2
    refusal = as_json(capsys)
    assert refusal["ok"] is False and "ZZZ is not an application" in refusal["error"]
    assert jp(monkeypatch, "staff", "shortlist", "-w", ws, "--threshold", "99",
              "--name", "Nobody") == 2
    assert "nothing to shortlist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:  # one rule only (argparse)
        jp(monkeypatch, "staff", "shortlist", "-w", ws, "--top", "2", "--threshold", "5")
    assert exited.value.code == 2
    capsys.readouterr()
    assert len(_rounds(ws, monkeypatch, capsys)) == 1  # none of these created a round


# --- award and the funding line -----------------------------------------------------------


def test_award_moves_the_funding_line_and_clear_restores_it(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "rank", "-w", ws, "--json") == 0
    board = as_json(capsys)
    assert board["line_at"] == "A02" and Decimal(board["awarded"]) == 95_000

    assert jp(monkeypatch, "staff", "award", "-w", ws, "A02", "$5,000", "--note",
              "uses the remainder", "--json") == 0
    done = as_json(capsys)
    assert Decimal(done["awarded"]) == 5000 and done["previous"] is None
    assert done["status"] == "partial" and done["line_at"] == "A04"
    assert Decimal(done["total_awarded"]) == 100_000 and Decimal(done["remaining"]) == 0

    assert jp(monkeypatch, "staff", "rank", "-w", ws) == 0
    out = capsys.readouterr().out.splitlines()
    a02 = next(line for line in out if " A02 " in line)
    assert "20,000.00" in a02 and a02.rstrip().split()[-3] == "5,000.00*"
    line_index = next(i for i, line in enumerate(out) if "funding line" in line
                      and "----" in line)
    assert " A04 " in out[line_index + 1]  # the line is drawn just above A04
    assert "* = award set by staff" in out[-1] or any("* = award" in x for x in out)

    assert jp(monkeypatch, "staff", "award", "-w", ws, "A02", "7500") == 0
    assert "(was 5,000.00)" in capsys.readouterr().out
    assert jp(monkeypatch, "staff", "award", "-w", ws, "A02", "7,500.00", "--note", "why") == 0
    assert "7,500.00 USD of 20,000.00 requested (unchanged)." in capsys.readouterr().out
    assert jp(monkeypatch, "staff", "award", "-w", ws, "A02", "0.001") == 2
    assert "fractions of a cent" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "award", "-w", ws, "A02", "--clear") == 0
    assert "funding line decides again" in capsys.readouterr().out
    assert jp(monkeypatch, "staff", "rank", "-w", ws, "--json") == 0
    board = as_json(capsys)
    assert board["line_at"] == "A02"
    assert not any(r["staff_award"] for r in board["rows"])

    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--action", "award.", "--json") == 0
    entries = as_json(capsys)["entries"]
    assert [(e["details"]["amount"], e["details"]["note"]) for e in entries] == [
        ("5000.00", "uses the remainder"), ("7500.00", ""), ("7500.00", "why"), (None, "")]


def test_award_refusals(ws: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in (
            (("A02", "25000"), "more than it requested"),
            (("A02", "10.0005"), "fractions of a cent"),
            (("A02", "10.005"), "“10.005” reads as 10,005 only with a dot between thousands"),
            (("A02", "12.500"), "“12.500” could mean 12.50 or 12,500: write it as 12.50 or "
                                "as 12500."),
            (("A02", "lots"), "not an amount of money"),
            (("A02",), "either an AMOUNT or --clear"),
            (("A02", "100", "--clear"), "either an AMOUNT or --clear"),
            (("NOPE", "100"), "No application with the reference")):
        assert jp(monkeypatch, "staff", "award", "-w", ws, *argv) == 2, argv
        assert message in capsys.readouterr().err, argv
    assert jp(monkeypatch, "staff", "award", "-w", ws, "A02", "-5", "--json") == 2
    assert "zero or more" in as_json(capsys)["error"]
    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--action", "award.", "--json") == 0
    assert as_json(capsys)["entries"] == []  # nothing was recorded


def test_a_tie_where_the_budget_runs_out_is_said_not_settled_by_reference(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A07 (10k) and A08 (5k) share rank 6. With A02 and A04 passed over, 5k is left at
    them: listed by reference A07 comes first and does not fit, so A08, which would,
    was left out by its reference. Now the board says staff must decide."""
    for ref in ("A02", "A04"):
        assert jp(monkeypatch, "staff", "award", "-w", ws, ref, "0") == 0
    out = capsys.readouterr().out
    assert "A07 and A08 share a rank where the budget runs out" in out
    assert jp(monkeypatch, "staff", "rank", "-w", ws, "--json") == 0
    board = as_json(capsys)
    assert board["tied_at_line"] == ["A07", "A08"] and board["line_at"] == "A07"
    assert Decimal(board["remaining"]) == 5_000
    assert jp(monkeypatch, "staff", "rank", "-w", ws) == 0
    lines = capsys.readouterr().out.splitlines()
    budget = next(i for i, line in enumerate(lines) if line.startswith("Budget "))
    assert lines[budget + 1].startswith(
        "A07 and A08 share a rank where the budget runs out: the ranking cannot choose")
    assert jp(monkeypatch, "staff", "award", "-w", ws, "A08", "5000", "--json") == 0
    assert as_json(capsys)["tied_at_line"] == []  # staff decided
