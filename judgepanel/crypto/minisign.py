"""Ed25519 signatures in minisign's public-key and signature formats.

Why minisign: anyone can check a JudgePanel signature with the standard
``minisign -V`` tool, and the format carries a *trusted comment* (signed
together with the signature) that we use to bind a signature to its context
(which bundle, which sequence number). Only the file formats are reused; the
maths is pyca ``cryptography`` (Ed25519) and ``hashlib`` (BLAKE2b-512).

Formats (see docs/formats.md section 2):

- public key: base64(``"Ed"`` || key id (8) || Ed25519 public key (32));
- signature file, four lines, each ending in ``\\n``::

      untrusted comment: <text>
      base64(algorithm (2) || key id (8) || signature (64))
      trusted comment: <text>
      base64(global signature (64))

  algorithm ``"ED"`` signs BLAKE2b-512(data) (what we write); legacy ``"Ed"``
  signs the data itself (accepted when verifying). The global signature signs
  signature (64) || trusted comment bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from judgepanel.errors import SignatureError

KEY_ALGORITHM = b"Ed"
PREHASHED = b"ED"
LEGACY = b"Ed"
KEY_ID_SIZE = 8
PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64
SEED_SIZE = 32
UNTRUSTED_PREFIX = "untrusted comment: "
TRUSTED_PREFIX = "trusted comment: "
# A signature file is four short lines; anything much longer is not one.
MAX_SIGNATURE_TEXT = 64 * 1024

_TAMPERED = (
    "The file is damaged or was changed after it was signed. "
    "Ask the sender for a fresh copy."
)
_NOT_A_SIGNATURE = (
    "The signature that came with this file is damaged or unreadable. "
    "Ask the sender for a fresh copy."
)


def _b64decode(text: str, message: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise SignatureError(message, detail=f"base64 decoding failed: {error}") from None


def _check_comment(comment: str, what: str) -> None:
    """Comments are single lines in minisign's format; a newline would forge extra lines."""
    if "\n" in comment or "\r" in comment:
        raise ValueError(f"the {what} must be a single line")


def _blake2b(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=64).digest()


def key_id_hex(key_id: bytes) -> str:
    """Key ids print as minisign prints them: a little-endian 64-bit number in uppercase hex."""
    return key_id[::-1].hex().upper()


class PublicKey:
    """A minisign Ed25519 public key: an 8-byte key id and a 32-byte Ed25519 key."""

    __slots__ = ("key_id", "_raw", "_key")

    def __init__(self, key_id: bytes, raw: bytes) -> None:
        if len(key_id) != KEY_ID_SIZE or len(raw) != PUBLIC_KEY_SIZE:
            raise ValueError("a minisign public key has an 8-byte id and a 32-byte key")
        self.key_id = bytes(key_id)
        self._raw = bytes(raw)
        self._key = Ed25519PublicKey.from_public_bytes(self._raw)

    # --- encoding -------------------------------------------------------------

    @classmethod
    def from_string(cls, text: str) -> PublicKey:
        """Read a whole ``.pub`` file (comment line + key line) or the bare ``RW…`` line."""
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if len(lines) == 2 and lines[0].startswith(UNTRUSTED_PREFIX):
            lines = lines[1:]
        if len(lines) != 1:
            raise SignatureError(
                "This is not a minisign public key.",
                detail="expected one base64 line, optionally after an untrusted comment line",
            )
        raw = _b64decode(lines[0], "This is not a minisign public key.")
        if len(raw) != 2 + KEY_ID_SIZE + PUBLIC_KEY_SIZE or raw[:2] != KEY_ALGORITHM:
            raise SignatureError(
                "This is not a minisign public key.",
                detail=f"expected 42 bytes starting with 'Ed', got {len(raw)} bytes",
            )
        return cls(raw[2:10], raw[10:])

    @property
    def raw(self) -> bytes:
        """The 32-byte Ed25519 public key."""
        return self._raw

    @property
    def key_id_hex(self) -> str:
        return key_id_hex(self.key_id)

    @property
    def base64(self) -> str:
        """The ``RW…`` line of a ``.pub`` file."""
        return base64.b64encode(KEY_ALGORITHM + self.key_id + self._raw).decode("ascii")

    def to_string(self, untrusted_comment: str | None = None) -> str:
        """The text of a ``.pub`` file, as ``minisign -G`` writes it."""
        comment = untrusted_comment or f"minisign public key {self.key_id_hex}"
        _check_comment(comment, "untrusted comment")
        return f"{UNTRUSTED_PREFIX}{comment}\n{self.base64}\n"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PublicKey):
            return NotImplemented
        return self.key_id == other.key_id and self._raw == other._raw

    def __hash__(self) -> int:
        return hash((self.key_id, self._raw))

    def __repr__(self) -> str:
        return f"PublicKey({self.key_id_hex})"

    # --- verification ------------------------------------------------------------

    def verify(self, data: bytes, signature: str) -> str:
        """Check a ``.minisig`` text over ``data``; return its trusted comment.

        Refuses (SignatureError) a malformed signature, another key's id, a bad
        signature over the data, or a trusted comment that was changed.
        """
        algorithm, key_id, sig, trusted, global_sig = _parse_signature(signature)
        if not hmac.compare_digest(key_id, self.key_id):
            raise SignatureError(
                "This file was signed by someone else's key, not the one expected. "
                "Check that it came from the right person.",
                detail=f"signature key id {key_id_hex(key_id)}, expected {self.key_id_hex}",
            )
        message = _blake2b(data) if algorithm == PREHASHED else data
        try:
            self._key.verify(sig, message)
        except InvalidSignature:
            raise SignatureError(
                _TAMPERED, detail="the Ed25519 signature over the data does not verify"
            ) from None
        try:
            self._key.verify(global_sig, sig + trusted)
        except InvalidSignature:
            raise SignatureError(
                _TAMPERED, detail="the global signature over the trusted comment does not verify"
            ) from None
        try:
            return trusted.decode("utf-8")
        except UnicodeDecodeError:  # signed, but not text: still refuse, we compare comments
            raise SignatureError(
                _TAMPERED, detail="the trusted comment is not UTF-8"
            ) from None


