"""What a first-time user ran into: plain refusals, stuck judges, backups, the demo folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from judgepanel.cli import gui
from judgepanel.cli.messages import plain_message
from judgepanel.errors import ValidationError
from judgepanel.formats.identity_file import read_identity_file
from judgepanel.formats.keystore import IdentityStore
from judgepanel.model.demo.build import RUBRIC_FILE
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.cli.test_staff_cli import Setup, as_json, init, jp
from tests.cli.test_staff_cli_bundles import make_setup


@pytest.fixture(name="setup")
def _setup(tmp_path: Path) -> Setup:
    return make_setup(tmp_path)


def test_a_field_name_never_prefixes_the_message_a_file_name_does() -> None:
    assert plain_message(ValidationError("No judge “X”.", path="judge")) == "No judge “X”."
    assert plain_message(ValidationError("Could not be opened.", path="apps.xlsx")) == (
        "apps.xlsx: Could not be opened.")
    # not twice when the message already names it
    assert plain_message(ValidationError("d4 is not empty.", path="d4/")) == "d4 is not empty."


def test_refusal_shows_no_field_name_but_verbose_does(
        setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert init(setup, monkeypatch) == 0
    capsys.readouterr()
    assert jp(monkeypatch, "staff", "assign", "add", "-w", setup.ws, "Nobody", "X-1") == 2
    err = capsys.readouterr().err
    assert err.startswith("judgepanel: No judge “Nobody”"), err
    assert jp(monkeypatch, "--verbose", "staff", "assign", "add", "-w", setup.ws, "Nobody",
              "X-1") == 2
    assert "field: judge" in capsys.readouterr().err


def _round_with_a_staff_card_enrolled(setup: Setup, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    ws, cards = setup.ws, setup.root / "cards"
    assert init(setup, monkeypatch) == 0
    assert jp(monkeypatch, "staff", "rubric", "-w", ws, RUBRIC_FILE) == 0
    assert jp(monkeypatch, "staff", "import", "-w", ws, setup.sheet) == 0
    # `enroll cards/*.jpcard` on a folder that also holds the staff card
    assert jp(monkeypatch, "staff", "judges", "enroll", "-w", ws, *sorted(cards.iterdir())) == 0
    assert "This is a staff card" in capsys.readouterr().out
    assert jp(monkeypatch, "staff", "assign", "run", "-w", ws, "--per-application", "2") == 0
    capsys.readouterr()


def test_withdraw_a_wrongly_enrolled_card_so_bundles_can_be_built(
        setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _round_with_a_staff_card_enrolled(setup, monkeypatch, capsys)
    ws, key = setup.ws, setup.root / "keys" / "staff.identity"
    out = setup.root / "out"
    assert jp(monkeypatch, "staff", "bundles", "-w", ws, "--out", out,
              "--identity-file", key) == 2
    assert "Resolve the warning" in capsys.readouterr().err

    staff_fp = setup.staff.fingerprint
    assert jp(monkeypatch, "staff", "judges", "withdraw", "-w", ws, staff_fp, "--json") == 0
    [row] = as_json(capsys)["judges"]
    assert row | {"id": 0} == {"id": 0, "name": "Program Staff", "fingerprint": staff_fp,
                               "active": False, "changed": True}
    assert jp(monkeypatch, "staff", "judges", "withdraw", "-w", ws, staff_fp) == 0
    assert "already withdrawn" in capsys.readouterr().out
    assert jp(monkeypatch, "staff", "assign", "run", "-w", ws, "--per-application", "2") == 0
    capsys.readouterr()
    assert jp(monkeypatch, "staff", "bundles", "-w", ws, "--out", out, "--identity-file", key,
              "--json") == 0
    built = as_json(capsys)["bundles"]
    assert sorted(b["judge"] for b in built) == ["Amara Okafor", "José Gutiérrez",
                                                 "Zoë Lefèvre"]
    assert jp(monkeypatch, "staff", "judges", "list", "-w", ws) == 0
    listed = capsys.readouterr().out
    assert any("Program Staff" in line and "(withdrawn)" in line
               for line in listed.splitlines())

    assert jp(monkeypatch, "staff", "judges", "reactivate", "-w", ws, "program staff") == 0
    assert "active again" in capsys.readouterr().out


def test_clear_warning_needs_a_note_and_is_audited(
        setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _round_with_a_staff_card_enrolled(setup, monkeypatch, capsys)
    ws = setup.ws
    assert jp(monkeypatch, "staff", "judges", "clear-warning", "-w", ws, "Program Staff") == 2
    assert "Say how the judge was checked" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "judges", "clear-warning", "-w", ws, "Program Staff",
              "--note", "Called: our own card, on purpose") == 0
    assert "Cleared the warning on Program Staff" in capsys.readouterr().out
    assert jp(monkeypatch, "staff", "judges", "clear-warning", "-w", ws, "Program Staff",
              "--note", "again") == 2
    assert "no warning to clear" in capsys.readouterr().err
    assert jp(monkeypatch, "staff", "audit", "-w", ws, "--action", "judge.flag",
              "--json") == 0
    entries = as_json(capsys)["entries"]
    assert len(entries) == 1 and "on purpose" in str(entries[0])


def test_bundles_say_how_to_give_a_staff_identity_that_is_not_here(
        setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert init(setup, monkeypatch) == 0  # set up with a demo identity file
    capsys.readouterr()
    assert jp(monkeypatch, "staff", "bundles", "-w", setup.ws, "--out", setup.root / "o") == 2
    err = capsys.readouterr().err
    assert setup.staff.fingerprint in err and "--identity-file" in err


def test_open_a_missing_file_says_so_before_anything_else(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert jp(monkeypatch, "open", tmp_path / "ana.jpbundle") == 2
    assert "no such file" in capsys.readouterr().err


def test_a_finished_demo_opens_even_with_files_unzipped_beside_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from judgepanel.cli import demo as demo_cli
    from judgepanel.model.demo.build import MARKER

    folder = tmp_path / "demo-program"
    (folder / "program").mkdir(parents=True)
    (folder / "program" / "program.sqlite").write_bytes(b"")
    (folder / "README.txt").write_text(MARKER + "\n", encoding="utf-8")
    (folder / "bundle.zip").write_bytes(b"PK")  # docs/demo.md's checks, done in place
    builds: list[object] = []
    monkeypatch.setattr(demo_cli, "run_demo", lambda args: builds.append(args) or 0)
    assert gui.ensure_demo(folder) == folder / "program"
    assert builds == []
    (tmp_path / "other").mkdir()  # never a demo: built (and refused by run_demo) as before
    gui.ensure_demo(tmp_path / "other")
    assert len(builds) == 1


@pytest.fixture
def small_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("judgepanel.formats.keystore.DEFAULT_WORK_FACTOR", 10)


@pytest.mark.usefixtures("small_scrypt")
def test_identity_export_writes_a_backup_staff_commands_accept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_text("words on this computer\n", encoding="utf-8")
    backup_pw = tmp_path / "backup.txt"
    backup_pw.write_text("other words for the backup\n", encoding="utf-8")
    staff = IdentityStore().create("Office", "staff", passphrase="words on this computer")
    out = tmp_path / "office.identity.age"

    assert jp(monkeypatch, "identity", "export", "--role", "staff", "--out", out,
              "--passphrase-file", backup_pw) == 2
    assert "--current-passphrase-file" in capsys.readouterr().err and not out.exists()
    assert jp(monkeypatch, "identity", "export", "--role", "staff", "--out", out,
              "--passphrase-file", backup_pw, "--current-passphrase-file", kept) == 0
    assert "Wrote a backup of Office" in capsys.readouterr().out
    restored = read_identity_file(out, passphrase="other words for the backup")
    assert restored.fingerprint == staff.fingerprint and restored.role == "staff"
    assert jp(monkeypatch, "identity", "export", "--role", "staff", "--out", out,
              "--passphrase-file", backup_pw, "--current-passphrase-file", kept) == 2
    assert "already exists" in capsys.readouterr().err


def test_merge_of_a_pattern_that_matched_nothing_says_so(
        setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert init(setup, monkeypatch) == 0
    capsys.readouterr()
    assert jp(monkeypatch, "staff", "merge", "-w", setup.ws, "results/*.jpresults",
              "--identity-file", setup.root / "keys" / "staff.identity") == 2
    assert "No file matches results/*.jpresults" in capsys.readouterr().err


def test_a_refused_import_lists_its_rows_also_with_good_rows_only(
        setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # categories that match no row of the sheet (it names the compact's components)
    assert jp(monkeypatch, "staff", "init", "-w", setup.ws, "--name", "T", "--category",
              "Youth", "--identity-file", setup.root / "keys" / "staff.identity") == 0
    capsys.readouterr()
    assert jp(monkeypatch, "staff", "import", "-w", setup.ws, setup.sheet) == 2
    err = capsys.readouterr().err.splitlines()
    assert "Fix the rows listed" in err[0]
    assert len(err) == 9 and err[1].startswith("  row 2: ") and "Youth" in err[1]
    assert jp(monkeypatch, "staff", "import", "-w", setup.ws, setup.sheet,
              "--good-rows-only") == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("judgepanel: No row of apps.csv can be imported")
    assert len(err) == 9 and all(line.startswith("  row ") for line in err[1:])
    with StaffWorkspace.open(setup.ws) as ws, ws.session() as session:
        assert ws.program(session).applications == []
