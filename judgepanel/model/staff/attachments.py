"""The content-addressed attachment store: one interface, a folder or the shared database.

Why content addressing: the same PDF sent twice (or shared by two applications) is
stored once, a file's key is its SHA-256 so damage is detectable, and a failed import
can never leave a half-written file that a row points at.

Two homes, one interface (:class:`AttachmentStore`):

- :class:`FolderStore`, beside an SQLite workspace: ``<root>/ab/cdef…`` where ``ab``
  are the first two hex digits. A file appears under its final name only complete
  (written to a temporary file, flushed to disk, then renamed), outside the database
  transaction; a file copied for an import that is then rolled back is unused and
  harmless (``remove_unused`` clears it).
- :class:`DatabaseStore`, in a program shared on a server: the file's bytes as rows of
  ``attachment_chunks`` (SHA-256, position, at most 1 MiB of data), written inside the
  caller's transaction, so an import that is refused or rolled back leaves nothing
  behind and every officer sees the same files. A file is streamed in and out one chunk
  at a time, never held whole in memory: it is written under a temporary key while its
  digest is computed, then renamed to the digest, or dropped when another transaction
  already stored the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Connection, Engine, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from judgepanel.errors import DamagedFileError, JudgePanelError
from judgepanel.model.staff.schema.program import Attachment, AttachmentChunk
from judgepanel.progress import Progress, no_progress

CHUNK = 1 << 20
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


def check_digest(sha256: str) -> str:
    """``sha256`` if it is a lowercase SHA-256 hex digest (a store key), else ValueError."""
    if len(sha256) != 64 or not set(sha256) <= _HEX:
        raise ValueError(f"not a lowercase SHA-256 hex digest: {sha256!r}")
    return sha256


def _chunks(handle: BinaryIO, total: int, progress: Progress, label: str) -> Iterator[bytes]:
    done = 0
    while chunk := handle.read(CHUNK):
        done += len(chunk)
        progress(done, total, label)
        yield chunk


class AttachmentStore(ABC):
    """Files kept by SHA-256; every write is atomic and idempotent.

    Writes take the caller's ``session`` so a store that lives in the database writes
    in its transaction; the folder store does not need it.
    """

    where = "the workspace's attachments"  # for messages: where the files live

    @abstractmethod
    def put_chunks(self, chunks: Iterable[bytes], *,
                   session: Session | None = None) -> StoredFile:
        """Store the bytes ``chunks`` yield, hashing as they stream."""

    @abstractmethod
    def open(self, sha256: str) -> BinaryIO:
        """The stored file for reading, streamed; the caller closes it."""

    @abstractmethod
    def has(self, sha256: str) -> bool:
        """Whether a file with this digest is stored."""

    @abstractmethod
    def digests(self) -> Iterator[str]:
        """Every digest present in the store."""

    @abstractmethod
    def remove_unused(self, used: set[str]) -> int:
        """Delete files no row refers to; returns the count."""

    def put_bytes(self, data: bytes, *, session: Session | None = None) -> StoredFile:
        return self.put_chunks(iter((data,)), session=session)

    def put_file(self, source: Path, progress: Progress = no_progress, *,
                 session: Session | None = None) -> StoredFile:
        """Copy ``source`` into the store, hashing as it streams (no full read into memory)."""
        source = Path(source)
        try:
            total = source.stat().st_size
            with source.open("rb") as handle:
                return self.put_chunks(_chunks(handle, total, progress, source.name),
                                       session=session)
        except OSError as exc:
            raise JudgePanelError(
                "The attachment could not be read. Check that the file exists and is not open "
                "in another program.",
                detail=repr(exc),
                path=str(source),
            ) from exc

    def opener(self, sha256: str) -> Callable[[], BinaryIO]:
        """A function that opens the stored file each time it is called (bundles read twice)."""
        check_digest(sha256)
        return lambda: self.open(sha256)

    def missing(self, sha256: str) -> DamagedFileError:
        return DamagedFileError(
            f"An attachment is missing from {self.where}. Restore it from a backup or "
            "import the application again.", detail=f"missing blob {sha256}")

    def read(self, sha256: str) -> bytes:
        """The file's bytes, checked against its digest (for small files: it is held whole)."""
        with self.open(sha256) as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise DamagedFileError(
                f"An attachment in {self.where} is damaged (its contents changed). "
                "Restore it from a backup or import the application again.",
                detail=f"blob {sha256} does not match its digest")
        return data

    def verify(self, sha256: str) -> bool:
        """Whether the stored file exists and still matches its digest (read in chunks)."""
        try:
            with self.open(sha256) as handle:
                digest = hashlib.sha256()
                for chunk in iter(lambda: handle.read(CHUNK), b""):
                    digest.update(chunk)
        except DamagedFileError:
            return False
        return digest.hexdigest() == sha256


