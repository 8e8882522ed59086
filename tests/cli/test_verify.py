"""`judgepanel verify FILE`, run in-process: one line per check, exit 0 only if all pass."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import judgepanel.cli
from judgepanel.cli import main
from judgepanel.crypto.age_keys import ScryptRecipient, format_identity_file
from judgepanel.crypto.identity import Identity
from judgepanel.formats.bundle_write import write_bundle
from judgepanel.formats.card import Card, write_card
from judgepanel.formats.inspection import Report
from judgepanel.formats.keystore import IdentityStore
from judgepanel.formats.results.file import write_results
from tests.formats.crafting import BundleParts, Keys, ResultsParts, results_document
from tests.formats.test_bundle import make_apps, make_header


@pytest.fixture(autouse=True)
def verify_command(monkeypatch: pytest.MonkeyPatch) -> None:
    modules = judgepanel.cli.COMMAND_MODULES
    if "judgepanel.cli.verify" not in modules:
        monkeypatch.setattr(judgepanel.cli, "COMMAND_MODULES", (*modules, "judgepanel.cli.verify"))


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys.make()


def key_file(tmp_path: Path, person: Identity, name: str) -> str:
    path = tmp_path / f"{name}.key"
    path.write_text(format_identity_file(person.age))
    return str(path)


def pub_file(tmp_path: Path, person: Identity, name: str) -> str:
    path = tmp_path / f"{name}.pub"
    path.write_text(person.public_key.to_string())
    return str(path)


def card_file(tmp_path: Path, person: Identity, name: str) -> str:
    path = tmp_path / f"{name}.jpcard"
    write_card(path, Card.from_identity(person))
    return str(path)


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["verify", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def bundle(tmp_path: Path, keys: Keys) -> str:
    path = tmp_path / "maria.jpbundle"
    write_bundle(path, make_header(keys), make_apps(tmp_path), recipients=keys.bundle_recipients,
                 staff_key=keys.staff.signing)
    return str(path)


@pytest.fixture
def results(tmp_path: Path, keys: Keys) -> str:
    path = tmp_path / "maria.jpresults"
    write_results(path, results_document(keys), judge_key=keys.judge.signing,
                  judge_public=keys.judge.public_key, staff_recipient=keys.staff.recipient)
    return str(path)


# --- bundles -----------------------------------------------------------------------------


def test_good_bundle_with_the_expected_signer(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              keys: Keys, bundle: str) -> None:
    code, out = verify(capsys, bundle, "--key", key_file(tmp_path, keys.judge, "judge"),
                       "--signer", pub_file(tmp_path, keys.staff, "staff"))
    assert code == 0, out
    assert out.splitlines()[0] == f"{bundle}: JudgePanel judging bundle"
    assert "Mayors' Recognition 2026 (P-2026)" in out
    assert f"Maria Okafor ({keys.judge.fingerprint})" in out
    assert keys.staff.public_key.key_id_hex in out and keys.staff.fingerprint in out
    checks = [line.strip() for line in out.splitlines() if line.strip()[:1] in "✓✗!"]
    assert len(checks) == 6 and all(line.startswith("✓") for line in checks), out
    assert "every file matches its size and SHA-256" in out
    assert out.rstrip().endswith("All checks passed.")


def test_the_signer_may_be_given_as_a_card(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           keys: Keys, bundle: str) -> None:
    code, out = verify(capsys, bundle, "--key", key_file(tmp_path, keys.staff, "staff"),
                       "--signer", card_file(tmp_path, keys.staff, "staff"))
    assert code == 0, out
    assert f"Sam Staff ({keys.staff.fingerprint}" in out


def test_bundle_signed_by_someone_unexpected(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                            keys: Keys, bundle: str) -> None:
    code, out = verify(capsys, bundle, "--key", key_file(tmp_path, keys.judge, "judge"),
                       "--signer", pub_file(tmp_path, keys.other, "other"))
    assert code == 1
    assert "✗ signed by the expected key" in out
    assert out.rstrip().endswith("Some checks FAILED.")


def test_without_signer_the_gap_is_said(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                        keys: Keys, bundle: str) -> None:
    code, out = verify(capsys, bundle, "--key", key_file(tmp_path, keys.judge, "judge"))
    assert code == 0
    assert "! not compared with a staff key you already trust" in out


def test_wrong_key(capsys: pytest.CaptureFixture[str], tmp_path: Path, keys: Keys,
                   bundle: str) -> None:
    code, out = verify(capsys, bundle, "--key", key_file(tmp_path, keys.other, "other"))
    assert code == 1
    assert "✗ decrypts with your key: None of your keys opens this bundle" in out


def test_no_key_at_all(capsys: pytest.CaptureFixture[str], bundle: str) -> None:
    code, out = verify(capsys, bundle)
    assert code == 1
    assert "--key IDENTITY_FILE" in out


def test_keys_kept_on_this_computer_are_used(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                             keys: Keys) -> None:
    me = IdentityStore().create("Local Judge", "judge")
    path = tmp_path / "local.jpbundle"
    header = make_header(keys, judge={"name": me.name, "fingerprint": me.fingerprint})
    write_bundle(path, header, make_apps(tmp_path), recipients=[me.recipient],
                 staff_key=keys.staff.signing)
    code, out = verify(capsys, str(path))
    assert code == 0, out


def test_passphrase_bundle(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                           keys: Keys) -> None:
    path = tmp_path / "p.jpbundle"
    write_bundle(path, make_header(keys), make_apps(tmp_path),
                 recipients=[ScryptRecipient("blue tulips", work_factor=4)],
                 staff_key=keys.staff.signing)
    secret = tmp_path / "pass.txt"
    secret.write_text("blue tulips\n")
    assert verify(capsys, str(path), "--passphrase-file", str(secret))[0] == 0
    secret.write_text("red tulips\n")
    code, out = verify(capsys, str(path), "--passphrase-file", str(secret))
    assert code == 1 and "✗ decrypts" in out


def test_member_damage_is_its_own_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       keys: Keys) -> None:
    parts = BundleParts.valid(keys)
    parts.members["applications/A-1/attachments/budget.pdf"] = b"%PDF-1.4 BUDGET"
    path = tmp_path / "tampered.jpbundle"
    path.write_bytes(parts.sealed())
    code, out = verify(capsys, str(path), "--key", key_file(tmp_path, keys.judge, "judge"))
    assert code == 1
    assert "✓ staff signature over the manifest verifies" in out
    assert "✗ every file matches the manifest: The bundle is damaged" in out


def test_bad_signature_is_its_own_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       keys: Keys) -> None:
    parts = BundleParts.valid(keys)
    parts.signer = keys.other.signing
    path = tmp_path / "forged.jpbundle"
    path.write_bytes(parts.sealed())
    code, out = verify(capsys, str(path), "--key", key_file(tmp_path, keys.judge, "judge"))
    assert code == 1
    assert "✓ ZIP structure is sound" in out
    assert "✗ staff signature over the manifest:" in out


def test_newer_bundle(capsys: pytest.CaptureFixture[str], tmp_path: Path, keys: Keys) -> None:
    parts = BundleParts.valid(keys)
    parts.manifest["format_version"] = 7
    path = tmp_path / "future.jpbundle"
    path.write_bytes(parts.sealed())
    code, out = verify(capsys, str(path), "--key", key_file(tmp_path, keys.judge, "judge"))
    assert code == 1
    assert "✗ format version: This bundle was made by a newer JudgePanel" in out


def test_truncated_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, keys: Keys,
                        bundle: str) -> None:
    data = Path(bundle).read_bytes()
    Path(bundle).write_bytes(data[: len(data) // 2])
    code, out = verify(capsys, bundle, "--key", key_file(tmp_path, keys.judge, "judge"))
    assert code == 1
    assert "✗ is an intact age file" in out


# --- results ------------------------------------------------------------------------------


def test_good_results_against_the_enrolled_card(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path, keys: Keys, results: str) -> None:
    code, out = verify(capsys, results, "--key", key_file(tmp_path, keys.staff, "staff"),
                       "--signer", card_file(tmp_path, keys.judge, "judge"))
    assert code == 0, out
    assert out.splitlines()[0] == f"{results}: JudgePanel results file"
    assert "  Sequence:    3, created" in out  # labels aligned, "Fingerprint:" the longest
    assert f"judge signature verifies with Maria Okafor ({keys.judge.fingerprint}" in out
    assert "Contents:    1 review, 2 declarations (1 conflict)" in out
    assert "results document is valid (format version 3)" in out  # the file's, not 1


def test_results_signed_by_another_key(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       keys: Keys) -> None:
    parts = ResultsParts.valid(keys)
    parts.signer = keys.other.signing  # and judge.pub ships Mallory's key
    path = tmp_path / "forged.jpresults"
    path.write_bytes(parts.sealed())
    staff_key = key_file(tmp_path, keys.staff, "staff")
    code, out = verify(capsys, str(path), "--key", staff_key)
    assert code == 0 and "! not compared with a judge key" in out  # only self-consistent
    code, out = verify(capsys, str(path), "--key", staff_key,
                       "--signer", pub_file(tmp_path, keys.judge, "judge"))
    assert code == 1
    assert "✗ judge signature over results.json" in out


def test_results_for_a_card_of_someone_else(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                            keys: Keys) -> None:
    """Signed with the judge's key, but the file names another judge's fingerprint."""
    parts = ResultsParts.valid(keys)
    parts.document["judge"]["fingerprint"] = keys.other.fingerprint
    path = tmp_path / "odd.jpresults"
    path.write_bytes(parts.sealed())
    code, out = verify(capsys, str(path), "--key", key_file(tmp_path, keys.staff, "staff"),
                       "--signer", card_file(tmp_path, keys.judge, "judge"))
    assert code == 1
    assert "✗ judge named in the file is the card's" in out


def test_results_named_like_a_bundle(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     keys: Keys, results: str) -> None:
    renamed = Path(results).with_suffix(".jpbundle")
    Path(results).rename(renamed)
    code, out = verify(capsys, str(renamed), "--key", key_file(tmp_path, keys.staff, "staff"))
    assert code == 0, out
    assert "! inside is a JudgePanel results file" in out


# --- cards and other files ------------------------------------------------------------------


def test_card(capsys: pytest.CaptureFixture[str], tmp_path: Path, keys: Keys) -> None:
    card = card_file(tmp_path, keys.judge, "judge")
    code, out = verify(capsys, card)
    assert code == 0, out
    assert keys.judge.fingerprint in out and "✓ self-signature verifies" in out
    code, out = verify(capsys, card, "--signer", pub_file(tmp_path, keys.other, "other"))
    assert code == 1


def test_tampered_card(capsys: pytest.CaptureFixture[str], tmp_path: Path, keys: Keys) -> None:
    card = Path(card_file(tmp_path, keys.judge, "judge"))
    card.write_text(card.read_text().replace("Maria Okafor", "Mario Okafor"))
    code, out = verify(capsys, str(card))
    assert code == 1
    assert "✗ card:" in out


def test_unknown_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    code, out = verify(capsys, str(path))
    assert code == 1
    assert "not a JudgePanel bundle, results file or card" in out


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = verify(capsys, str(tmp_path / "nothing.jpbundle"))
    assert code == 2
    assert "There is no file here" in out


def test_marks_fall_back_on_consoles_without_them() -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    report = Report(stream)
    report.ok("fine")
    report.fail("broken", "because")
    stream.flush()
    text = stream.buffer.getvalue().decode("ascii")  # type: ignore[attr-defined]
    assert "OK  fine" in text and "FAIL broken: because" in text
    assert report.failed


def test_unreadable_key_and_signer_files(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         bundle: str) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("this is not a key\n")
    code, out = verify(capsys, bundle, "--key", str(junk))
    assert code == 2 and str(junk) in out
    code, out = verify(capsys, bundle, "--signer", str(junk))
    assert code == 2 and "not a minisign public key" in out
