"""Building judging bundles: measure, sign the manifest, stream everything through age.

Kept apart from the reader (``bundle.py``, which re-exports these names) because
the two share only the format, not code paths. See docs/formats.md section 4.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from judgepanel.crypto.age import AgeWriter
from judgepanel.crypto.age_keys import ScryptRecipient, X25519Recipient
from judgepanel.crypto.minisign import PublicKey, SigningKey
from judgepanel.errors import ValidationError
from judgepanel.formats.jsonio import (
    ID_PATTERN,
    MAX_DEPTH,
    SchemaError,
    check_schema,
    dumps_canonical,
    json_depth,
)
from judgepanel.formats.manifest import (
    APPLICATION_MAX,
    BUNDLE_FORMAT,
    FORMAT_VERSION,
    MANIFEST_MAX,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    application_path,
    attachment_path,
    check_manifest,
    trusted_comment,
)
from judgepanel.formats.sealed import atomic_output, cannot_write
from judgepanel.formats.zipsafe import MAX_U32, PIECE, StoredZipWriter, name_problem
from judgepanel.progress import Progress, no_progress

Recipient = X25519Recipient | ScryptRecipient
# An attachment's bytes: given, in a file, or from a function that opens a stream of them
# each time it is called (a file kept in a database; it is read twice, never held whole).
AttachmentSource = Path | bytes | Callable[[], BinaryIO]


@dataclass
class BundleApplication:
    """One application as the judge will see it: fields (JSON) and attachments."""

    id: str
    document: dict[str, Any]
    attachments: Sequence[tuple[str, AttachmentSource]] = ()


@dataclass
class BundleHeader:
    """Everything in the manifest except the member list (which the writer computes).

    ``staff`` holds name, fingerprint and age_recipient (so readers can recompute the
    fingerprint); the writer adds minisign_public_key and key_id from the signing key.
    ``applications`` holds the conflict-of-interest summaries: id, title and optional
    applicant, organisation, city, categories.
    """

    program: dict[str, Any]
    round: dict[str, Any]
    bundle_id: str
    judge: dict[str, Any]
    staff: dict[str, Any]
    created: str
    due: str | None
    rubric: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict)
    applications: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class WrittenBundle:
    path: Path
    bundle_id: str
    manifest_sha256: str
    size: int


@dataclass
class _Planned:
    """A member to write, measured in the first pass so the ZIP needs no data descriptors."""

    path: str
    source: AttachmentSource | dict[str, Any]
    size: int = 0
    crc32: int = 0
    sha256: str = ""

    @property
    def label(self) -> str:
        return str(self.source) if isinstance(self.source, Path) else self.path

    def pieces(self) -> Iterator[bytes]:
        if isinstance(self.source, dict):
            yield dumps_canonical(self.source)
        elif isinstance(self.source, bytes):
            yield self.source
        else:
            source = self.source
            with source() if callable(source) else Path(source).open("rb") as handle:
                while piece := handle.read(PIECE):
                    yield piece


def _invalid(error: SchemaError) -> ValidationError:
    return ValidationError(f"The bundle cannot be built: {error.field} {error.reason}.",
                           path=error.field or None)


def _plan(header: BundleHeader, applications: list[BundleApplication]) -> list[_Planned]:
    summary_ids = [str(s.get("id")) for s in header.applications if isinstance(s, dict)]
    given = [app.id for app in applications]
    if sorted(given) != sorted(summary_ids) or len(set(given)) != len(given):
        raise ValidationError(
            "The bundle cannot be built: its applications do not match the summaries "
            "in the header (each application must appear exactly once in both).",
            detail=f"header: {sorted(summary_ids)[:10]}, applications: {sorted(given)[:10]}",
            path="applications",
        )
    planned: list[_Planned] = []
    for app in applications:
        where = f"applications[{app.id}]"
        if not isinstance(app.document, dict):
            raise ValidationError("An application's document must be a JSON object.", path=where)
        try:
            encoded = dumps_canonical(app.document)
        except (TypeError, ValueError) as error:
            raise ValidationError(
                f"Application {app.id} holds a value that cannot be stored.",
                detail=str(error), path=where,
            ) from None
        if len(encoded) > APPLICATION_MAX or json_depth(app.document) > MAX_DEPTH:
            raise ValidationError(
                f"Application {app.id} is too large or too deeply nested to put in a bundle.",
                path=where,
            )
        if not isinstance(app.id, str) or not ID_PATTERN.fullmatch(app.id):
            raise ValidationError(f"{app.id!r} cannot be used as an application id.", path=where)
        planned.append(_Planned(application_path(app.id), app.document))
        seen: set[str] = set()
        for raw_name, source in app.attachments:
            name = unicodedata.normalize("NFC", raw_name)
            problem = name_problem(name) or ("contains '/'" if "/" in name else None)
            if problem:
                raise ValidationError(
                    f"The attachment name {raw_name!r} of application {app.id} cannot be used "
                    "in a bundle. Rename the file and try again.",
                    detail=problem, path=f"{where}.attachments",
                )
            if name.casefold() in seen:
                raise ValidationError(
                    f"Application {app.id} has two attachments named {raw_name!r}. "
                    "Rename one of them and try again.", path=f"{where}.attachments",
                )
            seen.add(name.casefold())
            if not isinstance(source, bytes | Path) and not callable(source):
                raise ValidationError(f"Attachment {name!r} must be bytes, a file path or "
                                      "a function that opens it.",
                                      path=f"{where}.attachments")
            planned.append(_Planned(attachment_path(app.id, name), source))
    return planned


def _measure(member: _Planned) -> None:
    sha = hashlib.sha256()
    crc = 0
    size = 0
    try:
        for piece in member.pieces():
            sha.update(piece)
            crc = zlib.crc32(piece, crc)
            size += len(piece)
    except OSError as error:
        raise ValidationError(
            f"The attachment file {member.label} cannot be read.", detail=str(error),
            path=member.path,
        ) from None
    member.size, member.crc32, member.sha256 = size, crc, sha.hexdigest()


def _checked_pieces(member: _Planned, advance: Any) -> Iterator[bytes]:
    """The member's pieces again, proving they are the bytes the manifest describes."""
    sha = hashlib.sha256()
    for piece in member.pieces():
        sha.update(piece)
        advance(len(piece))
        yield piece
    if sha.hexdigest() != member.sha256:
        raise ValidationError(
            f"The file {member.label} changed while the bundle was being built. "
            "Build the bundle again.", path=member.path,
        )


