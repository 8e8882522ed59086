"""Bech32, age keys, passphrase recipients and identity files."""

from __future__ import annotations

import io

import pytest

from judgepanel.crypto import bech32
from judgepanel.crypto.age import decrypt_bytes, encrypt_bytes
from judgepanel.crypto.age_header import encode_header
from judgepanel.crypto.age_keys import (
    ScryptIdentity,
    ScryptRecipient,
    X25519Identity,
    X25519Recipient,
    format_identity_file,
    parse_age_identities,
)
from judgepanel.errors import FileFormatError, IdentityError, WrongKeyError

# From the CCTV vectors (identity) and the age README (a recipient).
CCTV_IDENTITY = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
README_RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
FAST = 4  # scrypt work factor for tests: milliseconds, not seconds


# --- bech32 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "?1ezyfcl"],
)
def test_bech32_bip173_valid_strings(text: str) -> None:
    hrp, data = bech32.decode(text)
    assert bech32.encode(hrp, data) == text.lower()


@pytest.mark.parametrize(
    "text",
    [
        "pzry9x0s0muk",  # no separator
        "1pzry9x0s0muk",  # empty human-readable part
        "x1b4n0q5v",  # invalid data character
        "li1dgmt3",  # checksum too short
        "A1G7SGD8",  # checksum computed over the uppercase hrp
        "a12UEL5L",  # mixed case
        "a12uel5m",  # wrong checksum
        "de1lg7wt\xff",  # non-ASCII
    ],
)
def test_bech32_bip173_invalid_strings(text: str) -> None:
    with pytest.raises(bech32.Bech32Error):
        bech32.decode(text)


def test_bech32_refuses_nonzero_padding_bits() -> None:
    # 1 byte -> 2 groups of 5 bits with 2 padding bits; set a padding bit.
    good = bech32.encode("age", b"\xff")
    hrp, data = bech32.decode(good)
    assert data == b"\xff"
    values = [bech32.CHARSET.index(c) for c in good[4:-6]]
    values[-1] |= 1
    # Re-checksum so only the padding is wrong.
    body = "".join(bech32.CHARSET[v] for v in values)
    polymod = bech32._polymod(bech32._hrp_expand("age") + values + [0] * 6) ^ 1
    checksum = "".join(bech32.CHARSET[(polymod >> 5 * (5 - i)) & 31] for i in range(6))
    with pytest.raises(bech32.Bech32Error, match="padding"):
        bech32.decode("age1" + body + checksum)


# --- X25519 keys -------------------------------------------------------------------


def test_identity_string_round_trip_and_canonical_case() -> None:
    identity = X25519Identity.from_string(CCTV_IDENTITY)
    assert identity.to_string() == CCTV_IDENTITY
    assert X25519Identity.from_string(CCTV_IDENTITY.lower()) == identity
    assert identity.recipient().to_string().startswith("age1")
    assert CCTV_IDENTITY not in repr(identity)
    assert "AGE-SECRET-KEY" not in repr(identity)


def test_recipient_string_round_trip() -> None:
    recipient = X25519Recipient.from_string(README_RECIPIENT)
    assert recipient.to_string() == README_RECIPIENT
    assert str(recipient) == README_RECIPIENT
    assert X25519Recipient.from_string(" " + README_RECIPIENT + "\n") == recipient


def test_generated_identities_differ_and_match_their_recipient() -> None:
    a, b = X25519Identity.generate(), X25519Identity.generate()
    assert a != b
    assert X25519Recipient.from_string(a.recipient().to_string()) == a.recipient()
    assert X25519Identity.from_string(a.to_string()) == a


@pytest.mark.parametrize(
    "text",
    [
        "",
        "age1",
        README_RECIPIENT[:-1] + ("q" if README_RECIPIENT[-1] != "q" else "p"),  # checksum
        README_RECIPIENT.upper()[:10] + README_RECIPIENT[10:],  # mixed case
        CCTV_IDENTITY,  # a secret key is not a recipient
        bech32.encode("age", bytes(31)),  # wrong length
        bech32.encode("agf", bytes(32)),  # wrong hrp
    ],
)
def test_bad_recipients_are_refused(text: str) -> None:
    with pytest.raises(IdentityError) as info:
        X25519Recipient.from_string(text)
    assert "age1" in info.value.message


@pytest.mark.parametrize(
    "text",
    [
        README_RECIPIENT,
        CCTV_IDENTITY[:-1] + "1",
        bech32.encode("age-secret-key-", bytes(33)).upper(),
        "AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A7PU2LHT8EH9W6YLNC3SW78XKG",
    ],
)
def test_bad_identities_are_refused(text: str) -> None:
    with pytest.raises(IdentityError):
        X25519Identity.from_string(text)


# --- identity files ------------------------------------------------------------------


