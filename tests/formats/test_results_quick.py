"""The quick reader of results.json never accepts what the full one refuses.

Every case is a whole document: serialised canonically (as JudgePanel writes) or
with a crafted twist. For each, the full reader (strict parse, version, schema)
gives its verdict; the quick one must then either return the very same document
or None (None sends the file down the full path, which names the problem). Whenever
the full reader accepts, its document must also convert to the structs a merge reads
(``content_from_document``), equal to the quick reader's when both accept. Documents
of version 1 (still read) and of version 2 (written now) go through the same cases.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from judgepanel.errors import JudgePanelError
from judgepanel.formats.jsonio import SchemaError, dumps_canonical, parse_json
from judgepanel.formats.manifest import MAX_NAME, check_format_version
from judgepanel.formats.results.checks import check_results
from judgepanel.formats.results.quick import quick_results
from judgepanel.formats.results.spec import (
    MAX_COMMENT,
    RESULTS_FORMAT,
    RESULTS_VERSION,
    document_of,
)
from judgepanel.formats.results.versions import content_from_document
from tests.formats.crafting import (
    Keys,
    results_document,
    results_document_v1,
    results_document_v2,
)
from tests.formats.test_results import SCHEMA_REFUSALS

# Crafted entries: each one valid, or breaking one rule of the schema.

SCORE_ENTRIES: list[Any] = [
    {"criterion": "impact", "score": 4, "comment": "Clear."},
    {"criterion": "impact", "score": 2.5, "comment": ""},
    {"criterion": "a_b-c", "score": -1, "comment": "line\nbreak\ttab"},
    {"criterion": "impact", "score": True, "comment": "bool is not a number"},
    {"criterion": "impact", "score": "4", "comment": "text"},
    {"criterion": "impact", "score": None, "comment": "null"},
    {"criterion": "1st", "score": 4, "comment": "bad key"},
    {"criterion": "x" * 65, "score": 4, "comment": "key too long"},
    {"criterion": 7, "score": 4, "comment": "key not text"},
    {"criterion": "impact", "score": 4, "comment": "bell\x07"},
    {"criterion": "impact", "score": 4, "comment": "c1\x85"},
    {"criterion": "impact", "score": 4, "comment": None},
    {"criterion": "impact", "score": 4, "comment": "x" * (MAX_COMMENT + 1)},
    {"criterion": "impact", "score": 4},
    {"criterion": "impact", "comment": ""},
    {"score": 4, "comment": ""},
    {"criterion": "impact", "score": 4, "comment": "", "note": "private"},
    ["impact", 4, ""],
    "impact",
    None,
]


def _valid_review(**changes: Any) -> dict[str, Any]:
    review: dict[str, Any] = {
        "application_id": "A-1",
        "scores": [{"criterion": "impact", "score": 4, "comment": "Clear."},
                   {"criterion": "reach", "score": 3.5, "comment": ""}],
        "overall_comment": "Good.", "confidence": 4, "updated_at": "2026-03-01T09:30:00Z"}
    review.update(changes)
    return {k: v for k, v in review.items() if v is not _DROP}


_DROP = object()

REVIEW_ENTRIES: list[Any] = [
    _valid_review(),
    _valid_review(confidence=None),
    _valid_review(scores=[]),
    *(_valid_review(scores=[{"criterion": "reach", "score": 1, "comment": ""}, entry])
      for entry in SCORE_ENTRIES),
    _valid_review(scores=[{"criterion": "impact", "score": 1, "comment": "a"},
                          {"criterion": "impact", "score": 2, "comment": "b"}]),
    _valid_review(scores=[{"criterion": f"c{i}", "score": 1, "comment": ""}
                          for i in range(1001)]),
    _valid_review(scores={"impact": 4}),
    _valid_review(scores=None),
    _valid_review(application_id="../A-1"),
    _valid_review(application_id=""),
    _valid_review(application_id=7),
    _valid_review(application_id=_DROP),
    _valid_review(confidence=0),
    _valid_review(confidence=6),
    _valid_review(confidence=True),
    _valid_review(confidence=3.0),
    _valid_review(confidence="3"),
    _valid_review(confidence=_DROP),
    _valid_review(overall_comment="bell\x07"),
    _valid_review(overall_comment=None),
    _valid_review(overall_comment="x" * (MAX_COMMENT + 1)),
    _valid_review(updated_at="2026-02-30T09:30:00Z"),
    _valid_review(updated_at="2026-03-01 09:30:00"),
    _valid_review(updated_at=None),
    _valid_review(updated_at=_DROP),
    _valid_review(note="private"),
    [],
    None,
]


def _declaration(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"application_id": "A-1", "conflict": False, "reason": "",
                             "declared_at": "2026-03-01T09:30:00Z"}
    entry.update(changes)
    return {k: v for k, v in entry.items() if v is not _DROP}


DECLARATION_ENTRIES: list[Any] = [
    _declaration(),
    _declaration(conflict=True, reason="My employer\nline two",
                 declared_at="2026-03-01T09:30:00.5Z"),
    _declaration(conflict=0),
    _declaration(reason="\x1b"),
    _declaration(reason=None),
    _declaration(application_id="A 1"),
    _declaration(declared_at="2026-13-01T09:30:00Z"),
    _declaration(declared_at=_DROP),
    _declaration(x=1),
    "A-1",
]


_BASE = results_document_v2(Keys.make())  # the crafted cases below are version 2's


def _base() -> dict[str, Any]:
    return copy.deepcopy(_BASE)


def _full(data: bytes) -> Any:
    """The full reader's verdict: the document, or None when it refuses."""
    try:
        document = parse_json(data, what="the results", max_size=1 << 25, max_depth=None)
        check_format_version(document, expected_format=RESULTS_FORMAT, what="results file",
                             newest=RESULTS_VERSION)
        check_results(document)
    except (JudgePanelError, SchemaError):
        return None
    return document


