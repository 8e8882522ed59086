"""``.jpcard``: the public half of an identity, which a judge sends to staff.

A card is JSON (docs/formats.md section 3) carrying a name, a role, the age
recipient to encrypt to, the minisign public key that signs, the fingerprint of
both keys, and a self-signature. The self-signature makes the card
tamper-evident in transit (a changed name or role is refused) and proves the
sender holds the signing key; the fingerprint, read aloud, proves the keys are
the person's own.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from judgepanel.crypto.age_keys import X25519Recipient
from judgepanel.crypto.identity import (
    FINGERPRINT_ALPHABET,
    MAX_NAME,
    ROLES,
    Identity,
    Role,
    fingerprint,
)
from judgepanel.crypto.minisign import PublicKey
from judgepanel.errors import (
    DamagedFileError,
    FileFormatError,
    JudgePanelError,
    NewerVersionError,
)
from judgepanel.formats.jsonio import Fields, SchemaError, dumps_canonical, parse_json

CARD_FORMAT = "judgepanel-card"
CARD_VERSION = 1
CARD_SUFFIX = ".jpcard"
MAX_CARD_SIZE = 64 * 1024

_ASK_AGAIN = "Ask the person to send their card again."


def card_trusted_comment(fingerprint_: str) -> str:
    """What the self-signature's trusted comment says: binds it to cards, and to this card."""
    return f"judgepanel card {fingerprint_}"


