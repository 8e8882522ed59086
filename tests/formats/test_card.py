""".jpcard: round trip, every refusal, and the self-signature checked by minisign."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from judgepanel.crypto.identity import Identity, fingerprint
from judgepanel.crypto.minisign import SigningKey
from judgepanel.errors import DamagedFileError, FileFormatError, NewerVersionError
from judgepanel.formats.card import Card, card_trusted_comment, read_card, write_card
from judgepanel.formats.jsonio import dumps_canonical
from tests.conftest import need_tool


@pytest.fixture(scope="module")
def judge() -> Identity:
    return Identity.generate("Ada Lovelace", "judge")


@pytest.fixture(scope="module")
def card(judge: Identity) -> Card:
    return Card.from_identity(judge)


def doc_of(card: Card) -> dict[str, Any]:
    return json.loads(card.to_json())  # type: ignore[no-any-return]


def encode(doc: dict[str, Any]) -> bytes:
    return dumps_canonical(doc)


def test_round_trip(judge: Identity, card: Card) -> None:
    data = card.to_json()
    assert Card.from_json(data) == card
    assert card.fingerprint == judge.fingerprint
    assert card.recipient == judge.recipient
    assert card.public_key == judge.public_key
    assert card.name == "Ada Lovelace" and card.role == "judge"
    assert Card.from_identity(judge).to_json() == data  # deterministic
    doc = json.loads(data)
    assert set(doc) == {"format", "version", "name", "role", "age_recipient",
                        "minisign_public_key", "fingerprint", "created", "signature"}
    assert doc["format"] == "judgepanel-card" and doc["version"] == 1
    assert doc["age_recipient"].startswith("age1") and doc["minisign_public_key"].startswith("RW")


def test_secret_never_on_card(judge: Identity, card: Card) -> None:
    secret = json.loads(judge.secret_text())
    text = card.to_json().decode()
    assert secret["age_secret_key"] not in text and secret["minisign_seed"] not in text


def test_file_round_trip(tmp_path: Path, card: Card) -> None:
    path = tmp_path / "sub" / "ada.jpcard"
    write_card(path, card)
    assert read_card(path) == card
    assert [p.name for p in path.parent.iterdir()] == ["ada.jpcard"]  # no temp file left


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="could not be opened") as info:
        read_card(tmp_path / "nope.jpcard")
    assert info.value.path and info.value.path.endswith("nope.jpcard")


@pytest.mark.parametrize("field,value", [
    ("name", "Mallory"),
    ("role", "staff"),
    ("created", "2020-01-01T00:00:00Z"),
])
def test_changed_field_is_refused(card: Card, field: str, value: str) -> None:
    doc = doc_of(card)
    doc[field] = value
    with pytest.raises(DamagedFileError, match="changed after it was made") as info:
        Card.from_json(encode(doc))
    assert "self-signature" in info.value.detail


def test_swapped_key_with_recomputed_fingerprint_is_refused(card: Card) -> None:
    """An attacker replaces the age key and fixes up the fingerprint: the signature fails."""
    doc = doc_of(card)
    doc["age_recipient"] = Identity.generate("M", "judge").recipient.to_string()
    doc["fingerprint"] = fingerprint(doc["age_recipient"], doc["minisign_public_key"])
    with pytest.raises(DamagedFileError):
        Card.from_json(encode(doc))


def test_wrong_fingerprint_is_refused(card: Card) -> None:
    doc = doc_of(card)
    doc["fingerprint"] = "2222-2222-2222-2222"
    with pytest.raises(DamagedFileError) as info:
        Card.from_json(encode(doc))
    assert "fingerprint" in info.value.detail


def test_signature_by_another_key_is_refused(card: Card) -> None:
    doc = doc_of(card)
    unsigned = {k: v for k, v in doc.items() if k != "signature"}
    doc["signature"] = SigningKey.generate().sign(
        encode(unsigned), trusted_comment=card_trusted_comment(card.fingerprint)
    )
    with pytest.raises(DamagedFileError):
        Card.from_json(encode(doc))


def test_signature_with_other_trusted_comment_is_refused(judge: Identity, card: Card) -> None:
    """A valid signature by the right key, but made for something else, is not a card."""
    doc = doc_of(card)
    unsigned = {k: v for k, v in doc.items() if k != "signature"}
    doc["signature"] = judge.signing.sign(encode(unsigned), trusted_comment="bundle:B1 seq:1")
    with pytest.raises(DamagedFileError) as info:
        Card.from_json(encode(doc))
    assert "trusted comment" in info.value.detail


def test_newer_version_is_refused(card: Card) -> None:
    doc = doc_of(card)
    doc["version"] = 2
    doc["new_field"] = "x"
    with pytest.raises(NewerVersionError, match="newer JudgePanel"):
        Card.from_json(encode(doc), path="x.jpcard")


@pytest.mark.parametrize("change,named", [
    (lambda d: d.pop("name"), "name"),
    (lambda d: d.update(name=""), "name"),
    (lambda d: d.update(name=" Ada"), "name"),
    (lambda d: d.update(name="A\nB"), "name"),
    (lambda d: d.update(role="admin"), "role"),
    (lambda d: d.update(role=1), "role"),
    (lambda d: d.update(age_recipient="age1notakey"), "age_recipient"),
    (lambda d: d.update(minisign_public_key="RWnotakey"), "minisign_public_key"),
    (lambda d: d.update(minisign_public_key="untrusted comment: x\n" + d["minisign_public_key"]),
     "minisign_public_key"),
    (lambda d: d.update(fingerprint="abc/../x"), "fingerprint"),
    (lambda d: d.update(created="yesterday"), "created"),
    (lambda d: d.update(signature=None), "signature"),
    (lambda d: d.update(extra="x"), "extra"),
])
def test_bad_field_is_named(card: Card, change, named: str) -> None:  # type: ignore[no-untyped-def]
    doc = doc_of(card)
    change(doc)
    with pytest.raises(FileFormatError) as info:
        Card.from_json(encode(doc))
    assert not isinstance(info.value, NewerVersionError)
    assert named in str(info.value)


@pytest.mark.parametrize("data", [
    b"", b"\x00\xff", b"[]", b"{}", b'{"format": "judgepanel-bundle", "version": 1}',
    b'{"format": "judgepanel-card"}', b'{"format": "judgepanel-card", "version": true}',
    b'{"format": "judgepanel-card", "version": 0}', b"{" * 100_000,
])
def test_garbage_is_refused(data: bytes) -> None:
    with pytest.raises(FileFormatError):
        Card.from_json(data)


def test_bad_signature_text_is_refused(card: Card) -> None:
    doc = doc_of(card)
    doc["signature"] = "not a signature"
    with pytest.raises(DamagedFileError):
        Card.from_json(encode(doc))


def test_too_large_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.jpcard"
    path.write_bytes(b" " * 70_000)
    with pytest.raises(FileFormatError, match="too large"):
        read_card(path)


@pytest.mark.interop
def test_minisign_checks_the_self_signature(tmp_path: Path, card: Card) -> None:
    """The spec's recipe: canonical JSON without 'signature', verified with minisign."""
    tool = need_tool("minisign")
    doc = doc_of(card)
    (tmp_path / "card.minisig").write_text(doc.pop("signature"))
    (tmp_path / "card.json").write_bytes(encode(doc))
    done = subprocess.run(
        [tool, "-V", "-P", card.minisign_public_key, "-m", "card.json", "-x", "card.minisig"],
        cwd=tmp_path, capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert f"judgepanel card {card.fingerprint}" in done.stdout
