"""Build hostile bundles and results files by hand, one violation at a time.

The ZIP is assembled byte by byte (every header field can be overridden), the
manifest or results document can be edited and re-signed, and the result is
re-encrypted, so each test breaks exactly one rule and passes every other check.
"""

from __future__ import annotations

import copy
import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from judgepanel.clock import stamp
from judgepanel.crypto.age import encrypt_bytes
from judgepanel.crypto.age_keys import ScryptRecipient, X25519Recipient
from judgepanel.crypto.identity import Identity
from judgepanel.crypto.minisign import SigningKey
from judgepanel.formats.jsonio import dumps_canonical
from judgepanel.formats.manifest import trusted_comment
from judgepanel.formats.results.spec import results_trusted_comment

LOCAL = struct.Struct("<IHHHHHIIIHH")
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
END = struct.Struct("<IHHHHIIH")


@dataclass
class RawEntry:
    """One ZIP member; ``None`` fields take the value a correct writer would use."""

    name: str | bytes
    data: bytes
    flags: int = 0x0800
    method: int = 0
    version_needed: int = 20
    crc: int | None = None
    compressed_size: int | None = None
    size: int | None = None
    extra: bytes = b""
    local_extra: bytes = b""
    comment: bytes = b""
    external_attr: int = 0o100644 << 16
    internal_attr: int = 0
    local_name: bytes | None = None
    local_crc: int | None = None
    local_size: int | None = None
    local_flags: int | None = None
    offset_delta: int = 0
    gap_before: bytes = b""

    @property
    def raw_name(self) -> bytes:
        return self.name if isinstance(self.name, bytes) else self.name.encode("utf-8")


def build_zip(entries: list[RawEntry], *, comment: bytes = b"", between: bytes = b"",
              trailing: bytes = b"", count: int | None = None, cd_offset_delta: int = 0,
              cd_size_delta: int = 0) -> bytes:
    """Assemble a ZIP; keyword arguments add junk in the places a reader must look at."""
    out = bytearray()
    directory = bytearray()
    for e in entries:
        out += e.gap_before
        offset = len(out)
        crc = zlib.crc32(e.data) if e.crc is None else e.crc
        csize = len(e.data) if e.compressed_size is None else e.compressed_size
        usize = len(e.data) if e.size is None else e.size
        local_name = e.raw_name if e.local_name is None else e.local_name
        out += LOCAL.pack(
            0x04034B50, e.version_needed, e.flags if e.local_flags is None else e.local_flags,
            e.method, 0, 0x21, crc if e.local_crc is None else e.local_crc,
            csize if e.local_size is None else e.local_size,
            usize if e.local_size is None else e.local_size,
            len(local_name), len(e.local_extra),
        ) + local_name + e.local_extra + e.data
        directory += CENTRAL.pack(
            0x02014B50, (3 << 8) | 20, e.version_needed, e.flags, e.method, 0, 0x21, crc,
            csize, usize, len(e.raw_name), len(e.extra), len(e.comment), 0, e.internal_attr,
            e.external_attr, offset + e.offset_delta,
        ) + e.raw_name + e.extra + e.comment
    out += between
    cd_offset = len(out)
    out += directory
    n = len(entries) if count is None else count
    out += END.pack(0x06054B50, 0, 0, n, n, len(directory) + cd_size_delta,
                    cd_offset + cd_offset_delta, len(comment)) + comment
    return bytes(out + trailing)


# --- keys ------------------------------------------------------------------------------


@dataclass
class Keys:
    judge: Identity
    staff: Identity
    other: Identity  # a stranger: another judge, or someone forging bundles

    @classmethod
    def make(cls) -> Keys:
        return cls(Identity.generate("Maria Okafor", "judge"),
                   Identity.generate("Sam Staff", "staff"),
                   Identity.generate("Mallory", "staff"))

    @property
    def bundle_recipients(self) -> list[X25519Recipient | ScryptRecipient]:
        return [self.judge.recipient, self.staff.recipient]


def seal(payload: bytes, recipients: list[Any]) -> bytes:
    return encrypt_bytes(payload, recipients)


# --- bundles ---------------------------------------------------------------------------


