"""Crafted hostile bundles: each breaks one rule, is re-signed and re-encrypted, and is refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from judgepanel.errors import (
    DamagedFileError,
    FileFormatError,
    JudgePanelError,
    NewerVersionError,
    SignatureError,
)
from judgepanel.formats import bundle as bundle_module
from judgepanel.formats.bundle import Bundle
from judgepanel.formats.jsonio import dumps_canonical
from tests.formats.crafting import BundleParts, Keys, RawEntry, ResultsParts, seal, write


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys.make()


@pytest.fixture
def parts(keys: Keys) -> BundleParts:
    return BundleParts.valid(keys)


def open_crafted(tmp_path: Path, keys: Keys, data: bytes, **kwargs: object) -> Bundle:
    path = write(tmp_path / "crafted.jpbundle", data)
    return Bundle.open(path, [keys.judge], **kwargs)  # type: ignore[arg-type]


def test_the_crafted_baseline_opens(tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    with open_crafted(tmp_path, keys, parts.sealed(),
                      trusted_staff_keys=[keys.staff.public_key]) as bundle:
        bundle.verify_all()
        assert bundle.application("A-1") == {"id": "A-1", "title": "Unity"}


# --- signature and trust -----------------------------------------------------------------


def test_manifest_changed_after_signing(tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    signature = parts.signature_data()
    parts.manifest["applications"][0]["title"] = "Something else"
    parts.signature = signature
    with pytest.raises(SignatureError, match="changed after"):
        open_crafted(tmp_path, keys, parts.sealed())


def test_signature_by_a_key_other_than_the_manifests(tmp_path: Path, keys: Keys,
                                                     parts: BundleParts) -> None:
    parts.signer = keys.other.signing
    with pytest.raises(SignatureError):
        open_crafted(tmp_path, keys, parts.sealed())


def test_trusted_comment_naming_another_bundle(tmp_path: Path, keys: Keys,
                                               parts: BundleParts) -> None:
    parts.comment = "judgepanel bundle v1 bundle=B-9999 program=P-2026 round=R-1 judge=X"
    with pytest.raises(SignatureError, match="changed after"):
        open_crafted(tmp_path, keys, parts.sealed())


def test_missing_signature_member(tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    entries = [e for e in parts.entries() if e.name != "manifest.json.minisig"]
    from tests.formats.crafting import build_zip
    with pytest.raises(FileFormatError):
        open_crafted(tmp_path, keys, seal(build_zip(entries), keys.bundle_recipients))


def test_garbage_signature(tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    parts.signature = b"untrusted comment: x\nnot base64\ntrusted comment: y\nzz\n"
    with pytest.raises(SignatureError):
        open_crafted(tmp_path, keys, parts.sealed())


def test_forger_claiming_the_real_staff_fingerprint(tmp_path: Path, keys: Keys,
                                                    parts: BundleParts) -> None:
    """The judge checks the staff fingerprint by phone: it must be bound to the signing key."""
    parts.manifest["staff"]["minisign_public_key"] = keys.other.public_key.base64
    parts.manifest["staff"]["key_id"] = keys.other.public_key.key_id_hex
    parts.signer = keys.other.signing
    with pytest.raises(FileFormatError) as info:
        open_crafted(tmp_path, keys, parts.sealed())
    assert "staff.fingerprint" in info.value.detail


def test_self_consistent_forgery_is_refused_with_known_staff_keys(
        tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    from tests.formats.crafting import staff_block

    parts.manifest["staff"] = staff_block(keys.other)
    parts.signer = keys.other.signing
    data = parts.sealed()
    with pytest.raises(SignatureError, match="not signed by your program's staff"):
        open_crafted(tmp_path, keys, data, trusted_staff_keys=[keys.staff.public_key])


# --- members against the manifest ---------------------------------------------------------


def test_member_hash_differs_from_the_manifest(tmp_path: Path, keys: Keys,
                                               parts: BundleParts) -> None:
    parts.members["applications/A-1/attachments/budget.pdf"] = b"%PDF-1.4 BUDGET"  # same size
    with open_crafted(tmp_path, keys, parts.sealed()) as bundle:
        assert bundle.application("A-2")["id"] == "A-2"  # other members still readable
        with pytest.raises(DamagedFileError, match="changed after the staff signed"):
            bundle.attachment("A-1", "budget.pdf")
        with pytest.raises(DamagedFileError):
            bundle.verify_all()


def test_application_json_hash_differs(tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    path = "applications/A-2/application.json"
    parts.members[path] = parts.members[path].replace(b"Parks", b"Darks")
    with open_crafted(tmp_path, keys, parts.sealed()) as bundle, \
            pytest.raises(DamagedFileError):
        bundle.application("A-2")


def test_member_larger_than_the_manifest_says(tmp_path: Path, keys: Keys,
                                              parts: BundleParts) -> None:
    parts.members["applications/A-1/attachments/budget.pdf"] += b" and more"
    with pytest.raises(DamagedFileError, match="damaged"):
        open_crafted(tmp_path, keys, parts.sealed())


def test_member_the_manifest_does_not_name(tmp_path: Path, keys: Keys,
                                           parts: BundleParts) -> None:
    parts.extra_entries.append(RawEntry("applications/A-1/attachments/payload.exe", b"MZ"))
    with pytest.raises(DamagedFileError) as info:
        open_crafted(tmp_path, keys, parts.sealed())
    assert "payload.exe" in info.value.detail


def test_member_the_manifest_names_is_missing(tmp_path: Path, keys: Keys,
                                              parts: BundleParts) -> None:
    del parts.members["applications/A-1/attachments/budget.pdf"]
    with pytest.raises(DamagedFileError):
        open_crafted(tmp_path, keys, parts.sealed())


def test_members_in_another_order(tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    parts.members = dict(reversed(list(parts.members.items())))
    with pytest.raises(DamagedFileError, match="damaged"):
        open_crafted(tmp_path, keys, parts.sealed())


def test_manifest_not_first(tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    from tests.formats.crafting import build_zip

    entries = parts.entries()
    entries[0], entries[2] = entries[2], entries[0]
    with pytest.raises(FileFormatError, match="not a JudgePanel bundle"):
        open_crafted(tmp_path, keys, seal(build_zip(entries), keys.bundle_recipients))


@pytest.mark.parametrize("path", ["applications/A-1/../../etc/passwd", "/etc/passwd",
                                  "applications\\A-1\\x", "elsewhere/file",
                                  "applications/A-9/application.json"])
def test_manifest_naming_a_bad_path(tmp_path: Path, keys: Keys, parts: BundleParts,
                                    path: str) -> None:
    """Even if the ZIP did not refuse the name, the signed manifest may not name it."""
    parts.manifest["members"].append({"path": path, "size": 1, "sha256": "0" * 64})
    with pytest.raises(FileFormatError) as info:
        open_crafted(tmp_path, keys, parts.sealed())
    assert "members[3].path" in info.value.detail


def test_application_without_its_document(tmp_path: Path, keys: Keys,
                                          parts: BundleParts) -> None:
    del parts.members["applications/A-2/application.json"]
    parts.refresh_members()
    with pytest.raises(FileFormatError) as info:
        open_crafted(tmp_path, keys, parts.sealed())
    assert "A-2" in info.value.detail


# --- versions, kinds and the manifest's JSON ------------------------------------------------


def test_newer_format_version(tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    parts.manifest["format_version"] = 2
    parts.manifest["new_thing"] = {"from": "the future"}
    with pytest.raises(NewerVersionError, match="newer JudgePanel"):
        open_crafted(tmp_path, keys, parts.sealed())


def test_results_file_is_not_a_bundle(tmp_path: Path, keys: Keys) -> None:
    data = ResultsParts.valid(keys).sealed()
    path = write(tmp_path / "r.jpbundle", data)
    with pytest.raises(FileFormatError, match="results file"):
        Bundle.open(path, [keys.staff])


Mutation = Callable[[BundleParts], None]


def _raw_manifest(text: bytes) -> Mutation:
    def mutate(parts: BundleParts) -> None:
        parts.manifest_bytes = text
    return mutate


def _edit(edit: Callable[[dict], None]) -> Mutation:  # type: ignore[type-arg]
    def mutate(parts: BundleParts) -> None:
        edit(parts.manifest)
    return mutate


def _deep(parts: BundleParts) -> None:
    nested: object = 1
    for _ in range(40):
        nested = [nested]
    parts.manifest["rubric"]["deep"] = nested


MANIFEST_REFUSALS: dict[str, Mutation] = {
    "duplicate key": lambda p: setattr(p, "manifest_bytes", dumps_canonical(p.manifest).replace(
        b'"bundle_id": "B-0001"', b'"bundle_id": "B-0001", "bundle_id": "B-0002"')),
    "NaN": lambda p: setattr(p, "manifest_bytes", dumps_canonical(p.manifest).replace(
        b'"blind_review": false', b'"blind_review": NaN')),
    "not UTF-8": lambda p: setattr(p, "manifest_bytes", dumps_canonical(p.manifest).replace(
        b"Lyon", b"Ly\xffn")),
    "byte-order mark": lambda p: setattr(p, "manifest_bytes",
                                         b"\xef\xbb\xbf" + dumps_canonical(p.manifest)),
    "not JSON": _raw_manifest(b"manifest, version 1"),
    "JSON array": _raw_manifest(b"[1, 2, 3]"),
    "too deep": _deep,
    "unknown field": _edit(lambda m: m.update(notes="hello")),
    "wrong format": _edit(lambda m: m.update(format="judgepanel-results")),
    "version as text": _edit(lambda m: m.update(format_version="1")),
    "version zero": _edit(lambda m: m.update(format_version=0)),
    "no applications": _edit(lambda m: m.update(applications=[])),
    "duplicate application": _edit(lambda m: m["applications"].append(m["applications"][0])),
    "bad application id": _edit(lambda m: m["applications"][0].update(id="../A-1")),
    "size not a number": _edit(lambda m: m["members"][0].update(size="15")),
    "negative size": _edit(lambda m: m["members"][0].update(size=-1)),
    "short hash": _edit(lambda m: m["members"][0].update(sha256="abc")),
    "member listed twice": _edit(lambda m: m["members"].append(m["members"][0])),
    "key id mismatch": _edit(lambda m: m["staff"].update(key_id="0000000000000000")),
    "bad created": _edit(lambda m: m.update(created="2026-02-30T10:00:00Z")),
    "missing due": _edit(lambda m: m.pop("due")),
    "control char in title": _edit(lambda m: m["applications"][0].update(title="a\x1bb")),
}


@pytest.mark.parametrize("case", sorted(MANIFEST_REFUSALS))
def test_bad_manifest_is_refused(tmp_path: Path, keys: Keys, parts: BundleParts,
                                 case: str) -> None:
    MANIFEST_REFUSALS[case](parts)
    with pytest.raises(FileFormatError) as info:
        open_crafted(tmp_path, keys, parts.sealed())
    assert not isinstance(info.value, NewerVersionError)
    assert info.value.detail


def test_manifest_above_the_size_cap(tmp_path: Path, keys: Keys, parts: BundleParts,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle_module, "MANIFEST_MAX", 1000)
    with pytest.raises(JudgePanelError, match="damaged"):
        open_crafted(tmp_path, keys, parts.sealed())


def test_application_document_above_the_cap(tmp_path: Path, keys: Keys, parts: BundleParts,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle_module, "APPLICATION_MAX", 10)
    with open_crafted(tmp_path, keys, parts.sealed()) as bundle, \
            pytest.raises(JudgePanelError):
        bundle.application("A-1")


@pytest.mark.parametrize("document", [b"[1]", b"{\"a\": 1, \"a\": 2}", b"{" * 5000,
                                      b"\"just text\""])
def test_bad_application_document(tmp_path: Path, keys: Keys, parts: BundleParts,
                                  document: bytes) -> None:
    parts.members["applications/A-1/application.json"] = document
    parts.refresh_members()
    with open_crafted(tmp_path, keys, parts.sealed()) as bundle, \
            pytest.raises(FileFormatError):
        bundle.application("A-1")


# --- the age layer underneath ---------------------------------------------------------------


def test_truncated_bundle(tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    data = parts.sealed()
    with pytest.raises(DamagedFileError):
        open_crafted(tmp_path, keys, data[:-40])


def test_appended_data(tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    with pytest.raises(DamagedFileError):
        open_crafted(tmp_path, keys, parts.sealed() + b"extra")


def test_not_an_age_file(tmp_path: Path, keys: Keys, parts: BundleParts) -> None:
    with pytest.raises(FileFormatError, match="not a JudgePanel bundle"):
        open_crafted(tmp_path, keys, parts.zip())


def test_payload_that_is_not_a_zip(tmp_path: Path, keys: Keys) -> None:
    with pytest.raises(FileFormatError, match="not a JudgePanel file"):
        open_crafted(tmp_path, keys, seal(b"hello, world", keys.bundle_recipients))


def test_zip_hygiene_applies_inside_bundles(tmp_path: Path, keys: Keys,
                                            parts: BundleParts) -> None:
    """One representative ZIP violation through the whole stack (the rest: test_zip_hygiene)."""
    parts.extra_entries.append(RawEntry("../../evil.sh", b"#!/bin/sh"))
    with pytest.raises(DamagedFileError) as info:
        open_crafted(tmp_path, keys, parts.sealed())
    assert "segment '..'" in info.value.detail
