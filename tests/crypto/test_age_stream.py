"""Payload round trips, the seekable reader, and every way to damage a file."""

from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import pytest

from judgepanel.crypto.age import (
    AgeReader,
    AgeWriter,
    decrypt,
    decrypt_bytes,
    encrypt,
    encrypt_bytes,
    open_file,
)
from judgepanel.crypto.age_header import read_header
from judgepanel.crypto.age_keys import X25519Identity
from judgepanel.crypto.age_stream import (
    CACHED_CHUNKS,
    CHUNK_SIZE,
    ENC_CHUNK_SIZE,
    NONCE_SIZE,
    TAG_SIZE,
)
from judgepanel.errors import Cancelled, DamagedFileError, JudgePanelError, WrongKeyError

K = CHUNK_SIZE
SIZES = [0, 1, K - 1, K, K + 1, 3 * K, 3 * K + 5]
IDENTITY = X25519Identity.generate()
RECIPIENTS = [IDENTITY.recipient()]


def payload(size: int) -> bytes:
    return random.Random(size).randbytes(size)


def layout(ct: bytes) -> tuple[int, list[tuple[int, int]]]:
    """Offset of the payload's first chunk and each chunk's (start, end)."""
    header, _ = read_header(io.BytesIO(ct))
    start = header.size + NONCE_SIZE
    chunks = [(i, min(i + ENC_CHUNK_SIZE, len(ct))) for i in range(start, len(ct), ENC_CHUNK_SIZE)]
    return start, chunks


def open_both(ct: bytes) -> bytes:
    """Decrypt with both readers; they must agree (or both raise)."""
    streamed = decrypt_bytes(ct, [IDENTITY])
    reader = AgeReader(io.BytesIO(ct), [IDENTITY])
    assert reader.read() == streamed
    return streamed