def _agree(data: bytes) -> Any:
    """Assert the two readers agree on ``data``; the quick one's answer, as plain data."""
    content, full = quick_results(data), _full(data)
    if full is not None:  # what the full path accepts, a merge must be able to read
        converted = content_from_document(full)
        assert document_of(converted) == {k: v for k, v in full.items()
                                          if not (k == "generator" and v is None)}
        if content is not None:
            assert converted == content
    if content is None:
        return None
    assert full is not None, "the quick path accepted what the full one refuses"
    quick = document_of(content)
    assert quick == full
    assert json.dumps(quick, sort_keys=True) == json.dumps(full, sort_keys=True)
    return quick


def _with_review(entry: Any) -> bytes:
    document = _base()
    document["reviews"][0] = entry
    if isinstance(entry, dict) and isinstance(entry.get("application_id"), str):
        document["declarations"][0]["application_id"] = entry["application_id"]
    return dumps_canonical(document)


def _with_declaration(entry: Any) -> bytes:
    document = _base()
    document["declarations"][0] = entry
    return dumps_canonical(document)


def test_a_document_as_judgepanel_writes_it_takes_the_quick_path() -> None:
    """Otherwise the quick path would silently be dead code."""
    data = dumps_canonical(_base())
    assert _agree(data) == _base()


_V1 = results_document_v1(Keys.make())


def test_a_version_1_document_takes_the_quick_path_and_reads_as_version_1() -> None:
    content = quick_results(dumps_canonical(_V1))
    assert content is not None and content.format_version == 1 and content.export_id == ""
    assert content.supersedes == [] and content.unable_to_review == []
    assert _agree(dumps_canonical(_V1)) == _V1


@pytest.mark.parametrize("case", sorted(
    k for k in ("other format", "version as bool", "no generator", "sequence at the limit",
                "comment with a C1 control", "score as bool", "created in February 30")))
def test_version_1_documents_meet_the_same_rules(case: str) -> None:
    document = copy.deepcopy(_V1)
    HEAD_CASES[case](document)
    _agree(dumps_canonical(document))


@pytest.mark.parametrize("field", ["export_id", "supersedes", "unable_to_review"])
def test_a_version_1_document_with_a_field_of_version_2_is_refused(field: str) -> None:
    document = copy.deepcopy(_V1)
    document[field] = _base()[field]
    data = dumps_canonical(document)
    assert _full(data) is None and quick_results(data) is None


@pytest.mark.parametrize("entry", REVIEW_ENTRIES, ids=lambda e: repr(e)[:60])
def test_every_crafted_review(entry: Any) -> None:
    _agree(_with_review(copy.deepcopy(entry)))


@pytest.mark.parametrize("entry", DECLARATION_ENTRIES, ids=lambda e: repr(e)[:60])
def test_every_crafted_declaration(entry: Any) -> None:
    _agree(_with_declaration(copy.deepcopy(entry)))


@pytest.mark.parametrize("case", sorted(SCHEMA_REFUSALS))
def test_every_schema_refusal_is_refused(case: str) -> None:
    document = _base()
    SCHEMA_REFUSALS[case](document)
    data = dumps_canonical(document)
    assert _full(data) is None
    assert quick_results(data) is None


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DROP:
            del target[last]
        else:
            target[last] = value
    return change


