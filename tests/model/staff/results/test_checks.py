"""The merge's quick completeness check agrees with ``scoring.review_problems``."""

from __future__ import annotations

from typing import Any

import pytest

from judgepanel.formats.results.spec import ScoreEntry
from judgepanel.model.rubric.definition import load_rubric
from judgepanel.model.scoring.totals import review_problems
from judgepanel.model.staff.results.checks import _plain_completeness
from tests.model.flows import RUBRIC_TOML

ALWAYS = RUBRIC_TOML.replace('key = "partnership"', 'key = "partnership"\ncomment = "always"')
COMPLETE = {"impact": 4, "partnership": 3, "innovation": 7.5, "presentation": 2}


def _entries(scores: dict[str, Any], comments: dict[str, Any] | None = None
             ) -> list[ScoreEntry]:
    """A review's scores as a merge reads them (a struct does not check its types when
    made directly, so the cases below may hold what no results file can)."""
    comments = comments or {}
    return [ScoreEntry(criterion=k, score=v, comment=comments.get(k, ""))
            for k, v in scores.items()]


CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (COMPLETE, {}),
    (COMPLETE, {"partnership": "Good partners."}),
    ({**COMPLETE, "impact": 2}, {}),  # below 3: a comment is required
    ({**COMPLETE, "impact": 2}, {"impact": "   "}),
    ({**COMPLETE, "impact": 2}, {"impact": "Little evidence."}),
    ({**COMPLETE, "impact": 2.0}, {"impact": "Little evidence."}),
    ({**COMPLETE, "impact": 6}, {}),  # off the 1..5 scale
    ({**COMPLETE, "innovation": 7.25}, {}),  # between steps
    ({**COMPLETE, "impact": True}, {}),
    ({**COMPLETE, "impact": "4"}, {}),
    ({k: v for k, v in COMPLETE.items() if k != "presentation"}, {}),  # one missing
    ({**COMPLETE, "extra": 1}, {}),
    ({**COMPLETE, "impact": float("nan")}, {}),
]


@pytest.mark.parametrize("toml", [RUBRIC_TOML, ALWAYS], ids=["rules", "always"])
@pytest.mark.parametrize("scores, comments", CASES, ids=lambda c: repr(c)[:50])
def test_quick_check_passes_exactly_the_reviews_without_problems(
        toml: str, scores: dict[str, Any], comments: dict[str, Any]) -> None:
    rubric = load_rubric(toml)
    full = review_problems(rubric, scores, {k: comments.get(k, "") for k in scores})
    assert _plain_completeness(rubric)(_entries(scores, comments)) == (not full)


def test_a_criterion_listed_twice_is_left_to_the_full_check() -> None:
    rubric = load_rubric(RUBRIC_TOML)
    twice = [*_entries(COMPLETE), ScoreEntry(criterion="impact", score=4, comment="")]
    assert not _plain_completeness(rubric)(twice)
    # ... also when it takes the place of a missing one
    assert not _plain_completeness(rubric)(twice[:2] + twice[3:])


def test_the_common_review_takes_the_quick_path() -> None:
    assert _plain_completeness(load_rubric(RUBRIC_TOML))(_entries(COMPLETE))
