"""`judgepanel staff bundles --passphrase-for`: passphrase bundles, printed once, never stored."""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

import pytest

from judgepanel.cli import staff_round
from judgepanel.crypto.age_keys import ScryptIdentity
from judgepanel.crypto.identity import Identity
from judgepanel.errors import WrongKeyError
from judgepanel.formats.bundle import Bundle
from judgepanel.model.demo.build import RUBRIC_FILE
from judgepanel.model.demo.content import JUDGES, recognition_applications
from judgepanel.model.demo.files import write_demo_identity, write_spreadsheet
from judgepanel.model.staff.bundles import building
from tests.cli.test_staff_cli import Setup, as_json, init, jp

PASSPHRASE = re.compile(r"^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){5}$")


def make_setup(tmp_path: Path) -> Setup:
    """As test_staff_cli's ``setup`` fixture: staff and three judges, eight applications."""
    keys, cards = tmp_path / "keys", tmp_path / "cards"
    staff = Identity.generate("Program Staff", "staff")
    write_demo_identity(keys, cards, "staff", staff)
    judges = {}
    for demo_judge in JUDGES[:3]:
        judges[demo_judge.slug] = Identity.generate(demo_judge.name, "judge")
        write_demo_identity(keys, cards, demo_judge.slug, judges[demo_judge.slug])
    apps = [dataclasses.replace(a, pdfs=()) for a in recognition_applications(8, seed=1)]
    sheet = tmp_path / "apps.csv"
    write_spreadsheet(sheet, apps)
    return Setup(tmp_path, tmp_path / "program", staff, judges, sheet)


@pytest.fixture
def assigned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> Setup:
    """Three judges enrolled and assigned; cheap scrypt so the test stays fast."""
    setup = make_setup(tmp_path)
    monkeypatch.setattr(building, "ScryptRecipient",
                        functools.partial(building.ScryptRecipient, work_factor=10))
    ws, cards = setup.ws, setup.root / "cards"
    assert init(setup, monkeypatch) == 0
    assert jp(monkeypatch, "staff", "rubric", "-w", ws, RUBRIC_FILE) == 0
    assert jp(monkeypatch, "staff", "import", "-w", ws, setup.sheet, "--map",
              "organisation=Organization") == 0
    assert jp(monkeypatch, "staff", "judges", "enroll", "-w", ws,
              *(cards / f"{j.slug}.jpcard" for j in JUDGES[:3])) == 0
    assert jp(monkeypatch, "staff", "assign", "run", "-w", ws, "--per-application", "2") == 0
    capsys.readouterr()
    return setup


def _bundles(setup: Setup, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    return jp(monkeypatch, "staff", "bundles", "-w", setup.ws, "--out", setup.root / "out",
              "--identity-file", setup.root / "keys" / "staff.identity", *extra)


def test_passphrase_bundles_open_with_the_printed_passphrase_only(
        assigned: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    setup = assigned
    assert _bundles(setup, monkeypatch, "--passphrase-for", "Amara Okafor,zoe lefevre",
                    "--json") == 0
    rows = {r["judge"]: r for r in as_json(capsys)["bundles"]}
    assert set(rows) == {"Amara Okafor", "José Gutiérrez", "Zoë Lefèvre"}
    amara, zoe, jose = rows["Amara Okafor"], rows["Zoë Lefèvre"], rows["José Gutiérrez"]
    assert amara["opens_with"] == zoe["opens_with"] == "passphrase"
    assert jose["opens_with"] == "judge key" and jose["passphrase"] is None
    assert PASSPHRASE.match(amara["passphrase"]) and PASSPHRASE.match(zoe["passphrase"])
    assert amara["passphrase"] != zoe["passphrase"]

    with Bundle.open(Path(amara["path"]), [ScryptIdentity(amara["passphrase"])]) as bundle:
        assert bundle.header.judge["name"] == "Amara Okafor"
    with pytest.raises(WrongKeyError):  # another judge's passphrase, or the staff key
        Bundle.open(Path(amara["path"]), [ScryptIdentity(zoe["passphrase"])])
    with pytest.raises(WrongKeyError):
        Bundle.open(Path(amara["path"]), [setup.staff])
    with Bundle.open(Path(jose["path"]), [setup.judges["jose-gutierrez"]]):
        pass

    # Never written to disk: not in the workspace (database, WAL, audit) nor the out folder.
    secrets = [amara["passphrase"].encode(), zoe["passphrase"].encode()]
    for path in [*setup.ws.rglob("*"), *(setup.root / "out").rglob("*")]:
        if path.is_file():
            content = path.read_bytes()
            assert not any(s in content for s in secrets), path


def test_human_output_prints_each_passphrase_once_with_a_warning(
        assigned: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert _bundles(assigned, monkeypatch, "--judge", "Zoë Lefèvre",
                    "--passphrase-for", "Zoë Lefèvre") == 0
    out = capsys.readouterr().out
    assert out.startswith("Built 1 bundle in")
    found = re.findall(r"passphrase: (\S+)", out)
    assert len(found) == 1 and PASSPHRASE.match(found[0])
    assert "not stored anywhere" in out and "never with the bundle" in out


def test_passphrase_refusals(assigned: Setup, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert _bundles(assigned, monkeypatch, "--passphrase-for", "Nobody Known") == 2
    assert "No judge “Nobody Known”" in capsys.readouterr().err
    assert _bundles(assigned, monkeypatch, "--judge", "Amara Okafor",
                    "--passphrase-for", "Zoë Lefèvre", "--json") == 2
    refusal = as_json(capsys)
    assert refusal["ok"] is False and "Zoë Lefèvre" in refusal["error"]
    assert refusal["path"] == "passphrase_for"
    assert not (assigned.root / "out").exists()  # nothing was built


def test_new_passphrase_is_random_and_readable() -> None:
    made = {staff_round.new_passphrase() for _ in range(200)}
    assert len(made) == 200 and all(PASSPHRASE.match(p) for p in made)
    assert not set("01ILO") & set("".join(made))