HEAD_CASES: dict[str, Callable[[dict[str, Any]], None]] = {
    "other format": _set("format", "judgepanel-bundle"),
    "newer version": _set("format_version", 3),
    "version 1 with the fields of 2": _set("format_version", 1),
    "version 2 without an export id": _set("export_id", _DROP),
    "export id empty": _set("export_id", ""),
    "export id in capitals": _set("export_id", "0123456789ABCDEF0123456789ABCDEF"),
    "export id too short": _set("export_id", "0123456"),
    "supersedes itself": _set("supersedes", ["0123456789abcdef0123456789abcdef"]),
    "supersedes twice the same": _set("supersedes", ["aaaaaaaa", "aaaaaaaa"]),
    "supersedes a bad id": _set("supersedes", ["a b"]),
    "supersedes not a list": _set("supersedes", "aaaaaaaa"),
    "supersedes nothing": _set("supersedes", []),
    "supersedes a legacy id": _set("supersedes", ["v1-" + "ab" * 16]),
    "supersedes too many": _set("supersedes", [f"{i:08x}" for i in range(10_001)]),
    "unable without a declaration": _set("unable_to_review", [
        {"application_id": "A-9", "reason": "Outside my field",
         "declared_at": "2026-03-01T09:30:00Z"}]),
    "unable for a conflict": _set("unable_to_review", [
        {"application_id": "A-2", "reason": "Outside my field",
         "declared_at": "2026-03-01T09:30:00Z"}]),
    "unable and reviewed": _set("unable_to_review", [
        {"application_id": "A-1", "reason": "Outside my field",
         "declared_at": "2026-03-01T09:30:00Z"}]),
    "unable without a reason": lambda d: d.update(reviews=[], unable_to_review=[
        {"application_id": "A-1", "reason": " ", "declared_at": "2026-03-01T09:30:00Z"}]),
    "unable with a control in the reason": lambda d: d.update(reviews=[], unable_to_review=[
        {"application_id": "A-1", "reason": "a\x07", "declared_at": "2026-03-01T09:30:00Z"}]),
    "unable at a bad time": lambda d: d.update(reviews=[], unable_to_review=[
        {"application_id": "A-1", "reason": "Ill", "declared_at": "2026-02-30T09:30:00Z"}]),
    "unable twice": lambda d: d.update(reviews=[], unable_to_review=[
        {"application_id": "A-1", "reason": "Ill", "declared_at": "2026-03-01T09:30:00Z"},
        {"application_id": "A-1", "reason": "Ill", "declared_at": "2026-03-01T09:30:00Z"}]),
    "unable with an extra field": lambda d: d.update(reviews=[], unable_to_review=[
        {"application_id": "A-1", "reason": "Ill", "declared_at": "2026-03-01T09:30:00Z",
         "x": 1}]),
    "unable, valid": lambda d: d.update(reviews=[], unable_to_review=[
        {"application_id": "A-1", "reason": "Outside my field",
         "declared_at": "2026-03-01T09:30:00Z"}]),
    "version as bool": _set("format_version", True),
    "version as float": _set("format_version", 1.0),
    "empty program name": _set("program.name", "  "),
    "program name with a newline": _set("program.name", "Two\nlines"),
    "program name too long": _set("program.name", "x" * (MAX_NAME + 1)),
    "program name at the limit": _set("program.name", "é" * MAX_NAME),
    "round id with a space": _set("round.id", "R 1"),
    "round without a name": _set("round.name", _DROP),
    "program with an extra field": _set("program.extra", 1),
    "judge name with a tab": _set("judge.name", "Maria\tLopez"),
    "bad fingerprint": _set("judge.fingerprint", "-K7QF"),
    "no generator": _set("generator", _DROP),
    "generator null": _set("generator", None),
    "generator too long": _set("generator", "x" * 201),
    "generator with a newline": _set("generator", "a\nb"),
    "generator as a number": _set("generator", 7),
    "sequence at the limit": _set("sequence", 2**53 - 1),
    "sequence past the limit": _set("sequence", 2**53),
    "sequence huge": _set("sequence", 10**30),
    "created in February 30": _set("created", "2026-02-30T09:30:00Z"),
    "created at hour 24": _set("created", "2026-03-01T24:00:00Z"),
    "created with fractions": _set("created", "2026-03-01T09:30:00.123456Z"),
    "declared at second 60": _set("declarations.0.declared_at", "2026-03-01T09:30:60Z"),
    "updated on a leap day": _set("reviews.0.updated_at", "2028-02-29T23:59:59Z"),
    "updated on a false leap day": _set("reviews.0.updated_at", "2027-02-29T23:59:59Z"),
    "updated with Arabic-Indic digits": _set("reviews.0.updated_at", "٢٠٢٦-03-01T09:30:00Z"),
    "reviews not a list": _set("reviews", {}),
    "no declarations": _set("declarations", _DROP),
    "declarations empty, reviews empty": lambda d: d.update(declarations=[], reviews=[]),
    "comment at the length limit": _set("reviews.0.scores.0.comment", "é" * MAX_COMMENT),
    "comment past the length limit": _set("reviews.0.scores.0.comment",
                                           "é" * (MAX_COMMENT + 1)),
    "comment with every escape": _set("reviews.0.scores.0.comment",
                                      'quote " backslash \\ slash / tab \t newline \n end'),
    "comment with a carriage return": _set("reviews.0.overall_comment", "a\r\nb"),
    "comment with DEL": _set("reviews.0.overall_comment", "a\x7fb"),
    "comment with a C1 control": _set("declarations.1.reason", "a\x9bb"),
    "comment with emoji and line separators": _set("reviews.0.overall_comment",
                                                   "🎉 naïve \u2028 \u2029 \ufeff 中文"),
    # Non-controls whose UTF-8 starts with C2, as C1 controls' does.
    "comment with C2 characters": _set("reviews.0.scores.0.comment",
                                       "20 °C, £5, © x, non\u00a0breaking, ¿qué?"),
    # Text whose escaped form looks like a control's escape: the full path decides.
    "comment with a backslash before b, f, u00": _set(
        "reviews.0.scores.0.comment", r"C:\back\files\u0041"),
    "comment with a vertical tab": _set("reviews.0.scores.0.comment", "a\x0bb"),
    "comment with a form feed": _set("reviews.0.scores.0.comment", "a\x0cb"),
    "comment with a backspace": _set("declarations.0.reason", "a\x08b"),
    "comment with a NUL": _set("reviews.0.overall_comment", "a\x00b"),
    "comment with U+0080 and U+009F": _set("reviews.0.overall_comment", "a\x80b\x9fc"),
    "score as a fraction": _set("reviews.0.scores.1.score", 0.1),
    "score tiny": _set("reviews.0.scores.1.score", 1e-7),
    "score huge": _set("reviews.0.scores.1.score", 1e16),
    "score negative zero": _set("reviews.0.scores.1.score", -0.0),
    "score a big integer": _set("reviews.0.scores.1.score", 2**70),
    "score as bool": _set("reviews.0.scores.1.score", False),
    "score as a whole float": _set("reviews.0.scores.0.score", 4.0),
    "criterion with a newline": _set("reviews.0.scores.1.criterion", "reach\n"),
}


