"""age recipients and identities: X25519 key pairs and scrypt passphrases.

A *recipient* wraps a file key into a header stanza; an *identity* unwraps it.
``unwrap`` returns ``None`` when a stanza is simply not for this identity (wrong
key, wrong passphrase, another stanza type) and raises
:class:`~judgepanel.errors.FileFormatError` when a stanza of its own type is
malformed, because the specification makes those fatal: a lenient reader would
accept files that other implementations refuse.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from judgepanel.clock import stamp
from judgepanel.crypto import bech32
from judgepanel.crypto.age_header import (
    FILE_KEY_SIZE,
    Stanza,
    b64decode_strict,
    b64encode,
    header_error,
)
from judgepanel.errors import FileFormatError, IdentityError

RECIPIENT_HRP = "age"
IDENTITY_HRP = "age-secret-key-"
X25519_LABEL = b"age-encryption.org/v1/X25519"
SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
SCRYPT_SALT_SIZE = 16
#: Work factor (log2 N) we write by default: about a second on a laptop.
DEFAULT_SCRYPT_WORK_FACTOR = 18
#: Highest work factor we accept when reading (2**22 * 1 KiB = 4 GiB of memory).
MAX_SCRYPT_WORK_FACTOR = 22
_ZERO_NONCE = bytes(12)
_WRAPPED_SIZE = FILE_KEY_SIZE + 16
_WORK_FACTOR_RE = re.compile(r"[1-9][0-9]{0,1}")


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _x25519_wrap_key(shared: bytes, share: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=share + recipient, info=X25519_LABEL).derive(shared)


def _decode_key(text: str, hrp_wanted: str, what: str, prefix: str) -> bytes:
    """The 32 key bytes of a Bech32 age key string, or an error that says what it should be."""
    try:
        hrp, data = bech32.decode(text.strip())
    except bech32.Bech32Error as exc:
        raise IdentityError(
            f"This is not a valid age {what} (it should start with “{prefix}”).",
            detail=f"bech32: {exc}",
        ) from exc
    if hrp != hrp_wanted or len(data) != 32:
        raise IdentityError(
            f"This is not an age X25519 {what} (it should start with “{prefix}”).",
            detail=f"hrp={hrp!r} length={len(data)}",
        )
    return data


@dataclass(frozen=True)
class X25519Recipient:
    """An ``age1…`` public key: anyone may encrypt to it."""

    public_key: bytes

    def __post_init__(self) -> None:
        if len(self.public_key) != 32:
            raise ValueError("an X25519 public key is 32 bytes")

    @classmethod
    def from_string(cls, text: str) -> X25519Recipient:
        return cls(_decode_key(text, RECIPIENT_HRP, "public key", "age1"))

    def to_string(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self.public_key)

    def __str__(self) -> str:
        return self.to_string()

    def wrap(self, file_key: bytes) -> list[Stanza]:
        ephemeral = X25519PrivateKey.generate()
        share = _raw_public(ephemeral.public_key())
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(self.public_key))
        key = _x25519_wrap_key(shared, share, self.public_key)
        body = ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)
        return [Stanza("X25519", (b64encode(share).decode("ascii"),), body)]


@dataclass(frozen=True, repr=False)
class X25519Identity:
    """An ``AGE-SECRET-KEY-1…`` secret key. Its repr never shows the secret."""

    secret: bytes
    _private: X25519PrivateKey = field(init=False, compare=False)
    _public: bytes = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.secret) != 32:
            raise ValueError("an X25519 secret key is 32 bytes")
        private = X25519PrivateKey.from_private_bytes(self.secret)
        object.__setattr__(self, "_private", private)
        object.__setattr__(self, "_public", _raw_public(private.public_key()))

    @classmethod
    def generate(cls) -> X25519Identity:
        return cls(os.urandom(32))

    @classmethod
    def from_string(cls, text: str) -> X25519Identity:
        return cls(_decode_key(text, IDENTITY_HRP, "secret key", "AGE-SECRET-KEY-1"))

    def to_string(self) -> str:
        return bech32.encode(IDENTITY_HRP, self.secret).upper()

    def recipient(self) -> X25519Recipient:
        return X25519Recipient(self._public)

    def __repr__(self) -> str:
        return f"X25519Identity(recipient={self.recipient().to_string()!r})"

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        for stanza in stanzas:
            if stanza.type != "X25519":
                continue
            if len(stanza.args) != 1:
                raise header_error("X25519 stanza must have exactly one argument")
            try:
                share = b64decode_strict(stanza.args[0].encode("ascii"))
            except ValueError as exc:
                raise header_error(f"X25519 share: {exc}") from exc
            if len(share) != 32:
                raise header_error("X25519 share is not 32 bytes")
            if len(stanza.body) != _WRAPPED_SIZE:
                raise header_error("X25519 stanza body is not a wrapped 16-byte file key")
            try:
                shared = self._private.exchange(X25519PublicKey.from_public_bytes(share))
            except ValueError as exc:  # all-zero shared secret: low-order point
                raise header_error("X25519 share is a low-order point") from exc
            key = _x25519_wrap_key(shared, share, self._public)
            try:
                return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, stanza.body, None)
            except InvalidTag:
                continue
        return None


def _scrypt_key(passphrase: str, salt: bytes, work_factor: int) -> bytes:
    kdf = Scrypt(salt=SCRYPT_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1)
    return kdf.derive(passphrase.encode("utf-8"))


class ScryptRecipient:
    """A passphrase used to encrypt; it must be a file's only recipient."""

    def __init__(self, passphrase: str, work_factor: int = DEFAULT_SCRYPT_WORK_FACTOR) -> None:
        if not passphrase:
            raise ValueError("the passphrase must not be empty")
        if not 1 <= work_factor <= MAX_SCRYPT_WORK_FACTOR:
            raise ValueError(f"scrypt work factor must be 1..{MAX_SCRYPT_WORK_FACTOR}")
        self._passphrase = passphrase
        self.work_factor = work_factor

    def __repr__(self) -> str:
        return f"ScryptRecipient(work_factor={self.work_factor})"

    def wrap(self, file_key: bytes) -> list[Stanza]:
        salt = os.urandom(SCRYPT_SALT_SIZE)
        key = _scrypt_key(self._passphrase, salt, self.work_factor)
        body = ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)
        args = (b64encode(salt).decode("ascii"), str(self.work_factor))
        return [Stanza("scrypt", args, body)]


