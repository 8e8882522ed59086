"""`judgepanel staff round …` and `staff audit`: rounds by hand, and the audit chain check."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_staff_cli import as_json, jp
from tests.model.board_fixtures import build_board_program


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    program = build_board_program(tmp_path)
    program.ws.close()
    return tmp_path / "program"


def test_round_add_list_and_add_applications(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "round", "list", "-w", ws) == 0
    out = capsys.readouterr().out
    assert "1 round:" in out and "First round: 8 applications; rubric “Board rubric”" in out
    assert "budget 100,000.00" in out

    assert jp(monkeypatch, "staff", "round", "add", "-w", ws, "--name", "Second  call",
              "--application", "A01", "--application", "A06", "--application", "A01",
              "--json") == 0
    added = as_json(capsys)["round"]
    assert (added["number"], added["name"], added["applications"]) == (2, "Second call", 2)
    assert added["rubric"] == "Board rubric"  # copied from the round before
    assert added["assignments"] == 0 and added["bundles"] == 0

    assert jp(monkeypatch, "staff", "round", "add-applications", "-w", ws, "A06", "A02",
              "A03") == 0
    assert "Added 2 applications to round 2 (1 already in it)" in capsys.readouterr().out

    assert jp(monkeypatch, "staff", "round", "add", "-w", ws, "--name", "Everyone",
              "--json") == 0
    assert as_json(capsys)["round"]["applications"] == 8  # default: every application

    assert jp(monkeypatch, "staff", "round", "list", "-w", ws, "--json") == 0
    rounds = as_json(capsys)["rounds"]
    assert [(r["number"], r["applications"]) for r in rounds] == [(1, 8), (2, 4), (3, 8)]


def test_round_refusals(ws: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "round", "add-applications", "-w", ws, "--round", "1",
              "A01") == 2
    assert "already holds every application" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "round", "add", "-w", ws, "--name", "X",
              "--application", "NOPE") == 2
    assert "No application with the reference “NOPE”" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "round", "add", "-w", ws, "--name", "  ", "--json") == 2
    assert as_json(capsys)["error"] == "Give the round a name."
    assert jp(monkeypatch, "staff", "round", "add", "-w", ws, "--name", "Y", "--budget",
              "-100") == 2
    assert "cannot be negative" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "round", "list", "-w", ws, "--json") == 0
    assert len(as_json(capsys)["rounds"]) == 1


def test_audit_lists_and_checks_the_chain(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--json") == 0
    log = as_json(capsys)
    assert log["intact"] is True and log["broken"] == []
    actions = [e["action"] for e in log["entries"]]
    assert actions[:1] == ["workspace.created"] and "round.added" in actions
    assert [e["seq"] for e in log["entries"]] == list(range(1, len(actions) + 1))
    head = log["head"]
    assert head["seq"] == len(actions)

    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--last", "1") == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].split()[0] == str(head["seq"])
    assert out[1] == (f"The audit log is intact: {head['seq']} entries, head "
                      f"{head['seq']}:{head['hash']}.")

    anchor = f"{head['seq']}:{head['hash']}"
    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--check", "--expect", anchor,
              "--json") == 0
    checked = as_json(capsys)
    assert checked["intact"] and "entries" not in checked

    # Tamper with an entry behind JudgePanel's back: the check names it and exits 1.
    with sqlite3.connect(ws / "program.sqlite") as db:
        db.execute("UPDATE audit_events SET actor = 'someone else' WHERE seq = 2")
    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--check") == 1
    out = capsys.readouterr().out
    assert "BROKEN" in out and "Audit entry 2: its contents were changed" in out
    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--json") == 1
    broken = as_json(capsys)
    assert broken["ok"] is True and broken["intact"] is False
    assert broken["broken"][0]["seq"] == 2


def test_audit_expect_detects_a_truncated_log(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--check", "--json") == 0
    head = as_json(capsys)["head"]
    with sqlite3.connect(ws / "program.sqlite") as db:
        db.execute("DELETE FROM audit_events WHERE seq = ?", (head["seq"],))
    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--check") == 0  # looks intact ...
    capsys.readouterr()
    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--check", "--expect",
              f"{head['seq']}:{head['hash']}") == 1  # ... but not against the recorded head
    assert "no longer in the log" in capsys.readouterr().out
    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--expect", "12-abc") == 2
    assert "SEQ:HASH" in capsys.readouterr().err
