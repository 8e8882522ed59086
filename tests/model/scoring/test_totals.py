"""Weighted totals and the completeness check, against hand-computed cases."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pytest

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.comments import CommentRule
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric, load_rubric
from judgepanel.model.scoring.totals import is_complete, review_problems, weighted_total

EXAMPLE = Path(__file__).resolve().parents[3] / "resources" / "rubrics" / "recognition.toml"

FULL = {
    "impact": 4,
    "participation": 3,
    "innovation": 5,
    "sustainability": 2,
    "transferability": 1,
    "compendium": 1,
}
COMMENTS = {"compendium": "A model for other cities."}


@pytest.fixture
def rubric() -> Rubric:
    return load_rubric(EXAMPLE)


def test_weighted_total_of_the_example_rubric(rubric: Rubric) -> None:
    # impact          4 on 1..5 -> (4-1)/4*100 =  75, weight 3 -> 225
    # participation   3         ->               50, weight 2 -> 100
    # innovation      5         ->              100, weight 2 -> 200
    # sustainability  2         ->               25, weight 2 ->  50
    # transferability 1         ->                0, weight 1 ->   0
    # compendium does not count.  Sum 575 / weights 10 = 57.5
    assert weighted_total(rubric, FULL) == pytest.approx(57.5)


def test_criteria_on_different_scales_are_normalised_before_weighting() -> None:
    rubric = Rubric(
        "mixed",
        (
            Criterion("a", "A"),  # 1..5, weight 1
            Criterion("b", "B", min=0, max=10, weight=3),
        ),
    )
    # a = 5 -> 100 (w 1), b = 7 -> 70 (w 3): (100 + 210) / 4 = 77.5
    assert weighted_total(rubric, {"a": 5, "b": 7}) == pytest.approx(77.5)
    # Extremes land exactly on 0 and 100.
    assert weighted_total(rubric, {"a": 1, "b": 0}) == 0
    assert weighted_total(rubric, {"a": 5, "b": 10}) == 100


def test_non_counting_criteria_do_not_move_the_total(rubric: Rubric) -> None:
    base = weighted_total(rubric, FULL)
    assert weighted_total(rubric, {**FULL, "compendium": 0}) == base
    without = {k: v for k, v in FULL.items() if k != "compendium"}
    assert weighted_total(rubric, without) == base


def test_no_total_while_a_counting_criterion_is_missing(rubric: Rubric) -> None:
    partial = {k: v for k, v in FULL.items() if k != "innovation"}
    assert weighted_total(rubric, partial) is None
    assert weighted_total(rubric, {**FULL, "innovation": None}) is None


def test_an_off_scale_counting_score_is_refused(rubric: Rubric) -> None:
    with pytest.raises(ValidationError) as caught:
        weighted_total(rubric, {**FULL, "impact": 7})
    assert caught.value.path == "impact"


SCALES = Rubric(
    "scales",
    (
        Criterion("tenths", "Tenths", min=0, max=1, step=0.1, weight=1.5),
        Criterion("halves", "Halves", min=-2, max=3, step=0.5, weight=0.7),
        Criterion("wide", "Wide", min=0, max=100, step=1, weight=3),
        Criterion("advice", "Advice", counts=False),
    ),
)


def _by_the_formula(rubric: Rubric, scores: dict[str, float]) -> float:
    """The module docstring's definition, spelled out without any lookup table."""
    shares = [c.weight * ((float(scores[c.key]) - c.min) / (c.max - c.min) * 100.0)
              for c in rubric.criteria if c.counts]
    return math.fsum(shares) / math.fsum(c.weight for c in rubric.criteria if c.counts)


def test_totals_equal_the_formula_bit_for_bit_on_every_scale_point() -> None:
    tenths, halves, wide, _ = SCALES.criteria
    for i, a in enumerate(tenths.valid_scores()):
        for b in halves.valid_scores():
            scores = {"tenths": a, "halves": b, "wide": float((i * 37) % 101)}
            assert weighted_total(SCALES, scores) == _by_the_formula(SCALES, scores)
            # An int equal to a float point, and -0.0 for 0.0, give the same total.
            as_int = {**scores, "wide": int(scores["wide"])}
            assert weighted_total(SCALES, as_int) == _by_the_formula(SCALES, scores)
    zero = {"tenths": -0.0, "halves": -2.0, "wide": -0.0}
    assert weighted_total(SCALES, zero) == 0.0
    assert math.copysign(1, weighted_total(SCALES, zero) or 1.0) == 1  # never -0.0


