"""Every statistic against numpy, scipy and the ``krippendorff`` package, on random panels.

Panels of 2-120 applications and 2-25 judges with missing entries, conflicts,
ties (totals on a grid), one-review and constant judges. The references are
computed from the same counted totals, on the libraries' own definitions.
"""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest
from scipy import stats as sp

from judgepanel.model.scoring.statistics import (
    SCORE_DECIMALS,
    ScoredReview,
    application_stats,
    judge_stats,
    panel_alpha,
)

TOLERANCE = 1e-12  # relative, or absolute below 1


def _close(got: float | None, expected: float) -> bool:
    return got is not None and abs(got - expected) <= TOLERANCE * max(1.0, abs(expected))


def _panel(seed: int) -> list[ScoredReview]:
    rng = random.Random(seed)
    apps = [f"A{i:03d}" for i in range(rng.randint(2, 120))]
    judges = [f"J{i:02d}" for i in range(rng.randint(2, 25))]
    grid = rng.choice([1.0, 0.5, 25 / 6, 100 / 7])
    reviews = []
    for app in apps:
        for judge in rng.sample(judges, rng.randint(1, min(6, len(judges)))):
            if rng.random() < 0.15:
                continue  # conflict or missing
            total = min(100.0, round(rng.uniform(0, 100) / grid) * grid)
            criteria = {"impact": float(rng.randint(1, 5))} if rng.random() < 0.9 else {}
            reviews.append(ScoredReview(app, judge, total, criteria))
    reviews.append(ScoredReview(apps[0], "J-once", 42.0))
    reviews += [ScoredReview(app, "J-flat", 60.0) for app in apps[:3]]
    return reviews


@pytest.mark.parametrize("seed", range(60))
def test_application_statistics_equal_numpy_and_scipy(seed: int) -> None:
    reviews = _panel(seed)
    stats = application_stats(reviews)
    by_judge: dict[str, list[ScoredReview]] = {}
    for r in reviews:
        by_judge.setdefault(r.judge_id, []).append(r)
    z: dict[tuple[str, str], float] = {}
    for judge, own in by_judge.items():
        totals = np.array([round(r.total, SCORE_DECIMALS) for r in own])
        if len(own) >= 2 and np.ptp(totals) > 0:
            for r, value in zip(own, sp.zscore(totals, ddof=1), strict=True):
                z[(judge, r.application_id)] = float(value)
    for app, s in stats.items():
        own = [r for r in reviews if r.application_id == app]
        totals = np.array([r.total for r in own])
        assert s.n == len(own)
        assert _close(s.mean, float(np.mean(totals)))
        assert _close(s.summary.median, float(np.median(totals)))
        assert _close(s.summary.min, float(np.min(totals)))
        assert _close(s.summary.max, float(np.max(totals)))
        if len(own) >= 2:
            assert _close(s.summary.sd, float(np.std(totals, ddof=1)))
        else:
            assert s.summary.sd is None
        zs = [z[(r.judge_id, app)] for r in own if (r.judge_id, app) in z]
        assert s.z_count == len(zs)
        if zs:
            assert _close(s.z_mean, float(np.mean(zs)))
        else:
            assert s.z_mean is None
        impact = [r.criteria["impact"] for r in own if "impact" in r.criteria]
        if impact:
            assert _close(s.criterion_means["impact"], float(np.mean(impact)))


@pytest.mark.parametrize("seed", range(60))
def test_judge_statistics_and_alpha_equal_numpy_and_krippendorff(seed: int) -> None:
    reviews = _panel(seed)
    apps = sorted({r.application_id for r in reviews})
    judges = sorted({r.judge_id for r in reviews})
    matrix = np.full((len(judges), len(apps)), np.nan)
    for r in reviews:
        matrix[judges.index(r.judge_id), apps.index(r.application_id)] = r.total
    per_judge = judge_stats(reviews)
    for k, judge in enumerate(judges):
        row = matrix[k]
        own = row[~np.isnan(row)]
        j = per_judge[judge]
        assert j.n == own.size and _close(j.mean, float(np.mean(own)))
        if own.size >= 2:
            assert _close(j.spread, float(np.std(own, ddof=1)))
        # Leniency: own total minus the mean of the others' totals, where there are others.
        others = np.delete(matrix, k, axis=0)
        seen = ~np.isnan(row) & (np.sum(~np.isnan(others), axis=0) > 0)
        assert j.compared == int(np.sum(seen))
        if seen.any():
            assert _close(j.leniency, float(np.mean(row[seen] - np.nanmean(others[:, seen],
                                                                             axis=0))))
    pairable = np.sum(~np.isnan(matrix), axis=0) >= 2
    expected = None
    if pairable.sum() >= 1 and np.nanstd(matrix[:, pairable]) > 0:
        expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="interval")
    got = panel_alpha(reviews)
    if expected is None:
        assert got is None
    else:
        assert _close(got, float(expected))