def _parse_signature(text: str) -> tuple[bytes, bytes, bytes, bytes, bytes]:
    """Split a ``.minisig`` text into (algorithm, key id, signature, trusted comment, global)."""
    if len(text) > MAX_SIGNATURE_TEXT:
        raise SignatureError(
            "The signature is not valid: it is far too long to be a minisign signature.",
            detail=f"{len(text)} characters",
        )
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if len(lines) != 4:
        raise SignatureError(
            _NOT_A_SIGNATURE,
            detail=f"expected 4 lines, got {len(lines)}",
        )
    if not lines[0].startswith(UNTRUSTED_PREFIX) or not lines[2].startswith(TRUSTED_PREFIX):
        raise SignatureError(
            _NOT_A_SIGNATURE,
            detail="missing 'untrusted comment:' or 'trusted comment:' line",
        )
    blob = _b64decode(lines[1], _NOT_A_SIGNATURE)
    if len(blob) != 2 + KEY_ID_SIZE + SIGNATURE_SIZE:
        raise SignatureError(
            _NOT_A_SIGNATURE,
            detail=f"signature line decodes to {len(blob)} bytes, expected 74",
        )
    algorithm = blob[:2]
    if algorithm not in (PREHASHED, LEGACY):
        raise SignatureError(
            "The signature uses an algorithm JudgePanel does not support.",
            detail=f"algorithm {algorithm!r}",
        )
    global_sig = _b64decode(lines[3], _NOT_A_SIGNATURE)
    if len(global_sig) != SIGNATURE_SIZE:
        raise SignatureError(
            _NOT_A_SIGNATURE,
            detail=f"global signature is {len(global_sig)} bytes, expected 64",
        )
    trusted = lines[2][len(TRUSTED_PREFIX):].encode("utf-8")
    return algorithm, blob[2:10], blob[10:], trusted, global_sig


def trusted_comment_of(signature: str) -> str:
    """The trusted comment of a signature text, NOT verified: for display and routing only."""
    return _parse_signature(signature)[3].decode("utf-8", errors="replace")


def key_id_of(signature: str) -> bytes:
    """The key id a signature claims (unverified): to pick which known key to try."""
    return _parse_signature(signature)[1]