@pytest.mark.parametrize("case", sorted(HEAD_CASES))
def test_every_crafted_field(case: str) -> None:
    document = _base()
    HEAD_CASES[case](document)
    _agree(dumps_canonical(document))


@pytest.mark.parametrize("case", [
    "no generator", "created with fractions", "updated on a leap day",
    "comment at the length limit", "comment with every escape",
    "comment with emoji and line separators", "comment with C2 characters",
    "score as a fraction",
    "program name at the limit", "declarations empty, reviews empty",
    "supersedes nothing", "supersedes a legacy id", "unable, valid",
])
def test_valid_variations_stay_on_the_quick_path(case: str) -> None:
    """Text and numbers as JudgePanel writes them re-serialise to the same bytes.

    (Not every number: Python spells 1e-07 where msgspec spells 1e-7. No rubric scale
    step is that small; such a file would be read by the full path.)
    """
    document = _base()
    HEAD_CASES[case](document)
    assert _agree(dumps_canonical(document)) is not None


def _canonical() -> bytes:
    return dumps_canonical(_base())


def _accented() -> dict[str, Any]:
    document = _base()
    document["reviews"][0]["overall_comment"] = "Très clair, naïve 中文"
    return document


RAW_CASES: dict[str, bytes] = {
    "a key twice": _canonical().replace(
        b'  "bundle_id": "B-0001",', b'  "bundle_id": "B-0001",\n  "bundle_id": "B-0002",'),
    "a score key twice": _canonical().replace(
        b'"score": 4', b'"score": 1,\n            "score": 4'),
    "compact": json.dumps(_base(), sort_keys=True, separators=(",", ":")).encode(),
    "keys in another order": json.dumps(_base(), indent=2).encode() + b"\n",
    "no final newline": _canonical()[:-1],
    "byte-order mark": b"\xef\xbb\xbf" + _canonical(),
    "escaped non-ASCII": json.dumps(_accented(), sort_keys=True, indent=2).encode() + b"\n",
    "escaped space": _canonical().replace(b'"Strong, well', b'"Strong,\\u0020well'),
    "NaN": _canonical().replace(b'"score": 4', b'"score": NaN'),
    "number spelled 4.00": _canonical().replace(b'"score": 4', b'"score": 4.00'),
    "number spelled 40e-1": _canonical().replace(b'"score": 4', b'"score": 40e-1'),
    "lone surrogate": _canonical().replace(b'"Clear outcomes"', b'"\\ud800"'),
    "not UTF-8": _canonical().replace(b"Clear", b"Cl\xffar"),
    "trailing data": _canonical() + b"{}",
    "truncated": _canonical()[:-20],
    "empty": b"",
}


