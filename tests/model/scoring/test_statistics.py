"""Statistics against hand-computed values (the arithmetic is in the comments)."""

from __future__ import annotations

import math
import random

import pytest

from judgepanel.errors import ValidationError
from judgepanel.model.scoring.statistics import (
    ScoredReview,
    application_stats,
    check_reviews,
    judge_stats,
    krippendorff_alpha_interval,
    median,
    panel_alpha,
    panel_stats,
    sample_sd,
    summarise,
    t_score,
    z_scores,
)


def test_summary_of_four_totals() -> None:
    s = summarise([60, 90, 70, 80])
    # mean (60+70+80+90)/4 = 75; median (70+80)/2 = 75
    # deviations -15, -5, 5, 15 -> squares 225+25+25+225 = 500; 500/(4-1) -> sd sqrt(166.67)
    assert (s.n, s.mean, s.median, s.min, s.max, s.range) == (4, 75, 75, 60, 90, 30)
    assert s.sd == pytest.approx(math.sqrt(500 / 3))  # 12.9099...
    assert s.sd == pytest.approx(12.909944)


def test_small_and_empty_summaries() -> None:
    one = summarise([42])
    assert (one.n, one.mean, one.median, one.sd, one.range) == (1, 42, 42, None, 0)
    none = summarise([])
    assert (none.n, none.mean, none.median, none.sd, none.min, none.range) == (
        0,
        None,
        None,
        None,
        None,
        None,
    )
    assert median([3, 1, 2]) == 2
    assert sample_sd([5, 5, 5]) == 0


def test_z_scores_need_two_reviews_and_some_spread_per_judge() -> None:
    reviews = [
        ScoredReview("A", "J1", 60),
        ScoredReview("B", "J1", 80),
        ScoredReview("A", "J2", 70),  # J2 has one review: no z
        ScoredReview("A", "J3", 50),
        ScoredReview("B", "J3", 50),  # J3 gives everything 50: sd 0, no z
    ]
    z = z_scores(reviews)
    # J1: mean 70, sd sqrt((100+100)/1) = 14.142; A: -10/14.142 = -0.7071, B: +0.7071
    assert z == {
        ("J1", "A"): pytest.approx(-1 / math.sqrt(2)),
        ("J1", "B"): pytest.approx(1 / math.sqrt(2)),
    }


def test_application_stats_with_z_means_display_and_criterion_means() -> None:
    reviews = [
        ScoredReview("A", "J1", 60, {"impact": 3}),
        ScoredReview("B", "J1", 80, {"impact": 4}),
        ScoredReview("C", "J1", 100, {"impact": 5}),
        ScoredReview("A", "J2", 40, {"impact": 2}),
        ScoredReview("B", "J2", 50, {"impact": 2}),
    ]
    stats = application_stats(reviews)
    # J1: 60, 80, 100 -> mean 80, sd sqrt((400+0+400)/2) = 20 -> z A -1, B 0, C +1
    # J2: 40, 50      -> mean 45, sd sqrt((25+25)/1) = 7.0711 -> z A -0.7071, B +0.7071
    a, b, c = stats["A"], stats["B"], stats["C"]
    assert a.mean == 50 and b.mean == 65 and c.mean == 100
    assert a.z_mean == pytest.approx((-1 - 1 / math.sqrt(2)) / 2)  # -0.85355
    assert b.z_mean == pytest.approx((0 + 1 / math.sqrt(2)) / 2)  # +0.35355
    assert c.z_mean == pytest.approx(1.0) and c.z_count == 1
    # T-score display: 50 + 10 z
    assert a.z_display == pytest.approx(50 - 8.5355339)
    assert c.z_display == pytest.approx(60)
    assert a.criterion_means == {"impact": 2.5}
    assert a.judges == ("J1", "J2")


def test_t_score_is_clipped_to_0_100() -> None:
    assert t_score(None) is None
    assert t_score(0) == 50
    assert t_score(2.5) == 75
    assert t_score(6) == 100  # 50 + 60 = 110, clipped
    assert t_score(-7) == 0


