"""Where a person's own identities live: secrets in the OS keyring, cards in a folder.

The secret of an identity (its JSON, see ``Identity.secret_text``) goes to the OS
keyring (service ``judgepanel``, user name = fingerprint). When no keyring works
(a headless Linux box, a locked-down laptop) or the person asks for it, the
secret goes to ``<folder>/<fingerprint>.identity.age`` instead: an age file
encrypted with a passphrase (scrypt), which ``age -d`` can also open. The
public card ``<fingerprint>.jpcard`` is always written next to it and serves as
the index of identities. Secrets never reach the disk in plain text.

This module sits in ``formats`` (not ``crypto``) because it reads and writes
cards, a file format; ``crypto`` must not depend on ``formats``.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Literal

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from judgepanel.crypto.identity import Identity, Role, check_role, normalize_fingerprint
from judgepanel.errors import (
    IdentityError,
    KeyringUnavailableError,
)
from judgepanel.formats.card import CARD_SUFFIX, Card, read_card, write_card
from judgepanel.formats.identity_file import (
    DEFAULT_WORK_FACTOR,
    unlock_identity,
    write_identity_file,
)
from judgepanel.paths import data_home

log = logging.getLogger(__name__)

SERVICE = "judgepanel"
SECRET_SUFFIX = ".identity.age"


class PassphraseNeededError(IdentityError):
    """The identity is kept in a passphrase-protected file: ask for the passphrase."""


def default_folder() -> Path:
    return data_home() / "identities"


class IdentityStore:
    """The identities of the person using this computer (usually one per role)."""

    def __init__(
        self,
        folder: Path | None = None,
        backend: KeyringBackend | None = None,
        *,
        work_factor: int | None = None,
    ) -> None:
        """``folder`` defaults to ``data_home()/"identities"``; ``backend`` to the
        keyring package's choice. ``work_factor`` is scrypt's log2(N) for new
        passphrase files, :data:`DEFAULT_WORK_FACTOR` when None (tests use a small one)."""
        self.folder = folder if folder is not None else default_folder()
        self._backend = backend if backend is not None else keyring.get_keyring()
        self._work_factor = work_factor if work_factor is not None else DEFAULT_WORK_FACTOR
        self._usable: bool | None = None

    # --- the keyring ----------------------------------------------------------

    @property
    def backend_name(self) -> str:
        backend = self._backend
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def keyring_usable(self) -> bool:
        """Whether secrets can be kept in the OS keyring: a real backend that
        accepts, returns and deletes a probe entry. Asked once per store."""
        if self._usable is None:
            self._usable = self._probe()
        return self._usable

    def _probe(self) -> bool:
        if isinstance(self._backend, fail.Keyring | null.Keyring):
            return False
        user = f"probe-{secrets.token_hex(8)}"
        value = secrets.token_hex(8)
        try:
            self._backend.set_password(SERVICE, user, value)
            works = self._backend.get_password(SERVICE, user) == value
            self._backend.delete_password(SERVICE, user)
        except Exception as error:  # any backend failure means "not usable"
            log.info("keyring %s is not usable: %s", self.backend_name, error)
            return False
        return works

    def _keyring_get(self, fingerprint: str) -> str | None:
        if isinstance(self._usable, bool) and not self._usable:
            return None
        try:
            return self._backend.get_password(SERVICE, fingerprint)
        except Exception as error:
            log.info("keyring %s lookup failed: %s", self.backend_name, error)
            return None

    # --- paths ----------------------------------------------------------------------

    def card_path(self, fingerprint: str) -> Path:
        return self.folder / f"{normalize_fingerprint(fingerprint)}{CARD_SUFFIX}"

    def secret_path(self, fingerprint: str) -> Path:
        return self.folder / f"{normalize_fingerprint(fingerprint)}{SECRET_SUFFIX}"

    # --- creating and saving ----------------------------------------------------------

    def create(self, name: str, role: str, *, passphrase: str | None = None) -> Identity:
        """Make a new identity and store it; see :meth:`save` for where."""
        identity = Identity.generate(name, role)
        self.save(identity, passphrase=passphrase)
        return identity

    def save(self, identity: Identity, *, passphrase: str | None = None) -> Path:
        """Store ``identity``'s secret and write its card; return the card's path.

        Without a passphrase the secret goes to the keyring, and when no keyring
        works this raises KeyringUnavailableError (nothing is written). With a
        passphrase it goes to a passphrase-protected file only, not the keyring.
        """
        fingerprint = identity.fingerprint
        if passphrase is not None:
            self._write_secret_file(self.secret_path(fingerprint), identity, passphrase)
        else:
            self._keyring_set(identity)
        path = self.card_path(fingerprint)
        write_card(path, Card.from_identity(identity))
        return path

    def _keyring_set(self, identity: Identity) -> None:
        why = (
            "This computer has no working password store (keyring) where JudgePanel "
            "could keep your keys safe. Choose a passphrase instead: your keys will "
            "be kept in a file that only this passphrase opens."
        )
        if not self.keyring_usable():
            raise KeyringUnavailableError(why, detail=f"keyring backend {self.backend_name}")
        try:
            self._backend.set_password(SERVICE, identity.fingerprint, identity.secret_text())
        except Exception as error:
            raise KeyringUnavailableError(
                why, detail=f"{self.backend_name}: {type(error).__name__}: {error}"
            ) from None

    def _write_secret_file(self, path: Path, identity: Identity, passphrase: str) -> None:
        write_identity_file(path, identity, passphrase, work_factor=self._work_factor)

    # --- listing ----------------------------------------------------------------------

    def list(self) -> list[Card]:
        """The cards of the stored identities, oldest first. Unreadable cards are skipped."""
        if not self.folder.is_dir():
            return []
        cards = []
        for path in sorted(self.folder.glob(f"*{CARD_SUFFIX}")):
            try:
                card = read_card(path)
            except Exception as error:
                log.warning("skipping unreadable identity card %s: %s", path, error)
                continue
            if path.name != f"{card.fingerprint}{CARD_SUFFIX}":
                log.warning("skipping %s: it holds the card of %s", path, card.fingerprint)
                continue
            cards.append(card)
        return sorted(cards, key=lambda c: (c.created, c.name, c.fingerprint))

    def default(self, role: Role | str) -> Card | None:
        """The identity to use for ``role`` when the person has not chosen one:
        the only one, or the most recently created."""
        role = check_role(role)
        matching = [card for card in self.list() if card.role == role]
        return matching[-1] if matching else None

    def card(self, fingerprint: str) -> Card:
        path = self.card_path(fingerprint)
        if not path.is_file():
            raise self._missing(fingerprint)
        return read_card(path)

    # --- loading ------------------------------------------------------------------------

    def secret_location(self, fingerprint: str) -> Literal["keyring", "file"] | None:
        """Where the secret is kept: the keyring, a passphrase file, or (None) nowhere here."""
        fingerprint = normalize_fingerprint(fingerprint)
        if self._keyring_get(fingerprint) is not None:
            return "keyring"
        return "file" if self.secret_path(fingerprint).is_file() else None

    def needs_passphrase(self, fingerprint: str) -> bool:
        """Whether :meth:`load` will need a passphrase (the secret is not in the keyring)."""
        return self.secret_location(fingerprint) == "file"

    def load(self, fingerprint: str, *, passphrase: str | None = None) -> Identity:
        """The identity with this fingerprint, from the keyring or the passphrase file.

        Raises PassphraseNeededError (an IdentityError) when only the file has it
        and no passphrase was given, WrongKeyError for a wrong passphrase, and
        IdentityError when this computer does not hold the identity.
        """
        fingerprint = normalize_fingerprint(fingerprint)
        path = self.secret_path(fingerprint)
        if passphrase is not None and path.is_file():
            return self._check(fingerprint, self._read_secret_file(path, passphrase))
        text = self._keyring_get(fingerprint)
        if text is not None:
            return self._check(fingerprint, Identity.from_secret_text(text))
        if path.is_file():
            raise PassphraseNeededError(
                "This identity is protected by a passphrase. Enter the passphrase to unlock it.",
                detail=str(path),
            )
        raise self._missing(fingerprint)

    @staticmethod
    def _read_secret_file(path: Path, passphrase: str) -> Identity:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise IdentityError(
                "Your identity file could not be opened.", detail=str(error), path=str(path)
            ) from None
        return unlock_identity(data, passphrase, path)

    @staticmethod
    def _check(fingerprint: str, identity: Identity) -> Identity:
        if identity.fingerprint != fingerprint:
            raise IdentityError(
                "The stored identity does not match the one asked for. It may have been "
                "replaced; create a new identity if this persists.",
                detail=f"asked for {fingerprint}, found {identity.fingerprint}",
            )
        return identity

    @staticmethod
    def _missing(fingerprint: str) -> IdentityError:
        return IdentityError(
            f"There is no identity {fingerprint} on this computer. Create one, or restore "
            "your identity file.",
            detail=f"no keyring entry, card or {SECRET_SUFFIX} file",
        )

    # --- backups and moving to another computer ------------------------------------------

    def export_identity_file(
        self, fingerprint: str, path: Path, *, passphrase: str,
        current_passphrase: str | None = None,
    ) -> None:
        """Write a passphrase-protected copy of the identity (a backup) to ``path``."""
        identity = self.load(fingerprint, passphrase=current_passphrase)
        self._write_secret_file(Path(path), identity, passphrase)

    def import_identity_file(self, path: Path, *, passphrase: str) -> Identity:
        """Restore an exported identity file: into the keyring when one works,
        otherwise into a file protected by the same passphrase."""
        identity = self._read_secret_file(Path(path), passphrase)
        self.save(identity, passphrase=None if self.keyring_usable() else passphrase)
        return identity
