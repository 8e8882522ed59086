"""`judgepanel identity new|card|list`, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

import judgepanel.cli
from judgepanel.cli import main
from judgepanel.formats.card import Card, read_card
from judgepanel.formats.keystore import IdentityStore


@pytest.fixture(autouse=True)
def identity_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    modules = judgepanel.cli.COMMAND_MODULES
    if "judgepanel.cli.identity" not in modules:
        modules = (*modules, "judgepanel.cli.identity")
        monkeypatch.setattr(judgepanel.cli, "COMMAND_MODULES", modules)
    monkeypatch.setattr("judgepanel.formats.keystore.DEFAULT_WORK_FACTOR", 10)


@pytest.fixture
def no_keyring() -> None:
    keyring.set_keyring(fail.Keyring())  # conftest restores the previous backend


def new(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["identity", "new", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def fingerprint_in(out: str) -> str:
    return next(line.split()[-1] for line in out.splitlines() if "fingerprint:" in line)


def test_new_with_keyring(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = new(capsys, "--name", "Ada Lovelace", "--role", "judge")
    assert code == 0, err
    fp = fingerprint_in(out)
    assert "Ada Lovelace" in out and "judge" in out and "keyring" in out
    card = read_card(IdentityStore().card_path(fp))
    assert card.name == "Ada Lovelace" and str(IdentityStore().card_path(fp)) in out
    assert IdentityStore().load(fp).name == "Ada Lovelace"


@pytest.mark.usefixtures("no_keyring")
def test_new_without_keyring_asks_for_a_passphrase_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = new(capsys, "--name", "Ada", "--role", "judge")
    assert code != 0
    assert "--passphrase-file" in err and "keyring" in err
    assert "Traceback" not in err
    assert IdentityStore().list() == []


@pytest.mark.usefixtures("no_keyring")
def test_new_with_passphrase_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text("s3cret phrase\nignored second line\n")
    code, out, err = new(capsys, "--name", "Ada", "--role", "staff", "--passphrase-file", str(pw))
    assert code == 0, err
    fp = fingerprint_in(out)
    assert "passphrase" in out
    assert IdentityStore().load(fp, passphrase="s3cret phrase").role == "staff"

    assert main(["identity", "list"]) == 0
    listed = capsys.readouterr().out
    assert fp in listed and "passphrase file" in listed


@pytest.mark.parametrize("content", ["", "\nsecond line"])
def test_empty_passphrase_file_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str
) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text(content)
    code, _, err = new(capsys, "--name", "Ada", "--role", "judge", "--passphrase-file", str(pw))
    assert code != 0 and "first line" in err


def test_missing_passphrase_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = new(capsys, "--name", "Ada", "--role", "judge",
                       "--passphrase-file", str(tmp_path / "none"))
    assert code != 0 and "could not be read" in err


def test_bad_role_and_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["identity", "new", "--name", "Ada", "--role", "chair"])
    assert exit_.value.code == 2
    capsys.readouterr()
    code, _, err = new(capsys, "--name", "  ", "--role", "judge")
    assert code != 0 and "name" in err


def test_card_and_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["identity", "card"])
    assert code != 0 and "no identity yet" in capsys.readouterr().err

    _, out, _ = new(capsys, "--name", "Ada", "--role", "judge")
    judge_fp = fingerprint_in(out)
    assert main(["identity", "card"]) == 0  # the only identity
    card = Card.from_json(capsys.readouterr().out.encode())
    assert card.fingerprint == judge_fp

    _, out, _ = new(capsys, "--name", "Program Office", "--role", "staff")
    staff_fp = fingerprint_in(out)
    assert main(["identity", "card"]) != 0
    assert "--fingerprint" in capsys.readouterr().err

    out_file = tmp_path / "me.jpcard"
    args = ["identity", "card", "--fingerprint", judge_fp.lower(), "--out", str(out_file)]
    assert main(args) == 0
    assert str(out_file) in capsys.readouterr().out
    assert read_card(out_file).fingerprint == judge_fp

    assert main(["identity", "card", "--role", "staff"]) == 0
    assert json.loads(capsys.readouterr().out)["fingerprint"] == staff_fp

    assert main(["identity", "card", "--fingerprint", "2222-2222-2222-2222"]) != 0
    assert "no identity" in capsys.readouterr().err
    assert main(["identity", "card", "--fingerprint", "nonsense"]) != 0
    assert "not a fingerprint" in capsys.readouterr().err

    assert main(["identity", "list"]) == 0
    listed = capsys.readouterr().out
    assert judge_fp in listed and staff_fp in listed and "Program Office" in listed


def test_list_when_empty(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["identity", "list"]) == 0
    assert "No identities" in capsys.readouterr().out