# --- round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_sizes(size: int) -> None:
    data = payload(size)
    ct = encrypt_bytes(data, RECIPIENTS)
    start, chunks = layout(ct)
    assert len(ct) - start == size + TAG_SIZE * max(1, -(-size // K))
    assert len(chunks) == max(1, -(-size // K))  # a boundary never adds an empty chunk
    assert open_both(ct) == data
    assert AgeReader(io.BytesIO(ct), [IDENTITY]).size == size


@pytest.mark.parametrize("pieces", [[1] * 10, [K - 1, 2, K - 1], [K, K, 1], [3 * K + 7], [0, 5, 0]])
def test_writer_gives_the_same_plaintext_whatever_the_write_sizes(pieces: list[int]) -> None:
    data = payload(sum(pieces))
    out = io.BytesIO()
    with AgeWriter(out, RECIPIENTS) as writer:
        at = 0
        for n in pieces:
            assert writer.write(memoryview(data)[at : at + n]) == n
            at += n
    assert open_both(out.getvalue()) == data
    assert writer.closed


def test_streaming_encrypt_decrypt_with_progress(tmp_path: Path) -> None:
    data = payload(5 * K + 3)
    src, enc, dec = tmp_path / "p", tmp_path / "p.age", tmp_path / "p.out"
    src.write_bytes(data)
    calls: list[tuple[int, int, str]] = []
    with src.open("rb") as fin, enc.open("wb") as fout:
        encrypt(fin, fout, RECIPIENTS, progress=lambda d, t, label: calls.append((d, t, label)))
    assert calls[-1][0] == calls[-1][1] == len(data)
    calls.clear()
    with enc.open("rb") as fin, dec.open("wb") as fout:
        decrypt(fin, fout, [IDENTITY], progress=lambda d, t, label: calls.append((d, t, label)))
    assert dec.read_bytes() == data
    chunk_bytes = enc.stat().st_size - layout(enc.read_bytes())[0]
    assert calls and calls[-1][0] == calls[-1][1] == chunk_bytes


def test_cancelled_encryption_leaves_a_file_that_is_refused() -> None:
    out = io.BytesIO()

    def cancel(done: int, total: int, label: str) -> None:
        raise Cancelled()

    with pytest.raises(Cancelled):
        encrypt(io.BytesIO(payload(3 * 1024 * 1024)), out, RECIPIENTS, progress=cancel)
    with pytest.raises(DamagedFileError):
        decrypt_bytes(out.getvalue(), [IDENTITY])


def test_writer_aborted_by_an_exception_does_not_seal_the_end() -> None:
    out = io.BytesIO()
    with pytest.raises(RuntimeError), AgeWriter(out, RECIPIENTS) as writer:
        writer.write(b"partial")
        raise RuntimeError("disk full")
    with pytest.raises(DamagedFileError):
        decrypt_bytes(out.getvalue(), [IDENTITY])
    with pytest.raises(ValueError):
        writer.write(b"more")


def test_unbuffered_pipe_like_source_works() -> None:
    data = payload(2 * K + 9)
    ct = encrypt_bytes(data, RECIPIENTS)

    class Trickle(io.RawIOBase):
        """Returns at most 1000 bytes a read, like a pipe."""

        def __init__(self, data: bytes) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = self.inner.read(min(len(buffer), 1000))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    out = io.BytesIO()
    decrypt(Trickle(ct), out, [IDENTITY])  # type: ignore[arg-type]
    assert out.getvalue() == data


def test_wrong_key() -> None:
    ct = encrypt_bytes(b"secret", RECIPIENTS)
    with pytest.raises(WrongKeyError) as info:
        decrypt_bytes(ct, [X25519Identity.generate()])
    assert "someone else" in info.value.message
    with pytest.raises(WrongKeyError):
        AgeReader(io.BytesIO(ct), [X25519Identity.generate()])


# --- seekable reader -------------------------------------------------------------------


class CountingFile(io.BytesIO):
    """Counts bytes read, to prove a read decrypts only the chunks it covers."""

    bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def test_read_at_decrypts_only_the_chunks_covering_the_range() -> None:
    data = payload(10 * K + 100)
    source = CountingFile(encrypt_bytes(data, RECIPIENTS))
    reader = AgeReader(source, [IDENTITY])
    source.bytes_read = 0
    assert reader.read_at(5 * K + 10, 20) == data[5 * K + 10 : 5 * K + 30]
    assert source.bytes_read == ENC_CHUNK_SIZE
    source.bytes_read = 0
    assert reader.read_at(5 * K + 40, 20) == data[5 * K + 40 : 5 * K + 60]  # cached chunk
    assert source.bytes_read == 0
    assert reader.read_at(3 * K - 5, 10) == data[3 * K - 5 : 3 * K + 5]  # across a boundary
    assert source.bytes_read == 2 * ENC_CHUNK_SIZE


def test_the_last_chunks_read_stay_decrypted() -> None:
    """A ZIP reader goes back and forth (directory at the end, then headers and data):
    the last CACHED_CHUNKS chunks are kept, and a range reads only what is missing."""
    assert CACHED_CHUNKS == 4
    data = payload(11 * K)  # chunks 0 to 10, all full
    source = CountingFile(encrypt_bytes(data, RECIPIENTS))
    reader = AgeReader(source, [IDENTITY])  # decrypts the final chunk, 10
    source.bytes_read = 0

    def read(offset: int, size: int) -> int:
        before = source.bytes_read
        assert reader.read_at(offset, size) == data[offset : offset + size]
        return (source.bytes_read - before) // ENC_CHUNK_SIZE

    assert read(len(data) - 50, 50) == 0  # chunk 10, from opening
    assert read(5 * K, 10) == 1  # chunk 5
    assert read(3 * K - 5, 10) == 2  # chunks 2 and 3; kept: 10, 5, 2, 3
    assert read(5 * K + 7, 10) == 0 and read(10 * K, 5) == 0
    assert read(2 * K, 2 * K) == 0  # chunks 2 and 3 again
    assert read(2 * K + 1, 3 * K) == 1  # 2, 3 and 5 kept: only chunk 4; 10 goes
    assert read(7 * K, 1) == 1  # chunk 7; 5 goes
    assert read(10 * K, 5) == 1  # chunk 10 again; 2 goes
    # Kept: 3, 4, 7, 10. A range reuses kept chunks at its ends only.
    assert read(0, 11 * K) == 10


def test_read_at_matches_slices_everywhere() -> None:
    data = payload(4 * K + 333)
    reader = AgeReader(io.BytesIO(encrypt_bytes(data, RECIPIENTS)), [IDENTITY])
    rng = random.Random(7)
    points = [0, 1, K - 1, K, K + 1, 2 * K, 4 * K, len(data) - 1, len(data), len(data) + 5]
    for offset in points + [rng.randrange(len(data)) for _ in range(50)]:
        for size in (0, 1, 15, K - 1, K, K + 1, 3 * K, 10 * K):
            assert reader.read_at(offset, size) == data[offset : offset + size]
    with pytest.raises(ValueError):
        reader.read_at(-1, 4)


def test_file_like_interface() -> None:
    data = payload(2 * K + 50)
    reader = AgeReader(io.BytesIO(encrypt_bytes(data, RECIPIENTS)), [IDENTITY])
    assert reader.readable() and reader.seekable() and not reader.writable()
    assert reader.seek(K - 2) == K - 2
    assert reader.read(4) == data[K - 2 : K + 2]
    assert reader.tell() == K + 2
    assert reader.seek(-10, io.SEEK_END) == len(data) - 10
    assert reader.read() == data[-10:]
    assert reader.read(5) == b""
    reader.seek(-3, io.SEEK_CUR)
    buffer = bytearray(10)
    assert reader.readinto(buffer) == 3 and bytes(buffer[:3]) == data[-3:]
    reader.seek(0)
    assert io.BufferedReader(reader).read() == data
    with pytest.raises(ValueError):
        reader.seek(-1)
    reader.close()
    with pytest.raises(ValueError):
        reader.read(1)


def test_zipfile_reads_through_the_reader() -> None:
    members = {"manifest.json": b'{"v": 1}', "applications/a/big.bin": payload(3 * K + 17)}
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    reader = AgeReader(io.BytesIO(encrypt_bytes(plain.getvalue(), RECIPIENTS)), [IDENTITY])
    with zipfile.ZipFile(reader) as archive:
        assert sorted(archive.namelist()) == sorted(members)
        for name, content in members.items():
            assert archive.read(name) == content
        with archive.open("applications/a/big.bin") as member:
            member.seek(2 * K)
            assert member.read(10) == members["applications/a/big.bin"][2 * K : 2 * K + 10]


def test_open_file_owns_the_handle_and_names_the_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "bundle.jpbundle"
    path.write_bytes(encrypt_bytes(b"zip bytes", RECIPIENTS))
    with open_file(path, [IDENTITY]) as reader:
        assert reader.read() == b"zip bytes"
        source = reader._src
    assert source.closed
    with pytest.raises(WrongKeyError) as info:
        open_file(path, [X25519Identity.generate()])
    assert info.value.path == str(path)
    assert str(path) in str(info.value)


# --- damage: every region, truncation, reordering, appended data -------------------


def tampered(ct: bytes, position: int, *, text: bool = False) -> bytes:
    """Change one byte; in the text header, to another valid base64 character."""
    out = bytearray(ct)
    if text:
        out[position] = ord("B") if out[position] == ord("A") else ord("A")
    else:
        out[position] ^= 0x01
    return bytes(out)


def refused_by_both(ct: bytes, error: type[JudgePanelError]) -> None:
    with pytest.raises(error):
        decrypt_bytes(ct, [IDENTITY])
    with pytest.raises(error):
        AgeReader(io.BytesIO(ct), [IDENTITY]).read()


def test_tampering_with_each_region_is_detected() -> None:
    data = payload(2 * K + 10)
    ct = encrypt_bytes(data, RECIPIENTS)
    start, chunks = layout(ct)
    mac_pos = ct.index(b"\n--- ") + 5
    body_pos = ct.index(b"\n", ct.index(b"-> X25519")) + 1
    share_pos = ct.index(b"-> X25519 ") + 10
    regions: dict[str, tuple[int, type[JudgePanelError]]] = {
        "intro": (3, JudgePanelError),
        "stanza share": (share_pos, WrongKeyError),
        "stanza body": (body_pos, WrongKeyError),
        "mac": (mac_pos, DamagedFileError),
        "payload nonce": (start - NONCE_SIZE, DamagedFileError),
        "first chunk": (start, DamagedFileError),
        "first chunk tag": (chunks[0][1] - 1, DamagedFileError),
        "middle chunk": (chunks[1][0] + 500, DamagedFileError),
        "last chunk": (chunks[-1][0], DamagedFileError),
        "last byte": (len(ct) - 1, DamagedFileError),
    }
    for name, (position, error) in regions.items():
        bad = tampered(ct, position, text=position < start - NONCE_SIZE)
        assert bad != ct, name
        with pytest.raises(error):
            decrypt_bytes(bad, [IDENTITY])
        with pytest.raises(error):
            AgeReader(io.BytesIO(bad), [IDENTITY]).read()


def test_reader_never_releases_a_chunk_that_failed() -> None:
    data = payload(3 * K)
    ct = encrypt_bytes(data, RECIPIENTS)
    _, chunks = layout(ct)
    reader = AgeReader(io.BytesIO(tampered(ct, chunks[1][0] + 7)), [IDENTITY])
    assert reader.size == len(data)  # the final chunk is fine, so opening works
    assert reader.read_at(0, 100) == data[:100]
    for offset, size in ((K, 1), (K - 10, 20), (0, 3 * K), (2 * K - 1, 2)):
        with pytest.raises(DamagedFileError):
            reader.read_at(offset, size)
    reader.seek(K - 5)
    with pytest.raises(DamagedFileError):
        reader.read(10)
    assert reader.read_at(2 * K, 10) == data[2 * K : 2 * K + 10]


def test_truncation_anywhere_is_detected() -> None:
    data = payload(3 * K + 10)
    ct = encrypt_bytes(data, RECIPIENTS)
    start, chunks = layout(ct)
    cuts = {start - 1, start, start + 1, start + TAG_SIZE - 1}
    for lo, hi in chunks:
        cuts |= {lo, lo + 1, hi - TAG_SIZE, hi - 1}
    for cut in sorted(cuts):
        if cut < len(ct):
            refused_by_both(ct[:cut], DamagedFileError)


def test_dropping_whole_final_chunk_is_detected_even_on_a_boundary() -> None:
    data = payload(3 * K)  # three full chunks: the last one is final and full
    ct = encrypt_bytes(data, RECIPIENTS)
    _, chunks = layout(ct)
    refused_by_both(ct[: chunks[-1][0]], DamagedFileError)


def test_reordered_chunks_are_detected() -> None:
    data = payload(3 * K + 10)
    ct = encrypt_bytes(data, RECIPIENTS)
    start, chunks = layout(ct)
    pieces = [ct[lo:hi] for lo, hi in chunks]
    swapped = ct[:start] + pieces[1] + pieces[0] + b"".join(pieces[2:])
    refused_by_both(swapped, DamagedFileError)
    duplicated = ct[:start] + pieces[0] + pieces[0] + pieces[1] + b"".join(pieces[2:])
    refused_by_both(duplicated, DamagedFileError)


@pytest.mark.parametrize("extra", [b"\x00", os.urandom(TAG_SIZE), os.urandom(ENC_CHUNK_SIZE)])
@pytest.mark.parametrize("size", [10, K, 2 * K + 3])
def test_appended_data_is_detected(extra: bytes, size: int) -> None:
    ct = encrypt_bytes(payload(size), RECIPIENTS)
    refused_by_both(ct + extra, DamagedFileError)
    # A copy of the final chunk appended after itself is refused too.
    _, chunks = layout(ct)
    refused_by_both(ct + ct[chunks[-1][0] :], DamagedFileError)


def test_streaming_decrypt_releases_only_authenticated_chunks() -> None:
    data = payload(3 * K)
    ct = encrypt_bytes(data, RECIPIENTS)
    _, chunks = layout(ct)
    out = io.BytesIO()
    with pytest.raises(DamagedFileError):
        decrypt(io.BytesIO(tampered(ct, chunks[1][0] + 3)), out, [IDENTITY])
    assert out.getvalue() == data[:K]  # chunk 0 only; nothing of the bad chunk
