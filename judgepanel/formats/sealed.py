"""Plumbing shared by bundles and results: an age-encrypted, stored-only ZIP.

Both containers are "a strict ZIP inside age"; this module opens one for reading
(decrypting lazily through a seekable AgeReader) and writes one atomically: into a
temporary file beside the destination that is renamed over it only once complete,
so a crash, a full disk or a cancelled build never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from judgepanel.crypto.age import AgeReader
from judgepanel.crypto.age_keys import ScryptIdentity, X25519Identity
from judgepanel.crypto.identity import Identity as PersonIdentity
from judgepanel.errors import FileFormatError, JudgePanelError, WrongKeyError
from judgepanel.formats.zipsafe import StrictZipReader

AgeIdentity = X25519Identity | ScryptIdentity
AnyIdentity = AgeIdentity | PersonIdentity
"""Readers accept a person's Identity (its age key is used) or a bare age identity."""


def age_identities(identities: Sequence[AnyIdentity]) -> list[AgeIdentity]:
    result: list[AgeIdentity] = []
    for identity in identities:
        result.append(identity.age if isinstance(identity, PersonIdentity) else identity)
    return result


def name_file(error: JudgePanelError, source: Path | bytes) -> JudgePanelError:
    """Attach the file's path to an error that does not name one yet."""
    if error.path is None and isinstance(source, Path):
        error.path = str(source)
    return error


def cannot_write(dst: Path, what: str, error: OSError) -> JudgePanelError:
    return JudgePanelError(
        f"The {what} could not be saved: {error.strerror or error}. Check that the folder "
        "exists, that you may write there and that the disk is not full.",
        detail=repr(error), path=str(dst),
    )


def cannot_read(source: Path, what: str, error: OSError) -> FileFormatError:
    return FileFormatError(
        f"The {what} could not be opened: {error.strerror or error}. Check that the file "
        "exists and that you may read it.",
        detail=repr(error), path=str(source),
    )


class SealedZip:
    """An open container: the ciphertext file, its plaintext view, and the ZIP over it.

    :meth:`open` does both steps; ``judgepanel verify`` calls :meth:`decrypt` and
    :meth:`parse_zip` separately to report each check on its own line.
    """

    def __init__(self, source: Path | bytes, handle: BinaryIO, plain: AgeReader) -> None:
        self.source = source
        self._file = handle
        self.plain = plain
        self._zip: StrictZipReader | None = None

    @classmethod
    def decrypt(cls, source: Path | bytes, identities: Sequence[AnyIdentity], *,
                what: str, wrong_key_message: str) -> SealedZip:
        """Open the file and unwrap its key (age header, final chunk); no ZIP parsing yet."""
        handle: BinaryIO
        if isinstance(source, bytes):
            handle = io.BytesIO(source)
        else:
            try:
                handle = open(source, "rb")  # noqa: SIM115 - closed by close()
            except OSError as error:
                raise cannot_read(source, what, error) from None
        try:
            ids = age_identities(identities)
            if not ids:
                raise WrongKeyError(wrong_key_message, detail="no identity was given")
            try:
                plain = AgeReader(handle, ids)
            except WrongKeyError as error:
                if any(isinstance(i, ScryptIdentity) for i in ids):
                    raise  # the age layer's "Wrong passphrase" says it best
                raise WrongKeyError(wrong_key_message, detail=error.detail or str(error)) from None
            except FileFormatError as error:
                raise FileFormatError(
                    f"This file is not a JudgePanel {what}, or it is damaged.",
                    detail=f"{error.message} {error.detail}".strip(),
                ) from None
        except JudgePanelError as error:
            handle.close()
            raise name_file(error, source) from None
        except BaseException:
            handle.close()
            raise
        return cls(source, handle, plain)

    def parse_zip(self) -> StrictZipReader:
        """Read and check the ZIP's directory (closes everything if it is refused)."""
        if self._zip is None:
            try:
                self._zip = StrictZipReader(self.plain)
            except JudgePanelError as error:
                self.close()
                raise name_file(error, self.source) from None
            except BaseException:
                self.close()
                raise
        return self._zip

    @classmethod
    def open(cls, source: Path | bytes, identities: Sequence[AnyIdentity], *,
             what: str, wrong_key_message: str) -> SealedZip:
        sealed = cls.decrypt(source, identities, what=what, wrong_key_message=wrong_key_message)
        sealed.parse_zip()
        return sealed

    @property
    def zip(self) -> StrictZipReader:
        return self.parse_zip()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.plain.close()
        self._file.close()

    def __enter__(self) -> SealedZip:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@contextlib.contextmanager
def atomic_output(dst: Path) -> Iterator[BinaryIO]:
    """A file object whose contents appear at ``dst`` only if the block succeeds."""
    dst = Path(dst)
    fd, temp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".part", dir=dst.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, dst)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
