"""Scores adjusted for judge leniency: an additive model with judges as random effects.

Model (one row per counted review of application i by judge j, total on 0..100)::

    total_ij = quality_i + offset_j + noise_ij
    offset_j ~ N(0, sd_judges^2),  noise_ij ~ N(0, sd_noise^2), all independent

``quality_i`` is a fixed effect: the *adjusted score*, the total an average
judge (offset 0) would give. The offsets are random effects: each is shrunk
toward zero by how much the round knows about it, so a judge with two reviews
is barely moved while one with forty who always scores ten points high is
corrected by nearly ten. The judges' scale (a "gain" per judge) is not
modelled: simulated, it overfits below about 20 reviews per judge.

Fit: REML (restricted maximum likelihood) for the two variances, then the
best linear unbiased estimates of qualities and predictions of offsets
(Henderson's mixed-model equations). REML rather than ML because every
application is a fixed effect: ML would divide the noise by n instead of
n - (number of applications) and, with three reviews per application,
understate it by a third (the Neyman-Scott problem). REML rather than EM
because, once the applications are profiled out, the restricted likelihood
is a function of one number, ``ratio = sd_judges^2 / sd_noise^2``, that one
eigendecomposition lets us evaluate exactly in O(judges) per trial value; EM
would need a matrix inverse per iteration and converges slowly near zero.

The algebra (n reviews, A applications with a review, J judges)::

    r     = total - mean of its application's totals     (within-application residuals)
    g_j   = sum of judge j's residuals
    C     = Z'Z - Z'X (X'X)^-1 X'Z                       (J x J: C_jk = sum over the
            applications both reviewed of [j = k] - 1/n_i; a graph Laplacian)
    C     = U diag(lam) U'                               (one symmetric eigendecomposition)
    s     = U'g
    Q(t)  = sum r^2 - t g'(I + tC)^-1 g                  (t = ratio; residual sum of squares)
    -2 restricted log-likelihood, profiled over sd_noise, up to a constant:
    f(t)  = (n - A) log Q(t) + sum_k log(1 + t lam_k)
    sd_noise^2 = Q(t*) / (n - A),  sd_judges^2 = t* sd_noise^2
    offset  = t (I + tC)^-1 g = (C + I/t)^-1 g
    quality_i = mean_i - (sum of its judges' offsets) / n_i

Standard errors, given the estimated variances (the usual GLS / BLUP ones;
they do not include the uncertainty of the variances), with
``K = (C + I/t)^-1``: quality ``sd_noise * sqrt(1/n_i + (sum of K over the
pairs of its judges) / n_i^2)``; offset (error of the prediction)
``sd_noise * sqrt(K_jj)``.

Solving: t is searched on a grid of 241 values, log-spaced from 1e-10 to 1e8,
then refined by bisection on the exact derivative of f to 1e-12 in ln t;
everything else is direct linear algebra (LAPACK's symmetric eigensolver), so
adjusted scores are exact to about 1e-9 points. A minimum below the grid
(f rising from t = 0) is t = 0: no leniency differences are visible, and the
adjusted score is the mean total. Where f is flat within 1e-8 (the round
cannot tell), the smallest t is taken: the least adjustment.

Special cases:

- A judge with one review, or whose totals are all equal, is no problem: the
  model adds an offset, it never divides by a judge's spread.
- Missing reviews and conflicts are absent rows; nothing is imputed.
- An application with one review has adjusted score ``total - offset`` of its
  judge, with a larger standard error; it tells nothing about offsets.
- If no application has two reviews (n = A), nothing can be estimated: the
  adjusted score is the mean total, without standard errors (``estimable`` is
  False).
- The judge-application graph in several pieces (judges linked when they
  reviewed the same application; e.g. panels split by category): within a
  piece offsets are relative to each other, and across pieces nothing links
  them. The fit then makes each piece's offsets sum to zero (exactly, a
  property of the equations above), so pieces are compared as if each piece's
  judges were on average neither lenient nor harsh: as raw means compare them.
  ``pieces`` lists them so that the board can say so.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# One BLAS thread. The matrices here are small (judges x judges): with OpenBLAS's
# threads, an eigendecomposition of 120 judges took 5 ms instead of 1, and 30-470 ms
# instead of 15-30 on a machine whose cores were busy (threads wait for each other).
# Read when numpy loads its BLAS, so it must come before the import; numpy serves
# nothing else in JudgePanel. A value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("VECLIB_MAXIMUM_THREADS", "1")  # macOS wheels use Accelerate

import numpy as np  # noqa: E402

RATIO_LOW = 1e-10  # grid of variance ratios sd_judges^2 / sd_noise^2
RATIO_HIGH = 1e8
GRID_POINTS = 241
LOG_RATIO_TOLERANCE = 1e-12  # bisection stops when the bracket in ln(ratio) is this narrow
FLAT = 1e-8  # differences of -2 log-likelihood below this are not differences


@dataclass(frozen=True)
class AdjustedScore:
    """One application's estimated quality: what an average judge would give it."""

    application_id: str
    score: float  # 0..100 scale; can pass 0 or 100 slightly (a harsh judge's 100)
    se: float | None  # standard error; None when nothing could be estimated
    n: int  # reviews


@dataclass(frozen=True)
class JudgeOffset:
    """One judge's estimated leniency: points added to an average judge's score."""

    judge_id: str
    offset: float
    se: float | None  # standard error of the prediction
    n: int  # reviews
    piece: int  # which piece of the judge-application graph (0 = the largest)


