"""The age payload: STREAM (ChaCha20-Poly1305 in 64 KiB chunks), written and read.

Chunk ``i`` is sealed with the nonce ``i`` (11 bytes, big-endian) followed by a
flag byte that is 1 only on the final chunk. That binds every chunk to its
position and marks the end, which is what detects reordering, truncation and
appended data. A full-size chunk may be final; an empty final chunk is only
allowed when the whole payload is empty.

Two readers share these rules:

- :func:`decrypt_stream` reads front to back (also from pipes) and releases each
  chunk only after it authenticates, the way the reference implementation does;
  a later failure still raises, so callers must discard what they got.
- :class:`PayloadReader` is a seekable plaintext view of a seekable ciphertext:
  it derives chunk positions from the file size, authenticates the final chunk
  when opened (so ``size`` is trustworthy and truncation is caught at once), and
  afterwards decrypts only the chunks a read touches.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from judgepanel.errors import DamagedFileError
from judgepanel.progress import Progress

CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
ENC_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
NONCE_SIZE = 16
#: Chunks read or written per I/O call when streaming (about 1 MiB).
BATCH_CHUNKS = 16
CACHED_CHUNKS = 4  # decrypted chunks a PayloadReader keeps (256 KiB at most)
_PROGRESS_EVERY = 16  # chunks between progress reports
_LABEL_DECRYPT = "Decrypting"

_DAMAGED = (
    "The file is damaged or incomplete, or was changed after it was made. "
    "Ask the sender for a new copy."
)


def damaged(detail: str) -> DamagedFileError:
    return DamagedFileError(_DAMAGED, detail=detail)


def payload_key(file_key: bytes, nonce: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=nonce, info=b"payload").derive(file_key)


def chunk_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def read_full(src: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes, or fewer only at end of file (pipes may return short reads)."""
    data = src.read(size)
    if data is None or len(data) == size or not data:
        return data or b""
    parts = [data]
    got = len(data)
    while got < size:
        more = src.read(size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def write_all(dst: BinaryIO, data: bytes) -> None:
    """Write everything: raw (unbuffered) files may accept only part of a write."""
    written = dst.write(data)
    if written is None or written >= len(data):
        return
    view = memoryview(data)
    while written < len(view):
        n = dst.write(view[written:])
        if not n:
            raise OSError("the destination accepted no more data")
        written += n


class StreamWriter:
    """Seals plaintext into chunks. Memory stays at one chunk whatever the size.

    A chunk is sealed as non-final only once the next byte is known to exist, so
    a payload that ends on a chunk boundary ends with a full final chunk (never
    with an empty one), as the specification requires.
    """

    def __init__(self, dst: BinaryIO, key: bytes) -> None:
        self._dst = dst
        self._aead = ChaCha20Poly1305(key)
        self._counter = 0
        self._buf = bytearray()
        self.finished = False

    def _seal(self, chunk: Any, last: bool) -> bytes:
        sealed = self._aead.encrypt(chunk_nonce(self._counter, last), chunk, None)
        self._counter += 1
        return sealed

    def write(self, data: Any) -> int:
        if self.finished:
            raise ValueError("write to a finished age stream")
        view = memoryview(data).cast("B")
        total = len(view)
        out: list[bytes] = []
        while view:
            if len(self._buf) == CHUNK_SIZE:  # more data follows: not the final chunk
                out.append(self._seal(self._buf, last=False))
                self._buf.clear()
            if not self._buf and len(view) > CHUNK_SIZE:
                # Seal whole chunks straight from the caller's buffer, keeping
                # at least one byte back so the final chunk is decided at finish().
                count = (len(view) - 1) // CHUNK_SIZE
                for i in range(count):
                    out.append(self._seal(view[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE], False))
                    if len(out) >= BATCH_CHUNKS:
                        write_all(self._dst, b"".join(out))
                        out.clear()
                view = view[count * CHUNK_SIZE :]
                continue
            take = min(CHUNK_SIZE - len(self._buf), len(view))
            self._buf += view[:take]
            view = view[take:]
        if out:
            write_all(self._dst, b"".join(out))
        return total

    def finish(self) -> None:
        if self.finished:
            return
        write_all(self._dst, self._seal(self._buf, last=True))
        self._buf.clear()
        self.finished = True


def _ciphertext_chunks(src: BinaryIO, head: bytes) -> Iterator[memoryview]:
    """Yield full ciphertext chunks, then the short remainder (possibly empty) at EOF."""
    carry = head
    while True:
        data = read_full(src, BATCH_CHUNKS * ENC_CHUNK_SIZE)
        eof = len(data) < BATCH_CHUNKS * ENC_CHUNK_SIZE
        if carry:
            data = carry + data
            carry = b""
        view = memoryview(data)
        full = len(view) // ENC_CHUNK_SIZE
        for i in range(full):
            yield view[i * ENC_CHUNK_SIZE : (i + 1) * ENC_CHUNK_SIZE]
        rest = view[full * ENC_CHUNK_SIZE :]
        if eof:
            yield rest
            return
        carry = bytes(rest)


def decrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    key: bytes,
    head: bytes = b"",
    *,
    progress: Progress | None = None,
    total: int = 0,
) -> int:
    """Decrypt chunks from ``head`` + ``src`` into ``dst``; returns the plaintext size.

    Raises :class:`DamagedFileError` on any authentication failure, a missing final
    chunk, an empty final chunk after data, or bytes after the final chunk.
    """
    aead = ChaCha20Poly1305(key)
    released = 0
    done = len(head)
    chunks = _ciphertext_chunks(src, head)
    for counter, chunk in enumerate(chunks):
        size = len(chunk)
        if size == 0:
            raise damaged(f"the file ends after chunk {counter} without a final chunk")
        if size < ENC_CHUNK_SIZE:
            if size < TAG_SIZE:
                raise damaged(f"chunk {counter} is shorter than its authentication tag")
            if size == TAG_SIZE and counter > 0:
                raise damaged("empty final chunk after data")
            last = True
            try:
                plain = aead.decrypt(chunk_nonce(counter, True), chunk, None)
            except InvalidTag:
                raise damaged(f"chunk {counter} failed authentication") from None
        else:
            try:
                plain = aead.decrypt(chunk_nonce(counter, False), chunk, None)
                last = False
            except InvalidTag:
                try:  # a full-size chunk may be the final one
                    plain = aead.decrypt(chunk_nonce(counter, True), chunk, None)
                    last = True
                except InvalidTag:
                    raise damaged(f"chunk {counter} failed authentication") from None
        write_all(dst, plain)
        released += len(plain)
        done += size
        if progress is not None and (counter + 1) % _PROGRESS_EVERY == 0:
            progress(done, total, _LABEL_DECRYPT)
        if last:
            for rest in chunks:
                if len(rest):
                    raise damaged("data after the final chunk")
            if progress is not None:
                progress(total or done, total or done, _LABEL_DECRYPT)
            return released
    raise AssertionError("unreachable: the chunk iterator always ends with a remainder")


