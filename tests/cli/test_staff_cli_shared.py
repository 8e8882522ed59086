"""`judgepanel staff …` on a shared program: addresses, copy in and out, upgrade, versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from judgepanel.formats.keystore import IdentityStore
from tests.cli.test_staff_cli import as_json, jp
from tests.model.board_fixtures import build_board_program


def test_an_address_we_cannot_reach_says_so_and_creates_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    IdentityStore(work_factor=2).create("Office", "staff")  # in the test keyring
    monkeypatch.chdir(tmp_path)
    assert jp(monkeypatch, "staff", "init", "-w", "postgresql://maria@127.0.0.1:1/awards",
              "--name", "Shared") == 2
    err = capsys.readouterr().err
    assert "Could not reach a database server at 127.0.0.1:1" in err
    assert "Created" not in err
    assert list(tmp_path.iterdir()) == []  # no "postgresql:" folder, nothing else either


def test_init_makes_a_program_in_an_empty_database(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    IdentityStore(work_factor=2).create("Office", "staff")
    assert jp(monkeypatch, "staff", "init", "-w", postgres_url, "--name", "Shared",
              "--json") == 0
    assert as_json(capsys)["workspace"] == postgres_url.replace("postgresql+psycopg://",
                                                                "postgresql://")
    assert jp(monkeypatch, "staff", "init", "-w", postgres_url, "--name", "Again") == 2
    assert "already holds data" in capsys.readouterr().err


def test_a_program_moves_in_and_out_through_the_command_line(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    program = build_board_program(tmp_path)
    program.ws.close()
    folder = tmp_path / "program"
    secret = postgres_url.replace("postgres@", "postgres:hunter2@", 1)  # trusted: unused
    assert jp(monkeypatch, "staff", "copy", "-w", folder, "--to", secret, "--json") == 0
    moved = as_json(capsys)
    assert "hunter2" not in moved["to"] and moved["to"].startswith("postgresql://")
    assert moved["rows"]["applications"] == 8 and moved["audit_head"]["seq"] > 1

    assert jp(monkeypatch, "staff", "round", "list", "-w", postgres_url) == 0
    assert "First round: 8 applications" in capsys.readouterr().out
    assert jp(monkeypatch, "staff", "upgrade", "-w", postgres_url) == 0
    assert "already at" in capsys.readouterr().out

    # An award made from an old version is refused with the new value.
    assert jp(monkeypatch, "staff", "award", "-w", postgres_url, "A06", "5000",
              "--expect-version", "1", "--json") == 0
    assert as_json(capsys)["version"] == 2
    assert jp(monkeypatch, "staff", "award", "-w", postgres_url, "A06", "4000",
              "--expect-version", "1", "--json") == 2
    refused = as_json(capsys)
    assert refused["kind"] == "StaleEditError"
    assert "changed the award for A06" in refused["error"]
    assert "it is now 5,000.00" in refused["error"]

    archive = tmp_path / "archive"
    assert jp(monkeypatch, "staff", "copy", "-w", postgres_url, "--to", archive) == 0
    assert "Row counts and the audit chain check out" in capsys.readouterr().out
    assert jp(monkeypatch, "staff", "audit", "--check", "-w", archive) == 0
    assert jp(monkeypatch, "staff", "award", "-w", archive, "A06", "1", "--json",
              "--expect-version", "2") == 0  # the version came along


def test_login_and_logout_are_for_servers(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "login", "-w", tmp_path) == 2
    assert "a folder needs no password" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "logout", "-w", postgres_url) == 0
    assert "No password of postgres@127.0.0.1" in capsys.readouterr().out
