"""`judgepanel staff …`: every step of a small round through the command line."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest

from judgepanel import cli
from judgepanel.crypto.identity import Identity
from judgepanel.formats.keystore import IdentityStore
from judgepanel.model.demo.build import RUBRIC_FILE, simulate_judge
from judgepanel.model.demo.content import JUDGES, recognition_applications
from judgepanel.model.demo.files import write_demo_identity, write_spreadsheet
from judgepanel.model.staff import audit
from judgepanel.model.staff.workspace import StaffWorkspace


def jp(monkeypatch: pytest.MonkeyPatch, *argv: str | Path) -> int:
    wanted = (*cli.COMMAND_MODULES, "judgepanel.cli.staff", "judgepanel.cli.demo")
    monkeypatch.setattr(cli, "COMMAND_MODULES", tuple(dict.fromkeys(wanted)))
    return cli.main([str(a) for a in argv])


def as_json(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out)


@dataclasses.dataclass
class Setup:
    root: Path
    ws: Path
    staff: Identity
    judges: dict[str, Identity]
    sheet: Path


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    keys, cards = tmp_path / "keys", tmp_path / "cards"
    staff = Identity.generate("Program Staff", "staff")
    write_demo_identity(keys, cards, "staff", staff)
    judges = {}
    for demo_judge in JUDGES[:3]:
        judges[demo_judge.slug] = Identity.generate(demo_judge.name, "judge")
        write_demo_identity(keys, cards, demo_judge.slug, judges[demo_judge.slug])
    apps = [dataclasses.replace(a, pdfs=()) for a in recognition_applications(8, seed=1)]
    apps[0] = dataclasses.replace(apps[0], city="Atlanta")  # Amara Okafor's city
    sheet = tmp_path / "apps.csv"
    write_spreadsheet(sheet, apps)
    return Setup(tmp_path, tmp_path / "program", staff, judges, sheet)


def init(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> int:
    return jp(monkeypatch, "staff", "init", "-w", setup.ws, "--name", "Test Awards",
              "--components", "--identity-file", setup.root / "keys" / "staff.identity",
              "--due", "2036-05-01", "--json")


def test_a_whole_round(setup: Setup, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    ws, keys, cards = setup.ws, setup.root / "keys", setup.root / "cards"
    assert init(setup, monkeypatch) == 0
    data = as_json(capsys)
    assert data["ok"] and data["categories"] == 10
    assert data["staff_fingerprint"] == setup.staff.fingerprint

    assert jp(monkeypatch, "staff", "rubric", "-w", ws, RUBRIC_FILE, "--json") == 0
    keys_ = [c["key"] for c in as_json(capsys)["rubric"]["criteria"]]
    assert keys_[:2] == ["impact", "participation"]

    assert jp(monkeypatch, "staff", "import", "-w", ws, setup.sheet, "--map",
              "organisation=Organization", "--json") == 0
    imported = as_json(capsys)
    assert imported["imported"] == 8 and imported["refs"][0] == "REC-2026-001"

    amara = cards / "amara-okafor.jpcard"
    assert jp(monkeypatch, "staff", "judges", "enroll", "-w", ws, amara, "--city", "Atlanta",
              "--email", "amara@example.org") == 0
    assert jp(monkeypatch, "staff", "judges", "enroll", "-w", ws,
              cards / "jose-gutierrez.jpcard", cards / "zoe-lefevre.jpcard") == 0
    out = capsys.readouterr().out
    assert "Enrolled José Gutiérrez" in out and setup.judges["zoe-lefevre"].fingerprint in out
    assert jp(monkeypatch, "staff", "judges", "list", "-w", ws, "--json") == 0
    assert sorted(j["name"] for j in as_json(capsys)["judges"]) == [
        "Amara Okafor", "José Gutiérrez", "Zoë Lefèvre"]

    assert jp(monkeypatch, "staff", "conflicts", "screen", "-w", ws, "--json") == 0
    found = as_json(capsys)["open"]
    assert [(c["judge"], c["application"]) for c in found] == [("Amara Okafor", "REC-2026-001")]
    assert jp(monkeypatch, "staff", "conflicts", "dismiss", "-w", ws, str(found[0]["id"])) == 2
    assert "reason" in capsys.readouterr().err  # dismissing needs a note
    assert jp(monkeypatch, "staff", "conflicts", "confirm", "-w", ws, str(found[0]["id"])) == 0
    assert jp(monkeypatch, "staff", "conflicts", "list", "-w", ws, "--status", "confirmed",
              "--json") == 0
    capsys.readouterr()

    assert jp(monkeypatch, "staff", "assign", "run", "-w", ws, "--per-application", "2",
              "--json") == 0
    plan = as_json(capsys)
    assert plan["added"] == 16 and plan["unmet"] == []
    assert jp(monkeypatch, "staff", "assign", "add", "-w", ws, "Amara Okafor",
              "REC-2026-001") == 2
    assert "conflict of interest" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "assign", "show", "-w", ws, "--json") == 0
    shown = as_json(capsys)["assignments"]
    assert "REC-2026-001" not in shown["Amara Okafor"]
    assert sum(len(v) for v in shown.values()) == 16

    out_dir = setup.root / "bundles"
    assert jp(monkeypatch, "staff", "bundles", "-w", ws, "--out", out_dir, "--identity-file",
              keys / "staff.identity", "--json") == 0
    built = as_json(capsys)["bundles"]
    assert len(built) == 3 and all(Path(b["path"]).is_file() for b in built)

    results = []
    for demo_judge in JUDGES[:3]:
        bundle = next(Path(b["path"]) for b in built if b["judge"] == demo_judge.name)
        path, _ = simulate_judge(bundle, setup.judges[demo_judge.slug], demo_judge,
                                 workspace_path=setup.root / f"{demo_judge.slug}.sqlite",
                                 out=setup.root / "results" / f"{demo_judge.slug}.jpresults",
                                 quality={}, seed=1)
        results.append(path)
    assert jp(monkeypatch, "staff", "merge", "-w", ws, "--identity-file",
              keys / "staff.identity", *results, "--json") == 0
    merged = as_json(capsys)
    assert merged["accepted"] == 3 and merged["refused"] == 0
    assert jp(monkeypatch, "staff", "merge", "-w", ws, "--identity-file",
              keys / "staff.identity", results[0]) == 1  # the same file again: refused
    assert "already merged" in capsys.readouterr().out

    assert jp(monkeypatch, "staff", "rank", "-w", ws, "--json") == 0
    board = as_json(capsys)
    assert [r["rank"] for r in board["rows"]][:1] == [1]
    assert all(r["n"] == 2 for r in board["rows"])
    assert {j["name"] for j in board["judges"]} == {"Amara Okafor", "José Gutiérrez",
                                                    "Zoë Lefèvre"}
    assert jp(monkeypatch, "staff", "rank", "-w", ws, "--basis", "normalised",
              "--category", "Education") == 0
    assert "Education" in capsys.readouterr().out

    xlsx = setup.root / "out.xlsx"
    assert jp(monkeypatch, "staff", "export", "-w", ws, "--out", xlsx) == 0
    assert str(xlsx) in capsys.readouterr().out
    from openpyxl import load_workbook

    assert "Scores" in load_workbook(xlsx, read_only=True).sheetnames
    assert jp(monkeypatch, "staff", "export", "-w", ws, "--out", setup.root / "csv",
              "--json") == 0
    files = [Path(f) for f in as_json(capsys)["files"]]
    scores = next(f for f in files if f.name.endswith("scores.csv"))
    with scores.open(encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == 16


def test_refusals_are_plain_and_json(setup: Setup, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert jp(monkeypatch, "staff", "rank", "-w", setup.root / "nowhere") == 2
    assert "not a JudgePanel workspace" in capsys.readouterr().err
    assert init(setup, monkeypatch) == 0
    capsys.readouterr()
    assert init(setup, monkeypatch) == 2  # already a workspace there
    refusal = as_json(capsys)
    assert refusal["ok"] is False and "already a workspace" in refusal["error"]

    bad = setup.root / "bad.csv"
    bad.write_text("Initiative,Email\nGood one,a@example.org\nBad one,not an email\n",
                   encoding="utf-8")
    assert jp(monkeypatch, "staff", "import", "-w", setup.ws, bad, "--json") == 2
    refusal = as_json(capsys)
    assert refusal["rows"] == [{"row": 3, "problem": "'Email' is not an email address "
                                "(got 'not an email')"}]
    assert jp(monkeypatch, "staff", "import", "-w", setup.ws, bad, "--good-rows-only") == 0
    assert "Imported 1 application from" in capsys.readouterr().out

    broken = setup.root / "broken.toml"
    broken.write_text('name = "x"\n[[criteria]]\nkey = "a"\ntitle = "A"\nwieght = 2\n')
    assert jp(monkeypatch, "staff", "rubric", "-w", setup.ws, broken) == 2
    assert "wieght" in capsys.readouterr().err

    # a staff identity other than the program's is refused for bundles and merges
    intruder = Identity.generate("Someone Else", "staff")
    write_demo_identity(setup.root / "k2", setup.root / "c2", "other", intruder)
    assert jp(monkeypatch, "staff", "bundles", "-w", setup.ws, "--out", setup.root / "b",
              "--identity-file", setup.root / "k2" / "other.identity") == 2
    assert "not the staff identity of this program" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "assign", "add", "-w", setup.ws, "Nobody", "X-1") == 2
    assert "No judge" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "rank", "-w", setup.ws, "--round", "7") == 2
    assert "no round 7" in capsys.readouterr().err


def test_init_uses_the_staff_identity_on_this_computer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "p"
    assert jp(monkeypatch, "staff", "init", "-w", ws, "--name", "P") == 2
    assert "no staff identity" in capsys.readouterr().err
    staff = IdentityStore(work_factor=2).create("Office", "staff")  # in the test keyring
    assert jp(monkeypatch, "staff", "init", "-w", ws, "--name", "P", "--category", "Youth",
              "--budget", "$120,000", "--json") == 0
    assert as_json(capsys)["staff_fingerprint"] == staff.fingerprint
    with StaffWorkspace.open(ws) as opened, opened.session() as session:
        program = opened.program(session)
        assert program.staff_minisign_key == staff.public_key.base64
        assert [e.details for e in audit.events(session, "program.staff_key")] == [
            {"fingerprint": staff.fingerprint, "name": "Office"}]
        assert str(program.rounds[0].budget) == "120000.00"
        assert [c.name for c in program.categories] == ["Youth"]


def test_init_needs_only_the_public_card_not_the_passphrase(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    staff = IdentityStore(work_factor=2).create("Office", "staff", passphrase="long secret words")
    ws = tmp_path / "p"
    assert jp(monkeypatch, "staff", "init", "-w", ws, "--name", "P", "--json") == 0
    assert as_json(capsys)["staff_fingerprint"] == staff.fingerprint
    # A judge's card is never a program's staff key.
    judge = IdentityStore(work_factor=2).create("Ana", "judge")
    assert jp(monkeypatch, "staff", "init", "-w", tmp_path / "q", "--name", "Q",
              "--staff-fingerprint", judge.fingerprint) == 2
    assert "judge identity" in capsys.readouterr().err
    assert not (tmp_path / "q").exists()