@pytest.mark.parametrize("case", sorted(RAW_CASES))
def test_bytes_other_than_the_canonical_form_take_the_full_path(case: str) -> None:
    data = RAW_CASES[case]
    assert quick_results(data) is None
    _agree(data)


def test_a_duplicate_key_is_refused_by_the_full_path() -> None:
    assert _full(RAW_CASES["a key twice"]) is None
    assert _full(RAW_CASES["a score key twice"]) is None


def test_other_spellings_of_a_valid_document_are_still_read() -> None:
    """A file another tool re-serialised is slower to read, not refused."""
    for case in ("compact", "keys in another order", "escaped space"):
        assert _full(RAW_CASES[case]) == _base(), case
    assert _full(RAW_CASES["escaped non-ASCII"]) == _accented()


_V3 = results_document(Keys.make())


def test_a_version_3_document_takes_the_quick_path_with_its_feedback() -> None:
    content = quick_results(dumps_canonical(_V3))
    assert content is not None and content.format_version == 3
    review = content.reviews[0]
    assert review.overall_feedback == "A clear plan; say more about who benefits."
    assert [(s.comment, s.feedback) for s in review.scores] == [
        ("Clear outcomes", "Your outcomes are clear."), ("", "")]
    assert _agree(dumps_canonical(_V3)) == _V3


def test_a_version_2_document_reads_with_empty_feedback() -> None:
    content = quick_results(dumps_canonical(_base()))
    assert content is not None and content.format_version == 2
    assert content.reviews[0].overall_feedback == ""
    assert [s.feedback for s in content.reviews[0].scores] == ["", ""]
    assert [s.comment for s in content.reviews[0].scores] == ["Clear outcomes", ""]


V3_CASES: dict[str, Callable[[dict[str, Any]], None]] = {
    "feedback at the length limit": _set("reviews.0.scores.0.feedback", "é" * MAX_COMMENT),
    "feedback past the length limit": _set("reviews.0.scores.0.feedback",
                                            "é" * (MAX_COMMENT + 1)),
    "overall feedback past the limit": _set("reviews.0.overall_feedback",
                                             "x" * (MAX_COMMENT + 1)),
    "feedback with a bell": _set("reviews.0.scores.1.feedback", "bell\x07"),
    "feedback with a C1 control": _set("reviews.0.scores.1.feedback", "a\x9bb"),
    "feedback with a bidi override": _set("reviews.0.overall_feedback", "a\u202eb"),
    "feedback null": _set("reviews.0.scores.0.feedback", None),
    "feedback a number": _set("reviews.0.overall_feedback", 7),
    "no feedback": _set("reviews.0.scores.0.feedback", _DROP),
    "no overall feedback": _set("reviews.0.overall_feedback", _DROP),
    "version 2 with feedback": _set("format_version", 2),
    "feedback with line breaks": _set("reviews.0.overall_feedback", "one\ntwo\r\nthree"),
}
V3_VALID = {"feedback at the length limit", "feedback with line breaks"}


@pytest.mark.parametrize("case", sorted(V3_CASES))
def test_version_3_feedback_meets_the_text_rules(case: str) -> None:
    """Feedback for the applicant is held to the comment's bounds and text policy, and
    the two readers agree on every case."""
    document = copy.deepcopy(_V3)
    V3_CASES[case](document)
    data = dumps_canonical(document)
    quick = _agree(data)
    assert (_full(data) is not None) == (case in V3_VALID)
    if case in V3_VALID:
        assert quick is not None