# --- a folder beside an SQLite workspace ---------------------------------------------


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX only; Windows has no directory fsync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FolderStore(AttachmentStore):
    """Files kept by SHA-256 under ``root``."""

    where = "the workspace's attachments folder"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        digest = check_digest(sha256)
        return self.root / digest[:2] / digest[2:]

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_chunks(self, chunks: Iterable[bytes], *,
                   session: Session | None = None) -> StoredFile:
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
        try:
            return self.path_for(sha256).open("rb")
        except FileNotFoundError as exc:
            error = self.missing(sha256)
            error.path = str(self.path_for(sha256))
            raise error from exc

    def digests(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if shard.is_dir() and len(shard.name) == 2:
                for blob in sorted(shard.iterdir()):
                    name = shard.name + blob.name
                    if len(name) == 64 and set(name) <= _HEX:
                        yield name

    def remove_unused(self, used: set[str]) -> int:
        removed = 0
        for sha256 in list(self.digests()):
            if sha256 not in used:
                self.path_for(sha256).unlink()
                removed += 1
        return removed


# --- rows in the shared database ----------------------------------------------------------


def _even(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The same bytes in pieces of exactly CHUNK (the last one shorter)."""
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        while len(pending) >= CHUNK:
            yield bytes(pending[:CHUNK])
            del pending[:CHUNK]
    if pending:
        yield bytes(pending)


class _ChunkReader(io.RawIOBase):
    """A stored file read one chunk (one short query) at a time."""

    def __init__(self, store: DatabaseStore, sha256: str, first: bytes) -> None:
        self._store, self._sha256 = store, sha256
        self._position = 1  # the next chunk to fetch
        self._buffer = first
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer and not self._ended:
            data = self._store.chunk(self._sha256, self._position)
            if data is None:
                self._ended = True
            else:
                self._buffer = data
                self._position += 1
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


class DatabaseStore(AttachmentStore):
    """Files kept by SHA-256 as rows of ``attachment_chunks`` in the workspace database."""

    where = "the shared program's database"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put_chunks(self, chunks: Iterable[bytes], *,
                   session: Session | None = None) -> StoredFile:
        if session is not None:  # Core statements on its connection: no autoflush
            return self._put(session.connection(), chunks)
        with self.engine.begin() as connection:
            return self._put(connection, chunks)

    def _put(self, connection: Connection, chunks: Iterable[bytes]) -> StoredFile:
        temporary = f"tmp-{uuid.uuid4().hex}"
        digest = hashlib.sha256()
        size = position = 0
        for chunk in _even(chunks):
            digest.update(chunk)
            size += len(chunk)
            connection.execute(insert(AttachmentChunk).values(
                sha256=temporary, position=position, data=chunk))
            position += 1
        if position == 0:  # an empty file still has its first chunk: it marks the file
            connection.execute(insert(AttachmentChunk).values(
                sha256=temporary, position=0, data=b""))
        sha256 = digest.hexdigest()
        drop = delete(AttachmentChunk).where(AttachmentChunk.sha256 == temporary)
        if self._stored(connection, sha256):
            connection.execute(drop)
            return StoredFile(sha256, size)
        claim = (update(AttachmentChunk).where(AttachmentChunk.sha256 == temporary)
                 .values(sha256=sha256))
        savepoint = connection.begin_nested()
        try:
            connection.execute(claim)
            savepoint.commit()
        except IntegrityError:
            # Another officer stored the same bytes a moment ago (their transaction has
            # committed): theirs serve, ours go.
            savepoint.rollback()
            connection.execute(drop)
        return StoredFile(sha256, size)

    @staticmethod
    def _stored(connection: Connection, sha256: str) -> bool:
        return bool(connection.scalar(select(exists().where(
            AttachmentChunk.sha256 == sha256, AttachmentChunk.position == 0))))

    def chunk(self, sha256: str, position: int) -> bytes | None:
        """One chunk of a stored file (None past its end)."""
        with self.engine.connect() as connection:
            data = connection.scalar(select(AttachmentChunk.data).where(
                AttachmentChunk.sha256 == check_digest(sha256),
                AttachmentChunk.position == position))
        return None if data is None else bytes(data)

    def open(self, sha256: str) -> BinaryIO:
        first = self.chunk(sha256, 0)
        if first is None:
            raise self.missing(sha256)
        return io.BufferedReader(_ChunkReader(self, sha256, first),  # type: ignore[return-value]
                                 CHUNK)

    def has(self, sha256: str) -> bool:
        with self.engine.connect() as connection:
            return self._stored(connection, check_digest(sha256))

    def digests(self) -> Iterator[str]:
        with self.engine.connect() as connection:
            found = list(connection.scalars(
                select(AttachmentChunk.sha256).where(AttachmentChunk.position == 0,
                                                     func.length(AttachmentChunk.sha256) == 64)
                .order_by(AttachmentChunk.sha256)))
        yield from found

    def remove_unused(self, used: set[str]) -> int:
        # A file an import committed since ``used`` was read stays: rows refer to it now.
        referenced = select(Attachment.sha256)
        removed = 0
        with self.engine.begin() as connection:
            for sha256 in [d for d in self.digests() if d not in used]:
                gone = connection.execute(delete(AttachmentChunk).where(
                    AttachmentChunk.sha256 == sha256, AttachmentChunk.sha256.not_in(referenced)))
                removed += 1 if gone.rowcount else 0
        return removed
