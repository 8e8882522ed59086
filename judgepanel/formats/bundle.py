"""Judging bundles (``.jpbundle``): one encrypted, staff-signed file per judge.

A bundle is age-encrypted to the judge (and the staff, or to one passphrase) and
holds a stored ZIP whose first member is the signed manifest (docs/formats.md
section 4). Writing (``bundle_write.py``, re-exported here) streams every member
through the encryption with constant memory; reading decrypts only what is asked
for: opening touches the age header, the ZIP directory and the manifest, and each
application or attachment is decrypted and hash-checked when it is read, in
memory, never written out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from judgepanel.crypto.minisign import PublicKey
from judgepanel.errors import (
    DamagedFileError,
    FileFormatError,
    JudgePanelError,
    SignatureError,
)
from judgepanel.formats.bundle_write import (
    BundleHeader,
)
from judgepanel.formats.jsonio import SchemaError, check_schema, parse_json
from judgepanel.formats.manifest import (
    APPLICATION_MAX,
    BUNDLE_FORMAT,
    MANIFEST_MAX,
    MANIFEST_NAME,
    SIGNATURE_MAX,
    SIGNATURE_NAME,
    application_path,
    attachment_path,
    check_format_version,
    check_manifest,
    trusted_comment,
)
from judgepanel.formats.sealed import AnyIdentity, SealedZip, name_file
from judgepanel.progress import Progress, no_progress

WRONG_KEY = (
    "None of your keys opens this bundle: it was made for another judge. "
    "Ask the program staff to send you your own bundle."
)
NOT_STAFF = (
    "This bundle was not signed by your program's staff, so it cannot be trusted. "
    "Do not use it; ask the program staff to send it again."
)
DAMAGED = (
    "The bundle is damaged or was changed after the staff signed it. "
    "Ask the program staff to send it again."
)


# --- reading -----------------------------------------------------------------------


def _refuse_schema(error: SchemaError) -> FileFormatError:
    return FileFormatError(
        "This bundle is damaged or was not made by JudgePanel. "
        "Ask the program staff to send it again.",
        detail=f"manifest.json: {error}",
    )


def verify_manifest_signature(
    manifest_bytes: bytes, manifest: dict[str, Any], signature: str, claimed: PublicKey,
    trusted_staff_keys: Sequence[PublicKey] = (),
) -> None:
    """The staff signature must verify with the manifest's key and name this bundle.

    With ``trusted_staff_keys`` the key must also be one of them: a manifest can name
    any key, so only a key known beforehand proves the bundle came from our staff.
    """
    comment = claimed.verify(manifest_bytes, signature)
    expected = trusted_comment(manifest)
    if comment != expected:
        raise SignatureError(
            DAMAGED, detail=f"trusted comment {comment!r} does not match {expected!r}"
        )
    if trusted_staff_keys and claimed not in trusted_staff_keys:
        raise SignatureError(
            NOT_STAFF, detail=f"signed by key {claimed.key_id_hex}, trusted: "
            + ", ".join(k.key_id_hex for k in trusted_staff_keys),
        )


class Bundle:
    """An open bundle. Use as a context manager; the file stays open until closed."""

    def __init__(self, sealed: SealedZip, manifest_bytes: bytes, manifest: dict[str, Any],
                 signature: str, staff_public_key: PublicKey) -> None:
        self._sealed = sealed
        self.manifest_bytes = manifest_bytes
        self.manifest = manifest
        self.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        self.signature = signature
        self.staff_public_key = staff_public_key
        self._members = {m["path"]: m for m in manifest["members"]}
        self._summaries = {s["id"]: s for s in manifest["applications"]}

    @classmethod
    def open(cls, path: Path, identities: Sequence[AnyIdentity], *,
             trusted_staff_keys: Sequence[PublicKey] = ()) -> Bundle:
        """Decrypt lazily and check everything but the members' hashes (see class docs)."""
        sealed = SealedZip.open(Path(path), identities, what="bundle",
                                wrong_key_message=WRONG_KEY)
        return cls.from_sealed(sealed, trusted_staff_keys=trusted_staff_keys)

    @classmethod
    def from_sealed(cls, sealed: SealedZip, *,
                    trusted_staff_keys: Sequence[PublicKey] = ()) -> Bundle:
        """Check an opened container as a bundle; it is closed if refused."""
        try:
            names = sealed.zip.names()
            if names[:2] != [MANIFEST_NAME, SIGNATURE_NAME]:
                raise FileFormatError(
                    "This file is not a JudgePanel bundle."
                    + (" It is a results file." if names[:1] == ["results.json"] else ""),
                    detail=f"first members: {names[:2]}",
                )
            manifest_bytes = sealed.zip.read(MANIFEST_NAME, max_size=MANIFEST_MAX)
            signature_bytes = sealed.zip.read(SIGNATURE_NAME, max_size=SIGNATURE_MAX)
            try:
                signature = signature_bytes.decode("utf-8")
            except UnicodeDecodeError:
                raise SignatureError(DAMAGED, detail="manifest signature is not UTF-8") from None
            manifest = parse_json(manifest_bytes, what="the bundle's manifest",
                                  max_size=MANIFEST_MAX)
            check_format_version(manifest, expected_format=BUNDLE_FORMAT, what="bundle")
            staff_key = check_schema(check_manifest, manifest, on_error=_refuse_schema)
            verify_manifest_signature(manifest_bytes, manifest, signature, staff_key,
                                      trusted_staff_keys)
            bundle = cls(sealed, manifest_bytes, manifest, signature, staff_key)
            bundle._check_directory(names)
            return bundle
        except JudgePanelError as error:
            sealed.close()
            raise name_file(error, sealed.source) from None
        except BaseException:
            sealed.close()
            raise

    def _check_directory(self, names: list[str]) -> None:
        """The ZIP must hold exactly the manifest's members, in its order, at its sizes."""
        listed = [m["path"] for m in self.manifest["members"]]
        if names[2:] != listed:
            extra = sorted(set(names[2:]) - set(listed))
            missing = sorted(set(listed) - set(names[2:]))
            raise DamagedFileError(
                DAMAGED, detail=f"ZIP members differ from the manifest: not listed {extra[:5]}, "
                f"missing {missing[:5]}" + ("" if extra or missing else ", order differs"),
            )
        for member in self.manifest["members"]:
            entry = self._sealed.zip.entry(member["path"])
            if entry.size != member["size"]:
                raise DamagedFileError(
                    DAMAGED, detail=f"{member['path']}: {entry.size} bytes in the ZIP, "
                    f"{member['size']} in the manifest",
                )

    # -- what the manifest says --

    @property
    def bundle_id(self) -> str:
        return str(self.manifest["bundle_id"])

    @property
    def header(self) -> BundleHeader:
        m = self.manifest
        return BundleHeader(
            program=dict(m["program"]), round=dict(m["round"]), bundle_id=m["bundle_id"],
            judge=dict(m["judge"]), staff=dict(m["staff"]), created=m["created"],
            due=m["due"], rubric=m["rubric"], settings=m["settings"],
            applications=[dict(s) for s in m["applications"]],
        )

    def application_ids(self) -> list[str]:
        return list(self._summaries)

    def summary(self, app_id: str) -> dict[str, Any]:
        return dict(self._summaries[app_id])

    def attachment_names(self, app_id: str) -> list[str]:
        self._summaries[app_id]  # noqa: B018 - KeyError for an unknown application
        prefix = attachment_path(app_id, "")
        return [p[len(prefix):] for p in self._members if p.startswith(prefix)]

    # -- members, decrypted and checked on demand --

    def _read_member(self, path: str, *, max_size: int | None = None) -> bytes:
        member = self._members.get(path)
        if member is None:
            raise KeyError(path)
        limit = member["size"] if max_size is None else min(max_size, member["size"])
        try:
            data = self._sealed.zip.read(path, max_size=limit)
            if hashlib.sha256(data).hexdigest() != member["sha256"]:
                raise DamagedFileError(DAMAGED, detail=f"{path}: SHA-256 differs from the manifest")
        except JudgePanelError as error:
            raise name_file(error, self._sealed.source) from None
        return data

    def application(self, app_id: str) -> dict[str, Any]:
        """The application's fields (application.json), hash-checked."""
        if app_id not in self._summaries:
            raise KeyError(app_id)
        data = self._read_member(application_path(app_id), max_size=APPLICATION_MAX)
        document = parse_json(data, what=f"application {app_id}", max_size=APPLICATION_MAX)
        if not isinstance(document, dict):
            raise FileFormatError(DAMAGED, detail=f"application {app_id}: not a JSON object")
        return document

    def attachment(self, app_id: str, name: str) -> bytes:
        """One attachment's bytes, hash-checked, in memory only."""
        if app_id not in self._summaries:
            raise KeyError(app_id)
        return self._read_member(attachment_path(app_id, name))

    def verify_all(self, progress: Progress | None = None) -> None:
        """Decrypt and hash-check every member (for ``judgepanel verify``); constant memory."""
        report = progress or no_progress
        total = max(1, sum(m["size"] for m in self.manifest["members"]))
        done = 0
        for member in self.manifest["members"]:
            sha = hashlib.sha256()
            try:
                for piece in self._sealed.zip.pieces(member["path"]):
                    sha.update(piece)
                    done += len(piece)
                    report(done, total, "Checking the bundle")
            except JudgePanelError as error:
                raise name_file(error, self._sealed.source) from None
            if sha.hexdigest() != member["sha256"]:
                raise name_file(DamagedFileError(
                    DAMAGED, detail=f"{member['path']}: SHA-256 differs from the manifest"
                ), self._sealed.source)
        report(total, total, "Bundle checked")

    def close(self) -> None:
        self._sealed.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
