"""The one ZIP dialect we write and the only one we read.

Bundles and results are ZIP files inside age encryption. ZIP is a permissive format
with many ways to hide or confuse (duplicate names, paths that climb out of a folder,
links, entries that overlap, a local header that disagrees with the directory), so we
write a small subset and the reader refuses everything outside it (docs/formats.md
section 6):

- stored entries only (method 0), no encryption, no data descriptors, no ZIP64;
- UTF-8 names in NFC (flag bit 11 set), relative, ``/``-separated, no ``.``/``..``
  segments, no backslash, colon or control character, unique even ignoring case;
- no extra fields, no comments, no directories, no links;
- entries tile the file exactly: the first at offset 0, each starting where the
  previous ended, the central directory right after the last, the end record right
  after the directory and nothing after it.

The reader takes any seekable binary file object (an :class:`AgeReader` in practice)
and never extracts: members are read by name, into memory or as a stream of pieces.
Opening parses only the end record and the central directory, so over an AgeReader
it decrypts only the chunks those occupy; a member's local header is checked against
the directory when the member is read.

The writer streams into any object with ``write`` (an AgeWriter, which cannot seek):
the caller supplies each member's size and CRC-32 up front, which is why no data
descriptors are needed.
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from judgepanel.errors import DamagedFileError, FileFormatError

LOCAL_SIG = 0x04034B50
CENTRAL_SIG = 0x02014B50
END_SIG = 0x06054B50
ZIP64_LOCATOR_SIG = 0x07064B50

LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
END_RECORD = struct.Struct("<IHHHHIIH")

FLAG_UTF8 = 0x0800
VERSION_NEEDED = 20  # 2.0: the lowest version any of our readers would ask for
VERSION_MADE_BY = (3 << 8) | 20  # Unix, 2.0: external attributes carry a Unix mode
REGULAR_FILE_ATTRS = (0o100644 << 16)
DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1  # 1980-01-01; times carry no meaning in our files
MAX_U32 = 0xFFFFFFFF
MAX_ENTRIES = 0xFFFE
MAX_NAME_BYTES = 1024
MAX_DIRECTORY = 16 * 1024 * 1024
PIECE = 1024 * 1024
FORBIDDEN_NAME_CHARS = frozenset('\\:*?"<>|')
# Bidirectional overrides can make "gpj.exe" display as "exe.jpg"; BOM and friends hide.
INVISIBLE_CHARS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                            "\u2066\u2067\u2068\u2069\ufeff")

_DAMAGED = "The file is damaged or was changed after it was made."


def _refuse(detail: str) -> DamagedFileError:
    return DamagedFileError(_DAMAGED, detail=f"ZIP: {detail}")


def name_problem(name: str) -> str | None:
    """Why ``name`` may not be a member name, or None when it may."""
    if not name:
        return "empty name"
    if unicodedata.normalize("NFC", name) != name:
        return "name not in Unicode NFC form"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return "name too long"
    if name.startswith("/"):
        return "absolute path"
    if name.endswith("/"):
        return "directory entry"
    for ch in name:
        if ch in FORBIDDEN_NAME_CHARS:
            return f"forbidden character {ch!r} in name"
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in INVISIBLE_CHARS:
            return "control or direction-changing character in name"
    for segment in name.split("/"):
        if segment in ("", ".", ".."):
            return f"path segment {segment!r} not allowed"
        if segment != segment.strip() or segment.endswith("."):
            return "path segment with leading/trailing space or trailing dot"
    return None


def check_name(name: str) -> None:
    problem = name_problem(name)
    if problem:
        raise _refuse(f"{problem}: {name!r}")


# --- writing -------------------------------------------------------------------------


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


class RandomAccess(Protocol):
    """What the reader needs: a seekable binary file (BytesIO, open(), AgeReader)."""

    def seek(self, offset: int, whence: int = ..., /) -> int: ...

    def readinto(self, buffer: Any, /) -> int | None: ...


@dataclass
class _Written:
    name: bytes
    crc32: int
    size: int
    offset: int


class StoredZipWriter:
    """Writes stored-only ZIP members, in order, into a sink that cannot seek.

    ``close()`` writes the central directory and end record; it does not close the sink.
    """

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._offset = 0
        self._entries: list[_Written] = []
        self._names: set[str] = set()
        self._closed = False

    def _emit(self, data: bytes) -> None:
        self._sink.write(data)
        self._offset += len(data)

    def _begin(self, name: str, size: int, crc32: int) -> bytes:
        if self._closed:
            raise ValueError("the ZIP writer is closed")
        problem = name_problem(name)
        if problem:
            raise ValueError(f"bad member name {name!r}: {problem}")
        if name.casefold() in self._names:
            raise ValueError(f"duplicate member name {name!r}")
        if len(self._entries) >= MAX_ENTRIES:
            raise ValueError("too many members for a ZIP without ZIP64")
        if size > MAX_U32 or self._offset + size + 30 + len(name.encode()) > MAX_U32:
            raise OverflowError("the ZIP would exceed 4 GiB; ZIP64 is not supported")
        self._names.add(name.casefold())
        raw = name.encode("utf-8")
        self._entries.append(_Written(raw, crc32, size, self._offset))
        self._emit(LOCAL_HEADER.pack(
            LOCAL_SIG, VERSION_NEEDED, FLAG_UTF8, 0, 0, DOS_DATE_1980,
            crc32, size, size, len(raw), 0,
        ) + raw)
        return raw

    def add_bytes(self, name: str, data: bytes) -> None:
        self._begin(name, len(data), zlib.crc32(data))
        self._emit(data)

    def add_stream(self, name: str, size: int, crc32: int, pieces: Iterable[bytes]) -> None:
        """Write a member whose size and CRC the caller computed beforehand.

        The pieces are checked against both while they are written, so a source that
        changed between the two passes fails here instead of producing a bad file.
        """
        self._begin(name, size, crc32)
        written = 0
        crc = 0
        for piece in pieces:
            written += len(piece)
            if written > size:
                break
            crc = zlib.crc32(piece, crc)
            self._emit(piece)
        if written != size or crc != crc32:
            raise ValueError(f"member {name!r} changed while it was being written")

    def close(self) -> None:
        if self._closed:
            return
        start = self._offset
        for entry in self._entries:
            self._emit(CENTRAL_HEADER.pack(
                CENTRAL_SIG, VERSION_MADE_BY, VERSION_NEEDED, FLAG_UTF8, 0, 0, DOS_DATE_1980,
                entry.crc32, entry.size, entry.size, len(entry.name), 0, 0, 0, 0,
                REGULAR_FILE_ATTRS, entry.offset,
            ) + entry.name)
        size = self._offset - start
        if self._offset > MAX_U32:
            raise OverflowError("the ZIP would exceed 4 GiB; ZIP64 is not supported")
        count = len(self._entries)
        self._emit(END_RECORD.pack(END_SIG, 0, 0, count, count, size, start, 0))
        self._closed = True


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipEntry:
    """One member as the central directory describes it (already checked)."""

    name: str
    offset: int  # of the local header
    size: int
    crc32: int
    raw_name: bytes

    @property
    def data_offset(self) -> int:
        return self.offset + LOCAL_HEADER.size + len(self.raw_name)

    @property
    def end(self) -> int:
        return self.data_offset + self.size


def read_exact(src: RandomAccess, offset: int, size: int) -> bytes:
    """Exactly ``size`` bytes at ``offset``; a short read means the file is cut short."""
    src.seek(offset)
    buffer = bytearray(size)
    view = memoryview(buffer)
    done = 0
    while done < size:
        n = src.readinto(view[done:])
        if not n:
            raise _refuse(f"unexpected end of data at offset {offset + done}")
        done += n
    return bytes(buffer)


class StrictZipReader:
    """A ZIP reader that accepts only what :class:`StoredZipWriter` writes.

    Construction reads and checks the end record and the central directory only.
    Every refusal is a :class:`DamagedFileError` with the technical reason in
    ``detail`` (the age layer already proved the bytes are what the sender encrypted;
    a bad layout means a broken or hostile writer).
    """

    def __init__(self, src: RandomAccess, *, max_entries: int = MAX_ENTRIES) -> None:
        self._src = src
        size = src.seek(0, io.SEEK_END)
        self.file_size = size
        if size < END_RECORD.size:
            raise FileFormatError(
                "This is not a JudgePanel file (its contents are not a ZIP archive).",
                detail=f"ZIP: payload of {size} bytes is too short",
            )
        end = read_exact(src, size - END_RECORD.size, END_RECORD.size)
        sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment_len = END_RECORD.unpack(
            end
        )
        if sig != END_SIG:
            raise FileFormatError(
                "This is not a JudgePanel file (its contents are not a ZIP archive).",
                detail="ZIP: no end-of-central-directory record at the end (comment or "
                       "trailing data?)",
            )
        if comment_len:
            raise _refuse("archive comment present")
        if disk or cd_disk or n_disk != n_total:
            raise _refuse("multi-disk archive")
        if MAX_U32 in (cd_size, cd_offset) or n_total == 0xFFFF:
            raise _refuse("ZIP64 is not supported")
        if n_total > max_entries:
            raise _refuse(f"{n_total} entries, more than the limit of {max_entries}")
        if cd_size > MAX_DIRECTORY:
            raise _refuse("central directory too large")
        if cd_offset + cd_size != size - END_RECORD.size:
            raise _refuse("central directory does not end at the end record "
                          "(data hidden between them, or a ZIP64 record)")
        directory = read_exact(src, cd_offset, cd_size)
        self.entries = self._parse_directory(directory, n_total, cd_offset)
        self._by_name = {entry.name: entry for entry in self.entries}

    def _parse_directory(self, data: bytes, count: int, cd_offset: int) -> list[ZipEntry]:
        entries: list[ZipEntry] = []
        folded: set[str] = set()
        pos = 0
        expected_offset = 0
        for index in range(count):
            if pos + CENTRAL_HEADER.size > len(data):
                raise _refuse("central directory shorter than its entry count")
            (sig, _made_by, needed, flags, method, _time, _date, crc, csize, usize, name_len,
             extra_len, comment_len, disk, internal, external, offset) = CENTRAL_HEADER.unpack_from(
                data, pos)
            pos += CENTRAL_HEADER.size
            raw = data[pos:pos + name_len]
            pos += name_len + extra_len + comment_len
            if sig != CENTRAL_SIG or len(raw) != name_len or pos > len(data):
                raise _refuse(f"central directory entry {index} is malformed")
            try:
                name = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _refuse(f"entry {index}: name is not UTF-8") from None
            label = f"entry {name!r}"
            check_name(name)
            if not name.isascii() and not flags & FLAG_UTF8:
                raise _refuse(f"{label}: non-ASCII name without the UTF-8 flag")
            if flags & ~FLAG_UTF8:
                kinds = {0x1: "encrypted", 0x8: "data descriptor", 0x40: "strong encryption",
                         0x2000: "masked directory"}
                found = [text for bit, text in kinds.items() if flags & bit] or [hex(flags)]
                raise _refuse(f"{label}: unsupported flags ({', '.join(found)})")
            if method != 0:
                raise _refuse(f"{label}: compressed (method {method}); only stored entries")
            if needed > VERSION_NEEDED:
                raise _refuse(f"{label}: needs ZIP version {needed / 10}")
            if csize != usize:
                raise _refuse(f"{label}: stored entry with different sizes")
            if extra_len or comment_len:
                raise _refuse(f"{label}: extra field or comment present")
            if disk or internal:
                raise _refuse(f"{label}: disk number or internal attributes set")
            unix_mode = external >> 16
            if unix_mode & 0o170000 not in (0, 0o100000) or external & 0x10:
                raise _refuse(f"{label}: not a regular file (link or directory)")
            if name.casefold() in folded:
                raise _refuse(f"duplicate member {name!r}")
            folded.add(name.casefold())
            if offset != expected_offset:
                raise _refuse(f"{label}: starts at {offset}, expected {expected_offset} "
                              "(overlapping members or hidden data)")
            entry = ZipEntry(name, offset, usize, crc, raw)
            expected_offset = entry.end
            entries.append(entry)
        if pos != len(data):
            raise _refuse("central directory longer than its entries")
        if expected_offset != cd_offset:
            raise _refuse("data between the last member and the central directory")
        return entries

    # -- members --

    def names(self) -> list[str]:
        return [entry.name for entry in self.entries]

    def entry(self, name: str) -> ZipEntry:
        try:
            return self._by_name[name]
        except KeyError:
            raise _refuse(f"member {name!r} is missing") from None

    def _check_local_header(self, entry: ZipEntry) -> None:
        header = read_exact(self._src, entry.offset, LOCAL_HEADER.size + len(entry.raw_name))
        (sig, needed, flags, method, _time, _date, crc, csize, usize, name_len,
         extra_len) = LOCAL_HEADER.unpack_from(header)
        raw = header[LOCAL_HEADER.size:]
        if (sig != LOCAL_SIG or needed > VERSION_NEEDED or flags & ~FLAG_UTF8 or method != 0
                or crc != entry.crc32 or csize != entry.size or usize != entry.size
                or name_len != len(entry.raw_name) or extra_len != 0 or raw != entry.raw_name):
            raise _refuse(f"local header of {entry.name!r} disagrees with the central directory")

    def read(self, name: str, *, max_size: int) -> bytes:
        """The whole member in memory (refused before reading if above ``max_size``)."""
        entry = self.entry(name)
        if entry.size > max_size:
            raise _refuse(f"member {name!r} is {entry.size} bytes, above the limit {max_size}")
        return b"".join(self.pieces(name))

    def pieces(self, name: str, piece_size: int = PIECE) -> Iterator[bytes]:
        """The member as a stream of pieces; the CRC is checked after the last one.

        Consumers that act on the data before the end (hashing, say) must treat an
        exception at the end as invalidating everything they received.
        """
        entry = self.entry(name)
        self._check_local_header(entry)
        crc = 0
        position = entry.data_offset
        remaining = entry.size
        while remaining:
            n = min(piece_size, remaining)
            piece = read_exact(self._src, position, n)
            crc = zlib.crc32(piece, crc)
            position += n
            remaining -= n
            yield piece
        if crc != entry.crc32:
            raise _refuse(f"CRC-32 mismatch in {name!r}")
