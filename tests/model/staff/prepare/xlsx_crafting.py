"""Damaged and hostile XLSX workbooks, made from a real one by rewriting its ZIP."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

CENTRAL = b"PK\x01\x02"
LOCAL = b"PK\x03\x04"
OLE_MAGIC_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # encrypted, or .xls


def workbook_bytes(rows: list[list[object]] | None = None) -> bytes:
    """A small, valid workbook: a header and two applications (shared strings used)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows or [["Title", "City"], ["Safe Streets", "Springfield"],
                        ["Open Doors", "Shelbyville"]]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>([^<]*)</t></is></c>')


def shared_strings_workbook(rows: list[list[object]] | None = None) -> bytes:
    """:func:`workbook_bytes` with its texts in a shared strings table, as Excel saves."""
    strings: list[bytes] = []

    def shared(match: re.Match[bytes]) -> bytes:
        strings.append(match.group(2))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), len(strings) - 1)

    def change(name: str, content: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return _INLINE.sub(shared, content)
        if name == "[Content_Types].xml":
            return content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                   b'ContentType="application/vnd.openxmlformats-officedocument'
                                   b'.spreadsheetml.sharedStrings+xml" /></Types>')
        return content

    data = rezip(workbook_bytes(rows), change)
    table = b"".join(b"<si><t>%s</t></si>" % text for text in strings)
    return rezip(data, extra={"xl/sharedStrings.xml": b'<sst xmlns="%s">%s</sst>'
                              % (MAIN.encode(), table)})


def rezip(data: bytes, change: Callable[[str, bytes], bytes | None] | None = None, *,
          method: int = zipfile.ZIP_DEFLATED, extra: dict[str, bytes] | None = None) -> bytes:
    """``data``'s members again, each passed through ``change`` (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", compression=method) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if change is not None:
                changed = change(info.filename, content)
                if changed is None:
                    continue
                content = changed
            target.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def patch_headers(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Set one field at ``offset`` of every local and central header (e.g. the method)."""
    buffer = bytearray(data)
    for signature, shift in ((LOCAL, 0), (CENTRAL, 2)):
        start = 0
        while (found := buffer.find(signature, start)) != -1:
            struct.pack_into(fmt, buffer, found + offset + shift, value)
            start = found + 4
    return bytes(buffer)


def set_method(data: bytes, method: int) -> bytes:
    return patch_headers(data, 8, "<H", method)


def set_flags(data: bytes, flags: int) -> bytes:
    return patch_headers(data, 6, "<H", flags)


def set_version_needed(data: bytes, version: int) -> bytes:
    return patch_headers(data, 4, "<H", version)


def set_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Declare ``member``'s uncompressed size as ``size`` in its local and central headers."""
    buffer = bytearray(data)
    name = member.encode()
    for signature, size_at, name_at in ((LOCAL, 22, 30), (CENTRAL, 24, 46)):
        start = 0
        while (found := buffer.find(signature, start)) != -1:
            length = struct.unpack_from("<H", buffer, found + name_at - (4 if signature == LOCAL
                                                                         else 18))[0]
            if bytes(buffer[found + name_at:found + name_at + length]) == name:
                struct.pack_into("<I", buffer, found + size_at, size)
            start = found + 4
    return bytes(buffer)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