class SigningKey:
    """An Ed25519 signing key with a minisign key id.

    The key id is random at generation (as minisign does) and travels with the
    seed: both are needed to recreate the same public key.
    """

    __slots__ = ("key_id", "_seed", "_key")

    def __init__(self, seed: bytes, key_id: bytes) -> None:
        if len(seed) != SEED_SIZE or len(key_id) != KEY_ID_SIZE:
            raise ValueError("a signing key has a 32-byte seed and an 8-byte key id")
        self._seed = bytes(seed)
        self.key_id = bytes(key_id)
        self._key = Ed25519PrivateKey.from_private_bytes(self._seed)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(os.urandom(SEED_SIZE), os.urandom(KEY_ID_SIZE))

    @classmethod
    def from_seed(cls, seed: bytes, key_id: bytes | None = None) -> SigningKey:
        """Recreate a key from its seed; without ``key_id`` the id is derived from the seed.

        A derived id (first 8 bytes of BLAKE2b-512("judgepanel key id" || seed))
        keeps a seed-only key reproducible.
        """
        if key_id is None:
            key_id = _blake2b(b"judgepanel key id" + seed)[:KEY_ID_SIZE]
        return cls(seed, key_id)

    @property
    def seed(self) -> bytes:
        return self._seed

    def public_key(self) -> PublicKey:
        raw = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return PublicKey(self.key_id, raw)

    def __repr__(self) -> str:  # never show the seed
        return f"SigningKey({key_id_hex(self.key_id)})"

    def sign(
        self,
        data: bytes,
        *,
        trusted_comment: str,
        untrusted_comment: str = "signature from JudgePanel",
    ) -> str:
        """A ``.minisig`` text (prehashed ``ED`` kind) over ``data``, as minisign writes it."""
        _check_comment(trusted_comment, "trusted comment")
        _check_comment(untrusted_comment, "untrusted comment")
        signature = self._key.sign(_blake2b(data))
        trusted = trusted_comment.encode("utf-8")
        global_sig = self._key.sign(signature + trusted)
        line = base64.b64encode(PREHASHED + self.key_id + signature).decode("ascii")
        return (
            f"{UNTRUSTED_PREFIX}{untrusted_comment}\n{line}\n"
            f"{TRUSTED_PREFIX}{trusted_comment}\n"
            f"{base64.b64encode(global_sig).decode('ascii')}\n"
        )

    # --- minisign secret key files (unencrypted) ----------------------------------

    def to_minisign_secret_file(self) -> str:
        """An UNENCRYPTED minisign ``.key`` file (as ``minisign -G -W`` writes).

        For interoperability and demos only: it holds the secret in plain text.
        """
        public = self.public_key().raw
        secret = self._seed + public
        checksum = hashlib.blake2b(
            KEY_ALGORITHM + self.key_id + secret, digest_size=32
        ).digest()
        blob = (
            KEY_ALGORITHM + b"\0\0" + b"B2" + bytes(32) + bytes(8) + bytes(8)
            + self.key_id + secret + checksum
        )
        return (
            f"{UNTRUSTED_PREFIX}minisign unencrypted secret key\n"
            f"{base64.b64encode(blob).decode('ascii')}\n"
        )

    @classmethod
    def from_minisign_secret_file(cls, text: str) -> SigningKey:
        """Read an UNENCRYPTED minisign ``.key`` file (``minisign -G -W``)."""
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if len(lines) != 2 or not lines[0].startswith(UNTRUSTED_PREFIX):
            raise SignatureError(
                "This is not a minisign secret key file.",
                detail="expected a comment line and a base64 line",
            )
        blob = _b64decode(lines[1], "This is not a minisign secret key file.")
        if len(blob) != 158 or blob[:2] != KEY_ALGORITHM or blob[4:6] != b"B2":
            raise SignatureError(
                "This is not a minisign secret key file.",
                detail=f"{len(blob)} bytes, header {blob[:6]!r}",
            )
        if blob[2:4] != b"\0\0":
            raise SignatureError(
                "This minisign secret key is protected by a password; JudgePanel "
                "can only read unprotected ones. Remove the password with `minisign -C -W`.",
                detail=f"kdf algorithm {blob[2:4]!r}",
            )
        key_id, secret = blob[54:62], blob[62:126]
        key = cls(secret[:32], key_id)
        if key.public_key().raw != secret[32:]:
            raise SignatureError(
                "This minisign secret key file is damaged.",
                detail="the stored public half does not match the seed",
            )
        return key