def test_missing_and_conflicted_judges_are_listed() -> None:
    stats = application_stats(
        [ScoredReview("A", "J1", 70)],
        assigned={("J1", "A"), ("J2", "A"), ("J3", "A"), ("J2", "B")},
        conflicts={("J3", "A")},
        applications=["C"],
    )
    assert stats["A"].missing == ("J2",)
    assert stats["A"].conflicted == ("J3",)
    # B is assigned but unreviewed; C is only listed.
    assert stats["B"].n == 0 and stats["B"].mean is None and stats["B"].missing == ("J2",)
    assert stats["C"].n == 0 and stats["C"].missing == ()
    assert list(stats) == ["A", "B", "C"]


def test_bad_review_sets_are_refused() -> None:
    with pytest.raises(ValidationError, match="two reviews"):
        application_stats([ScoredReview("A", "J1", 70), ScoredReview("A", "J1", 80)])
    with pytest.raises(ValidationError, match="conflict"):
        application_stats([ScoredReview("A", "J1", 70)], conflicts={("J1", "A")})
    with pytest.raises(ValidationError, match="no valid total"):
        judge_stats([ScoredReview("A", "J1", float("nan"))])


def test_judge_leniency_and_spread() -> None:
    reviews = [
        ScoredReview("A", "J1", 80),
        ScoredReview("A", "J2", 60),
        ScoredReview("A", "J3", 70),
        ScoredReview("B", "J1", 90),
        ScoredReview("B", "J2", 70),
        ScoredReview("C", "J1", 50),  # nobody else reviewed C: not compared
    ]
    js = judge_stats(reviews)
    # J1 on A: 80 - mean(60, 70) = 15; on B: 90 - 70 = 20 -> leniency 17.5 over 2
    assert js["J1"].leniency == pytest.approx(17.5) and js["J1"].compared == 2
    # J2 on A: 60 - mean(80, 70) = -15; on B: 70 - 90 = -20 -> -17.5
    assert js["J2"].leniency == pytest.approx(-17.5)
    # J3 on A: 70 - mean(80, 60) = 0
    assert js["J3"].leniency == pytest.approx(0) and js["J3"].compared == 1
    # J1 spread: totals 80, 90, 50 -> mean 73.33; squares 44.44+277.78+544.44 = 866.67;
    # /2 = 433.33 -> sd 20.817
    assert js["J1"].spread == pytest.approx(math.sqrt(1300 / 3))
    assert js["J1"].n == 3 and js["J1"].mean == pytest.approx(220 / 3)
    assert js["J3"].spread is None


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the worked example
# with missing data: 4 observers, 12 units, values 1..5 ("." = missing).
#   unit: 1  2  3  4  5  6  7  8  9 10 11 12
#   A:    1  2  3  3  2  1  4  1  2  .  .  .
#   B:    1  2  3  3  2  2  4  1  2  5  .  3
#   C:    .  3  3  3  2  3  4  2  2  5  1  .
#   D:    1  2  3  3  2  4  4  1  2  5  1  .
# Published: interval alpha = 0.849 (nominal .743, ordinal .815, ratio .797).
_: None = None
KRIPPENDORFF_2011: list[list[float | None]] = [
    [1, 1, _, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [_, 5, 5, 5],
    [_, _, 1, 1],
    [_, 3, _, _],  # one value: not pairable, left out
]


def test_krippendorff_alpha_interval_matches_the_published_worked_example() -> None:
    # By hand. Pairable values n = 3+4+4+4+4+4+4+4+4+3+2 = 40 (unit 12 dropped).
    # Observed: sum over units of sum_{i!=j}(vi-vj)^2/(m-1):
    #   unit 2 {2,2,3,2}: ordered pairs differing by 1: 6 -> 6/3 = 2
    #   unit 6 {1,2,3,4}: unordered 1+4+9+1+4+1 = 20, ordered 40 -> 40/3 = 13.333
    #   unit 8 {1,1,2,1}: 6/3 = 2; all other units agree: 0
    #   D_o = 17.333 / 40 = 0.43333
    # Expected: value counts 1:9, 2:13, 3:10, 4:5, 5:3 (total 40);
    #   sum_{c<k} n_c n_k (c-k)^2 = 117+360+405+432+130+260+351+50+120+15 = 2240,
    #   ordered 4480; D_e = 4480 / (40*39) = 2.871795
    # alpha = 1 - 0.43333/2.871795 = 1 - 0.150893 = 0.849107
    alpha = krippendorff_alpha_interval(KRIPPENDORFF_2011)
    assert alpha is not None
    assert alpha == pytest.approx(1 - (52 / 3 / 40) / (4480 / 1560), abs=1e-12)
    assert round(alpha, 3) == 0.849


def test_panel_alpha_over_reviews_equals_the_matrix_form() -> None:
    coders = "ABCD"
    reviews = [
        ScoredReview(f"U{u:02d}", coders[c], float(v))
        for u, unit in enumerate(KRIPPENDORFF_2011)
        for c, v in enumerate(unit)
        if v is not None
    ]
    assert panel_alpha(reviews) == pytest.approx(0.849107, abs=1e-6)
    assert panel_stats(reviews).alpha == panel_alpha(reviews)


def test_alpha_edge_cases() -> None:
    assert krippendorff_alpha_interval([[70, 70], [40, 40, 40], [90, _]]) == 1.0
    # No variation at all: expected disagreement is 0, alpha undefined.
    assert krippendorff_alpha_interval([[5, 5], [5, 5]]) is None
    # Nothing pairable.
    assert krippendorff_alpha_interval([[5], [6, _]]) is None
    assert krippendorff_alpha_interval([]) is None
    # Systematic disagreement is worse than chance:
    # units {1,2}, {2,1}: D_o = (2*2*0.5/1 + 2*2*0.5/1)/4 = 1; values 1,2,2,1:
    # D_e = 2 * sum (v - 1.5)^2 / (4-1) = 2 * 1 / 3 = 0.6667; alpha = 1 - 1.5 = -0.5
    assert krippendorff_alpha_interval([[1, 2], [2, 1]]) == pytest.approx(-0.5)


def test_alpha_is_stable_for_realistic_totals() -> None:
    # Shifting every value by a constant must not change alpha (interval metric);
    # large offsets catch a cancellation-prone formula.
    shifted = [[v + 1e6 if v is not None else None for v in u] for u in KRIPPENDORFF_2011]
    assert krippendorff_alpha_interval(shifted) == pytest.approx(0.849107, abs=1e-6)


# --- the same numbers as the plain definitions ---------------------------------------------
# The statistics share sums and groupings between passes for speed; these spell each
# definition out the plain way (one list per question) and demand equal floats, bit for
# bit, on rounds with the awkward cases: fractional and int totals, a judge with one
# review, a judge who gives everything the same total, criteria left out or None.


def _plain_sd(values: list[float]) -> float | None:
    if len(values) < 2:
        return None
    centre = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - centre) ** 2 for v in values) / (len(values) - 1))


