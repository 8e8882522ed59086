"""Identities: fingerprints, names and roles, and the secret serialisation."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from judgepanel.crypto.age_keys import X25519Identity
from judgepanel.crypto.identity import (
    FINGERPRINT_ALPHABET,
    Identity,
    check_name,
    fingerprint,
    normalize_fingerprint,
)
from judgepanel.crypto.minisign import SigningKey
from judgepanel.errors import IdentityError, NewerVersionError, ValidationError

SYMBOL = "[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]"
FP_RE = re.compile(f"{SYMBOL}{{4}}(-{SYMBOL}{{4}}){{3}}")


def reference_fingerprint(recipient: str, minisign_b64: str) -> str:
    """The spec's definition, written a second way (bit string) to check the code."""
    digest = hashlib.sha256(
        b"judgepanel fingerprint v1\n" + recipient.encode() + b"\n" + minisign_b64.encode() + b"\n"
    ).digest()
    bits = "".join(f"{byte:08b}" for byte in digest)[:80]
    symbols = "".join(FINGERPRINT_ALPHABET[int(bits[i : i + 5], 2)] for i in range(0, 80, 5))
    return "-".join(symbols[i : i + 4] for i in range(0, 16, 4))


@pytest.fixture
def judge() -> Identity:
    return Identity.generate("  Ada Lovelace ", "judge")


def test_alphabet_has_no_confusable_symbols() -> None:
    assert len(set(FINGERPRINT_ALPHABET)) == 32
    assert not set("0O1I") & set(FINGERPRINT_ALPHABET)


def test_fingerprint_matches_the_spec(judge: Identity) -> None:
    recipient, pub = judge.recipient.to_string(), judge.public_key.base64
    assert judge.fingerprint == fingerprint(recipient, pub)
    assert judge.fingerprint == reference_fingerprint(recipient, pub)
    assert FP_RE.fullmatch(judge.fingerprint)
    # a fixed vector, so the definition cannot drift unnoticed
    assert fingerprint("age1x", "RWy") == reference_fingerprint("age1x", "RWy")
    assert fingerprint("age1x", "RWy") != fingerprint("age1x", "RWz")
    assert fingerprint("age1x", "RWy") != fingerprint("age1y", "RWy")
    assert fingerprint("age1x", "RWy") != fingerprint("age1xR", "Wy")  # separator matters


def test_fingerprint_covers_both_keys(judge: Identity) -> None:
    other_age = Identity(judge.name, judge.role, X25519Identity.generate(), judge.signing,
                         judge.created)
    other_sig = Identity(judge.name, judge.role, judge.age, SigningKey.generate(),
                         judge.created)
    assert len({judge.fingerprint, other_age.fingerprint, other_sig.fingerprint}) == 3


def test_normalize_fingerprint(judge: Identity) -> None:
    fp = judge.fingerprint
    assert normalize_fingerprint(fp.lower()) == fp
    assert normalize_fingerprint(fp.replace("-", " ")) == fp
    assert normalize_fingerprint(" " + fp.replace("-", "") + "\n") == fp
    for bad in ["", fp[:-1], fp + "A", fp.replace(fp[0], "0"), "../../etc/passwd"]:
        with pytest.raises(ValidationError) as info:
            normalize_fingerprint(bad)
        assert info.value.path == "fingerprint"


def test_generate_checks_name_and_role(judge: Identity) -> None:
    assert judge.name == "Ada Lovelace" and judge.role == "judge"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", judge.created)
    for name in ["", "   ", "a\nb", "tab\tname", "x" * 201]:
        with pytest.raises(ValidationError):
            check_name(name)
    with pytest.raises(ValidationError, match="judge.*staff"):
        Identity.generate("Bob", "admin")
    assert check_name("Zoë Ñúñez-Łukasz") == "Zoë Ñúñez-Łukasz"


def test_direct_construction_is_checked(judge: Identity) -> None:
    keys = (judge.age, judge.signing)
    assert Identity(" Ada ", "staff", *keys).name == "Ada"
    with pytest.raises(ValidationError):
        Identity("A\nB", "judge", *keys)
    with pytest.raises(ValidationError):
        Identity("Ada", "chair", *keys)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Identity("Ada", "judge", *keys, created="yesterday")


def test_secret_text_round_trip(judge: Identity) -> None:
    text = judge.secret_text()
    back = Identity.from_secret_text(text)
    assert back == judge
    assert back.age.to_string() == judge.age.to_string()
    assert back.signing.seed == judge.signing.seed and back.signing.key_id == judge.signing.key_id
    doc = json.loads(text)
    assert doc["format"] == "judgepanel-identity" and doc["version"] == 1
    assert doc["fingerprint"] == judge.fingerprint


def test_repr_shows_no_secret(judge: Identity) -> None:
    text = repr(judge)
    assert judge.fingerprint in text
    doc = json.loads(judge.secret_text())
    assert doc["age_secret_key"] not in text and doc["minisign_seed"] not in text


def test_signing_works(judge: Identity) -> None:
    sig = judge.signing.sign(b"x", trusted_comment="t")
    assert judge.public_key.verify(b"x", sig) == "t"


def _doc(identity: Identity) -> dict:  # type: ignore[type-arg]
    return json.loads(identity.secret_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(fingerprint="AAAA-AAAA-AAAA-AAAA"),
        lambda d: d.update(minisign_seed="AAAA"),
        lambda d: d.update(minisign_seed="!!"),
        lambda d: d.update(minisign_key_id="zz"),
        lambda d: d.update(age_secret_key="AGE-SECRET-KEY-1XYZ"),
        lambda d: d.update(role="admin"),
        lambda d: d.update(name=""),
        lambda d: d.pop("name"),
        lambda d: d.update(format="something-else"),
        lambda d: d.update(version=0),
        lambda d: d.update(version="1"),
        lambda d: d.update(created="2025-01-01"),
    ],
)
def test_damaged_secret_is_refused(judge: Identity, change) -> None:  # type: ignore[no-untyped-def]
    doc = _doc(judge)
    change(doc)
    with pytest.raises(IdentityError, match="damaged"):
        Identity.from_secret_text(json.dumps(doc))


@pytest.mark.parametrize("text", ["", "not json", "[]", "{}", "x" * 100_000])
def test_garbage_secret_is_refused(text: str) -> None:
    with pytest.raises(IdentityError):
        Identity.from_secret_text(text)


def test_newer_secret_version_is_refused(judge: Identity) -> None:
    doc = _doc(judge)
    doc["version"] = 2
    with pytest.raises(NewerVersionError, match="newer JudgePanel"):
        Identity.from_secret_text(json.dumps(doc))


def test_a_deeply_nested_secret_is_refused_in_words() -> None:
    """Found reviewing every json.loads for issue #16: it raised RecursionError."""
    with pytest.raises(IdentityError, match="damaged") as caught:
        Identity.from_secret_text("[" * 3000 + "]" * 3000)
    assert "nested" in caught.value.detail