def build_manifest(header: BundleHeader, members: Sequence[_Planned],
                   staff_public: PublicKey) -> dict[str, Any]:
    staff = dict(header.staff)
    given_key = staff.get("minisign_public_key")
    if given_key is not None and given_key != staff_public.base64:
        raise ValidationError(
            "The bundle cannot be built: the staff signing key is not the one named in "
            "the bundle header.", path="staff.minisign_public_key",
        )
    staff["minisign_public_key"] = staff_public.base64
    staff["key_id"] = staff_public.key_id_hex
    return {
        "format": BUNDLE_FORMAT,
        "format_version": FORMAT_VERSION,
        "bundle_id": header.bundle_id,
        "program": header.program,
        "round": header.round,
        "judge": header.judge,
        "staff": staff,
        "created": header.created,
        "due": header.due,
        "rubric": header.rubric,
        "settings": header.settings,
        "applications": header.applications,
        "members": [{"path": m.path, "size": m.size, "sha256": m.sha256} for m in members],
    }


def write_bundle(
    dst: Path,
    header: BundleHeader,
    applications: Iterable[BundleApplication],
    *,
    recipients: Sequence[Recipient],
    staff_key: SigningKey,
    progress: Progress | None = None,
) -> WrittenBundle:
    """Build, sign and encrypt one judge's bundle at ``dst`` (atomically).

    Two passes over the attachments: the first measures (size, CRC-32, SHA-256) so the
    manifest can be signed and written first; the second streams them into the
    encryption. Memory stays constant whatever the attachments weigh.
    """
    report = progress or no_progress
    dst = Path(dst)
    if not recipients:
        raise ValidationError("The bundle cannot be built: nobody would be able to open it.",
                              path="recipients")
    planned = _plan(header, list(applications))
    # Progress counts bytes: attachment files once to measure, every member once to write.
    total = 0
    for member in planned:
        if isinstance(member.source, Path):
            try:
                total += member.source.stat().st_size
            except OSError as error:
                raise ValidationError(
                    f"The attachment file {member.source} cannot be read.",
                    detail=str(error), path=member.path,
                ) from None
    total = max(2 * total, 1)  # a first estimate; exact once everything is measured
    done = 0
    for member in planned:
        _measure(member)
        if isinstance(member.source, Path):
            done += member.size
            report(min(done, total), total, "Checking attachments")
    total = max(done + sum(m.size for m in planned), 1)
    overhead = sum(100 + 2 * len(m.path.encode()) for m in planned) + MANIFEST_MAX
    if sum(m.size for m in planned) + overhead > MAX_U32:
        raise ValidationError(
            "This bundle would be larger than 4 GB, which the bundle format does not allow. "
            "Split the applications over two rounds or leave out the largest attachments.",
            path="applications",
        )
    manifest = build_manifest(header, planned, staff_key.public_key())
    check_schema(check_manifest, manifest, on_error=_invalid)
    manifest_bytes = dumps_canonical(manifest)
    if len(manifest_bytes) > MANIFEST_MAX:
        raise ValidationError("The bundle cannot be built: its manifest is too large.",
                              path="applications")
    signature = staff_key.sign(
        manifest_bytes,
        trusted_comment=trusted_comment(manifest),
        untrusted_comment=f"JudgePanel bundle {header.bundle_id}, signed by staff",
    )

    def advance(n: int) -> None:
        nonlocal done
        done += n
        report(min(done, total), total, "Encrypting the bundle")

    try:
        with atomic_output(dst) as out, AgeWriter(out, list(recipients)) as sink:
            writer = StoredZipWriter(sink)
            writer.add_bytes(MANIFEST_NAME, manifest_bytes)
            writer.add_bytes(SIGNATURE_NAME, signature.encode("utf-8"))
            for member in planned:
                writer.add_stream(member.path, member.size, member.crc32,
                                  _checked_pieces(member, advance))
            writer.close()
    except OSError as error:
        raise cannot_write(dst, "bundle", error) from None
    report(total, total, "Bundle written")
    return WrittenBundle(
        path=dst,
        bundle_id=header.bundle_id,
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        size=dst.stat().st_size,
    )