@dataclass(frozen=True)
class Card:
    """A person's public keys, name and role, self-signed."""

    name: str
    role: Role
    age_recipient: str
    minisign_public_key: str
    fingerprint: str
    created: str
    signature: str

    # --- making ---------------------------------------------------------------

    @classmethod
    def from_identity(cls, identity: Identity) -> Card:
        """The card of ``identity``, signed with its own signing key (deterministic)."""
        recipient = identity.recipient.to_string()
        unsigned = {
            "format": CARD_FORMAT,
            "version": CARD_VERSION,
            "name": identity.name,
            "role": identity.role,
            "age_recipient": recipient,
            "minisign_public_key": identity.public_key.base64,
            "fingerprint": identity.fingerprint,
            "created": identity.created,
        }
        signature = identity.signing.sign(
            dumps_canonical(unsigned),
            trusted_comment=card_trusted_comment(identity.fingerprint),
            untrusted_comment=f"JudgePanel card of {identity.fingerprint}",
        )
        return cls(
            name=identity.name,
            role=identity.role,
            age_recipient=recipient,
            minisign_public_key=identity.public_key.base64,
            fingerprint=identity.fingerprint,
            created=identity.created,
            signature=signature,
        )

    # --- keys --------------------------------------------------------------------

    @property
    def recipient(self) -> X25519Recipient:
        return X25519Recipient.from_string(self.age_recipient)

    @property
    def public_key(self) -> PublicKey:
        return PublicKey.from_string(self.minisign_public_key)

    # --- JSON ----------------------------------------------------------------------

    def _unsigned(self) -> dict[str, Any]:
        document: dict[str, Any] = {"format": CARD_FORMAT, "version": CARD_VERSION}
        document.update(
            {f.name: getattr(self, f.name) for f in fields(self) if f.name != "signature"}
        )
        return document

    def to_json(self) -> bytes:
        document = self._unsigned()
        document["signature"] = self.signature
        return dumps_canonical(document)

    @classmethod
    def from_json(cls, data: bytes, *, path: str | None = None) -> Card:
        """Read and check a card: format, version, every field, fingerprint, self-signature.

        Raises FileFormatError (not a card / a bad field, named), NewerVersionError,
        or DamagedFileError (the fingerprint or signature does not match: changed).
        """
        document = parse_json(data, what="the card", max_size=MAX_CARD_SIZE)
        not_a_card = "This is not a JudgePanel card (.jpcard) file."
        if not isinstance(document, dict) or document.get("format") != CARD_FORMAT:
            raise FileFormatError(not_a_card, detail="'format' is not 'judgepanel-card'",
                                  path=path)
        version = document.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise FileFormatError(not_a_card, detail="'version' is not a number", path=path)
        if version > CARD_VERSION:
            raise NewerVersionError(
                "This card was made by a newer JudgePanel. Please update JudgePanel "
                "to read it.",
                detail=f"card version {version}, this JudgePanel reads {CARD_VERSION}",
                path=path,
            )
        if version != CARD_VERSION:
            raise FileFormatError(not_a_card, detail=f"card version {version}", path=path)
        try:
            card = cls._check_fields(Fields(document, ""))
        except SchemaError as error:
            raise FileFormatError(
                f"This card cannot be read: the field “{error.field}” {error.reason}. "
                + _ASK_AGAIN,
                detail=str(error),
                path=path,
            ) from None
        card._check_integrity(path)
        return card

    @classmethod
    def _check_fields(cls, f: Fields) -> Card:
        f.literal("format", CARD_FORMAT)
        f.literal("version", CARD_VERSION)
        name = f.req_text("name", empty=False, max_len=MAX_NAME, multiline=False)
        if name != name.strip():
            f.fail("name", "has spaces at the start or end")
        role = f.req_text("role", multiline=False, max_len=16)
        if role not in ROLES:
            f.fail("role", f"must be “judge” or “staff”, not “{role}”")
        recipient = f.req_text("age_recipient", multiline=False, max_len=200)
        try:
            X25519Recipient.from_string(recipient)
        except (JudgePanelError, ValueError) as error:
            f.fail("age_recipient", f"is not an age public key ({error})")
        public = f.req_text("minisign_public_key", multiline=False, max_len=200)
        try:
            if PublicKey.from_string(public).base64 != public:
                f.fail("minisign_public_key", "is not a bare minisign public key line")
        except JudgePanelError as error:
            f.fail("minisign_public_key", f"is not a minisign public key ({error.detail})")
        fp = f.req_text("fingerprint", multiline=False, max_len=64)
        if any(ch not in FINGERPRINT_ALPHABET + "-" for ch in fp):
            f.fail("fingerprint", "is not a JudgePanel fingerprint")
        created = f.timestamp("created")
        signature = f.req_text("signature", max_len=4096)
        f.done()
        assert created is not None
        return cls(name, role, recipient, public, fp, created, signature)  # type: ignore[arg-type]

    def _check_integrity(self, path: str | None) -> None:
        changed = (
            "This card is damaged or was changed after it was made. " + _ASK_AGAIN
        )
        expected = fingerprint(self.age_recipient, self.minisign_public_key)
        if expected != self.fingerprint:
            raise DamagedFileError(
                changed,
                detail=f"the keys give fingerprint {expected}, the card says {self.fingerprint}",
                path=path,
            )
        try:
            comment = self.public_key.verify(dumps_canonical(self._unsigned()), self.signature)
        except JudgePanelError as error:
            raise DamagedFileError(
                changed, detail=f"self-signature: {error.detail or error}", path=path
            ) from None
        if comment != card_trusted_comment(self.fingerprint):
            raise DamagedFileError(
                changed, detail=f"self-signature trusted comment is {comment!r}", path=path
            )


def read_card(path: Path | str) -> Card:
    """Read and fully check a ``.jpcard`` file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CARD_SIZE:
            raise FileFormatError(
                "This file is too large to be a JudgePanel card.",
                detail=f"{size} bytes", path=str(path),
            )
        data = path.read_bytes()
    except OSError as error:
        raise FileFormatError(
            "The card file could not be opened. Check that it exists and that you may read it.",
            detail=str(error), path=str(path),
        ) from None
    return Card.from_json(data, path=str(path))


def write_card(path: Path | str, card: Card) -> None:
    """Write ``card`` atomically (a crash leaves the old file or the new one, never half)."""
    atomic_write(Path(path), card.to_json())


def atomic_write(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write via a temporary file in the same folder, fsync, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