@dataclass(frozen=True)
class Piece:
    """A connected part of the judge-application graph."""

    judges: tuple[str, ...]
    applications: tuple[str, ...]


@dataclass(frozen=True)
class JudgeEffects:
    scores: Mapping[str, AdjustedScore]  # by application id
    offsets: Mapping[str, JudgeOffset]  # by judge id
    sd_judges: float | None  # estimated SD of judge offsets (points)
    sd_noise: float | None  # estimated SD of a review's noise (points)
    ratio: float  # sd_judges^2 / sd_noise^2 as estimated (0: no adjustment)
    pieces: tuple[Piece, ...]  # largest first
    estimable: bool  # False when no application has two reviews

    @property
    def connected(self) -> bool:
        return len(self.pieces) <= 1


def fit_judge_effects(applications: Sequence[str], judges: Sequence[str],
                      totals: Sequence[float]) -> JudgeEffects:
    """Fit the model to parallel columns: review k is ``judges[k]`` on ``applications[k]``.

    Each (application, judge) pair at most once; totals finite (``statistics``
    checks both before calling, and passes totals at its ``SCORE_DECIMALS``).
    """
    n = len(totals)
    if len(applications) != n or len(judges) != n:
        raise ValueError("applications, judges and totals must have the same length")
    if len(set(zip(applications, judges, strict=True))) != n:
        raise ValueError("a judge reviews an application at most once")
    app_ids, judge_ids = sorted(set(applications)), sorted(set(judges))
    if n == 0:
        return JudgeEffects({}, {}, None, None, 0.0, (), False)
    app_index = {a: i for i, a in enumerate(app_ids)}
    judge_index = {j: i for i, j in enumerate(judge_ids)}
    a = np.fromiter((app_index[x] for x in applications), np.intp, n)
    j = np.fromiter((judge_index[x] for x in judges), np.intp, n)
    y = np.array(totals, dtype=float)
    if not np.all(np.isfinite(y)):
        raise ValueError("totals must be finite")
    # One order whatever the input's: the same reviews give the same numbers, bit for bit.
    order = np.lexsort((j, a))
    a, j, y = a[order], j[order], y[order]
    design = _Design(a, j, y, len(app_ids), len(judge_ids))
    ratio, estimable = design.reml_ratio()
    pieces, piece_of = _pieces(a, j, app_ids, judge_ids)
    return design.effects(ratio, estimable, app_ids, judge_ids, pieces, piece_of)


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
        logs = np.linspace(math.log(RATIO_LOW), math.log(RATIO_HIGH), GRID_POINTS)
        values = self._objective(np.exp(logs))
        at_zero = self.dof * math.log(self.rss)  # f(0)
        best = float(np.min(values))
        if at_zero <= best + FLAT:
            return 0.0, True
        k = int(np.argmax(values <= best + FLAT))  # the smallest ratio that is as good
        if k == GRID_POINTS - 1:
            return RATIO_HIGH, True  # offsets explain every difference: no noise left
        low, high = float(logs[max(k - 1, 0)]), float(logs[k + 1])
        if self._slope(low) >= 0 or self._slope(high) <= 0:
            return float(math.exp(logs[k])), True  # flat here: no better point to find
        while high - low > LOG_RATIO_TOLERANCE:
            middle = 0.5 * (low + high)
            if self._slope(middle) < 0:
                low = middle
            else:
                high = middle
        return math.exp(0.5 * (low + high)), True

    # --- estimates at the chosen ratio --------------------------------------------------

    def effects(self, ratio: float, estimable: bool, app_ids: list[str],
                judge_ids: list[str], pieces: tuple[Piece, ...],
                piece_of: Mapping[str, int]) -> JudgeEffects:
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
        counts_a, counts_j = self.per_app.tolist(), self.per_judge.tolist()
        return JudgeEffects(
            scores={app: AdjustedScore(app, score, app_se[i], counts_a[i])
                    for i, (app, score) in enumerate(zip(app_ids, scores.tolist(),
                                                         strict=True))},
            offsets={judge: JudgeOffset(judge, offset, judge_se[i], counts_j[i],
                                        piece_of[judge])
                     for i, (judge, offset) in enumerate(zip(judge_ids, offsets.tolist(),
                                                             strict=True))},
            sd_judges=sd_judges, sd_noise=sd_noise, ratio=ratio, pieces=pieces,
            estimable=estimable)


def _pieces(a: np.ndarray, j: np.ndarray, app_ids: list[str],
            judge_ids: list[str]) -> tuple[tuple[Piece, ...], dict[str, int]]:
    """Connected pieces of the judge-application graph (union-find over the judges)."""
    parent = list(range(len(judge_ids)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_judge: dict[int, int] = {}
    for app, judge in zip(a.tolist(), j.tolist(), strict=True):
        other = first_judge.setdefault(app, judge)
        if other != judge:
            ra, rb = root(other), root(judge)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in range(len(judge_ids)):
        groups.setdefault(root(x), []).append(x)
    apps_of: dict[int, list[int]] = {}
    for app, judge in first_judge.items():
        apps_of.setdefault(root(judge), []).append(app)
    ordered = sorted(groups, key=lambda g: (-len(groups[g]), groups[g][0]))
    pieces = tuple(Piece(tuple(judge_ids[x] for x in groups[g]),
                         tuple(app_ids[x] for x in sorted(apps_of.get(g, ()))))
                   for g in ordered)
    piece_of = {judge_ids[x]: number for number, g in enumerate(ordered) for x in groups[g]}
    return pieces, piece_of
