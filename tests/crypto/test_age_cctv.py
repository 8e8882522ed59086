"""C2SP CCTV age conformance: every vector in CCTV_DIR runs, none passes silently.

Each vector is decrypted twice: front to back with :func:`decrypt` (checking the
SHA-256 of every byte released, even when decryption later fails, as the
vectors specify) and through the seekable :class:`AgeReader`.
"""

from __future__ import annotations

import functools
import hashlib
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

import pytest

from judgepanel.crypto.age import AgeReader, decrypt
from judgepanel.crypto.age_keys import ScryptIdentity, X25519Identity
from judgepanel.errors import (
    DamagedFileError,
    FileFormatError,
    IdentityError,
    JudgePanelError,
    WrongKeyError,
)
from tests.conftest import CCTV_DIR, strict

EXPECTED_ERROR: dict[str, type[JudgePanelError] | None] = {
    "success": None,
    "no match": WrongKeyError,
    "HMAC failure": DamagedFileError,
    "header failure": FileFormatError,
    "payload failure": DamagedFileError,
    "armor failure": FileFormatError,
}

# Where we deliberately classify differently from CCTV, and why.
RECLASSIFIED: dict[str, type[JudgePanelError]] = {
    # The file ends in or right before the payload nonce: CCTV calls this a
    # header failure; to a judge it is a truncated (damaged) file.
    "stream_no_nonce": DamagedFileError,
    "stream_short_nonce": DamagedFileError,
}

# Features JudgePanel does not implement. Every vector using one must be listed.
UNSUPPORTED = {
    "armor": "ASCII armor (we read and write binary age files only)",
    "hybrid": "post-quantum mlkem768x25519 identities (AGE-SECRET-KEY-PQ-1…)",
}

EXPECTED_UNSUPPORTED = {
    "armor_crlf",
    "armor_empty",
    "armor_empty_last_line",
    "armor_empty_line_begin",
    "armor_empty_line_end",
    "armor_eol_between_padding",
    "armor_full_last_line",
    "armor_garbage_encoded",
    "armor_garbage_leading",
    "armor_garbage_trailing",
    "armor_header_crlf",
    "armor_headers",
    "armor_hybrid",
    "armor_invalid_character_header",
    "armor_invalid_character_payload",
    "armor_long_line",
    "armor_lowercase",
    "armor_no_end_line",
    "armor_no_eol",
    "armor_no_match",
    "armor_no_padding",
    "armor_not_canonical",
    "armor_pgp_checksum",
    "armor_scrypt",
    "armor_short_line",
    "armor_whitespace_begin",
    "armor_whitespace_end",
    "armor_whitespace_eol",
    "armor_whitespace_last_line",
    "armor_whitespace_line_start",
    "armor_whitespace_outside",
    "armor_wrong_type",
    "armor_x25519",
    "hybrid",
    "hybrid_and_x25519",
    "hybrid_bad_tag",
    "hybrid_currupted_enc_mlkem",
    "hybrid_currupted_enc_x25519",
    "hybrid_extra_argument",
    "hybrid_grease",
    "hybrid_identity",
    "hybrid_long_file_key",
    "hybrid_long_share",
    "hybrid_low_order",
    "hybrid_multiple_recipients",
    "hybrid_no_match",
    "hybrid_not_canonical_body",
    "hybrid_not_canonical_enc",
    "hybrid_short_share",
    "hybrid_uppercase",
    "hybrid_x25519_arg",
}


@dataclass
class Vector:
    name: str
    expect: str
    body: bytes
    payload: str | None = None
    identities: list[str] = field(default_factory=list)
    passphrases: list[str] = field(default_factory=list)
    armored: bool = False

    @property
    def unsupported(self) -> str | None:
        if self.armored:
            return "armor"
        if any(i.startswith("AGE-SECRET-KEY-PQ-") for i in self.identities):
            return "hybrid"
        return None


def load(path: Path) -> Vector:
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\n\n")
    vector = Vector(path.name, "", b"")
    compressed = False
    for line in head.decode("utf-8").split("\n"):
        key, _, value = line.partition(": ")
        if key == "expect":
            vector.expect = value
        elif key == "payload":
            vector.payload = value
        elif key == "identity":
            vector.identities.append(value)
        elif key == "passphrase":
            vector.passphrases.append(value)
        elif key == "armored":
            vector.armored = value == "yes"
        elif key == "compressed":
            assert value == "zlib", f"{path.name}: unknown compression {value}"
            compressed = True
    vector.body = zlib.decompress(body) if compressed else body
    assert vector.expect in EXPECTED_ERROR, f"{path.name}: unknown expectation {vector.expect}"
    return vector