def test_identity_file_round_trip_with_comments() -> None:
    identity = X25519Identity.generate()
    text = format_identity_file(identity, ["JudgePanel demo key", "two\nlines"])
    lines = text.splitlines()
    assert lines[:3] == ["# JudgePanel demo key", "# two", "# lines"]
    assert lines[3] == f"# public key: {identity.recipient().to_string()}"
    assert lines[4] == identity.to_string()
    assert text.endswith("\n")
    assert parse_age_identities(text) == [identity]


def test_identity_file_default_comment_is_created_time() -> None:
    text = format_identity_file(X25519Identity.generate())
    assert text.startswith("# created: 20")
    assert "# public key: age1" in text


def test_identity_file_with_several_keys_blank_lines_and_crlf() -> None:
    a, b = X25519Identity.generate(), X25519Identity.generate()
    text = f"# keys\r\n\r\n{a.to_string()}\r\n   \r\n{b.to_string()}\r\n"
    assert parse_age_identities(text) == [a, b]


def test_identity_file_refuses_junk_lines_and_empty_files() -> None:
    with pytest.raises(IdentityError) as info:
        parse_age_identities(f"# ok\n{CCTV_IDENTITY}\nnot a key\n")
    assert "line 3" in info.value.detail
    with pytest.raises(IdentityError):
        parse_age_identities("# only comments\n\n")


# --- scrypt --------------------------------------------------------------------------


def test_passphrase_round_trip() -> None:
    data = b"scored in confidence"
    ct = encrypt_bytes(data, [ScryptRecipient("correct horse", work_factor=FAST)])
    assert b"-> scrypt " in ct and f" {FAST}\n".encode() in ct
    assert decrypt_bytes(ct, [ScryptIdentity("correct horse")]) == data


def test_wrong_passphrase_says_so() -> None:
    ct = encrypt_bytes(b"x", [ScryptRecipient("correct horse", work_factor=FAST)])
    with pytest.raises(WrongKeyError, match="Wrong passphrase"):
        decrypt_bytes(ct, [ScryptIdentity("battery staple")])


def test_passphrase_file_opened_with_a_key_asks_for_the_passphrase() -> None:
    ct = encrypt_bytes(b"x", [ScryptRecipient("pw", work_factor=FAST)])
    with pytest.raises(WrongKeyError, match="protected with a passphrase"):
        decrypt_bytes(ct, [X25519Identity.generate()])


def test_key_file_opened_with_a_passphrase_is_wrong_key() -> None:
    ct = encrypt_bytes(b"x", [X25519Identity.generate().recipient()])
    with pytest.raises(WrongKeyError, match="made for someone else"):
        decrypt_bytes(ct, [ScryptIdentity("pw")])


def test_scrypt_must_be_the_only_recipient() -> None:
    with pytest.raises(ValueError, match="only recipient"):
        encrypt_bytes(b"x", [ScryptRecipient("pw", FAST), X25519Identity.generate().recipient()])
    # A hand-made header with scrypt beside X25519 is refused when read.
    identity = X25519Identity.generate()
    key = bytes(16)
    stanzas = ScryptRecipient("pw", FAST).wrap(key) + identity.recipient().wrap(key)
    forged = encode_header(stanzas, key) + bytes(16) + bytes(16)
    for identities in ([identity], [ScryptIdentity("pw")]):
        with pytest.raises(FileFormatError) as info:
            decrypt_bytes(forged, identities)
        assert "only stanza" in info.value.detail


def test_work_factor_over_the_cap_is_refused_before_any_work() -> None:
    ct = encrypt_bytes(b"x", [ScryptRecipient("pw", work_factor=FAST + 1)])
    with pytest.raises(FileFormatError) as info:
        decrypt_bytes(ct, [ScryptIdentity("pw", max_work_factor=FAST)])
    assert "computing work" in info.value.message
    assert decrypt_bytes(ct, [ScryptIdentity("pw", max_work_factor=FAST + 1)]) == b"x"


def test_default_caps() -> None:
    assert ScryptIdentity("pw").max_work_factor == 22
    assert ScryptRecipient("pw").work_factor == 18
    with pytest.raises(ValueError):
        ScryptRecipient("pw", work_factor=23)
    with pytest.raises(ValueError):
        ScryptRecipient("", work_factor=FAST)
    assert "pw" not in repr(ScryptRecipient("pw")) + repr(ScryptIdentity("pw"))


def test_several_identities_first_match_wins() -> None:
    mine, other = X25519Identity.generate(), X25519Identity.generate()
    ct = encrypt_bytes(b"data", [other.recipient(), mine.recipient()])
    assert decrypt_bytes(ct, [X25519Identity.generate(), mine]) == b"data"
    assert decrypt_bytes(ct, [ScryptIdentity("pw"), other]) == b"data"
    with pytest.raises(WrongKeyError):
        decrypt_bytes(ct, [])
    assert io.BytesIO(ct).read(22) == b"age-encryption.org/v1\n"