class PayloadReader(io.RawIOBase):
    """Random access to the plaintext of a payload whose chunks start at ``start``.

    Only authenticated plaintext ever leaves this object: a chunk is decrypted
    into a fresh buffer and returned (or cached) only if its tag verifies. The
    last ``CACHED_CHUNKS`` decrypted chunks are kept, so the small reads a ZIP
    reader makes (the directory at the end, then each member's header and data)
    cost about one decryption per chunk: a results file of two chunks used to
    cost four.
    """

    def __init__(self, src: BinaryIO, key: bytes, start: int) -> None:
        super().__init__()
        self._src = src
        self._aead = ChaCha20Poly1305(key)
        self._start = start
        end = src.seek(0, io.SEEK_END)
        self._ct_len = end - start
        if self._ct_len <= 0:
            raise damaged("the payload has no chunks")
        self._nchunks = -(-self._ct_len // ENC_CHUNK_SIZE)
        last_len = self._ct_len - (self._nchunks - 1) * ENC_CHUNK_SIZE
        if last_len < TAG_SIZE:
            raise damaged("the final chunk is shorter than its authentication tag")
        if last_len == TAG_SIZE and self._nchunks > 1:
            raise damaged("empty final chunk after data")
        #: Plaintext size in bytes, trustworthy once the final chunk authenticated.
        self.size = self._ct_len - self._nchunks * TAG_SIZE
        self._pos = 0
        self._cache: dict[int, bytes] = {}  # chunk index -> plaintext, oldest first
        self._decrypt_chunks(self._nchunks - 1, self._nchunks)

    # -- decryption ---------------------------------------------------------------

    def _decrypt_chunks(self, first: int, stop: int) -> list[bytes]:
        """Chunks ``first`` .. ``stop - 1``: those not cached at either end of the range
        are read in one go and decrypted once each."""
        cache = self._cache
        lo, hi = first, stop
        while lo < hi and lo in cache:
            lo += 1
        while hi > lo and hi - 1 in cache:
            hi -= 1
        plains = [cache[index] for index in range(first, lo)]
        if lo < hi:
            decrypted = self._decrypt_range(lo, hi)
            plains += decrypted
            for index in range(max(lo, hi - CACHED_CHUNKS), hi):
                cache.pop(index, None)  # now the newest
                cache[index] = decrypted[index - lo]
        plains += [cache[index] for index in range(hi, stop)]
        while len(cache) > CACHED_CHUNKS:
            del cache[next(iter(cache))]
        return plains

    def _decrypt_range(self, first: int, stop: int) -> list[bytes]:
        """Decrypt chunks ``first`` .. ``stop - 1`` (one read, one decryption each)."""
        offset = first * ENC_CHUNK_SIZE
        length = min(stop * ENC_CHUNK_SIZE, self._ct_len) - offset
        self._src.seek(self._start + offset)
        data = read_full(self._src, length)
        if len(data) != length:
            raise damaged("the file became shorter while it was being read")
        view = memoryview(data)
        plains: list[bytes] = []
        for index in range(first, stop):
            lo = (index - first) * ENC_CHUNK_SIZE
            chunk = view[lo : lo + ENC_CHUNK_SIZE]
            nonce = chunk_nonce(index, index == self._nchunks - 1)
            try:
                plains.append(self._aead.decrypt(nonce, chunk, None))
            except InvalidTag:
                raise damaged(f"chunk {index} failed authentication") from None
        return plains

    def read_at(self, offset: int, size: int) -> bytes:
        """Plaintext bytes ``[offset, offset + size)``, clipped to the end.

        Decrypts only the chunks covering the range (in batches, so a large read
        holds at most a batch of ciphertext besides its result).
        """
        if offset < 0 or size < 0:
            raise ValueError("offset and size must not be negative")
        end = min(offset + size, self.size)
        if offset >= end:
            return b""
        first = offset // CHUNK_SIZE
        stop = (end - 1) // CHUNK_SIZE + 1
        parts: list[bytes | memoryview] = []
        for batch in range(first, stop, BATCH_CHUNKS):
            batch_stop = min(batch + BATCH_CHUNKS, stop)
            for index, plain in enumerate(self._decrypt_chunks(batch, batch_stop), batch):
                lo = max(offset - index * CHUNK_SIZE, 0)
                hi = min(end - index * CHUNK_SIZE, CHUNK_SIZE)
                parts.append(plain if (lo, hi) == (0, len(plain)) else memoryview(plain)[lo:hi])
        if len(parts) == 1 and isinstance(parts[0], bytes):
            return parts[0]
        return b"".join(parts)

    # -- io.RawIOBase ---------------------------------------------------------------

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if self.closed:
            raise ValueError("seek on a closed file")
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if pos < 0:
            raise ValueError("negative seek position")
        self._pos = pos
        return pos

    def read(self, size: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError("read from a closed file")
        if size is None or size < 0:
            size = max(self.size - self._pos, 0)
        data = self.read_at(self._pos, size)
        self._pos += len(data)
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)
