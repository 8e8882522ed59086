"""The simulation benchmark's measures against scipy, and its run end to end (tiny).

Its figures are not checked here: they are the benchmark's output (``make bench``).
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sp

from bench.bench_simulation import Setting, kendall_tau, precision_at, simulate

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("seed", range(10))
def test_kendall_tau_b_equals_scipy_and_ties_count_as_coin_tosses(seed: int) -> None:
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=60)
    estimate = np.round(truth + rng.normal(size=60), 0)  # many ties
    tau, tau_b = kendall_tau(truth, estimate)
    assert tau_b == pytest.approx(sp.kendalltau(truth, estimate, variant="b").statistic,
                                  abs=1e-12)
    # Ties broken at random, many times: the mean is the first value.
    draws = [sp.kendalltau(truth, estimate + rng.uniform(0, 1e-6, 60)).statistic
             for _ in range(400)]
    assert tau == pytest.approx(float(np.mean(draws)), abs=0.01)
    assert tau < tau_b


def test_precision_at_10_counts_a_tie_at_the_cut_off_by_its_share() -> None:
    truth = np.arange(20.0)  # the true top 10 is 10..19
    estimate = truth.copy()
    assert precision_at(truth, estimate) == 1.0
    estimate[[5, 6, 9, 10]] = 9.5  # four tied at the cut-off for one place (9 above it)
    # 9 above: 11..19 are 9 hits; one place among four tied, one of which (10) is a hit.
    assert precision_at(truth, estimate) == pytest.approx((9 + 1 / 4) / 10)


def test_a_round_has_the_setting_s_shape() -> None:
    quality, reviews = simulate(Setting("medium", 3, 4, "balanced", True), random.Random(1))
    assert len(quality) == 200 and len(reviews) == 600
    per_judge: dict[str, int] = {}
    for r in reviews:
        per_judge[r.judge_id] = per_judge.get(r.judge_id, 0) + 1
        assert r.total in (0, 25, 50, 75, 100)
    # 37 or 38 judges per category share its 150 reviews: 4 each, give or take one.
    assert len(per_judge) == 150 and set(per_judge.values()) <= {3, 4, 5}
    _, reviews = simulate(Setting("medium", 3, 4, "balanced", False), random.Random(1))
    assert {sum(r.judge_id == j for r in reviews) for j in {r.judge_id for r in reviews}} == {4}


def test_the_benchmark_runs_end_to_end() -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "simulation", "--reps", "2",
                           "--bias", "high"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("| high |") == 32, done.stdout
    assert "adjusted tau >= max(raw, z) - 0.01 in" in done.stdout
