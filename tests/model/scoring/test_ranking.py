"""Ranking order, tie-breaking, disagreement flags, categories and shortlists."""

from __future__ import annotations

import pytest

from judgepanel.errors import ValidationError
from judgepanel.model.scoring.ranking import (
    DisagreementRule,
    Ranking,
    rank,
    rank_by_category,
    shortlist,
)
from judgepanel.model.scoring.statistics import ScoredReview, application_stats


def _ranks(ranking: Ranking) -> list[tuple[int, str]]:
    return [(r.rank, r.application_id) for r in ranking.rows]


def test_raw_ranking_by_mean_with_every_tie_rule() -> None:
    reviews = [
        # A: mean 80
        ScoredReview("A", "J1", 80, {"impact": 4}),
        ScoredReview("A", "J2", 80, {"impact": 4}),
        # B and C: mean 70; B's impact mean 5 > C's 3 -> B first
        ScoredReview("B", "J1", 70, {"impact": 5}),
        ScoredReview("B", "J2", 70, {"impact": 5}),
        ScoredReview("C", "J1", 60, {"impact": 3}),
        ScoredReview("C", "J2", 80, {"impact": 3}),
        # D and E: mean 50, impact 2 both; D has 3 reviews, E 2 -> D first
        ScoredReview("D", "J1", 50, {"impact": 2}),
        ScoredReview("D", "J2", 50, {"impact": 2}),
        ScoredReview("D", "J3", 50, {"impact": 2}),
        ScoredReview("E", "J1", 40, {"impact": 2}),
        ScoredReview("E", "J2", 60, {"impact": 2}),
        # F and G: mean 30, impact 1, two reviews each -> still tied: shared rank 6
        ScoredReview("G", "J1", 30, {"impact": 1}),
        ScoredReview("G", "J2", 30, {"impact": 1}),
        ScoredReview("F", "J1", 20, {"impact": 1}),
        ScoredReview("F", "J2", 40, {"impact": 1}),
        # H: lowest
        ScoredReview("H", "J1", 10, {"impact": 1}),
    ]
    ranking = rank(application_stats(reviews), tie_break="impact")
    assert _ranks(ranking) == [
        (1, "A"),
        (2, "B"),
        (3, "C"),
        (4, "D"),
        (5, "E"),
        (6, "F"),  # shared, listed by id only
        (6, "G"),
        (8, "H"),  # competition ranking: 1, 2, ..., 6, 6, 8
    ]
    shared = {r.application_id for r in ranking.rows if r.shared}
    assert shared == {"F", "G"}
    assert ranking.row("B").tie_break == 5  # type: ignore[union-attr]


def test_without_a_tie_break_criterion_equal_means_share_a_rank() -> None:
    reviews = [
        ScoredReview("B", "J1", 70, {"impact": 5}),
        ScoredReview("C", "J1", 70, {"impact": 3}),
        ScoredReview("A", "J1", 90),
    ]
    assert _ranks(rank(application_stats(reviews))) == [(1, "A"), (2, "B"), (2, "C")]


def test_a_missing_tie_break_score_goes_after_one_that_has_it() -> None:
    reviews = [ScoredReview("A", "J1", 70), ScoredReview("B", "J1", 70, {"impact": 1})]
    assert _ranks(rank(application_stats(reviews), tie_break="impact")) == [(1, "B"), (2, "A")]


def test_floating_point_noise_does_not_break_a_tie() -> None:
    # The same total reached by different arithmetic: 50.099999999999994 vs 50.1.
    x = (70 + 80 + 0.1 + 0.2) / 3
    y = (70 + 80 + 0.3) / 3
    assert x != y
    reviews = [ScoredReview("A", "J1", x), ScoredReview("B", "J1", y)]
    assert [r.rank for r in rank(application_stats(reviews)).rows] == [1, 1]


def test_normalised_ranking_corrects_a_harsh_judge() -> None:
    # Harsh H scores A 40, B 60; lenient L scores C 70, D 90.
    reviews = [
        ScoredReview("A", "H", 40, {"impact": 2}),
        ScoredReview("B", "H", 60, {"impact": 4}),
        ScoredReview("C", "L", 70, {"impact": 3}),
        ScoredReview("D", "L", 90, {"impact": 5}),
    ]
    stats = application_stats(reviews)
    raw = rank(stats, basis="raw", tie_break="impact")
    assert [r.application_id for r in raw.rows] == ["D", "C", "B", "A"]
    # z within each judge: H mean 50, sd 14.142 -> A -0.7071, B +0.7071; L same for C, D.
    # B and D tie on z (+0.7071); impact mean D 5 > B 4 -> D, B; then C and A tie on
    # z -0.7071, impact C 3 > A 2 -> C, A.
    norm = rank(stats, basis="z", tie_break="impact")
    assert _ranks(norm) == [(1, "D"), (2, "B"), (3, "C"), (4, "A")]
    # Display is the T-score 50 + 10 z; ranked_on keeps the z itself.
    assert norm.rows[0].score == pytest.approx(57.0710678)
    assert norm.rows[0].ranked_on == pytest.approx(0.7071068)


