"""IdentityStore: keyring first, passphrase file when no keyring works, never plain text."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from judgepanel.crypto.age import decrypt_bytes
from judgepanel.crypto.age_keys import ScryptIdentity
from judgepanel.crypto.identity import Identity
from judgepanel.errors import (
    IdentityError,
    KeyringUnavailableError,
    ValidationError,
    WrongKeyError,
)
from judgepanel.formats.card import read_card, write_card
from judgepanel.formats.keystore import SERVICE, IdentityStore, PassphraseNeededError
from tests.memory_keyring import MemoryKeyring

WORK = 10  # small scrypt work factor: fast tests


class BrokenKeyring(MemoryKeyring):
    """Looks real, but every write fails (a locked or misconfigured keychain)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("keychain is locked")


class ForgetfulKeyring(MemoryKeyring):
    """Accepts writes and returns nothing (some misconfigured Secret Service setups)."""

    def get_password(self, service: str, username: str) -> str | None:
        return None


def make_store(tmp_path: Path, backend: KeyringBackend | None = None) -> IdentityStore:
    return IdentityStore(tmp_path / "identities", backend, work_factor=WORK)


def secrets_of(identity: Identity) -> list[str]:
    doc = json.loads(identity.secret_text())
    return [doc["age_secret_key"], doc["minisign_seed"], doc["age_secret_key"].lower()]


def assert_no_plaintext_secret(folder: Path, identity: Identity) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets_of(identity):
                assert secret.encode() not in data, path
            assert identity.signing.seed not in data, path


def test_keyring_store(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    store = make_store(tmp_path)  # default backend: the in-memory one from conftest
    assert store.keyring_usable()
    identity = store.create("Ada Lovelace", "judge")
    fp = identity.fingerprint
    assert (SERVICE, fp) in memory_keyring.secrets
    assert [k for k in memory_keyring.secrets if k[1].startswith("probe-")] == []  # probe removed
    assert sorted(p.name for p in store.folder.iterdir()) == [f"{fp}.jpcard"]
    assert read_card(store.card_path(fp)).fingerprint == fp
    assert store.secret_location(fp) == "keyring" and not store.needs_passphrase(fp)
    assert store.load(fp) == identity
    assert store.load(fp.lower().replace("-", "")) == identity
    assert_no_plaintext_secret(store.folder, identity)


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), BrokenKeyring(),
                                     ForgetfulKeyring()])
def test_unusable_keyring_needs_a_passphrase(tmp_path: Path, backend: KeyringBackend) -> None:
    store = make_store(tmp_path, backend)
    assert not store.keyring_usable()
    with pytest.raises(KeyringUnavailableError, match="passphrase") as info:
        store.create("Ada", "judge")
    assert info.value.detail  # names the backend
    assert not store.folder.exists() or list(store.folder.iterdir()) == []


def test_passphrase_file_store(tmp_path: Path) -> None:
    store = make_store(tmp_path, fail.Keyring())
    identity = store.create("Ada", "staff", passphrase="correct horse")
    fp = identity.fingerprint
    secret = store.secret_path(fp)
    assert sorted(p.name for p in store.folder.iterdir()) == sorted(
        [f"{fp}.jpcard", f"{fp}.identity.age"]
    )
    assert secret.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")
    if sys.platform != "win32":
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert_no_plaintext_secret(store.folder, identity)
    # the file is a standard age file holding the secret JSON
    plain = decrypt_bytes(secret.read_bytes(), [ScryptIdentity("correct horse")])
    assert Identity.from_secret_text(plain.decode()) == identity

    assert store.secret_location(fp) == "file" and store.needs_passphrase(fp)
    with pytest.raises(PassphraseNeededError, match="passphrase"):
        store.load(fp)
    with pytest.raises(WrongKeyError, match="Wrong passphrase"):
        store.load(fp, passphrase="wrong horse")
    assert store.load(fp, passphrase="correct horse") == identity


def test_passphrase_chosen_even_with_a_keyring(tmp_path: Path,
                                               memory_keyring: MemoryKeyring) -> None:
    store = make_store(tmp_path)
    identity = store.create("Ada", "judge", passphrase="pw")
    assert (SERVICE, identity.fingerprint) not in memory_keyring.secrets
    assert store.load(identity.fingerprint, passphrase="pw") == identity


