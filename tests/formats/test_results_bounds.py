"""Scores and text in a results file held to their bounds while reading (issue #16).

The reader accepted 1e309 (infinity) and 4,300-digit integers as scores, and the
merge's refusal repeated every digit; bidirectional overrides passed from comments and
names into exports. Both readers (quick and full) must refuse them, in short words.
"""

from __future__ import annotations

import copy

import pytest

from judgepanel.errors import FileFormatError
from judgepanel.formats.jsonio import dumps_canonical
from judgepanel.formats.results.file import read_results
from judgepanel.formats.results.quick import quick_results
from judgepanel.formats.results.spec import MAX_SCORE
from judgepanel.model.rubric.fields import MAX_MAGNITUDE
from tests.formats.crafting import Keys, ResultsParts


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys.make()


def _refused(parts: ResultsParts, keys: Keys) -> FileFormatError:
    with pytest.raises(FileFormatError) as info:
        read_results(parts.sealed(), [keys.staff])
    assert len(str(info.value)) < 300 and len(info.value.detail) < 300
    return info.value


@pytest.mark.parametrize("spelling", [
    b"1e309", b"-1e309", b"9" * 4300, b"9" * 21, b"1000001", b"-1000000.5", b"1E400",
])
def test_scores_out_of_bounds_are_refused_in_short_words(keys: Keys, spelling: bytes) -> None:
    parts = ResultsParts.valid(keys)
    data = dumps_canonical(parts.document).replace(b'"score": 4', b'"score": ' + spelling, 1)
    assert data != dumps_canonical(parts.document)
    assert quick_results(data) is None
    parts.document_bytes = data
    error = _refused(parts, keys)
    assert "9" * 40 not in str(error) + error.detail


def test_scores_at_the_bound_are_read(keys: Keys) -> None:
    parts = ResultsParts.valid(keys)
    document = copy.deepcopy(parts.document)
    document["reviews"][0]["scores"][0]["score"] = MAX_SCORE
    parts.document = document
    read_results(parts.sealed(), [keys.staff])  # the merge, not the format, judges the scale


def test_the_score_bound_is_the_rubric_bound() -> None:
    assert MAX_SCORE == MAX_MAGNITUDE


@pytest.mark.parametrize(("where", "text"), [
    ("comment", "looks fine \u202eexe.fdp"),
    ("comment", "isolate \u2066x\u2069"),
    ("name", "Maria \u202eZ"),
    ("name", "Maria\u2028Z"),
    ("comment", "bell\x07"),
])
def test_bidi_and_control_characters_are_refused(keys: Keys, where: str, text: str) -> None:
    parts = ResultsParts.valid(keys)
    document = copy.deepcopy(parts.document)
    if where == "name":
        document["judge"]["name"] = text
    else:
        document["reviews"][0]["scores"][0]["comment"] = text
    parts.document = document
    assert quick_results(dumps_canonical(document)) is None
    error = _refused(parts, keys)
    assert "U+" in error.detail


def test_line_separators_in_comments_are_line_breaks(keys: Keys) -> None:
    parts = ResultsParts.valid(keys)
    document = copy.deepcopy(parts.document)
    document["reviews"][0]["scores"][0]["comment"] = "one\u2028two\r\nthree"
    parts.document = document
    results = read_results(parts.sealed(), [keys.staff])
    assert results.content.reviews[0].scores[0].comment == "one\u2028two\r\nthree"
