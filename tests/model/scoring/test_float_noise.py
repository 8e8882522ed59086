"""Totals equal on paper but not in the last floating-point bit (issue 17, item 1).

On a four-criterion 1-7 equal-weight rubric, 17 of the 25 possible totals have
more than one floating-point form: 1+1+1+4 gives 12.5, 1+2+2+2 gives
12.499999999999998. A judge whose totals were equal on paper then had an SD of
about 1e-15 and z-scores of +-0.71 made of rounding error, and applications tied
on paper were reordered on the normalised board.
"""

from __future__ import annotations

import itertools

from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.scoring.ranking import DisagreementRule, rank
from judgepanel.model.scoring.statistics import ScoredReview, application_stats, z_scores
from judgepanel.model.scoring.totals import weighted_total

RUBRIC = Rubric("Four criteria, 1-7", tuple(Criterion(k, k, min=1, max=7) for k in "abcd"))


def _total(*scores: int) -> float:
    total = weighted_total(RUBRIC, dict(zip("abcd", map(float, scores), strict=True)))
    assert total is not None
    return total


def test_the_premise_several_float_forms_of_one_total() -> None:
    forms: dict[int, set[float]] = {}
    for combo in itertools.product(range(1, 8), repeat=4):
        forms.setdefault(sum(combo), set()).add(_total(*combo))
    assert len(forms) == 25
    assert sum(len(v) > 1 for v in forms.values()) == 17
    assert _total(1, 1, 1, 4) == 12.5
    assert _total(1, 2, 2, 2) == 12.499999999999998


def test_a_judge_whose_totals_are_equal_on_paper_gives_no_z_scores() -> None:
    reviews = [ScoredReview("A", "J1", _total(1, 1, 1, 4)),
               ScoredReview("B", "J1", _total(1, 2, 2, 2))]
    assert reviews[0].total != reviews[1].total
    # Unrounded: SD 1.3e-15, z -0.71 and +0.71.
    assert z_scores(reviews) == {}
    stats = application_stats(reviews)
    assert stats["A"].z_mean is None and stats["B"].z_mean is None


def test_totals_tied_on_paper_stay_tied_on_the_normalised_board() -> None:
    # J1 gives A and B the same total on paper and C more; J2 the same pattern.
    reviews = [
        ScoredReview("A", "J1", _total(1, 1, 1, 4)),
        ScoredReview("B", "J1", _total(1, 2, 2, 2)),
        ScoredReview("C", "J1", _total(7, 7, 7, 7)),
        ScoredReview("A", "J2", _total(4, 1, 1, 1)),
        ScoredReview("B", "J2", _total(2, 2, 2, 1)),
        ScoredReview("C", "J2", _total(6, 7, 7, 7)),
    ]
    z = z_scores(reviews)
    assert z[("J1", "A")] == z[("J1", "B")]
    assert z[("J2", "A")] == z[("J2", "B")]
    ranking = rank(application_stats(reviews), basis="z")
    assert [(r.rank, r.application_id, r.shared) for r in ranking.rows] == [
        (1, "C", False), (2, "A", True), (2, "B", True)]


def test_a_range_equal_to_the_limit_on_paper_is_not_flagged() -> None:
    low, high = _total(1, 1, 1, 2), _total(1, 3, 6, 7)  # 12 steps of 25/6: 50 on paper
    assert high - low == 50.00000000000001
    stats = application_stats([ScoredReview("A", "J1", low), ScoredReview("A", "J2", high)])
    assert DisagreementRule(max_range=50).reasons(stats["A"]) == ()
    assert DisagreementRule(max_range=49.999).reasons(stats["A"]) != ()