def test_empty_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        make_store(tmp_path, fail.Keyring()).create("Ada", "judge", passphrase="")


def test_bad_name_or_role_writes_nothing(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    with pytest.raises(ValidationError):
        store.create("", "judge")
    with pytest.raises(ValidationError):
        store.create("Ada", "chair")
    assert store.list() == []


def test_missing_identity(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    with pytest.raises(IdentityError, match="no identity"):
        store.load("2222-2222-2222-2222")
    with pytest.raises(IdentityError, match="no identity"):
        store.card("2222-2222-2222-2222")
    with pytest.raises(ValidationError):
        store.load("../../etc/passwd")
    assert store.secret_location("2222-2222-2222-2222") is None


def test_swapped_keyring_entry_is_refused(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    store = make_store(tmp_path)
    a = store.create("A", "judge")
    b = store.create("B", "judge")
    memory_keyring.secrets[(SERVICE, a.fingerprint)] = b.secret_text()
    with pytest.raises(IdentityError, match="does not match"):
        store.load(a.fingerprint)
    memory_keyring.secrets[(SERVICE, a.fingerprint)] = "{garbage"
    with pytest.raises(IdentityError, match="damaged"):
        store.load(a.fingerprint)


def test_list_and_default(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    assert store.list() == [] and store.default("judge") is None
    first = Identity("First", "judge", *_keys(), created="2025-01-01T00:00:00Z")
    second = Identity("Second", "judge", *_keys(), created="2025-06-01T00:00:00Z")
    staff = Identity("Office", "staff", *_keys(), created="2024-01-01T00:00:00Z")
    for identity in (second, staff, first):
        store.save(identity)
    assert [c.name for c in store.list()] == ["Office", "First", "Second"]
    default = store.default("judge")
    assert default is not None and default.name == "Second"
    staff_card = store.default("staff")
    assert staff_card is not None and staff_card.fingerprint == staff.fingerprint
    with pytest.raises(ValidationError):
        store.default("chair")

    # a damaged card and a card under another's name are skipped, not fatal
    (store.folder / "2222-2222-2222-2222.jpcard").write_bytes(b"garbage")
    write_card(store.folder / "3333-3333-3333-3333.jpcard", read_card(store.card_path(
        first.fingerprint)))
    (store.folder / "notes.txt").write_text("x")
    assert [c.name for c in store.list()] == ["Office", "First", "Second"]


def _keys():  # type: ignore[no-untyped-def]
    fresh = Identity.generate("x", "judge")
    return fresh.age, fresh.signing


def test_export_and_import_between_computers(tmp_path: Path) -> None:
    here = make_store(tmp_path / "here")
    identity = here.create("Ada", "judge")
    backup = tmp_path / "ada-backup.identity.age"
    here.export_identity_file(identity.fingerprint, backup, passphrase="travel")
    assert_no_plaintext_secret(tmp_path, identity)

    there = make_store(tmp_path / "there", fail.Keyring())
    with pytest.raises(WrongKeyError):
        there.import_identity_file(backup, passphrase="nope")
    assert there.list() == []
    restored = there.import_identity_file(backup, passphrase="travel")
    assert restored == identity
    assert there.load(identity.fingerprint, passphrase="travel") == identity

    third = make_store(tmp_path / "third", MemoryKeyring())
    third.import_identity_file(backup, passphrase="travel")
    assert third.secret_location(identity.fingerprint) == "keyring"


def test_secret_file_that_is_not_ours(tmp_path: Path) -> None:
    store = make_store(tmp_path, fail.Keyring())
    identity = store.create("Ada", "judge", passphrase="pw")
    store.secret_path(identity.fingerprint).write_bytes(b"not an age file")
    with pytest.raises(Exception) as info:  # a typed JudgePanelError, not a crash
        store.load(identity.fingerprint, passphrase="pw")
    assert type(info.value).__module__ == "judgepanel.errors"


def test_default_folder_is_in_data_home(judgepanel_home: Path) -> None:
    assert IdentityStore().folder == judgepanel_home / "identities"
    assert os.path.isdir(judgepanel_home)
