"""Content-addressed attachment store beside the workspace database.

Why content addressing: the same PDF sent twice (or shared by two
applications) is stored once, a file's name in the store is its SHA-256 so
damage is detectable, and a failed import can never leave a half-written file
that a row points at — a file appears under its final name only complete
(written to a temporary file, flushed to disk, then renamed).

Layout: ``<root>/ab/cdef…`` where ``ab`` are the first two hex digits.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from judgepanel.errors import DamagedFileError, JudgePanelError
from judgepanel.progress import Progress, no_progress

CHUNK = 1 << 20
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


def _check_digest(sha256: str) -> str:
    if len(sha256) != 64 or not set(sha256) <= _HEX:
        raise ValueError(f"not a lowercase SHA-256 hex digest: {sha256!r}")
    return sha256


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX only; Windows has no directory fsync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AttachmentStore:
    """Files kept by SHA-256 under ``root``; every write is atomic and idempotent."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        digest = _check_digest(sha256)
        return self.root / digest[:2] / digest[2:]

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_bytes(self, data: bytes) -> StoredFile:
        return self._put(iter((data,)))

    def put_file(self, source: Path, progress: Progress = no_progress) -> StoredFile:
        """Copy ``source`` into the store, hashing as it streams (no full read into memory)."""
        source = Path(source)
        try:
            total = source.stat().st_size
            with source.open("rb") as handle:
                return self._put(_chunks(handle, total, progress, source.name))
        except OSError as exc:
            raise JudgePanelError(
                "The attachment could not be read. Check that the file exists and is not open "
                "in another program.",
                detail=repr(exc),
                path=str(source),
            ) from exc

    def _put(self, chunks: Iterable[bytes]) -> StoredFile:
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self.path_for(sha256)
            if final.is_file() and final.stat().st_size == size:
                temp.unlink()
            else:
                final.parent.mkdir(exist_ok=True)
                os.replace(temp, final)
                _fsync_dir(final.parent)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
        return StoredFile(sha256, size)

    def open(self, sha256: str) -> BinaryIO:
        """The stored file for reading; the caller closes it. Use :meth:`read` to verify."""
        try:
            return self.path_for(sha256).open("rb")
        except FileNotFoundError as exc:
            raise DamagedFileError(
                "An attachment is missing from the workspace's attachments folder. "
                "Restore the folder from a backup or import the application again.",
                detail=f"missing blob {sha256}",
                path=str(self.path_for(sha256)),
            ) from exc

    def read(self, sha256: str) -> bytes:
        """The file's bytes, checked against its digest."""
        with self.open(sha256) as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise DamagedFileError(
                "An attachment in the workspace is damaged (its contents changed). "
                "Restore it from a backup or import the application again.",
                detail=f"blob {sha256} does not match its digest",
                path=str(self.path_for(sha256)),
            )
        return data

    def verify(self, sha256: str) -> bool:
        """Whether the stored file exists and still matches its digest."""
        try:
            with self.open(sha256) as handle:
                digest = hashlib.sha256()
                for chunk in iter(lambda: handle.read(CHUNK), b""):
                    digest.update(chunk)
        except DamagedFileError:
            return False
        return digest.hexdigest() == sha256

    def digests(self) -> Iterator[str]:
        """Every digest present in the store."""
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if shard.is_dir() and len(shard.name) == 2:
                for blob in sorted(shard.iterdir()):
                    name = shard.name + blob.name
                    if len(name) == 64 and set(name) <= _HEX:
                        yield name

    def remove_unused(self, used: set[str]) -> int:
        """Delete blobs no row refers to (e.g. after a refused import); returns the count."""
        removed = 0
        for sha256 in list(self.digests()):
            if sha256 not in used:
                self.path_for(sha256).unlink()
                removed += 1
        return removed


def _chunks(handle: BinaryIO, total: int, progress: Progress, label: str) -> Iterator[bytes]:
    done = 0
    while chunk := handle.read(CHUNK):
        done += len(chunk)
        progress(done, total, label)
        yield chunk
