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

from bench.bench_simulation import N_APPS, Setting, ceilings, kendall_tau, precision_at, simulate

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
    round_ = simulate(Setting("medium", 3, 4, "balanced", True), random.Random(1))
    reviews = round_.reviews
    assert len(round_.quality) == 200 and len(reviews) == 600 and len(round_.offset) == 150
    per_judge: dict[str, int] = {}
    for r in reviews:
        per_judge[r.judge_id] = per_judge.get(r.judge_id, 0) + 1
        assert r.total in (0, 25, 50, 75, 100)
    # 37 or 38 judges per category share its 150 reviews: 4 each, give or take one.
    assert len(per_judge) == 150 and set(per_judge.values()) <= {3, 4, 5}
    reviews = simulate(Setting("medium", 3, 4, "balanced", False), random.Random(1)).reviews
    assert {sum(r.judge_id == j for r in reviews) for j in {r.judge_id for r in reviews}} == {4}


def test_the_benchmark_runs_end_to_end() -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "simulation", "--reps", "2",
                           "--bias", "high"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("| high |") == 32, done.stdout
    assert "adjusted tau >= max(raw, z) - 0.01 in" in done.stdout


@pytest.mark.parametrize("seed", range(3))
def test_the_ceilings_are_the_model_s_textbook_estimates(seed: int) -> None:
    """The best linear estimate, solved through the mixed-model equations, against the
    textbook forms of the same estimates (Henderson): generalised least squares for the
    quality as fixed effects, ``G X' V^-1 (y - mean)`` for the quality drawn from its prior;
    and the offsets-known ceiling against its definition."""
    setting = Setting("medium", 3, 20, "random", False)
    round_ = simulate(setting, random.Random(seed))
    found = ceilings(setting, round_)
    y = np.array([r.total for r in round_.reviews])
    x = np.zeros((len(y), N_APPS))
    z = np.zeros((len(y), setting.judges))
    for row, r in enumerate(round_.reviews):
        x[row, int(r.application_id[1:])] = 1.0
        z[row, int(r.judge_id[1:])] = 1.0
    offset_var, noise_var = (20 * 0.8) ** 2, (20 * 0.7) ** 2 + 25 ** 2 / 12
    v = offset_var * z @ z.T + noise_var * np.eye(len(y))
    v_inv_x = np.linalg.solve(v, x)
    gls = np.linalg.solve(x.T @ v_inv_x, v_inv_x.T @ y)
    fixed = np.array(found["best linear fixed"])
    assert np.allclose(fixed - fixed.mean(), gls - gls.mean(), atol=1e-8)
    v_full = 400.0 * x @ x.T + v
    prior = 400.0 * x.T @ np.linalg.solve(v_full, y - y.mean())
    assert np.allclose(found["best linear prior"], prior, atol=1e-8)
    corrected: dict[int, list[float]] = {}
    for r in round_.reviews:
        corrected.setdefault(int(r.application_id[1:]), []).append(
            r.total - 20 * round_.offset[int(r.judge_id[1:])])
    assert found["offsets known"] == pytest.approx(
        [float(np.mean(corrected[i])) for i in range(N_APPS)], abs=1e-9)
