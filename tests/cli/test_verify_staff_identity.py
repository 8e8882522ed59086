"""`judgepanel verify` unlocks the staff identity every way `staff merge` does, and says
"locked" when that is the problem (issue 15, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

import judgepanel.cli
from judgepanel.cli import main
from judgepanel.crypto.identity import Identity
from judgepanel.formats.card import Card, write_card
from judgepanel.formats.identity_file import write_identity_file
from judgepanel.formats.keystore import IdentityStore
from judgepanel.formats.results.file import write_results
from tests.formats.crafting import Keys, results_document

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def verify_command(monkeypatch: pytest.MonkeyPatch) -> None:
    modules = judgepanel.cli.COMMAND_MODULES
    if "judgepanel.cli.verify" not in modules:
        monkeypatch.setattr(judgepanel.cli, "COMMAND_MODULES", (*modules, "judgepanel.cli.verify"))


def _results_for(tmp_path: Path, staff: Identity) -> tuple[Path, Path]:
    """A results file encrypted to ``staff``, and the judge's card to check it against."""
    keys = Keys.make()
    path = tmp_path / "maria.jpresults"
    write_results(path, results_document(keys), judge_key=keys.judge.signing,
                  judge_public=keys.judge.public_key, staff_recipient=staff.recipient)
    card = tmp_path / "maria.jpcard"
    write_card(card, Card.from_identity(keys.judge))
    return path, card


def _verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["verify", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _passphrase_file(tmp_path: Path, text: str = PASSPHRASE) -> str:
    path = tmp_path / "pw.txt"
    path.write_text(text + "\n")
    return str(path)


def test_a_staff_identity_kept_in_a_passphrase_file_is_named_locked(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = IdentityStore(work_factor=4)
    staff = store.create("Program Office", "staff", passphrase=PASSPHRASE)
    results, card = _results_for(tmp_path, staff)
    code, out = _verify(capsys, str(results), "--signer", str(card))
    assert code == 1
    assert "is locked" in out and "Program Office" in out and "--passphrase-file" in out
    assert "made for someone else" not in out
    # With the passphrase, the identity on this computer opens it.
    code, out = _verify(capsys, str(results), "--signer", str(card), "--passphrase-file",
                        _passphrase_file(tmp_path))
    assert code == 0, out
    # A wrong passphrase leaves it locked, and says so.
    code, out = _verify(capsys, str(results), "--passphrase-file",
                        _passphrase_file(tmp_path, "not it"))
    assert code == 1 and "is locked" in out


def test_an_exported_identity_file_opens_with_key_or_identity_file(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    staff = Identity.generate("Program Office", "staff")
    exported = tmp_path / "office.identity.age"
    write_identity_file(exported, staff, PASSPHRASE, work_factor=4)
    results, card = _results_for(tmp_path, staff)
    phrase = _passphrase_file(tmp_path)
    for option in ("--key", "--identity-file"):
        code, out = _verify(capsys, str(results), option, str(exported), "--passphrase-file",
                            phrase, "--signer", str(card))
        assert code == 0, out
        assert "could not be read" not in out
    code, out = _verify(capsys, str(results), "--identity-file", str(exported))
    assert code == 2 and "protected by a passphrase" in out


def test_a_demo_identity_file_opens_too(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    staff = Identity.generate("Program Office", "staff")
    demo_file = tmp_path / "staff.identity"
    demo_file.write_text("# DEMO KEY: made-up person\n" + staff.secret_text() + "\n")
    results, _card = _results_for(tmp_path, staff)
    code, out = _verify(capsys, str(results), "--key", str(demo_file))
    assert code == 0, out