def _plain_z(reviews: list[ScoredReview]) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    for judge in dict.fromkeys(r.judge_id for r in reviews):
        own = [r for r in reviews if r.judge_id == judge]
        totals = [round(r.total, 9) for r in own]  # z-scores take totals at 9 decimals
        sd = _plain_sd(totals)
        if sd:
            for r, total in zip(own, totals, strict=True):
                out[(judge, r.application_id)] = (total - math.fsum(totals) / len(totals)) / sd
    return out


def _plain_application(app: str, reviews: list[ScoredReview], z: dict[tuple[str, str], float],
                       assigned: set[tuple[str, str]], conflicts: set[tuple[str, str]]
                       ) -> tuple[object, ...]:
    own = [r for r in reviews if r.application_id == app]
    totals = [r.total for r in own]
    zs = [z[(r.judge_id, app)] for r in own if (r.judge_id, app) in z]
    keys = sorted({k for r in own for k, v in r.criteria.items() if v is not None})
    means = {}
    for key in keys:
        values = [r.criteria[key] for r in own if r.criteria.get(key) is not None]
        means[key] = math.fsum(values) / len(values)
    judges = {r.judge_id for r in own}
    blocked = {j for j, a in conflicts if a == app}
    return (
        len(own),
        math.fsum(totals) / len(totals) if totals else None,
        median(totals),
        _plain_sd(totals),
        min(totals) if totals else None,
        max(totals) if totals else None,
        math.fsum(zs) / len(zs) if zs else None,
        len(zs),
        list(means.items()),
        tuple(sorted(judges)),
        tuple(sorted(blocked)),
        tuple(sorted({j for j, a in assigned if a == app} - judges - blocked)),
    )