def member_record(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def staff_block(staff: Identity) -> dict[str, Any]:
    return {
        "name": staff.name,
        "fingerprint": staff.fingerprint,
        "age_recipient": staff.recipient.to_string(),
        "minisign_public_key": staff.public_key.base64,
        "key_id": staff.public_key.key_id_hex,
    }


@dataclass
class BundleParts:
    """A valid bundle taken apart: edit any piece, then :meth:`zip` / :meth:`sealed`."""

    keys: Keys
    manifest: dict[str, Any]
    members: dict[str, bytes]
    signer: SigningKey
    comment: str | None = None  # trusted comment; None = the correct one
    manifest_bytes: bytes | None = None  # None = canonical dump of ``manifest``
    signature: bytes | None = None  # None = a fresh signature by ``signer``
    extra_entries: list[RawEntry] = field(default_factory=list)

    @classmethod
    def valid(cls, keys: Keys) -> BundleParts:
        members = {
            "applications/A-1/application.json": dumps_canonical({"id": "A-1", "title": "Unity"}),
            "applications/A-1/attachments/budget.pdf": b"%PDF-1.4 budget",
            "applications/A-2/application.json": dumps_canonical({"id": "A-2", "title": "Parks"}),
        }
        manifest = {
            "format": "judgepanel-bundle",
            "format_version": 1,
            "bundle_id": "B-0001",
            "program": {"id": "P-2026", "name": "Mayors' Recognition 2026"},
            "round": {"id": "R-1", "name": "First round"},
            "judge": {"name": keys.judge.name, "fingerprint": keys.judge.fingerprint},
            "staff": staff_block(keys.staff),
            "created": stamp(),
            "due": "2026-04-01",
            "rubric": {"name": "Recognition", "criteria": [{"key": "impact"}]},
            "settings": {"blind_review": False},
            "applications": [
                {"id": "A-1", "title": "Unity Days", "applicant": "Ana", "organisation": "City",
                 "city": "Lyon"},
                {"id": "A-2", "title": "Parks for all", "applicant": None, "organisation": None,
                 "city": None},
            ],
            "members": [member_record(p, d) for p, d in members.items()],
        }
        return cls(keys, manifest, members, keys.staff.signing)

    def refresh_members(self) -> None:
        """Make the manifest's member list describe ``members`` again (then re-sign)."""
        self.manifest["members"] = [member_record(p, d) for p, d in self.members.items()]

    def manifest_data(self) -> bytes:
        return self.manifest_bytes if self.manifest_bytes is not None else dumps_canonical(
            self.manifest)

    def signature_data(self) -> bytes:
        if self.signature is not None:
            return self.signature
        comment = self.comment if self.comment is not None else trusted_comment(self.manifest)
        return self.signer.sign(self.manifest_data(), trusted_comment=comment).encode()

    def entries(self) -> list[RawEntry]:
        return [
            RawEntry("manifest.json", self.manifest_data()),
            RawEntry("manifest.json.minisig", self.signature_data()),
            *(RawEntry(path, data) for path, data in self.members.items()),
            *self.extra_entries,
        ]

    def zip(self, **kwargs: Any) -> bytes:
        return build_zip(self.entries(), **kwargs)

    def sealed(self, **kwargs: Any) -> bytes:
        return seal(self.zip(**kwargs), self.keys.bundle_recipients)

    def copy(self) -> BundleParts:
        return copy.deepcopy(self)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- results ---------------------------------------------------------------------------


def results_document_v1(keys: Keys, **changes: Any) -> dict[str, Any]:
    """A version-1 document (no export id, no ``supersedes``, no ``unable_to_review``)."""
    document = results_document_v2(keys, format_version=1)
    for key in ("export_id", "supersedes", "unable_to_review"):
        del document[key]
    document.update(changes)
    return document


def results_document(keys: Keys, **changes: Any) -> dict[str, Any]:
    """A current-version document (3), as a judge's app writes it: version 2's with
    feedback for the applicant beside every comment for the panel."""
    document = results_document_v2(keys, format_version=3)
    review = document["reviews"][0]
    review["overall_feedback"] = "A clear plan; say more about who benefits."
    review["scores"][0]["feedback"] = "Your outcomes are clear."
    review["scores"][1]["feedback"] = ""
    document.update(changes)
    return document


def results_document_v2(keys: Keys, **changes: Any) -> dict[str, Any]:
    """A version-2 document (one text per score and review, for the panel)."""
    now = stamp()
    document: dict[str, Any] = {
        "format": "judgepanel-results",
        "format_version": 2,
        "export_id": "0123456789abcdef0123456789abcdef",
        "supersedes": ["00112233445566778899aabbccddeeff"],
        "unable_to_review": [],
        "program": {"id": "P-2026", "name": "Mayors' Recognition 2026"},
        "round": {"id": "R-1", "name": "First round"},
        "bundle_id": "B-0001",
        "manifest_sha256": "ab" * 32,
        "judge": {"name": keys.judge.name, "fingerprint": keys.judge.fingerprint},
        "sequence": 3,
        "created": now,
        "generator": "JudgePanel test",
        "declarations": [
            {"application_id": "A-1", "conflict": False, "reason": "", "declared_at": now},
            {"application_id": "A-2", "conflict": True, "reason": "My sister runs it",
             "declared_at": now},
        ],
        "reviews": [
            {"application_id": "A-1", "overall_comment": "Strong, well evidenced.",
             "confidence": 4, "updated_at": now,
             "scores": [{"criterion": "impact", "score": 4, "comment": "Clear outcomes"},
                        {"criterion": "reach", "score": 3.5, "comment": ""}]},
        ],
    }
    document.update(changes)
    return document


@dataclass
class ResultsParts:
    keys: Keys
    document: dict[str, Any]
    signer: SigningKey
    comment: str | None = None
    document_bytes: bytes | None = None
    public_text: str | None = None  # judge.pub; None = the signer's key

    @classmethod
    def valid(cls, keys: Keys) -> ResultsParts:
        return cls(keys, results_document(keys), keys.judge.signing)

    def data(self) -> bytes:
        return self.document_bytes if self.document_bytes is not None else dumps_canonical(
            self.document)

    def entries(self) -> list[RawEntry]:
        comment = self.comment
        if comment is None:
            try:
                comment = results_trusted_comment(self.document)
            except (KeyError, TypeError):  # a document broken on purpose
                comment = "judgepanel results v1 crafted"
        signature = self.signer.sign(self.data(), trusted_comment=comment)
        public = self.public_text or self.signer.public_key().to_string()
        return [RawEntry("results.json", self.data()),
                RawEntry("results.json.minisig", signature.encode()),
                RawEntry("judge.pub", public.encode())]

    def sealed(self, entries: list[RawEntry] | None = None) -> bytes:
        return seal(build_zip(entries if entries is not None else self.entries()),
                    [self.keys.staff.recipient])
