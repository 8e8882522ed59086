"""minisign signatures made and checked in-process: formats and every refusal."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from judgepanel.crypto.minisign import (
    PublicKey,
    SigningKey,
    key_id_of,
    trusted_comment_of,
)
from judgepanel.errors import SignatureError

DATA = b"results.json contents\n"


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.from_seed(bytes(range(32)), key_id=bytes.fromhex("1bea0e0100f6852d"))


def lines(signature: str) -> list[str]:
    return signature.split("\n")


def with_line(signature: str, index: int, text: str) -> str:
    parts = lines(signature)
    parts[index] = text
    return "\n".join(parts)


def test_signature_has_minisign_shape(key: SigningKey) -> None:
    sig = key.sign(DATA, trusted_comment="bundle:abc seq:3", untrusted_comment="from a judge")
    parts = lines(sig)
    assert sig.endswith("\n") and len(parts) == 5 and parts[4] == ""
    assert parts[0] == "untrusted comment: from a judge"
    assert parts[2] == "trusted comment: bundle:abc seq:3"
    blob = base64.b64decode(parts[1])
    assert blob[:2] == b"ED" and blob[2:10] == key.key_id and len(blob) == 74
    assert len(base64.b64decode(parts[3])) == 64


def test_signature_is_over_blake2b_of_data(key: SigningKey) -> None:
    """Checked with the raw Ed25519 primitive, independent of our verify()."""
    sig = key.sign(DATA, trusted_comment="t")
    blob = base64.b64decode(lines(sig)[1])
    raw_pub = Ed25519PrivateKey.from_private_bytes(key.seed).public_key()
    raw_pub.verify(blob[10:], hashlib.blake2b(DATA, digest_size=64).digest())
    raw_pub.verify(base64.b64decode(lines(sig)[3]), blob[10:] + b"t")


def test_round_trip_returns_trusted_comment(key: SigningKey) -> None:
    sig = key.sign(DATA, trusted_comment="bundle:é seq:1")
    assert key.public_key().verify(DATA, sig) == "bundle:é seq:1"
    assert trusted_comment_of(sig) == "bundle:é seq:1"
    assert key_id_of(sig) == key.key_id


def test_crlf_signature_text_is_accepted(key: SigningKey) -> None:
    sig = key.sign(DATA, trusted_comment="t").replace("\n", "\r\n")
    assert key.public_key().verify(DATA, sig) == "t"


def test_legacy_ed_signature_is_accepted(key: SigningKey) -> None:
    raw = Ed25519PrivateKey.from_private_bytes(key.seed)
    sig = raw.sign(DATA)
    glob = raw.sign(sig + b"legacy")
    text = (
        "untrusted comment: x\n"
        + base64.b64encode(b"Ed" + key.key_id + sig).decode()
        + "\ntrusted comment: legacy\n"
        + base64.b64encode(glob).decode()
        + "\n"
    )
    assert key.public_key().verify(DATA, text) == "legacy"
    # the same bytes relabelled as prehashed no longer verify
    relabelled = text.replace(
        base64.b64encode(b"Ed" + key.key_id + sig).decode(),
        base64.b64encode(b"ED" + key.key_id + sig).decode(),
    )
    with pytest.raises(SignatureError):
        key.public_key().verify(DATA, relabelled)


def test_tampered_data_is_refused(key: SigningKey) -> None:
    sig = key.sign(DATA, trusted_comment="t")
    with pytest.raises(SignatureError, match="changed after it was signed") as info:
        key.public_key().verify(DATA + b"x", sig)
    assert "data" in info.value.detail


def test_tampered_trusted_comment_is_refused(key: SigningKey) -> None:
    sig = key.sign(DATA, trusted_comment="seq:1")
    forged = with_line(sig, 2, "trusted comment: seq:9")
    with pytest.raises(SignatureError) as info:
        key.public_key().verify(DATA, forged)
    assert "trusted comment" in info.value.detail


def test_untrusted_comment_may_change(key: SigningKey) -> None:
    sig = with_line(key.sign(DATA, trusted_comment="t"), 0, "untrusted comment: anything")
    assert key.public_key().verify(DATA, sig) == "t"


def test_wrong_key_id_is_refused(key: SigningKey) -> None:
    other_id = SigningKey(key.seed, bytes(8))
    sig = other_id.sign(DATA, trusted_comment="t")
    with pytest.raises(SignatureError, match="someone else's key"):
        key.public_key().verify(DATA, sig)


def test_wrong_key_with_same_id_is_refused(key: SigningKey) -> None:
    impostor = SigningKey(bytes(32), key.key_id)
    sig = impostor.sign(DATA, trusted_comment="t")
    with pytest.raises(SignatureError, match="changed after it was signed"):
        key.public_key().verify(DATA, sig)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: "",
        lambda s: "garbage",
        lambda s: s + "extra line\n",
        lambda s: with_line(s, 0, "comment: x"),
        lambda s: with_line(s, 2, "trusted: x"),
        lambda s: with_line(s, 1, "!!!not base64!!!"),
        lambda s: with_line(s, 1, base64.b64encode(b"ED" + bytes(70)).decode()),
        lambda s: with_line(s, 1, base64.b64encode(b"XX" + bytes(72)).decode()),
        lambda s: with_line(s, 3, base64.b64encode(bytes(63)).decode()),
        lambda s: "x" * 100_000,
    ],
)
def test_malformed_signature_is_refused(key: SigningKey, mangle) -> None:  # type: ignore[no-untyped-def]
    sig = key.sign(DATA, trusted_comment="t")
    with pytest.raises(SignatureError):
        key.public_key().verify(DATA, mangle(sig))


def test_comments_must_be_single_lines(key: SigningKey) -> None:
    with pytest.raises(ValueError):
        key.sign(DATA, trusted_comment="a\nb")
    with pytest.raises(ValueError):
        key.sign(DATA, trusted_comment="t", untrusted_comment="a\rb")


def test_public_key_text_forms(key: SigningKey) -> None:
    pub = key.public_key()
    assert pub.key_id_hex == "2D85F600010EEA1B"  # minisign prints the id little-endian
    assert pub.base64.startswith("RW") and len(pub.base64) == 56
    text = pub.to_string()
    assert text == f"untrusted comment: minisign public key 2D85F600010EEA1B\n{pub.base64}\n"
    assert PublicKey.from_string(text) == pub
    assert PublicKey.from_string(pub.base64) == pub
    assert PublicKey.from_string("  " + pub.base64 + "\r\n") == pub
    assert hash(PublicKey.from_string(text)) == hash(pub)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "RW",
        "untrusted comment: x\nRWabc\nRWdef\n",
        base64.b64encode(b"XX" + bytes(40)).decode(),
        base64.b64encode(b"Ed" + bytes(39)).decode(),
    ],
)
def test_bad_public_key_is_refused(text: str) -> None:
    with pytest.raises(SignatureError, match="not a minisign public key"):
        PublicKey.from_string(text)


def test_seed_round_trip_and_derived_id() -> None:
    key = SigningKey.generate()
    again = SigningKey(key.seed, key.key_id)
    assert again.public_key() == key.public_key()
    derived = SigningKey.from_seed(key.seed)
    assert derived.key_id == SigningKey.from_seed(key.seed).key_id
    assert derived.public_key().raw == key.public_key().raw
    assert key.seed.hex() not in repr(key)


def test_secret_file_round_trip() -> None:
    key = SigningKey.generate()
    text = key.to_minisign_secret_file()
    back = SigningKey.from_minisign_secret_file(text)
    assert back.seed == key.seed and back.key_id == key.key_id


def test_encrypted_secret_file_is_refused() -> None:
    text = SigningKey.generate().to_minisign_secret_file()
    blob = bytearray(base64.b64decode(text.splitlines()[1]))
    blob[2:4] = b"Sc"
    forged = "untrusted comment: x\n" + base64.b64encode(bytes(blob)).decode() + "\n"
    with pytest.raises(SignatureError, match="password"):
        SigningKey.from_minisign_secret_file(forged)
    blob[2:4] = b"\0\0"
    blob[100] ^= 1  # the public half no longer matches the seed
    damaged = "untrusted comment: x\n" + base64.b64encode(bytes(blob)).decode() + "\n"
    with pytest.raises(SignatureError, match="damaged"):
        SigningKey.from_minisign_secret_file(damaged)
