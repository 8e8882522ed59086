"""The strict ZIP reader and the stored-only writer (docs/formats.md section 6)."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

import pytest

from judgepanel.errors import DamagedFileError, FileFormatError
from judgepanel.formats.zipsafe import StoredZipWriter, StrictZipReader, name_problem
from tests.formats.crafting import RawEntry, build_zip


def good_entries() -> list[RawEntry]:
    return [RawEntry("manifest.json", b'{"a": 1}\n'),
            RawEntry("applications/A-1/attachments/Présentation.pdf", b"%PDF" * 100),
            RawEntry("applications/A-1/application.json", b"{}")]


def written(members: list[tuple[str, bytes]]) -> bytes:
    sink = io.BytesIO()
    writer = StoredZipWriter(sink)
    for name, data in members:
        writer.add_bytes(name, data)
    writer.close()
    return sink.getvalue()


# --- the writer and reader agree, and agree with everyone else ---------------------------


def test_written_zip_reads_back_member_by_member() -> None:
    members = [(e.name if isinstance(e.name, str) else "", e.data) for e in good_entries()]
    reader = StrictZipReader(io.BytesIO(written(members)))
    assert reader.names() == [name for name, _ in members]
    for name, data in members:
        assert reader.read(name, max_size=10_000) == data
        assert b"".join(reader.pieces(name, piece_size=7)) == data


def test_written_zip_is_a_standard_zip() -> None:
    """Standard tools (here Python's zipfile) read our files: stored, UTF-8 names."""
    data = written([("a.json", b"{}"), ("applications/X/attachments/Résumé.txt", b"hello")])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["a.json", "applications/X/attachments/Résumé.txt"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        assert all(i.flag_bits & 0x800 for i in infos)
        assert archive.read(infos[1]) == b"hello"


def test_crafted_baseline_is_accepted() -> None:
    """The crafting helper's defaults are a valid file, so each test breaks one thing only."""
    reader = StrictZipReader(io.BytesIO(build_zip(good_entries())))
    assert len(reader.entries) == 3
    assert reader.read("manifest.json", max_size=100) == b'{"a": 1}\n'


def test_empty_archive_is_well_formed() -> None:
    assert StrictZipReader(io.BytesIO(build_zip([]))).names() == []


def test_stream_members_are_checked_against_the_declared_size_and_crc() -> None:
    writer = StoredZipWriter(io.BytesIO())
    data = b"x" * 1000
    writer.add_stream("ok.bin", len(data), zlib.crc32(data), [data[:10], data[10:]])
    with pytest.raises(ValueError, match="changed"):
        writer.add_stream("changed.bin", len(data), zlib.crc32(data), [b"y" * 1000])
    with pytest.raises(ValueError, match="changed"):
        writer.add_stream("short.bin", len(data), zlib.crc32(data), [data[:999]])


@pytest.mark.parametrize("name", ["/abs", "a/../b", "..", "a\\b", "a//b", "dir/", "./a",
                                  "C:x", "a\x00b", "e\u0301.txt", "evil\u202egpj.exe", ""])
def test_writer_refuses_bad_names(name: str) -> None:
    writer = StoredZipWriter(io.BytesIO())
    with pytest.raises(ValueError):
        writer.add_bytes(name, b"")


def test_writer_refuses_duplicates_even_ignoring_case() -> None:
    writer = StoredZipWriter(io.BytesIO())
    writer.add_bytes("Budget.pdf", b"")
    with pytest.raises(ValueError, match="duplicate"):
        writer.add_bytes("budget.PDF", b"")


@pytest.mark.parametrize("name", ["manifest.json", "applications/A-1/attachments/Ünïcode name.pdf",
                                  "a/b/c.d", "日本語.txt"])
def test_reasonable_names_are_allowed(name: str) -> None:
    assert name_problem(name) is None


# --- refusals: each crafted archive breaks exactly one rule ------------------------------

Edit = Callable[[list[RawEntry]], dict[str, object] | None]


def _set(index: int, **changes: object) -> Edit:
    def edit(entries: list[RawEntry]) -> None:
        for key, value in changes.items():
            setattr(entries[index], key, value)
    return edit


def _append(entry: RawEntry) -> Edit:
    def edit(entries: list[RawEntry]) -> None:
        entries.append(entry)
    return edit


def _zip_kwargs(**kwargs: object) -> Edit:
    def edit(entries: list[RawEntry]) -> dict[str, object]:
        return kwargs
    return edit


REFUSALS: dict[str, Edit] = {
    "duplicate name": _append(RawEntry("manifest.json", b"{}")),
    "duplicate ignoring case": _append(RawEntry("MANIFEST.json", b"{}")),
    "absolute path": _set(2, name="/etc/passwd"),
    "dot-dot segment": _set(2, name="applications/../../evil"),
    "dot segment": _set(2, name="applications/./a.json"),
    "empty segment": _set(2, name="applications//a.json"),
    "backslash": _set(2, name="applications\\A-1\\a.json"),
    "drive letter": _set(2, name="C:/windows/evil"),
    "directory entry": _set(2, name="applications/", data=b""),
    "control character": _set(2, name="a\x07.json"),
    "direction override": _set(2, name="invoice\u202efdp.exe"),
    "not NFC": _set(2, name="e\u0301.json"),
    "name not UTF-8": _set(2, name=b"caf\xe9.json"),
    "non-ASCII without UTF-8 flag": _set(1, flags=0),
    "symlink": _set(2, external_attr=0o120777 << 16),
    "unix directory mode": _set(2, external_attr=0o040755 << 16),
    "DOS directory attribute": _set(2, external_attr=0x10),
    "deflated": _set(0, method=8),
    "encrypted flag": _set(0, flags=0x0801),
    "data descriptor flag": _set(0, flags=0x0808),
    "needs ZIP64-era version": _set(0, version_needed=45),
    "extra field in directory": _set(0, extra=b"\x0a\x00\x04\x00abcd"),
    "extra field in local header": _set(0, local_extra=b"\x0a\x00\x04\x00abcd"),
    "entry comment": _set(0, comment=b"hi"),
    "internal attributes": _set(0, internal_attr=1),
    "sizes differ": _set(0, size=3),
    "local name differs": _set(0, local_name=b"manifest.jsoN"),
    "local CRC differs": _set(0, local_crc=1234),
    "local size differs": _set(0, local_size=3),
    "local flags differ": _set(0, local_flags=0x0808),
    "CRC mismatch": _set(0, crc=0xDEADBEEF, local_crc=0xDEADBEEF),
    "gap before a member": _set(1, gap_before=b"hidden"),
    "overlapping members": _set(2, offset_delta=-5),
    "member size above the ZIP's room": _set(2, size=10_000, compressed_size=10_000,
                                             local_size=10_000),
    "data before the directory": _zip_kwargs(between=b"hidden data"),
    "archive comment": _zip_kwargs(comment=b"junk"),
    "data after the end record": _zip_kwargs(trailing=b"appended"),
    "directory offset wrong": _zip_kwargs(cd_offset_delta=-1),
    "directory size wrong": _zip_kwargs(cd_size_delta=10),
    "entry count too high": _zip_kwargs(count=4),
    "entry count too low": _zip_kwargs(count=2),
    "ZIP64 marker": _zip_kwargs(count=0xFFFF),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_crafted_violation_is_refused(case: str) -> None:
    entries = good_entries()
    kwargs = REFUSALS[case](entries) or {}
    data = build_zip(entries, **kwargs)  # type: ignore[arg-type]
    with pytest.raises((DamagedFileError, FileFormatError)) as info:
        reader = StrictZipReader(io.BytesIO(data))
        for name in reader.names():  # some violations only show when a member is read
            reader.read(name, max_size=1 << 20)
    assert info.value.detail.startswith("ZIP")


def test_member_above_the_callers_limit_is_refused_before_reading() -> None:
    reader = StrictZipReader(io.BytesIO(build_zip(good_entries())))
    with pytest.raises(DamagedFileError, match="damaged"):
        reader.read("applications/A-1/attachments/Présentation.pdf", max_size=10)


def test_too_many_entries_is_refused() -> None:
    data = build_zip([RawEntry(f"m{i}", b"") for i in range(20)])
    with pytest.raises(DamagedFileError):
        StrictZipReader(io.BytesIO(data), max_entries=10)


def test_a_missing_member_is_refused() -> None:
    reader = StrictZipReader(io.BytesIO(build_zip(good_entries())))
    with pytest.raises(DamagedFileError, match="damaged"):
        reader.read("nope.json", max_size=10)


@pytest.mark.parametrize("data", [b"", b"not a zip at all, just some text here", b"PK\x03\x04"])
def test_not_a_zip_is_a_format_error(data: bytes) -> None:
    with pytest.raises(FileFormatError, match="not a JudgePanel file"):
        StrictZipReader(io.BytesIO(data))


def test_truncated_archive_is_refused() -> None:
    data = build_zip(good_entries())
    with pytest.raises((DamagedFileError, FileFormatError)):
        StrictZipReader(io.BytesIO(data[:-30]))


def test_opening_reads_only_the_directory() -> None:
    """Member data is not touched until asked for: the reader is lazy by construction."""
    big = b"z" * 500_000
    data = build_zip([RawEntry("small", b"s"), RawEntry("big", big)])

    class Counting(io.BytesIO):
        read_bytes = 0

        def readinto(self, buffer: object) -> int:  # type: ignore[override]
            n = super().readinto(buffer)  # type: ignore[arg-type]
            Counting.read_bytes += n
            return n

    source = Counting(data)
    reader = StrictZipReader(source)
    assert Counting.read_bytes < 200
    assert reader.read("small", max_size=10) == b"s"
    assert Counting.read_bytes < 300


def test_nothing_is_ever_extracted_and_our_files_go_through_the_strict_reader() -> None:
    """DESIGN.md 4 "no extractall": no extraction call anywhere, and the encrypted
    formats never hand their payload to the standard zipfile module."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "judgepanel"
    extracting = {"extractall", "extract", "unpack_archive"}
    found: list[str] = []
    for source in root.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in extracting:
                found.append(f"{source.name}:{node.lineno} .{node.attr}")
            if source.parent.name in ("crypto", "formats") and isinstance(
                    node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                if any(n.split(".")[0] in ("zipfile", "tarfile") for n in names):
                    found.append(f"{source.name}:{node.lineno} imports an archive module")
    assert found == []
