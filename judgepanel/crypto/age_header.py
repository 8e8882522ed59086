"""The age v1 header: stanzas, strict parsing, serialisation and the header MAC.

The parser follows the C2SP age specification to the letter, because every
leniency is a second spelling of the same file (a malleability) and the CCTV
vectors test for them: LF line ends only, stanza arguments of printable ASCII
separated by single spaces, bodies in canonical unpadded base64 wrapped at 64
columns and closed by a short (possibly empty) line, and a MAC line of exactly
``--- `` plus 43 base64 characters.

JudgePanel adds two caps the specification leaves open, so that a hostile file
cannot make us read or loop without bound: :data:`MAX_HEADER_BYTES` and
:data:`MAX_STANZAS`.
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass
from hashlib import sha256
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from judgepanel.errors import DamagedFileError, FileFormatError

INTRO = b"age-encryption.org/v1"
ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
STANZA_PREFIX = b"-> "
MAC_PREFIX = b"---"
COLUMNS = 64
FILE_KEY_SIZE = 16
MAC_SIZE = 32

#: Largest header we read (our own headers are a few hundred bytes; a post-quantum
#: hybrid stanza is about 1.6 KiB, so this leaves room for 64 of those and more).
MAX_HEADER_BYTES = 256 * 1024
#: Most stanzas (recipients, including "grease" ones) we accept in one header.
MAX_STANZAS = 64

_READ_BLOCK = 4096
_B64_RE = re.compile(rb"[A-Za-z0-9+/]*")
_ARG_RE = re.compile(rb"[\x21-\x7e]+")

_NOT_AGE = "This is not an encrypted JudgePanel file (it is not in the age format)."
_BAD_HEADER = (
    "This encrypted file cannot be read: its header is malformed. "
    "It may be damaged; ask the sender for a new copy."
)


def header_error(detail: str) -> FileFormatError:
    """The one error for a header that breaks the format rules."""
    return FileFormatError(_BAD_HEADER, detail=detail)


def b64encode(data: bytes) -> bytes:
    """Standard base64 without padding, as age writes it."""
    return base64.b64encode(data).rstrip(b"=")


def b64decode_strict(text: bytes) -> bytes:
    """Decode canonical unpadded base64 or raise ``ValueError``.

    Canonical means: standard alphabet, no ``=``, no impossible length, and the
    unused low bits of the last character are zero (else two strings would decode
    to the same bytes).
    """
    if not _B64_RE.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded standard base64")
    data = base64.b64decode(text + b"=" * (-len(text) % 4))
    if b64encode(data) != text:
        raise ValueError("non-canonical base64")
    return data


@dataclass(frozen=True)
class Stanza:
    """One recipient stanza: a type, further arguments, and a binary body."""

    type: str
    args: tuple[str, ...]
    body: bytes

    def to_bytes(self) -> bytes:
        words = [self.type, *self.args]
        if not all(_ARG_RE.fullmatch(w.encode("ascii")) for w in words):
            raise ValueError("stanza arguments must be non-empty printable ASCII without spaces")
        out = [STANZA_PREFIX + " ".join(words).encode("ascii") + b"\n"]
        encoded = b64encode(self.body)
        for i in range(0, len(encoded) + 1, COLUMNS):
            # range(..., len + 1, ...) yields one extra start when the body fills
            # whole lines, giving the mandatory empty final line.
            out.append(encoded[i : i + COLUMNS] + b"\n")
        return b"".join(out)


@dataclass(frozen=True)
class Header:
    """A parsed header. ``mac_input`` is the exact bytes the MAC covers."""

    stanzas: tuple[Stanza, ...]
    mac: bytes
    mac_input: bytes

    @property
    def size(self) -> int:
        """Length in bytes of the encoded header, up to and including its last newline."""
        return len(self.mac_input) + 1 + 43 + 1


def hmac_key(file_key: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=b"", info=b"header").derive(file_key)


def compute_mac(file_key: bytes, mac_input: bytes) -> bytes:
    return hmac.new(hmac_key(file_key), mac_input, sha256).digest()


def verify_mac(header: Header, file_key: bytes) -> None:
    """Raise :class:`DamagedFileError` unless the header MAC matches ``file_key``."""
    if not hmac.compare_digest(compute_mac(file_key, header.mac_input), header.mac):
        raise DamagedFileError(
            "The file is damaged or was changed after it was made. "
            "Ask the sender for a new copy.",
            detail="age header MAC mismatch",
        )


def encode_header(stanzas: list[Stanza], file_key: bytes) -> bytes:
    """Serialise a header and MAC it with ``file_key``."""
    if not 1 <= len(stanzas) <= MAX_STANZAS:
        raise ValueError(f"a header needs 1 to {MAX_STANZAS} stanzas")
    mac_input = INTRO + b"\n" + b"".join(s.to_bytes() for s in stanzas) + MAC_PREFIX
    return mac_input + b" " + b64encode(compute_mac(file_key, mac_input)) + b"\n"


def _check_first_line(line: bytes) -> None:
    if line == INTRO:
        return
    if line.rstrip(b"\r") == INTRO:
        raise FileFormatError(
            "This encrypted file was changed in transit (its line endings were converted). "
            "Ask the sender for a new copy, sent as an attachment.",
            detail="age header uses CRLF line endings",
        )
    if line.startswith(b"age-encryption.org/"):
        raise FileFormatError(
            "This file uses a version of the age format that JudgePanel cannot read.",
            detail=f"unsupported age version line {line[:64]!r}",
        )
    raise FileFormatError(_NOT_AGE, detail=f"first line {line[:32]!r}")


def _parse_lines(lines: list[bytes]) -> tuple[list[Stanza], bytes]:
    """Parse the lines after the intro; returns the stanzas and the MAC line."""
    stanzas: list[Stanza] = []
    i = 0
    while True:
        line = lines[i]
        if line.startswith(MAC_PREFIX):
            if i != len(lines) - 1:  # pragma: no cover - read_header stops at the MAC line
                raise header_error("data after the MAC line")
            return stanzas, line
        if not line.startswith(STANZA_PREFIX):
            raise header_error(f"expected a stanza or the MAC line, got {line[:32]!r}")
        words = line[len(STANZA_PREFIX) :].split(b" ")
        if not all(_ARG_RE.fullmatch(w) for w in words):
            raise header_error(f"malformed stanza line {line[:64]!r}")
        if len(stanzas) == MAX_STANZAS:
            raise FileFormatError(
                "This encrypted file has too many recipients for JudgePanel to open.",
                detail=f"more than {MAX_STANZAS} stanzas",
            )
        body = bytearray()
        while True:
            i += 1
            if i >= len(lines):
                raise header_error("stanza body is not closed by a short line")
            chunk = lines[i]
            if len(chunk) > COLUMNS:
                raise header_error("stanza body line longer than 64 columns")
            try:
                body += b64decode_strict(chunk)
            except ValueError as exc:
                raise header_error(f"stanza body: {exc}") from exc
            if len(chunk) < COLUMNS:
                break
        text = [w.decode("ascii") for w in words]
        stanzas.append(Stanza(text[0], tuple(text[1:]), bytes(body)))
        i += 1


def parse_mac_line(line: bytes) -> bytes:
    if not line.startswith(MAC_PREFIX + b" ") or len(line) != 4 + 43:
        raise header_error(f"malformed MAC line {line[:64]!r}")
    try:
        mac = b64decode_strict(line[4:])
    except ValueError as exc:
        raise header_error(f"MAC: {exc}") from exc
    if len(mac) != MAC_SIZE:  # pragma: no cover - 43 canonical chars are always 32 bytes
        raise header_error("MAC has the wrong length")
    return mac


def check_recipient_rules(stanzas: list[Stanza]) -> None:
    """Rules across stanzas: an scrypt stanza must be alone (spec, section scrypt)."""
    if not stanzas:
        raise header_error("header has no stanzas")
    if len(stanzas) > 1 and any(s.type == "scrypt" for s in stanzas):
        raise header_error("an scrypt stanza must be the only stanza")


def read_header(src: BinaryIO) -> tuple[Header, bytes]:
    """Read and strictly parse a header from ``src``.

    Returns the header and the bytes already read past it (the start of the
    payload), so this works on unseekable streams too.
    """
    buf = bytearray()
    lines: list[bytes] = []
    start = 0
    while True:
        newline = buf.find(b"\n", start)
        if newline < 0:
            if len(buf) > MAX_HEADER_BYTES:
                raise FileFormatError(
                    "This encrypted file's header is too large for JudgePanel to open.",
                    detail=f"header larger than {MAX_HEADER_BYTES} bytes",
                )
            more = src.read(_READ_BLOCK)
            if not more:
                if not buf:
                    raise FileFormatError(_NOT_AGE, detail="the file is empty")
                if not lines:
                    _check_first_line(bytes(buf))  # raises unless it is the intro line
                    raise header_error("the file ends after its first line")
                raise header_error("the file ends inside its header")
            if not buf and more.lstrip().startswith(ARMOR_BEGIN):
                raise FileFormatError(
                    "This file is an age file in text (ASCII-armored) form, which JudgePanel "
                    "does not open. Ask for the binary file, or decode it with `age -d`.",
                    detail="armored age files are not supported",
                )
            buf += more
            continue
        line = bytes(buf[start:newline])
        start = newline + 1
        if not lines:
            _check_first_line(line)
            lines.append(line)
            continue
        lines.append(line)
        if line.startswith(MAC_PREFIX):
            break
        if start > MAX_HEADER_BYTES:
            raise FileFormatError(
                "This encrypted file's header is too large for JudgePanel to open.",
                detail=f"header larger than {MAX_HEADER_BYTES} bytes",
            )
    stanzas, mac_line = _parse_lines(lines[1:])
    mac = parse_mac_line(mac_line)
    check_recipient_rules(stanzas)
    mac_input = bytes(buf[: start - 1 - len(mac_line) + len(MAC_PREFIX)])
    return Header(tuple(stanzas), mac, mac_input), bytes(buf[start:])