def test_applications_without_a_score_on_the_basis_are_unranked() -> None:
    reviews = [
        ScoredReview("A", "J1", 40),
        ScoredReview("B", "J1", 60),
        ScoredReview("C", "J2", 70),  # J2's only review: no z-score
    ]
    stats = application_stats(reviews, applications=["D"])  # D has no reviews
    assert rank(stats).unranked == ("D",)
    assert [r.application_id for r in rank(stats).rows] == ["C", "B", "A"]
    norm = rank(stats, basis="z")
    assert norm.unranked == ("C", "D")
    assert [r.application_id for r in norm.rows] == ["B", "A"]
    with pytest.raises(ValueError):
        rank(stats, basis="median")  # type: ignore[arg-type]


def test_disagreement_flags_range_and_sd_strictly_above_the_limit() -> None:
    reviews = [
        # A: 40, 80 -> range 40, sd sqrt(800) = 28.28
        ScoredReview("A", "J1", 40),
        ScoredReview("A", "J2", 80),
        # B: 60, 90 -> range 30 (= limit, not above), sd 21.21
        ScoredReview("B", "J1", 60),
        ScoredReview("B", "J2", 90),
        # C: 70, 75 -> calm
        ScoredReview("C", "J1", 70),
        ScoredReview("C", "J2", 75),
    ]
    ranking = rank(application_stats(reviews), disagreement=DisagreementRule(max_range=30))
    flags = {r.application_id: r.disagreement for r in ranking.rows}
    assert flags["A"] == ("scores range over 40.0 points (limit 30)",)
    assert flags["B"] == () and flags["C"] == ()
    by_sd = rank(application_stats(reviews), disagreement=DisagreementRule(max_sd=25))
    assert [r.application_id for r in by_sd.flagged] == ["A"]
    both = rank(application_stats(reviews), disagreement=DisagreementRule(20, 20))
    assert len(both.row("A").disagreement) == 2  # type: ignore[union-attr]
    assert both.row("C").flagged is False  # type: ignore[union-attr]


def test_rankings_per_category_rank_within_the_category() -> None:
    reviews = [
        ScoredReview("A", "J1", 90),
        ScoredReview("B", "J1", 80),
        ScoredReview("C", "J1", 70),
        ScoredReview("D", "J1", 60),
    ]
    stats = application_stats(reviews)
    by_cat = rank_by_category(
        stats, {"A": "housing", "B": ["schools", "housing"], "C": "schools", "D": "sport"}
    )
    assert list(by_cat) == ["housing", "schools", "sport"]
    assert _ranks(by_cat["housing"]) == [(1, "A"), (2, "B")]
    assert _ranks(by_cat["schools"]) == [(1, "B"), (2, "C")]
    assert _ranks(by_cat["sport"]) == [(1, "D")]
    assert by_cat["schools"].category == "schools"


def _ranking(scores: dict[str, float]) -> Ranking:
    return rank(application_stats([ScoredReview(a, "J1", s) for a, s in scores.items()]))


def test_shortlist_top_n_and_threshold() -> None:
    ranking = _ranking({"A": 90, "B": 80, "C": 70, "D": 60})
    assert shortlist(ranking, top=2).selected == ("A", "B")
    assert shortlist(ranking, top=2).ties_at_cutoff == ()
    assert shortlist(ranking, top=10).selected == ("A", "B", "C", "D")
    assert shortlist(ranking, threshold=70).selected == ("A", "B", "C")  # >= threshold
    assert shortlist(ranking, threshold=70.5).selected == ("A", "B")
    assert shortlist(ranking, top=1, threshold=70).selected == ("A",)
    assert shortlist(ranking, top=3, threshold=85).selected == ("A",)


def test_a_tie_across_the_cutoff_takes_all_tied_and_says_so() -> None:
    ranking = _ranking({"A": 90, "B": 80, "C": 80, "D": 60})
    # Ranks 1, 2, 2, 4. Top 2 -> A, B, C (both rank 2), tie reported.
    result = shortlist(ranking, top=2)
    assert result.selected == ("A", "B", "C")
    assert result.ties_at_cutoff == ("B", "C")
    # Top 3 takes the same three with no excess, so no tie to report.
    assert shortlist(ranking, top=3) == shortlist(ranking, top=3)
    assert shortlist(ranking, top=3).ties_at_cutoff == ()
    assert shortlist(ranking, top=1).selected == ("A",)


@pytest.mark.parametrize("kwargs", [{}, {"top": 0}, {"top": 2.5}, {"top": True}])
def test_shortlist_needs_a_sensible_rule(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        shortlist(_ranking({"A": 1}), **kwargs)  # type: ignore[arg-type]


def test_row_finds_each_ranked_application() -> None:
    reviews = [ScoredReview(app, judge, total, {})
               for app, total in (("A", 80), ("B", 70), ("C", 70))
               for judge in ("J1", "J2")]
    ranking = rank(application_stats(reviews))
    for row in ranking.rows:
        assert ranking.row(row.application_id) is row
    assert ranking.row("Z") is None
    assert ranking.row("A").rank == 1  # type: ignore[union-attr]
    assert ranking == rank(application_stats(reviews))  # the lookup is not part of equality
