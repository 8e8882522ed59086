"""The merge's quick completeness check agrees with ``scoring.review_problems``."""

from __future__ import annotations

from typing import Any

import pytest

from judgepanel.formats.results.spec import ReviewEntry, ScoreEntry
from judgepanel.model.rubric.definition import load_rubric
from judgepanel.model.scoring.totals import review_problems
from judgepanel.model.staff.results.checks import _plain_completeness
from tests.model.flows import RUBRIC_TOML

ALWAYS = RUBRIC_TOML.replace('key = "partnership"', 'key = "partnership"\ncomment = "always"')
FEEDBACK = RUBRIC_TOML.replace(
    'key = "impact"', 'key = "impact"\napplicant_feedback = { below = 3 }').replace(
    'tie_break = "impact"', 'tie_break = "impact"\noverall_feedback = "required"')
COMPLETE = {"impact": 4, "partnership": 3, "innovation": 7.5, "presentation": 2}


def _entries(scores: dict[str, Any], comments: dict[str, Any] | None = None,
             feedback: dict[str, Any] | None = None, overall: str = "Thank you."
             ) -> ReviewEntry:
    """A review as a merge reads it (a struct does not check its types when made
    directly, so the cases below may hold what no results file can)."""
    comments, feedback = comments or {}, feedback or {}
    return ReviewEntry(
        application_id="A-1", confidence=None, overall_comment="", overall_feedback=overall,
        updated_at="2026-03-01T09:30:00Z",
        scores=[ScoreEntry(criterion=k, score=v, comment=comments.get(k, ""),
                           feedback=feedback.get(k, "")) for k, v in scores.items()])


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


@pytest.mark.parametrize("toml", [RUBRIC_TOML, ALWAYS, FEEDBACK],
                         ids=["rules", "always", "feedback"])
@pytest.mark.parametrize("scores, comments", CASES, ids=lambda c: repr(c)[:50])
def test_quick_check_passes_exactly_the_reviews_without_problems(
        toml: str, scores: dict[str, Any], comments: dict[str, Any]) -> None:
    rubric = load_rubric(toml)
    full = review_problems(rubric, scores, {k: comments.get(k, "") for k in scores})
    assert _plain_completeness(rubric, feedback=False)(_entries(scores, comments)) == (not full)


FEEDBACK_CASES: list[tuple[dict[str, Any], dict[str, Any], str]] = [
    ({**COMPLETE, "impact": 2}, {"impact": "Explained."}, "Thanks."),  # feedback missing
    ({**COMPLETE, "impact": 2}, {"impact": "Explained."}, "Thanks."),
    (COMPLETE, {}, ""),  # no overall feedback
    (COMPLETE, {}, "  "),
    (COMPLETE, {}, "Thanks."),
]
FEEDBACK_TEXTS = [{"impact": ""}, {"impact": "Show more evidence."}, {}, {}, {}]


@pytest.mark.parametrize("case", range(len(FEEDBACK_CASES)))
@pytest.mark.parametrize("version_3", [True, False])
def test_quick_check_holds_feedback_rules_for_version_3_files(case: int,
                                                            version_3: bool) -> None:
    rubric = load_rubric(FEEDBACK)
    scores, comments, overall = FEEDBACK_CASES[case]
    feedback = FEEDBACK_TEXTS[case]
    full = review_problems(rubric, scores, {k: comments.get(k, "") for k in scores},
                           {k: feedback.get(k, "") for k in scores} if version_3 else None,
                           overall)
    quick = _plain_completeness(rubric, feedback=version_3)(
        _entries(scores, comments, feedback, overall))
    assert quick == (not full)
    if not version_3:  # a version 1 or 2 file had no place for feedback
        assert quick


def test_a_criterion_listed_twice_is_left_to_the_full_check() -> None:
    rubric = load_rubric(RUBRIC_TOML)
    review = _entries(COMPLETE)
    review.scores.append(ScoreEntry(criterion="impact", score=4, comment="", feedback=""))
    assert not _plain_completeness(rubric, feedback=True)(review)
    # ... also when it takes the place of a missing one
    review.scores = review.scores[:2] + review.scores[3:]
    assert not _plain_completeness(rubric, feedback=True)(review)


def test_the_common_review_takes_the_quick_path() -> None:
    assert _plain_completeness(load_rubric(RUBRIC_TOML), feedback=True)(_entries(COMPLETE))