def _plain_judge(judge: str, reviews: list[ScoredReview]) -> tuple[object, ...]:
    own = [r for r in reviews if r.judge_id == judge]
    offsets = []
    for r in own:
        others = [o.total for o in reviews
                  if o.application_id == r.application_id and o.judge_id != judge]
        if others:
            offsets.append(r.total - math.fsum(others) / len(others))
    totals = [r.total for r in own]
    return (len(own), math.fsum(totals) / len(totals), _plain_sd(totals),
            math.fsum(offsets) / len(offsets) if offsets else None, len(offsets))


def _random_round(
        seed: int) -> tuple[list[ScoredReview], set[tuple[str, str]], set[tuple[str, str]]]:
    rng = random.Random(seed)
    apps = [f"A{i:02d}" for i in range(25)]
    judges = [f"J{i}" for i in range(8)]
    reviews, assigned, conflicts = [], set(), set()
    for app in apps:
        panel = rng.sample(judges, rng.randint(1, 5))
        for judge in panel:
            assigned.add((judge, app))
            if rng.random() < 0.1:
                conflicts.add((judge, app))
                continue
            if rng.random() < 0.1:
                continue  # assigned, not yet reviewed
            total: float = rng.choice([rng.randint(0, 100), rng.randint(0, 1000) / 7])
            criteria = {k: rng.choice([1.0, 2.5, 3.0, 4.1, 5.0, None])
                        for k in rng.sample(["z", "impact", "reach", "cost"], rng.randint(0, 4))}
            reviews.append(ScoredReview(app, judge, total, criteria))  # type: ignore[arg-type]
    reviews.append(ScoredReview("A99", "J-one", 33.3))  # a judge with one review: no z
    reviews += [ScoredReview(a, "J-flat", 60.0) for a in apps[:4]]  # sd 0: no z
    rng.shuffle(reviews)
    return reviews, assigned, conflicts


@pytest.mark.parametrize("seed", range(8))
def test_statistics_equal_the_plain_definitions_bit_for_bit(seed: int) -> None:
    reviews, assigned, conflicts = _random_round(seed)
    z = _plain_z(reviews)
    assert list(z_scores(reviews).items()) == list(z.items())  # same numbers, same order
    stats = application_stats(reviews, assigned=assigned, conflicts=conflicts,
                              applications=["LISTED"])
    ids = sorted({r.application_id for r in reviews} | {a for _, a in assigned} | {"LISTED"})
    assert list(stats) == ids
    for app in ids:
        s = stats[app]
        got = (s.n, s.mean, s.summary.median, s.summary.sd, s.summary.min, s.summary.max,
               s.z_mean, s.z_count, list(s.criterion_means.items()), s.judges, s.conflicted,
               s.missing)
        assert got == _plain_application(app, reviews, z, assigned, conflicts), app
    per_judge = judge_stats(reviews)
    assert list(per_judge) == sorted({r.judge_id for r in reviews})
    for judge, j in per_judge.items():
        got_j = (j.n, j.mean, j.spread, j.leniency, j.compared)
        assert got_j == _plain_judge(judge, reviews), judge


def test_the_first_bad_review_in_order_is_the_one_named() -> None:
    # A non-finite total before a duplicate: the total is what is reported.
    with pytest.raises(ValidationError, match="review of B by J1 has no valid total"):
        check_reviews([ScoredReview("A", "J1", 70), ScoredReview("B", "J1", math.inf),
                       ScoredReview("A", "J1", 80)])
    # Float totals (the usual case) are refused for the same reasons as any others.
    with pytest.raises(ValidationError, match="two reviews"):
        check_reviews([ScoredReview("A", "J1", 70.0), ScoredReview("A", "J1", 80.0)])
    with pytest.raises(ValidationError, match="has a conflict with application A"):
        check_reviews([ScoredReview("A", "J1", 70.0)], conflicts={("J1", "A")})
    with pytest.raises(ValidationError, match="no valid total"):
        check_reviews([ScoredReview("A", "J1", 70.0), ScoredReview("B", "J1", math.nan)])
    # Ints (and, as ever, bools: they are ints) are valid totals.
    assert len(check_reviews([ScoredReview("A", "J1", 70), ScoredReview("B", "J1", True)])) == 2
