"""Identity files: a person's secret keys kept in a file, protected by a passphrase.

Where no keyring works, an identity lives in ``<fingerprint>.identity.age``; a person
moving to another computer exports one as a backup. Either is an age file encrypted
with a passphrase (scrypt), which ``age -d`` also opens, holding the identity's secret
text (``Identity.secret_text``). Secrets never reach the disk in plain text, with one
exception: the demo writes plain ``.identity`` files for made-up people, each marked as
a demo key in its ``#`` comment lines (docs/demo.md). This module reads both kinds for
the apps and the command line (``--identity-file``), and writes the protected kind.
"""

from __future__ import annotations

from pathlib import Path

from judgepanel.crypto.age import decrypt_bytes, encrypt_bytes
from judgepanel.crypto.age_keys import ScryptIdentity, ScryptRecipient
from judgepanel.crypto.identity import Identity
from judgepanel.errors import IdentityError, ValidationError, WrongKeyError
from judgepanel.formats.card import atomic_write

AGE_INTRO = b"age-encryption.org/v1\n"
MAX_IDENTITY_FILE = 64 * 1024
DEFAULT_WORK_FACTOR = 18
MAX_WORK_FACTOR = 22
"""The most scrypt work a file may ask of us (age's default is 18): more is refused
before any work, so a hostile file cannot keep the app busy for minutes."""


def write_identity_file(path: Path, identity: Identity, passphrase: str, *,
                        work_factor: int = DEFAULT_WORK_FACTOR) -> None:
    """Write ``identity`` to ``path``, encrypted with ``passphrase`` (owner-only file mode)."""
    if not passphrase:
        raise ValidationError("Please choose a passphrase.", path="passphrase")
    data = encrypt_bytes(identity.secret_text().encode("utf-8"),
                         [ScryptRecipient(passphrase, work_factor=work_factor)])
    atomic_write(Path(path), data, mode=0o600)


def unlock_identity(data: bytes, passphrase: str, path: Path) -> Identity:
    """The identity inside a passphrase-protected identity file's bytes."""
    if len(data) > MAX_IDENTITY_FILE:
        raise IdentityError("This is not a JudgePanel identity file.",
                            detail=f"{len(data)} bytes", path=str(path))
    try:
        plain = decrypt_bytes(data, [ScryptIdentity(passphrase, max_work_factor=MAX_WORK_FACTOR)])
    except WrongKeyError as error:
        raise WrongKeyError(
            "Wrong passphrase. Check for typing mistakes (and Caps Lock) and try again.",
            detail=error.detail or str(error), path=str(path)) from None
    return _identity(plain, path, comments=False)


def read_identity_file(path: Path, *, passphrase: str | None = None) -> Identity:
    """The identity in ``path``: a passphrase-protected file, or a demo identity file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise IdentityError("The identity file could not be read. Check the path.",
                            detail=str(error), path=str(path)) from None
    if data.startswith(AGE_INTRO):
        if passphrase is None:
            raise IdentityError(
                "This identity file is protected by a passphrase. Give it with "
                "--passphrase-file PATH.", path=str(path))
        return unlock_identity(data, passphrase, path)
    if len(data) > MAX_IDENTITY_FILE:
        raise IdentityError("This is not a JudgePanel identity file.",
                            detail=f"{len(data)} bytes", path=str(path))
    return _identity(data, path, comments=True)


def _identity(data: bytes, path: Path, *, comments: bool) -> Identity:
    """Secret text (after ``#`` comment lines, in a demo file) as an identity."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise IdentityError("This is not a JudgePanel identity file.",
                            detail="not UTF-8 text", path=str(path)) from None
    if comments:
        text = "\n".join(line for line in text.splitlines()
                         if not line.lstrip().startswith("#"))
    try:
        return Identity.from_secret_text(text.strip())
    except IdentityError as error:
        error.path = str(path)
        raise