@pytest.mark.parametrize(
    "score", [True, Decimal("0.5"), 0.25, 1.1, float("nan"), float("inf"), "0.5"])
def test_totals_refuse_what_check_score_refuses(score: object) -> None:
    # True == 1 and Decimal("0.5") == 0.5 are points of the scale by value; they
    # must still be refused, as check_score does, and name the criterion.
    with pytest.raises(ValidationError) as caught:
        weighted_total(SCALES, {"tenths": score, "halves": 0.0, "wide": 5.0})  # type: ignore[dict-item]
    assert caught.value.path == "tenths"


def test_the_first_criterion_in_rubric_order_decides_between_none_and_an_error() -> None:
    # Missing before off-scale: no total yet. Off-scale before missing: refused.
    assert weighted_total(SCALES, {"halves": 9.0}) is None
    with pytest.raises(ValidationError):
        weighted_total(SCALES, {"tenths": 9.0})


def test_a_complete_review_has_no_problems(rubric: Rubric) -> None:
    assert review_problems(rubric, FULL, COMMENTS) == []
    assert is_complete(rubric, FULL, COMMENTS)


def test_missing_scores_are_listed_in_rubric_order(rubric: Rubric) -> None:
    scores = {"impact": 4, "sustainability": 3}
    problems = review_problems(rubric, scores, {})
    kinds = [(p.kind, p.criterion) for p in problems]
    assert kinds == [
        ("missing_score", "participation"),
        ("missing_score", "innovation"),
        ("missing_score", "transferability"),
        ("missing_score", "compendium"),  # non-counting criteria must still be answered
    ]
    assert problems[0].message == "“Participation of affected communities”: give a score."


def test_required_comments(rubric: Rubric) -> None:
    # impact requires a comment below 3; 2 without a comment is a problem.
    low = {**FULL, "impact": 2}
    problems = review_problems(rubric, low, COMMENTS)
    assert [(p.kind, p.criterion) for p in problems] == [("comment_required", "impact")]
    assert "below 3" in problems[0].message
    # Whitespace is not a comment.
    assert review_problems(rubric, low, {**COMMENTS, "impact": "  \n"}) == problems
    assert review_problems(rubric, low, {**COMMENTS, "impact": "No evidence given."}) == []
    # 3 is not below 3.
    assert review_problems(rubric, {**FULL, "impact": 3}, COMMENTS) == []
    # compendium requires a comment above 0: recommending it needs a reason.
    assert [p.criterion for p in review_problems(rubric, FULL, {})] == ["compendium"]
    assert review_problems(rubric, {**FULL, "compendium": 0}, {}) == []


def test_always_rule_and_off_scale_scores() -> None:
    rubric = Rubric("r", (Criterion("a", "A", comment=CommentRule("always")),))
    assert [p.kind for p in review_problems(rubric, {"a": 3}, {})] == ["comment_required"]
    problems = review_problems(rubric, {"a": 3.5}, {"a": "fine"})
    assert [p.kind for p in problems] == ["off_scale"]
    assert "1 to 5" in problems[0].message
    # A string or a bool is off the scale, not a crash.
    text_score: dict[str, object] = {"a": "3"}
    problems = review_problems(rubric, text_score, {"a": "x"})  # type: ignore[arg-type]
    assert [p.kind for p in problems] == ["off_scale"]
    assert [p.kind for p in review_problems(rubric, {"a": True}, {"a": "x"})] == ["off_scale"]


def test_scores_or_comments_for_unknown_criteria_are_reported(rubric: Rubric) -> None:
    problems = review_problems(rubric, {**FULL, "budget": 3}, {**COMMENTS, "zzz": "hi"})
    assert [(p.kind, p.criterion) for p in problems] == [
        ("unknown_criterion", "budget"),
        ("unknown_criterion", "zzz"),
    ]