class ScryptIdentity:
    """A passphrase used to decrypt, with a cap on the work a file may demand."""

    def __init__(self, passphrase: str, max_work_factor: int = MAX_SCRYPT_WORK_FACTOR) -> None:
        self._passphrase = passphrase
        self.max_work_factor = max_work_factor

    def __repr__(self) -> str:
        return f"ScryptIdentity(max_work_factor={self.max_work_factor})"

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        for stanza in stanzas:
            if stanza.type != "scrypt":
                continue
            if len(stanzas) != 1:
                raise header_error("an scrypt stanza must be the only stanza")
            if len(stanza.args) != 2:
                raise header_error("scrypt stanza must have exactly two arguments")
            try:
                salt = b64decode_strict(stanza.args[0].encode("ascii"))
            except ValueError as exc:
                raise header_error(f"scrypt salt: {exc}") from exc
            if len(salt) != SCRYPT_SALT_SIZE:
                raise header_error("scrypt salt is not 16 bytes")
            if not _WORK_FACTOR_RE.fullmatch(stanza.args[1]):
                raise header_error(f"scrypt work factor {stanza.args[1][:16]!r} is not canonical")
            work_factor = int(stanza.args[1])
            if work_factor > self.max_work_factor:
                raise FileFormatError(
                    "This passphrase-protected file asks for far more computing work than "
                    "JudgePanel allows. Ask the sender to encrypt it again with standard settings.",
                    detail=f"scrypt work factor {work_factor} is above our cap "
                    f"{self.max_work_factor}",
                )
            if len(stanza.body) != _WRAPPED_SIZE:
                raise header_error("scrypt stanza body is not a wrapped 16-byte file key")
            key = _scrypt_key(self._passphrase, salt, work_factor)
            try:
                return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, stanza.body, None)
            except InvalidTag:
                return None
        return None


Recipient = X25519Recipient | ScryptRecipient
Identity = X25519Identity | ScryptIdentity


def parse_age_identities(text: str) -> list[X25519Identity]:
    """Parse an ``age-keygen`` identity file: one key a line, ``#`` comments, blank lines."""
    identities: list[X25519Identity] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(X25519Identity.from_string(line))
        except IdentityError as exc:
            raise IdentityError(
                "This is not an age identity file: a line is not a secret key.",
                detail=f"line {number}: {exc.detail}",
            ) from exc
    if not identities:
        raise IdentityError(
            "This identity file holds no secret key.", detail="no AGE-SECRET-KEY-1 line"
        )
    return identities


def format_identity_file(identity: X25519Identity, comments: Sequence[str] = ()) -> str:
    """The ``age-keygen`` layout: comment lines, ``# public key:``, then the secret key.

    Without ``comments`` a ``created:`` timestamp is written, as age-keygen does.
    """
    if not comments:
        comments = (f"created: {stamp()}",)
    lines = [f"# {part}".rstrip() for c in comments for part in c.splitlines() or [""]]
    lines.append(f"# public key: {identity.recipient().to_string()}")
    lines.append(identity.to_string())
    return "\n".join(lines) + "\n"
