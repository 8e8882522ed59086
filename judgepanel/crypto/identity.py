"""A person's keys: an age X25519 key pair to receive files, an Ed25519 key to sign.

An :class:`Identity` is the secret half; its public half travels as a card
(``judgepanel.formats.card``). The *fingerprint* names an identity: it is short
enough to read aloud over the phone, so staff can confirm that the card they
received is the judge's own (docs/formats.md section 3).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, get_args

from judgepanel.clock import stamp
from judgepanel.crypto.age_keys import X25519Identity, X25519Recipient
from judgepanel.crypto.minisign import KEY_ID_SIZE, SEED_SIZE, PublicKey, SigningKey
from judgepanel.errors import (
    IdentityError,
    JudgePanelError,
    NewerVersionError,
    ValidationError,
)
from judgepanel.text import text_problem

Role = Literal["judge", "staff"]
ROLES: tuple[str, ...] = get_args(Role)

SECRET_FORMAT = "judgepanel-identity"
SECRET_VERSION = 1
MAX_SECRET_TEXT = 64 * 1024
MAX_NAME = 200
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
DAMAGED_IDENTITY = (
    "Your stored identity is damaged and cannot be used. If you have a "
    "backup identity file, restore it; otherwise create a new identity "
    "and send the new card to the program staff."
)

# --- fingerprints ----------------------------------------------------------------

FINGERPRINT_DOMAIN = b"judgepanel fingerprint v1\n"
FINGERPRINT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""32 symbols, no 0/O or 1/I: easy to read aloud and to type back."""
FINGERPRINT_GROUPS = 4
FINGERPRINT_GROUP_SIZE = 4
FINGERPRINT_BITS = 5 * FINGERPRINT_GROUPS * FINGERPRINT_GROUP_SIZE  # 80