def vector_paths() -> list[Path]:
    if not CCTV_DIR.is_dir():
        return []
    return sorted(
        p for p in CCTV_DIR.iterdir() if p.is_file() and not p.name.startswith(("README", "."))
    )


@functools.cache
def all_vectors() -> tuple[Vector, ...]:
    return tuple(load(p) for p in vector_paths())


def require_vectors() -> None:
    if not vector_paths():
        message = f"the CCTV age vectors are missing ({CCTV_DIR})"
        if strict():
            pytest.fail(message)
        pytest.skip(message)


def identities_for(vector: Vector) -> list[X25519Identity | ScryptIdentity]:
    result: list[X25519Identity | ScryptIdentity] = [
        X25519Identity.from_string(i) for i in vector.identities
    ]
    result += [ScryptIdentity(p) for p in vector.passphrases]
    return result


class Sha256Sink(io.RawIOBase):
    """Counts what a streaming decrypt released, without keeping it."""

    def __init__(self) -> None:
        super().__init__()
        self.hash = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.hash.update(data)
        return len(data)


def as_binary(sink: Sha256Sink) -> BinaryIO:
    return cast(BinaryIO, sink)


def expected_error(vector: Vector) -> type[JudgePanelError] | None:
    return RECLASSIFIED.get(vector.name, EXPECTED_ERROR[vector.expect])


def _ids(vector: Vector) -> str:
    return vector.name


SUPPORTED = [v for v in all_vectors() if v.unsupported is None]


def test_vectors_are_present() -> None:
    require_vectors()
    assert len(vector_paths()) >= 140


def test_unsupported_vectors_are_exactly_the_expected_set() -> None:
    require_vectors()
    unsupported = sorted(v.name for v in all_vectors() if v.unsupported)
    print(f"\n{len(unsupported)} CCTV vectors use unsupported features:")
    for name in unsupported:
        print("  unsupported:", name)
    assert set(unsupported) == EXPECTED_UNSUPPORTED


@pytest.mark.parametrize("vector", [v for v in all_vectors() if v.unsupported], ids=_ids)
def test_unsupported_vectors_are_refused_cleanly(vector: Vector) -> None:
    """Armored files are refused as a format we do not read; PQ keys are not parsed."""
    if vector.unsupported == "armor":
        identities = [
            X25519Identity.from_string(i) for i in vector.identities if "-PQ-" not in i
        ] + [ScryptIdentity(p) for p in vector.passphrases]
        sink = Sha256Sink()
        with pytest.raises(FileFormatError) as info:
            decrypt(io.BytesIO(vector.body), as_binary(sink), identities)
        if vector.expect != "armor failure":  # well-formed armor: say what it is
            assert "ASCII-armored" in info.value.message
        assert sink.hash.digest() == hashlib.sha256().digest()
    else:
        pq = [i for i in vector.identities if i.startswith("AGE-SECRET-KEY-PQ-")]
        for text in pq:
            with pytest.raises(IdentityError):
                X25519Identity.from_string(text)


def test_reclassified_vectors_exist() -> None:
    require_vectors()
    names = {v.name: v.expect for v in SUPPORTED}
    for name in RECLASSIFIED:
        assert names.get(name) == "header failure"


@pytest.mark.parametrize("vector", SUPPORTED, ids=_ids)
def test_streaming_decrypt(vector: Vector) -> None:
    sink = Sha256Sink()
    want = expected_error(vector)
    if want is None:
        decrypt(io.BytesIO(vector.body), as_binary(sink), identities_for(vector))
    else:
        with pytest.raises(JudgePanelError) as info:
            decrypt(io.BytesIO(vector.body), as_binary(sink), identities_for(vector))
        assert type(info.value) is want, (info.value, info.value.detail)
        assert info.value.message and info.value.detail
    if vector.payload is not None:
        assert sink.hash.hexdigest() == vector.payload
    elif want is not None:
        assert sink.hash.digest() == hashlib.sha256().digest()  # released nothing


@pytest.mark.parametrize("vector", SUPPORTED, ids=_ids)
def test_seekable_reader(vector: Vector) -> None:
    """The random-access reader agrees; on payload failures it refuses at open or on read."""
    want = expected_error(vector)
    if want is None:
        reader = AgeReader(io.BytesIO(vector.body), identities_for(vector))
        data = reader.read()
        assert hashlib.sha256(data).hexdigest() == vector.payload
        assert reader.size == len(data)
        return
    with pytest.raises(JudgePanelError) as info:
        reader = AgeReader(io.BytesIO(vector.body), identities_for(vector))
        reader.read()
    assert type(info.value) is want, (info.value, info.value.detail)
