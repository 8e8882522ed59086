"""age v1 encryption (https://age-encryption.org/v1): the API the rest of JudgePanel uses.

Files we write open with the reference ``age`` tool and vice versa; the strict
parsing rules are checked against the C2SP CCTV vectors. Errors follow
:mod:`judgepanel.errors`:

- :class:`WrongKeyError` - none of the given keys or passphrases opens the file;
- :class:`DamagedFileError` - the header MAC or a payload chunk does not
  authenticate, the file is truncated, reordered, or has data appended;
- :class:`FileFormatError` - not an age file, a malformed header, or a feature we
  do not support (ASCII armor).

Streaming functions may already have written authenticated plaintext to ``dst``
when a later chunk fails; callers write to a temporary place and discard it on
error. :class:`AgeReader` never returns bytes from a chunk that failed.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from judgepanel.crypto.age_header import (
    FILE_KEY_SIZE,
    Header,
    encode_header,
    read_header,
    verify_mac,
)
from judgepanel.crypto.age_keys import (
    Identity,
    Recipient,
    ScryptIdentity,
    ScryptRecipient,
)
from judgepanel.crypto.age_stream import (
    NONCE_SIZE,
    PayloadReader,
    StreamWriter,
    damaged,
    decrypt_stream,
    payload_key,
    read_full,
    write_all,
)
from judgepanel.errors import JudgePanelError, WrongKeyError
from judgepanel.progress import Progress

_IO_BLOCK = 1024 * 1024
_LABEL_ENCRYPT = "Encrypting"


def _check_recipients(recipients: Sequence[Recipient]) -> list[Recipient]:
    recipients = list(recipients)
    if not recipients:
        raise ValueError("encrypting needs at least one recipient")
    if len(recipients) > 1 and any(isinstance(r, ScryptRecipient) for r in recipients):
        raise ValueError("a passphrase must be the only recipient of a file")
    return recipients


def unwrap_file_key(header: Header, identities: Sequence[Identity]) -> bytes:
    """Find the file key with the first identity that opens a stanza, and check the MAC."""
    for identity in identities:
        file_key = identity.unwrap(header.stanzas)
        if file_key is not None:
            verify_mac(header, file_key)
            return file_key
    passphrase_file = any(s.type == "scrypt" for s in header.stanzas)
    types = ", ".join(sorted({s.type for s in header.stanzas}))
    if passphrase_file and any(isinstance(i, ScryptIdentity) for i in identities):
        raise WrongKeyError(
            "Wrong passphrase. Check it (and Caps Lock) and try again.",
            detail="no scrypt stanza opened with the passphrase",
        )
    if passphrase_file:
        raise WrongKeyError(
            "This file is protected with a passphrase. Enter its passphrase to open it.",
            detail="scrypt file, no passphrase given",
        )
    raise WrongKeyError(
        "None of your keys can open this file: it was made for someone else. "
        "Ask the sender for a copy made for you.",
        detail=f"no identity matched; stanza types: {types}",
    )


def _read_nonce(src: BinaryIO, head: bytes) -> tuple[bytes, bytes]:
    if len(head) < NONCE_SIZE:
        head += read_full(src, NONCE_SIZE - len(head))
    if len(head) < NONCE_SIZE:
        raise damaged("the file ends right after its header")
    return head[:NONCE_SIZE], head[NONCE_SIZE:]


def _remaining_size(src: BinaryIO) -> int:
    """Bytes left in ``src`` if it can tell, else 0 (unknown) for progress reports."""
    try:
        if not src.seekable():
            return 0
        here = src.tell()
        end = src.seek(0, io.SEEK_END)
        src.seek(here)
        return max(end - here, 0)
    except (AttributeError, OSError, ValueError):
        return 0


class AgeWriter:
    """Encrypts a stream to ``recipients``, in constant memory.

    ``close()`` seals the final chunk; it does not close ``dst``. Leaving the
    ``with`` block by an exception skips the final chunk, so an aborted file is
    refused as truncated instead of passing for a complete one.
    """

    def __init__(self, dst: BinaryIO, recipients: Sequence[Recipient]) -> None:
        checked = _check_recipients(recipients)
        file_key = os.urandom(FILE_KEY_SIZE)
        stanzas = [stanza for r in checked for stanza in r.wrap(file_key)]
        nonce = os.urandom(NONCE_SIZE)
        write_all(dst, encode_header(stanzas, file_key) + nonce)
        self._stream = StreamWriter(dst, payload_key(file_key, nonce))
        self._aborted = False

    @property
    def closed(self) -> bool:
        return self._stream.finished or self._aborted

    def write(self, data: Any) -> int:
        if self._aborted:
            raise ValueError("write to an aborted age file")
        return self._stream.write(data)

    def close(self) -> None:
        if not self._aborted:
            self._stream.finish()

    def __enter__(self) -> AgeWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._aborted = True


def encrypt(
    src: BinaryIO, dst: BinaryIO, recipients: Sequence[Recipient], *,
    progress: Progress | None = None,
) -> None:
    """Encrypt all of ``src`` into ``dst`` (streaming, about 1 MiB of memory)."""
    total = _remaining_size(src)
    done = 0
    with AgeWriter(dst, recipients) as writer:
        while True:
            block = src.read(_IO_BLOCK)
            if not block:
                break
            writer.write(block)
            done += len(block)
            if progress is not None:
                progress(done, total, _LABEL_ENCRYPT)
    if progress is not None:
        progress(done, total or done, _LABEL_ENCRYPT)


def encrypt_bytes(data: bytes, recipients: Sequence[Recipient]) -> bytes:
    out = io.BytesIO()
    with AgeWriter(out, recipients) as writer:
        writer.write(data)
    return out.getvalue()


def decrypt(
    src: BinaryIO, dst: BinaryIO, identities: Sequence[Identity], *,
    progress: Progress | None = None,
) -> None:
    """Decrypt ``src`` into ``dst`` front to back; ``src`` need not be seekable."""
    total = _remaining_size(src)
    header, head = read_header(src)
    file_key = unwrap_file_key(header, identities)
    nonce, head = _read_nonce(src, head)
    decrypt_stream(
        src, dst, payload_key(file_key, nonce), head, progress=progress,
        total=max(total - header.size - NONCE_SIZE, 0),
    )


def decrypt_bytes(data: bytes, identities: Sequence[Identity]) -> bytes:
    out = io.BytesIO()
    decrypt(io.BytesIO(data), out, identities)
    return out.getvalue()


class AgeReader(PayloadReader):
    """A seekable, read-only plaintext view of a seekable age file.

    Opening reads and checks the header, unwraps the file key and authenticates
    the final chunk (so ``size`` is known and a truncated file fails at once);
    reads then decrypt only the chunks they cover. ``zipfile.ZipFile(reader)``
    works. ``src`` stays the caller's unless ``close_source`` is true.
    """

    def __init__(
        self, src: BinaryIO, identities: Sequence[Identity], *, close_source: bool = False
    ) -> None:
        self._close_source = False  # set first: close() runs even if opening fails
        base = src.tell()
        header, _ = read_header(src)
        file_key = unwrap_file_key(header, identities)
        src.seek(base + header.size)
        nonce, _ = _read_nonce(src, b"")
        super().__init__(src, payload_key(file_key, nonce), base + header.size + NONCE_SIZE)
        self._close_source = close_source

    def close(self) -> None:
        if not self.closed and self._close_source:
            self._src.close()
        super().close()

    def __enter__(self) -> AgeReader:
        return self


def open_file(path: str | os.PathLike[str], identities: Sequence[Identity]) -> AgeReader:
    """Open the age file at ``path`` as an :class:`AgeReader` that owns the file.

    Errors carry ``path`` so the message names the file.
    """
    handle = open(path, "rb")  # noqa: SIM115 - the reader owns and closes it
    try:
        return AgeReader(handle, identities, close_source=True)
    except JudgePanelError as exc:
        handle.close()
        exc.path = str(Path(path))
        raise
    except BaseException:
        handle.close()
        raise