def fingerprint(age_recipient: str, minisign_public_key: str) -> str:
    """``K7QF-3MZD-WX2P-9HTR``: 80 bits of SHA-256 over both public keys.

    SHA-256(domain || age recipient || "\\n" || minisign base64 line || "\\n"),
    the first 80 bits, most significant first, 5 bits per symbol of
    :data:`FINGERPRINT_ALPHABET`, in groups of four joined by "-".
    Covering both keys means neither can be swapped without the fingerprint changing.
    """
    digest = hashlib.sha256(
        FINGERPRINT_DOMAIN
        + age_recipient.encode("utf-8") + b"\n"
        + minisign_public_key.encode("utf-8") + b"\n"
    ).digest()
    number = int.from_bytes(digest[: FINGERPRINT_BITS // 8], "big")
    symbols = [
        FINGERPRINT_ALPHABET[(number >> (FINGERPRINT_BITS - 5 * (i + 1))) & 31]
        for i in range(FINGERPRINT_BITS // 5)
    ]
    size = FINGERPRINT_GROUP_SIZE
    return "-".join("".join(symbols[i : i + size]) for i in range(0, len(symbols), size))


def normalize_fingerprint(text: str) -> str:
    """A fingerprint as someone typed it (any case, spaces or dashes) in canonical form.

    Raises ValidationError when it cannot be one.
    """
    compact = "".join(ch for ch in text.upper() if ch != "-" and not ch.isspace())
    length = FINGERPRINT_GROUPS * FINGERPRINT_GROUP_SIZE
    if len(compact) != length or any(ch not in FINGERPRINT_ALPHABET for ch in compact):
        raise ValidationError(
            f"“{text.strip()[:40]}” is not a fingerprint. A fingerprint looks like "
            "K7QF-3MZD-WX2P-9HTR: four groups of four letters and digits.",
            detail=f"{len(compact)} symbols; allowed: {FINGERPRINT_ALPHABET}",
            path="fingerprint",
        )
    size = FINGERPRINT_GROUP_SIZE
    return "-".join(compact[i : i + size] for i in range(0, length, size))


# --- names and roles -----------------------------------------------------------


def check_name(name: str) -> str:
    """A person's display name: one line, 1-200 characters; returned stripped."""
    cleaned = name.strip()
    if not cleaned:
        raise ValidationError("Please enter a name.", path="name")
    if len(cleaned) > MAX_NAME:
        raise ValidationError(
            f"The name is too long: at most {MAX_NAME} characters, please.", path="name"
        )
    if (problem := text_problem(cleaned, multiline=False)) is not None:  # judgepanel/text.py
        raise ValidationError(
            "The name must be a single line of text without special characters: it "
            f"{problem}.", path="name")
    return cleaned


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise ValidationError(
            f"The role must be “judge” or “staff”, not “{role}”.", path="role"
        )
    return role  # type: ignore[return-value]


# --- identity --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Identity:
    """The secret keys of one person in one role. Never written to disk in plain text."""

    name: str
    role: Role
    age: X25519Identity = field(repr=False)
    signing: SigningKey = field(repr=False)
    created: str = field(default_factory=stamp)

    def __post_init__(self) -> None:
        # Every way of making an identity yields one whose card is valid.
        object.__setattr__(self, "name", check_name(self.name))
        check_role(self.role)
        if not TIMESTAMP.fullmatch(self.created):
            raise ValidationError(
                "The creation time of the identity is not valid.",
                detail=f"created={self.created!r}", path="created",
            )

    @classmethod
    def generate(cls, name: str, role: str) -> Identity:
        return cls(name, check_role(role), X25519Identity.generate(), SigningKey.generate())

    @cached_property
    def recipient(self) -> X25519Recipient:
        return self.age.recipient()

    @cached_property
    def public_key(self) -> PublicKey:
        return self.signing.public_key()

    @cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.recipient.to_string(), self.public_key.base64)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Identity):
            return NotImplemented
        return (self.fingerprint, self.name, self.role, self.created) == (
            other.fingerprint, other.name, other.role, other.created
        )

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        return f"Identity({self.name!r}, {self.role!r}, {self.fingerprint})"

    # --- the secret serialisation (keyring entry / inside the passphrase file) ------

    def secret_text(self) -> str:
        """JSON holding everything needed to recreate this identity. It IS the secret."""
        document = {
            "format": SECRET_FORMAT,
            "version": SECRET_VERSION,
            "name": self.name,
            "role": self.role,
            "created": self.created,
            "fingerprint": self.fingerprint,
            "age_secret_key": self.age.to_string(),
            "minisign_key_id": self.signing.key_id.hex(),
            "minisign_seed": base64.b64encode(self.signing.seed).decode("ascii"),
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_secret_text(cls, text: str) -> Identity:
        """Recreate an identity; damaged or mismatched text raises IdentityError."""
        damaged = DAMAGED_IDENTITY
        if len(text) > MAX_SECRET_TEXT:
            raise IdentityError(damaged, detail="identity secret is too large")
        try:
            doc = json.loads(text)
        except ValueError as error:
            raise IdentityError(damaged, detail=f"not JSON: {error}") from None
        except RecursionError:  # 64 KiB of "[" nests past the stack
            raise IdentityError(damaged, detail="JSON nested too deeply") from None
        if not isinstance(doc, dict) or doc.get("format") != SECRET_FORMAT:
            raise IdentityError(damaged, detail="not a judgepanel-identity document")
        version = doc.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version > SECRET_VERSION:
            raise NewerVersionError(
                "This identity was made by a newer JudgePanel. Please update JudgePanel.",
                detail=f"identity version {version}",
            )
        if version != SECRET_VERSION:
            raise IdentityError(damaged, detail=f"unsupported version {version!r}")
        try:
            identity = cls(
                check_name(_text(doc, "name")),
                check_role(_text(doc, "role")),
                X25519Identity.from_string(_text(doc, "age_secret_key")),
                SigningKey(
                    _decode(_b64, doc, "minisign_seed", SEED_SIZE),
                    _decode(bytes.fromhex, doc, "minisign_key_id", KEY_ID_SIZE),
                ),
                _text(doc, "created"),
            )
        except JudgePanelError as error:  # includes our own DAMAGED_IDENTITY refusals
            raise IdentityError(damaged, detail=error.detail or error.message) from None
        except Exception as error:  # any malformed key or field
            raise IdentityError(damaged, detail=f"{type(error).__name__}: {error}") from None
        if identity.fingerprint != doc.get("fingerprint"):
            raise IdentityError(
                damaged,
                detail=f"keys give fingerprint {identity.fingerprint}, "
                f"stored {doc.get('fingerprint')!r}",
            )
        return identity


def _text(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str):
        raise IdentityError(DAMAGED_IDENTITY, detail=f"field {key!r} missing or not text")
    return value


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _decode(decoder: Any, doc: dict[str, Any], key: str, size: int) -> bytes:
    try:
        value = decoder(_text(doc, key))
    except (binascii.Error, ValueError):
        value = b""
    if len(value) != size:
        raise IdentityError(DAMAGED_IDENTITY, detail=f"field {key!r} is not {size} bytes")
    return bytes(value)
