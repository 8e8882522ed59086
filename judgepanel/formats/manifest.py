"""The bundle manifest: what a bundle holds, who it is for, and who vouches for it.

``manifest.json`` is the first member of every bundle and the only one the staff
signs: it lists every other member with its size and SHA-256, so one signature
covers the whole bundle while each member is still checked only when it is read.
The schema is docs/formats.md section 4; :func:`check_manifest` is its executable
form and is used by both the writer (our own input) and the reader (someone's file).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from judgepanel.crypto.identity import fingerprint as compute_fingerprint
from judgepanel.crypto.minisign import PublicKey
from judgepanel.errors import FileFormatError, NewerVersionError, SignatureError
from judgepanel.formats.jsonio import (
    FINGERPRINT_PATTERN,
    SHA256_PATTERN,
    Fields,
    SchemaError,
    is_timestamp,
    short_repr,
)
from judgepanel.formats.zipsafe import MAX_ENTRIES, MAX_U32, name_problem

BUNDLE_FORMAT = "judgepanel-bundle"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.json.minisig"

MANIFEST_MAX = 16 * 1024 * 1024
"""Largest manifest.json we read (bytes)."""
SIGNATURE_MAX = 16 * 1024
APPLICATION_MAX = 16 * 1024 * 1024
"""Largest application.json we read (bytes)."""
MAX_APPLICATIONS = 10_000
MAX_NAME = 300

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
AGE_RECIPIENT_PATTERN = re.compile(r"age1[02-9ac-hj-np-z]{58}")
SUMMARY_TEXT_FIELDS = ("title", "applicant", "organisation", "city")

NEWER_MESSAGE = (
    "This {what} was made by a newer JudgePanel than this one. "
    "Please update JudgePanel, then open it again."
)


def application_path(app_id: str) -> str:
    return f"applications/{app_id}/application.json"


def attachment_path(app_id: str, name: str) -> str:
    return f"applications/{app_id}/attachments/{name}"


def trusted_comment(manifest: dict[str, Any]) -> str:
    """The signature's trusted comment: it names what the signature is for.

    ``minisign -V`` prints it, so a person checking by hand sees which bundle, program,
    round and judge the staff signed for; readers require it to match the manifest.
    """
    return (
        f"judgepanel bundle v{manifest['format_version']} bundle={manifest['bundle_id']} "
        f"program={manifest['program']['id']} round={manifest['round']['id']} "
        f"judge={manifest['judge']['fingerprint']}"
    )


def check_format_version(document: Any, *, expected_format: str, what: str,
                         newest: int = FORMAT_VERSION) -> None:
    """Refuse another kind of document, or one made by a newer version, before anything else.

    ``newest``: the highest version this JudgePanel reads of that kind of document.

    Runs before the full schema so that a newer file says "update JudgePanel" rather
    than complaining about the fields it added.
    """
    not_ours = f"This is not a JudgePanel {what}."
    if not isinstance(document, dict):
        raise FileFormatError(not_ours, detail=f"{what}: the document is not a JSON object")
    kind = document.get("format")
    version = document.get("format_version")
    if kind != expected_format:
        raise FileFormatError(not_ours, detail=f"format is {short_repr(kind)}, "
                                               f"expected {expected_format!r}")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FileFormatError(
            f"This {what} is damaged or was not made by JudgePanel.",
            detail=f"format_version is {short_repr(version)}",
        )
    if version > newest:
        raise NewerVersionError(
            NEWER_MESSAGE.format(what=what),
            detail=f"format_version {version}; this JudgePanel reads up to {newest}",
        )


def _party(fields: Fields, key: str) -> Fields:
    party = fields.req_obj(key)
    party.req_text("name", empty=False, max_len=MAX_NAME, multiline=False)
    party.pattern("fingerprint", FINGERPRINT_PATTERN, "a fingerprint like K7QF-3MZD-WX2P-9HTR")
    return party


def _named(fields: Fields, key: str) -> None:
    named = fields.req_obj(key)
    named.ident("id")
    named.req_text("name", empty=False, max_len=MAX_NAME, multiline=False)
    named.done()


def check_staff(staff: Fields) -> PublicKey:
    """Staff block: the fingerprint must be the one their two public keys give.

    The judge compares that fingerprint with what staff read out to them, so it must
    be bound to the signing key, not merely written next to it.
    """
    recipient = staff.pattern("age_recipient", AGE_RECIPIENT_PATTERN, "an age1… recipient")
    text = staff.req_text("minisign_public_key", empty=False, max_len=200, multiline=False)
    key_id = staff.pattern("key_id", re.compile(r"[0-9A-F]{16}"), "a 16-digit key id")
    staff.done()
    try:
        public = PublicKey.from_string(text)
    except SignatureError:
        staff.fail("minisign_public_key", "is not a minisign public key")
    if public.base64 != text:
        staff.fail("minisign_public_key", "must be the bare base64 line of the key")
    if key_id != public.key_id_hex:
        staff.fail("key_id", f"does not match the public key's id {public.key_id_hex}")
    if compute_fingerprint(recipient, text) != staff.value["fingerprint"]:
        staff.fail("fingerprint", "does not match the staff keys")
    return public


def _summary(entry: Fields) -> str:
    app_id = entry.ident("id")
    entry.req_text("title", max_len=2000, multiline=False)
    for key in SUMMARY_TEXT_FIELDS[1:]:
        entry.text(key, optional=True, max_len=2000, multiline=False)
    if entry.present("categories"):
        for index, item in enumerate(entry.array("categories", max_items=100)):
            if not isinstance(item, str) or not item.strip() or len(item) > MAX_NAME:
                raise SchemaError(entry.sub(f"categories[{index}]"), "must be a category name")
    entry.done()
    return app_id


def _member(entry: Fields, app_ids: set[str]) -> tuple[str, str]:
    """One member record; returns (path, application id)."""
    path = entry.req_text("path", max_len=1100, multiline=False)
    entry.req_int("size", minimum=0, maximum=MAX_U32)
    entry.pattern("sha256", SHA256_PATTERN, "64 lowercase hexadecimal digits")
    entry.done()
    problem = name_problem(path)
    if problem:
        entry.fail("path", f"{problem}: {short_repr(path)}")
    parts = path.split("/")
    shape_ok = (
        len(parts) == 3 and parts[0] == "applications" and parts[2] == "application.json"
    ) or (len(parts) == 4 and parts[0] == "applications" and parts[2] == "attachments")
    if not shape_ok:
        entry.fail("path", f"is not an application or attachment path: {short_repr(path)}")
    if parts[1] not in app_ids:
        entry.fail("path", f"names application {parts[1]!r}, which the manifest does not list")
    return path, parts[1]


def check_manifest(document: Any) -> PublicKey:
    """Validate a whole manifest (format version 1); return the staff public key in it.

    Raises SchemaError naming the first offending field.
    """
    root = Fields(document, "")
    root.literal("format", BUNDLE_FORMAT)
    root.literal("format_version", FORMAT_VERSION)
    root.ident("bundle_id")
    _named(root, "program")
    _named(root, "round")
    _party(root, "judge").done()
    staff_key = check_staff(_party(root, "staff"))
    root.timestamp("created")
    if not root.present("due"):
        root.fail("due", "is missing (it may be null)")
    due = root.text("due", optional=True, multiline=False)
    if due is not None and not (is_timestamp(due) or _is_date(due)):
        root.fail("due", f"must be a date (2026-03-01) or a UTC time, not {short_repr(due)}")
    root.any_object("rubric")
    root.any_object("settings")
    app_ids: list[str] = [
        _summary(entry) for entry in root.objects("applications", max_items=MAX_APPLICATIONS)
    ]
    if not app_ids:
        root.fail("applications", "must list at least one application")
    unique = set(app_ids)
    if len(unique) != len(app_ids):
        root.fail("applications", "lists the same application id twice")
    seen: set[str] = set()
    with_document: set[str] = set()
    for entry in root.objects("members", max_items=MAX_ENTRIES - 2):
        path, app_id = _member(entry, unique)
        if path.casefold() in seen:
            entry.fail("path", f"is listed twice: {short_repr(path)}")
        seen.add(path.casefold())
        if path == application_path(app_id):
            with_document.add(app_id)
    missing = sorted(unique - with_document)
    if missing:
        root.fail("members", f"has no application.json for {', '.join(missing[:5])}")
    root.done()
    return staff_key


def _is_date(text: str) -> bool:
    if not DATE_PATTERN.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
