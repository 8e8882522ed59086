"""Bringing in an identity made elsewhere: an exported backup or a demo identity file.

Why apart from the dialog: these are the plain steps (is it passphrase-protected?
read it, check it is a judge's, keep it in the store) that run on the task
runner; the dialog only asks for the file and the passphrase.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from judgepanel.crypto.identity import Identity
from judgepanel.errors import IdentityError
from judgepanel.formats.identity_file import read_identity_file
from judgepanel.formats.keystore import IdentityStore

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

AGE_INTRO = b"age-encryption.org/v1\n"


def ask_identity_path(parent: QWidget, folder: str) -> str:
    path, _ = QFileDialog.getOpenFileName(
        parent, parent.tr("Choose your identity file"), folder,
        parent.tr("JudgePanel identities (*.identity *.identity.age *.age);;All files (*)"))
    return path


def is_passphrase_file(path: Path) -> bool:
    """An exported identity is an age file with a passphrase; a demo one is plain text."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(AGE_INTRO)) == AGE_INTRO
    except OSError:
        return False  # reading it again reports the problem in plain words


def import_identity(store: IdentityStore, path: Path, passphrase: str | None,
                    protect_with: str | None) -> Identity:
    """Read a judge's identity file and keep it in ``store``.

    ``passphrase`` opens a passphrase-protected export. The secret goes to the
    keyring when one works, otherwise into a file protected by ``protect_with``
    (or, for an export, by the passphrase it already had).
    """
    identity = read_identity_file(path, passphrase=passphrase)
    if identity.role != "judge":
        raise IdentityError(
            f"This identity file belongs to {identity.name} of the program staff, not to a "
            "judge. Choose your own judge identity file.",
            detail=f"role {identity.role}", path=str(path))
    if store.keyring_usable():
        store.save(identity)
    else:
        store.save(identity, passphrase=protect_with or passphrase)
    return identity
