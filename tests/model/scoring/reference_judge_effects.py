"""The judge-effect model as main fitted it with numpy: the reference for the product's.

This is ``judgepanel/model/scoring/judge_effects.py`` as it was before the product
dropped numpy (one ``numpy.linalg.eigh`` of the profiled judges x judges matrix C,
every trial ratio O(judges) through the eigenvalues, K from the eigenvectors), kept
verbatim in its numerics so that the suite can check the pure-Python fit against it.
The search's rule (the grid, the flat and boundary cases, the bisection) is the
product's own ``ratio_from_grid``, fed with this module's f and slope; the result is
plain numbers (``NumpyFit``), no pieces.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from judgepanel.model.scoring.judge_effects import LOG_GRID, ratio_from_grid


@dataclass(frozen=True)
class NumpyFit:
    ratio: float
    estimable: bool
    sd_noise: float | None
    sd_judges: float | None
    scores: dict[str, tuple[float, float | None]]  # application -> (adjusted score, SE)
    offsets: dict[str, tuple[float, float | None]]  # judge -> (offset, SE)


def numpy_fit(applications: Sequence[str], judges: Sequence[str],
              totals: Sequence[float]) -> NumpyFit:
    """The fit of main's numpy implementation (validation left to the product)."""
    n = len(totals)
    app_ids, judge_ids = sorted(set(applications)), sorted(set(judges))
    app_index = {a: i for i, a in enumerate(app_ids)}
    judge_index = {j: i for i, j in enumerate(judge_ids)}
    a = np.fromiter((app_index[x] for x in applications), np.intp, n)
    j = np.fromiter((judge_index[x] for x in judges), np.intp, n)
    y = np.array(totals, dtype=float)
    order = np.lexsort((j, a))
    a, j, y = a[order], j[order], y[order]
    design = _Design(a, j, y, len(app_ids), len(judge_ids))
    ratio, estimable = design.reml_ratio()
    return design.effects(ratio, estimable, app_ids, judge_ids)


class _Design:
    """The round's reviews as arrays, with the profiled system and its eigendecomposition."""

    def __init__(self, a: np.ndarray, j: np.ndarray, y: np.ndarray, n_apps: int,
                 n_judges: int) -> None:
        self.a, self.j, self.n_judges = a, j, n_judges
        n = len(y)
        self.per_app = np.bincount(a, minlength=n_apps)
        self.per_judge = np.bincount(j, minlength=n_judges)
        self.means = np.bincount(a, y, n_apps) / self.per_app
        residuals = y - self.means[a]
        self.rss = float(residuals @ residuals)
        self.dof = n - n_apps
        g = np.bincount(j, residuals, n_judges)
        # Every ordered pair of reviews of one application (its own pair included):
        # reviews are sorted by application, so an application's reviews are a run.
        per = self.per_app[a]
        first = np.repeat(np.cumsum(per) - per, per)
        self.left = np.repeat(np.arange(n), per)
        run_start = np.cumsum(self.per_app) - self.per_app
        self.right = run_start[a[self.left]] + (np.arange(len(self.left)) - first)
        weights = 1.0 / self.per_app[a[self.left]]
        c = -np.bincount(j[self.left] * n_judges + j[self.right], weights,
                         n_judges * n_judges).reshape(n_judges, n_judges)
        c[np.diag_indices(n_judges)] += self.per_judge
        lam, self.vectors = np.linalg.eigh(c)
        # The Laplacian's zero eigenvalues (one per piece) come out as +-1e-15: zero them,
        # and the matching components of g, which are exactly zero (g sums to zero on
        # every piece).
        zero = lam <= 1e-9 * max(1.0, float(lam[-1]))
        self.lam = np.where(zero, 0.0, lam)
        self.s = np.where(zero, 0.0, self.vectors.T @ g)
        positive = ~zero
        self.lam_pos, self.s2_pos = self.lam[positive], self.s[positive] ** 2
        # Q(t) = (what stays after fixed judge offsets) + sum s^2 / (lam (1 + t lam)):
        # the form that keeps its precision when t is large and Q small.
        self.rss_fixed = max(self.rss - float(np.sum(self.s2_pos / self.lam_pos)), 0.0)

    # --- the restricted likelihood as a function of the variance ratio t -------------------

    def _objective_parts(self, t: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Q(t) and log|I + tC| for a ratio or an array of ratios."""
        tl = np.multiply.outer(t, self.lam_pos)
        q = self.rss_fixed + np.sum(self.s2_pos / (self.lam_pos * (1.0 + tl)), axis=-1)
        return q, np.sum(np.log1p(tl), axis=-1)

    def _objective(self, t: np.ndarray) -> np.ndarray:
        """f(t), -2 restricted log-likelihood up to a constant (see the module docstring)."""
        q, log_det = self._objective_parts(t)
        with np.errstate(divide="ignore"):
            return self.dof * np.log(q) + log_det

    def _slope(self, log_t: float) -> float:
        """df / d(ln t): its sign tells on which side of ``log_t`` the minimum lies."""
        t = math.exp(log_t)
        d = 1.0 + t * self.lam_pos
        q = self.rss_fixed + float(np.sum(self.s2_pos / (self.lam_pos * d)))
        dq = -t * float(np.sum(self.s2_pos / (d * d)))
        return self.dof * dq / q + float(np.sum(t * self.lam_pos / d))

    def reml_ratio(self) -> tuple[float, bool]:
        """The REML estimate of sd_judges^2 / sd_noise^2, and whether there was any data."""
        if self.dof <= 0 or self.lam_pos.size == 0:
            return 0.0, False  # no application with two reviews
        if self.rss == 0.0:
            return 0.0, True  # every application's judges agree exactly: nothing to adjust
        values = self._objective(np.exp(np.array(LOG_GRID)))
        at_zero = self.dof * math.log(self.rss)  # f(0)
        return ratio_from_grid(values.tolist(), at_zero, self._slope), True

    # --- estimates at the chosen ratio --------------------------------------------------

    def effects(self, ratio: float, estimable: bool, app_ids: list[str],
                judge_ids: list[str]) -> NumpyFit:
        shrink = ratio / (1.0 + ratio * self.lam)  # eigenvalues of K = (C + I/ratio)^-1
        offsets = self.vectors @ (shrink * self.s)
        a, j, n_apps = self.a, self.j, len(app_ids)
        scores = self.means - np.bincount(a, offsets[j], n_apps) / self.per_app
        app_se: list[float | None] = [None] * n_apps
        judge_se: list[float | None] = [None] * len(judge_ids)
        sd_noise = sd_judges = None
        if estimable:
            sd_noise = math.sqrt(float(self._objective_parts(ratio)[0]) / self.dof)
            sd_judges = math.sqrt(ratio) * sd_noise
            k = (self.vectors * shrink) @ self.vectors.T
            pair_sums = np.bincount(a[self.left], k[j[self.left], j[self.right]], n_apps)
            n_i = self.per_app.astype(float)
            app_se = (sd_noise * np.sqrt(1.0 / n_i + pair_sums / (n_i * n_i))).tolist()
            judge_se = (sd_noise * np.sqrt(np.clip(np.diag(k), 0.0, None))).tolist()
        return NumpyFit(
            ratio=ratio, estimable=estimable, sd_noise=sd_noise, sd_judges=sd_judges,
            scores=dict(zip(app_ids, zip(scores.tolist(), app_se, strict=True), strict=True)),
            offsets=dict(zip(judge_ids, zip(offsets.tolist(), judge_se, strict=True),
                             strict=True)))
