"""Results files: round trip, signatures against the enrolled key, crafted refusals."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from judgepanel.errors import (
    DamagedFileError,
    FileFormatError,
    JudgePanelError,
    NewerVersionError,
    SignatureError,
    ValidationError,
    WrongKeyError,
)
from judgepanel.formats.jsonio import dumps_canonical
from judgepanel.formats.results import file as results_file
from judgepanel.formats.results.file import read_results, write_results
from judgepanel.formats.results.spec import RESULTS_VERSION, results_trusted_comment
from tests.formats.crafting import (
    BundleParts,
    Keys,
    RawEntry,
    ResultsParts,
    build_zip,
    results_document,
    results_document_v1,
    seal,
)


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys.make()


def export(tmp_path: Path, keys: Keys, document: dict[str, Any] | None = None) -> Path:
    dst = tmp_path / "maria.jpresults"
    write_results(dst, document or results_document(keys), judge_key=keys.judge.signing,
                  judge_public=keys.judge.public_key, staff_recipient=keys.staff.recipient)
    return dst


def test_round_trip(tmp_path: Path, keys: Keys) -> None:
    document = results_document(keys)
    results = read_results(export(tmp_path, keys, document), [keys.staff])
    assert results.document == document
    assert results.results_json == dumps_canonical(document)
    assert (results.bundle_id, results.sequence) == ("B-0001", 3)
    assert results.manifest_sha256 == "ab" * 32
    assert results.judge["fingerprint"] == keys.judge.fingerprint
    assert results.shipped_public_key == keys.judge.public_key
    assert results.signer_key_id == keys.judge.public_key.key_id_hex
    results.verify_signature(keys.judge.public_key)


def test_reading_from_bytes(tmp_path: Path, keys: Keys) -> None:
    data = export(tmp_path, keys).read_bytes()
    assert read_results(data, [keys.staff.age]).sequence == 3


def test_the_trusted_comment_names_bundle_sequence_and_export(tmp_path: Path,
                                                              keys: Keys) -> None:
    results = read_results(export(tmp_path, keys), [keys.staff])
    assert results.signature.splitlines()[2] == (
        f"trusted comment: judgepanel results v3 bundle=B-0001 seq=3 "
        f"export=0123456789abcdef0123456789abcdef judge={keys.judge.fingerprint}")


def test_a_version_1_file_is_still_read_and_verified(tmp_path: Path, keys: Keys) -> None:
    document = results_document_v1(keys)
    results = read_results(export(tmp_path, keys, document), [keys.staff])
    assert results.version == 1 and results.export_id == ""
    assert results.document == document
    assert results.signature.splitlines()[2] == (
        f"trusted comment: judgepanel results v1 bundle=B-0001 seq=3 "
        f"judge={keys.judge.fingerprint}")
    results.verify_signature(keys.judge.public_key)
    lineage = results.lineage("cd" * 32)
    assert lineage.legacy and lineage.export_id == "v1-" + "cd" * 16


def test_the_judge_can_open_their_own_file_when_it_is_encrypted_to_them(
        tmp_path: Path, keys: Keys) -> None:
    dst = tmp_path / "mine.jpresults"
    write_results(dst, results_document(keys), judge_key=keys.judge.signing,
                  judge_public=keys.judge.public_key, staff_recipient=keys.staff.recipient,
                  judge_recipient=keys.judge.recipient)
    for reader in (keys.staff, keys.judge):
        results = read_results(dst, [reader])
        results.verify_signature(keys.judge.public_key)
        assert results.export_id == "0123456789abcdef0123456789abcdef"
        assert results.lineage("00" * 32).supersedes == {"00112233445566778899aabbccddeeff"}
    with pytest.raises(WrongKeyError):
        read_results(dst, [keys.other])


def test_only_the_staff_can_read_it(tmp_path: Path, keys: Keys) -> None:
    dst = export(tmp_path, keys)
    with pytest.raises(WrongKeyError, match="staff key"):
        read_results(dst, [keys.judge])
    with pytest.raises(WrongKeyError):
        read_results(dst, [])


def test_enrolled_key_not_the_shipped_one(tmp_path: Path, keys: Keys) -> None:
    """Mallory signs with her own key and ships it as judge.pub: it verifies only with hers."""
    parts = ResultsParts.valid(keys)
    parts.signer = keys.other.signing
    results = read_results(parts.sealed(), [keys.staff])
    results.verify_signature(results.shipped_public_key)  # self-consistent...
    with pytest.raises(SignatureError):
        results.verify_signature(keys.judge.public_key)  # ...but not the enrolled judge


def test_document_changed_after_signing(keys: Keys) -> None:
    parts = ResultsParts.valid(keys)
    entries = parts.entries()
    tampered = dict(results_document(keys))
    tampered["reviews"] = copy.deepcopy(tampered["reviews"])
    tampered["reviews"][0]["scores"][0]["score"] = 5
    entries[0] = RawEntry("results.json", dumps_canonical(tampered))
    results = read_results(parts.sealed(entries), [keys.staff])
    with pytest.raises(SignatureError, match="changed after"):
        results.verify_signature(keys.judge.public_key)


@pytest.mark.parametrize("comment", [
    "judgepanel results v1 bundle=B-0001 seq=2 judge={fp}",  # replaying an old comment
    "judgepanel results v1 bundle=B-0002 seq=3 judge={fp}",  # another bundle
    "judgepanel bundle v1 bundle=B-0001 program=P-2026 round=R-1 judge={fp}",
])
def test_trusted_comment_must_match_the_document(keys: Keys, comment: str) -> None:
    parts = ResultsParts.valid(keys)
    parts.comment = comment.format(fp=keys.judge.fingerprint)
    results = read_results(parts.sealed(), [keys.staff])
    with pytest.raises(SignatureError):
        results.verify_signature(keys.judge.public_key)


def test_writer_refuses_a_mismatched_key_pair(tmp_path: Path, keys: Keys) -> None:
    with pytest.raises(ValidationError, match="does not match"):
        write_results(tmp_path / "x.jpresults", results_document(keys),
                      judge_key=keys.judge.signing, judge_public=keys.other.public_key,
                      staff_recipient=keys.staff.recipient)
    assert not list(tmp_path.iterdir())


def test_private_notes_can_never_be_exported(tmp_path: Path, keys: Keys) -> None:
    document = results_document(keys)
    document["reviews"][0]["private_notes"] = "I had lunch with the mayor"
    with pytest.raises(ValidationError) as info:
        export(tmp_path, keys, document)
    assert info.value.path == "reviews[0]"
    assert not list(tmp_path.iterdir())


# --- crafted files ---------------------------------------------------------------------------


def test_newer_version(keys: Keys) -> None:
    parts = ResultsParts.valid(keys)
    parts.document.update(format_version=RESULTS_VERSION + 1, novelty=True)
    with pytest.raises(NewerVersionError, match="newer JudgePanel"):
        read_results(parts.sealed(), [keys.staff])


def test_a_bundle_is_not_a_results_file(keys: Keys) -> None:
    with pytest.raises(FileFormatError, match="judging bundle"):
        read_results(BundleParts.valid(keys).sealed(), [keys.staff])


def _entries(edit: Callable[[list[RawEntry]], list[RawEntry]]) -> Callable[[Keys], bytes]:
    def make(keys: Keys) -> bytes:
        parts = ResultsParts.valid(keys)
        return parts.sealed(edit(parts.entries()))
    return make


CONTAINER_REFUSALS: dict[str, Callable[[Keys], bytes]] = {
    "missing judge.pub": _entries(lambda e: e[:2]),
    "extra member": _entries(lambda e: [*e, RawEntry("notes.txt", b"private")]),
    "members reordered": _entries(lambda e: [e[1], e[0], e[2]]),
    "duplicate member": _entries(lambda e: [*e, e[0]]),
    "judge.pub garbage": _entries(lambda e: [e[0], e[1], RawEntry("judge.pub", b"hello")]),
    "signature not UTF-8": _entries(lambda e: [e[0], RawEntry("results.json.minisig", b"\xff"),
                                               e[2]]),
    "signature garbage": _entries(lambda e: [e[0], RawEntry("results.json.minisig", b"x\n"),
                                             e[2]]),
    "compressed member": _entries(lambda e: [RawEntry("results.json", e[0].data, method=8),
                                             e[1], e[2]]),
    "not a zip": lambda keys: seal(b"just text", [keys.staff.recipient]),
    "not encrypted": lambda keys: build_zip(ResultsParts.valid(keys).entries()),
}


@pytest.mark.parametrize("case", sorted(CONTAINER_REFUSALS))
def test_bad_container_is_refused(keys: Keys, case: str) -> None:
    with pytest.raises((FileFormatError, DamagedFileError, SignatureError)):
        read_results(CONTAINER_REFUSALS[case](keys), [keys.staff])


def test_truncation_and_appended_data(tmp_path: Path, keys: Keys) -> None:
    data = export(tmp_path, keys).read_bytes()
    for bad in (data[:-1], data + b"\0"):
        with pytest.raises(DamagedFileError):
            read_results(bad, [keys.staff])


def test_errors_name_the_file(tmp_path: Path, keys: Keys) -> None:
    dst = export(tmp_path, keys)
    with pytest.raises(WrongKeyError) as info:
        read_results(dst, [keys.other])
    assert str(dst) in str(info.value)


def _doc(edit: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    return edit


def _review(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["reviews"][0].update(changes)


def _score(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["reviews"][0]["scores"][0].update(changes)


SCHEMA_REFUSALS: dict[str, Callable[[dict[str, Any]], None]] = {
    "unknown top-level field": lambda d: d.update(private_notes={"A-1": "hmm"}),
    "sequence zero": lambda d: d.update(sequence=0),
    "sequence as text": lambda d: d.update(sequence="3"),
    "sequence as bool": lambda d: d.update(sequence=True),
    "sequence as float": lambda d: d.update(sequence=3.0),
    "sequence too big": lambda d: d.update(sequence=2**60),
    "manifest hash uppercase": lambda d: d.update(manifest_sha256="AB" * 32),
    "bad bundle id": lambda d: d.update(bundle_id="B 1"),
    "no judge fingerprint": lambda d: d["judge"].pop("fingerprint"),
    "bad created": lambda d: d.update(created="2026-03-01 10:00"),
    "declared twice": lambda d: d["declarations"].append(d["declarations"][0]),
    "conflict as text": lambda d: d["declarations"][0].update(conflict="no"),
    "declaration without time": lambda d: d["declarations"][0].pop("declared_at"),
    "review without declaration": lambda d: d["declarations"].pop(0),
    "review of a conflicted application": lambda d: d["reviews"].append(
        dict(d["reviews"][0], application_id="A-2")),
    "reviewed twice": lambda d: d["reviews"].append(d["reviews"][0]),
    "criterion scored twice": lambda d: d["reviews"][0]["scores"].append(
        d["reviews"][0]["scores"][0]),
    "score as text": _score(score="4"),
    "score missing": lambda d: d["reviews"][0]["scores"][0].pop("score"),
    "bad criterion key": _score(criterion="1st"),
    "confidence out of range": _review(confidence=9),
    "confidence missing": lambda d: d["reviews"][0].pop("confidence"),
    "review notes": _review(notes="private"),
    "comment with control characters": _score(comment="a\x00b"),
}


@pytest.mark.parametrize("case", sorted(SCHEMA_REFUSALS))
def test_schema_violation_is_refused_by_reader_and_writer(tmp_path: Path, keys: Keys,
                                                          case: str) -> None:
    document = copy.deepcopy(results_document(keys))
    SCHEMA_REFUSALS[case](document)
    with pytest.raises(ValidationError):
        export(tmp_path, keys, document)
    parts = ResultsParts.valid(keys)
    parts.document = document
    with pytest.raises(FileFormatError) as info:
        read_results(parts.sealed(), [keys.staff])
    assert info.value.detail.startswith("results.json:")


def test_nan_score_is_refused(keys: Keys) -> None:
    parts = ResultsParts.valid(keys)
    parts.document_bytes = dumps_canonical(parts.document).replace(b'"score": 4', b'"score": NaN')
    with pytest.raises(FileFormatError):
        read_results(parts.sealed(), [keys.staff])


def test_results_above_the_size_cap(keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results_file, "RESULTS_MAX", 500)
    with pytest.raises(JudgePanelError):
        read_results(ResultsParts.valid(keys).sealed(), [keys.staff])


@pytest.mark.parametrize("field, depth", [
    (b'"generator": "JudgePanel test"', 100),  # a text field
    (b'"generator": "JudgePanel test"', 900),  # near Python's recursion limit
    (b'"generator": "JudgePanel test"', 200_000),  # beyond what the parser will nest
    (b'"score": 4', 100),  # deep inside the reviews
])
def test_deeply_nested_values_are_refused(keys: Keys, field: bytes, depth: int) -> None:
    """results.json is held to its four-level schema rather than the generic nesting walk."""
    parts = ResultsParts.valid(keys)
    key = field.split(b":")[0]
    parts.document_bytes = dumps_canonical(parts.document).replace(
        field, key + b": " + b"[" * depth + b"]" * depth, 1)
    with pytest.raises(FileFormatError) as info:
        read_results(parts.sealed(), [keys.staff])
    assert info.value.detail.startswith(("results.json:", "the results: JSON nested"))


def test_a_deep_value_where_an_id_belongs_is_named_not_crashed_on(keys: Keys) -> None:
    parts = ResultsParts.valid(keys)
    deep = b"[" * 900 + b"]" * 900
    parts.document_bytes = dumps_canonical(parts.document).replace(
        b'"bundle_id": "', b'"bundle_id": ' + deep + b', "x": "', 1)
    with pytest.raises(FileFormatError) as info:
        read_results(parts.sealed(), [keys.staff])
    assert "bundle_id" in info.value.detail


def test_trusted_comment_helper_matches_spec(keys: Keys) -> None:
    document = results_document(keys, sequence=12, bundle_id="B-7", export_id="abcdef01")
    assert results_trusted_comment(document) == (
        f"judgepanel results v3 bundle=B-7 seq=12 export=abcdef01 "
        f"judge={keys.judge.fingerprint}")
    old = results_document_v1(keys, sequence=12, bundle_id="B-7")
    assert results_trusted_comment(old) == (
        f"judgepanel results v1 bundle=B-7 seq=12 judge={keys.judge.fingerprint}")


@pytest.mark.parametrize("change, message", [
    (lambda d: d["declarations"].append(dict(d["declarations"][0])), "is declared twice"),
    (lambda d: d["reviews"].append(copy.deepcopy(d["reviews"][0])), "is reviewed twice"),
    (lambda d: d["declarations"].pop(0), "has a review but no declaration"),
    (lambda d: d["declarations"][0].update(conflict=True), "reviewed but declared a conflict"),
])
def test_plainly_valid_entries_still_meet_the_document_rules(
        keys: Keys, change: Any, message: str) -> None:
    parts = ResultsParts.valid(keys)
    document = copy.deepcopy(parts.document)
    change(document)
    parts.document = document
    with pytest.raises(FileFormatError) as info:
        read_results(parts.sealed(), [keys.staff])
    assert message in info.value.detail


def test_a_bad_score_entry_is_named_in_the_refusal(keys: Keys) -> None:
    parts = ResultsParts.valid(keys)
    document = copy.deepcopy(parts.document)
    document["reviews"][0]["scores"].append({"criterion": "zzz", "score": 1, "comment": "\x07"})
    parts.document = document
    with pytest.raises(FileFormatError) as info:
        read_results(parts.sealed(), [keys.staff])
    index = len(document["reviews"][0]["scores"]) - 1
    assert f"reviews[0].scores[{index}].comment" in info.value.detail
