"""Header parsing and serialisation beyond what the CCTV vectors cover: caps, wrapping."""

from __future__ import annotations

import io

import pytest

from judgepanel.crypto.age import decrypt_bytes, encrypt_bytes
from judgepanel.crypto.age_header import (
    MAX_HEADER_BYTES,
    MAX_STANZAS,
    Stanza,
    b64decode_strict,
    b64encode,
    encode_header,
    read_header,
)
from judgepanel.crypto.age_keys import X25519Identity
from judgepanel.errors import DamagedFileError, FileFormatError

KEY = bytes(range(16))


@pytest.mark.parametrize("size", [0, 1, 47, 48, 49, 96, 100])
def test_stanza_bodies_wrap_at_64_columns_with_a_short_last_line(size: int) -> None:
    body = bytes(range(size))
    encoded = encode_header([Stanza("test", ("a", "b"), body)], KEY)
    lines = encoded.split(b"\n")
    body_lines = lines[2:-2]
    assert all(len(line) == 64 for line in body_lines[:-1])
    assert len(body_lines[-1]) < 64  # empty when the body fills whole lines
    header, rest = read_header(io.BytesIO(encoded + b"payload"))
    assert header.stanzas == (Stanza("test", ("a", "b"), body),)
    assert rest == b"payload"
    assert header.size == len(encoded)
    assert header.mac_input == encoded[: encoded.rindex(b"---") + 3]


def test_strict_base64() -> None:
    assert b64decode_strict(b"") == b""
    assert b64decode_strict(b64encode(b"ab")) == b"ab"
    for bad in (b"YQ==", b"YR", b"Y", b"Y-_A", b"YWJj\n", b"YW Jj"):
        with pytest.raises(ValueError):
            b64decode_strict(bad)


def test_stanza_arguments_must_be_printable_words() -> None:
    for args in (("has space",), ("",), ("tab\t",), ("é",)):
        with pytest.raises((ValueError, UnicodeEncodeError)):
            Stanza("x", args, b"").to_bytes()


def test_too_many_stanzas_are_refused() -> None:
    many = [Stanza("grease", (str(i),), b"") for i in range(MAX_STANZAS + 1)]
    with pytest.raises(ValueError):
        encode_header(many, KEY)
    text = b"age-encryption.org/v1\n" + b"".join(s.to_bytes() for s in many) + b"--- " + b"A" * 43
    with pytest.raises(FileFormatError, match="too many recipients"):
        read_header(io.BytesIO(text + b"\n"))


def test_oversized_header_is_refused_without_reading_everything() -> None:
    class Endless(io.RawIOBase):
        """An endless stanza line: the cap must stop us."""

        def __init__(self) -> None:
            self.served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = b"age-encryption.org/v1\n-> " if self.served == 0 else b"a" * len(buffer)
            chunk = chunk[: len(buffer)]
            buffer[: len(chunk)] = chunk
            self.served += len(chunk)
            return len(chunk)

    source = Endless()
    with pytest.raises(FileFormatError, match="too large"):
        read_header(io.BufferedReader(source))  # type: ignore[type-var]
    assert source.served < MAX_HEADER_BYTES + 64 * 1024


def test_many_short_lines_hit_the_size_cap() -> None:
    line = Stanza("grease", (), b"").to_bytes()
    text = b"age-encryption.org/v1\n" + line * (MAX_HEADER_BYTES // len(line) + 10)
    with pytest.raises(FileFormatError, match="too large"):
        read_header(io.BytesIO(text))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "not an encrypted JudgePanel file"),
        (b"PK\x03\x04 a zip file", "not an encrypted JudgePanel file"),
        (b"age-encryption.org/v2\n", "version"),
        (b"age-encryption.org/v1\r\n", "line endings"),
        (b"\n\n -----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n", "ASCII-armored"),
        (b"age-encryption.org/v1\n-> X25519 abc\n", "malformed"),
        (b"age-encryption.org/v1", "malformed"),
        (b"age-encryption.org/v1\n--- " + b"A" * 43 + b"\n", "malformed"),  # no stanzas
        (b"age-encryption.org/v1\n-> x\n\n---  " + b"A" * 43 + b"\n", "malformed"),
    ],
)
def test_not_age_files(data: bytes, words: str) -> None:
    with pytest.raises(FileFormatError) as info:
        decrypt_bytes(data, [X25519Identity.generate()])
    assert words in info.value.message
    assert info.value.detail


def test_mac_covers_stanzas_we_cannot_open() -> None:
    """Changing another recipient's stanza is caught by the header MAC."""
    mine, other = X25519Identity.generate(), X25519Identity.generate()
    ct = bytearray(encrypt_bytes(b"hello", [other.recipient(), mine.recipient()]))
    # First stanza line: "-> X25519 <share>"; flip its first share character.
    pos = ct.index(b"-> X25519 ") + len(b"-> X25519 ")
    ct[pos : pos + 1] = b"B" if ct[pos : pos + 1] != b"B" else b"C"
    with pytest.raises(DamagedFileError):
        decrypt_bytes(bytes(ct), [mine])


def test_unknown_stanza_types_are_ignored_but_authenticated() -> None:
    identity = X25519Identity.generate()
    key = bytes(16)
    stanzas = [Stanza("future-thing", ("x",), b"body"), *identity.recipient().wrap(key)]
    header, _ = read_header(io.BytesIO(encode_header(stanzas, key)))
    assert header.stanzas[0] == Stanza("future-thing", ("x",), b"body")
    assert identity.unwrap(header.stanzas) == key
