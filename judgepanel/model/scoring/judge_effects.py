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
reduction of C to tridiagonal form lets us evaluate exactly in O(judges) per
trial value; EM would need a matrix inverse per iteration and converges slowly
near zero.

The algebra (n reviews, A applications with a review, J judges)::

    r     = total - mean of its application's totals     (within-application residuals)
    g_j   = sum of judge j's residuals
    C     = Z'Z - Z'X (X'X)^-1 X'Z                       (J x J: C_jk = sum over the
            applications both reviewed of [j = k] - 1/n_i; a graph Laplacian)
    Q(t)  = sum r^2 - t g'(I + tC)^-1 g                  (t = ratio; residual sum of squares)
    -2 restricted log-likelihood, profiled over sd_noise, up to a constant:
    f(t)  = (n - A) log Q(t) + log det(I + tC)
    sd_noise^2 = Q(t*) / (n - A),  sd_judges^2 = t* sd_noise^2
    offset  = t (I + tC)^-1 g = (C + I/t)^-1 g
    quality_i = mean_i - (sum of its judges' offsets) / n_i

Standard errors, given the estimated variances (the usual GLS / BLUP ones;
they do not include the uncertainty of the variances), with
``K = (C + I/t)^-1``: quality ``sd_noise * sqrt(1/n_i + (sum of K over the
pairs of its judges) / n_i^2)``; offset (error of the prediction)
``sd_noise * sqrt(K_jj)``.

Solving, in plain Python (``linear_algebra``; numpy would add about 48 MB to
the installer for this module alone), without ever forming eigenvectors. C is
block diagonal over the pieces of the graph (below). On a piece of two judges
or more, its block gets ``beta 11'/size`` added (beta the mean of its
diagonal): 1 spans the block's null space and g is orthogonal to 1, so this
changes only log det, by ``log(1 + t beta)``, taken off again, and makes the
block positive definite. A Householder reduction gives, once per block,
``C + beta 11'/size = H T H'`` with T tridiagonal (the same eigenvalues), and
``s = H'g``, ``u = T^-1 s``: O(J^3). Then every trial t costs O(J), through
the pivots d_k of ``I + tT = LDL'``::

    log det(I + tT) = sum log d_k,    Q(t) = (sum r^2 - s'u) + u'(I + tT)^-1 s

(Q in the form that keeps its precision when t is large and Q small), and
the exact derivative of f by differentiating the pivots' recurrence. t is
searched on a grid of 241 values, log-spaced from 1e-10 to 1e8, then refined
by bisection on that derivative to 1e-12 in ln t. At the chosen t, a Cholesky
factorisation of ``C + beta 11'/size + I/t`` (well conditioned even at
t = 1e8) gives the offsets and K, plus the exact correction on 11' (1 is an
eigenvector of both): O(J^3) once. Adjusted scores agree with LAPACK's
eigendecomposition and with a dense n x n REML fit to about 1e-12 points. A
minimum below the grid (f rising from t = 0) is t = 0: no leniency
differences are visible, and the adjusted score is the mean total. Where f is
flat within 1e-8 (the round cannot tell), the smallest t is taken: the least
adjustment.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from operator import mul

from judgepanel.model.scoring.linear_algebra import (
    InverseColumns,
    Tridiagonal,
    cholesky,
    inverse,
    solve,
    tridiagonalize,
)

RATIO_LOW = 1e-10  # grid of variance ratios sd_judges^2 / sd_noise^2
RATIO_HIGH = 1e8
GRID_POINTS = 241
LOG_RATIO_TOLERANCE = 1e-12  # bisection stops when the bracket in ln(ratio) is this narrow
FLAT = 1e-8  # differences of -2 log-likelihood below this are not differences
_START, _STOP = math.log(RATIO_LOW), math.log(RATIO_HIGH)
_STEP = (_STOP - _START) / (GRID_POINTS - 1)
LOG_GRID = (*(k * _STEP + _START for k in range(GRID_POINTS - 1)), _STOP)  # ln ratio


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
    values = [float(x) for x in totals]
    if not all(map(math.isfinite, values)):
        raise ValueError("totals must be finite")
    judge_index = {j: i for i, j in enumerate(judge_ids)}
    by_app: dict[str, list[tuple[int, float]]] = {a: [] for a in app_ids}
    for app, judge, value in zip(applications, judges, values, strict=True):
        by_app[app].append((judge_index[judge], value))
    # One order whatever the input's (applications, then judges): the same reviews
    # give the same numbers, bit for bit.
    reviews = [sorted(by_app[a]) for a in app_ids]
    design = _Design(reviews, len(judge_ids))
    ratio, estimable = design.reml_ratio()
    return design.effects(ratio, estimable, app_ids, judge_ids)


def ratio_from_grid(values: Sequence[float], at_zero: float,
                    slope: Callable[[float], float]) -> float:
    """The search's rule, from f on ``LOG_GRID``, ``f(0)`` and ``df / d(ln t)``.

    t = 0 when nothing on the grid is lower than f(0) by more than ``FLAT``; else
    the smallest grid point within ``FLAT`` of the lowest, refined by bisection on
    the slope's sign to ``LOG_RATIO_TOLERANCE`` between its neighbours.
    """
    best = min(values)
    if at_zero <= best + FLAT:
        return 0.0
    k = next(k for k, value in enumerate(values) if value <= best + FLAT)  # the smallest t
    if k == GRID_POINTS - 1:
        return RATIO_HIGH  # offsets explain every difference: no noise left
    low, high = LOG_GRID[max(k - 1, 0)], LOG_GRID[k + 1]
    if slope(low) >= 0 or slope(high) <= 0:
        return math.exp(LOG_GRID[k])  # flat here: no better point to find
    while high - low > LOG_RATIO_TOLERANCE:
        middle = 0.5 * (low + high)
        if slope(middle) < 0:
            low = middle
        else:
            high = middle
    return math.exp(0.5 * (low + high))


class _Design:
    """The round's reviews profiled: per piece of the graph, C's block and T."""

    def __init__(self, reviews: list[list[tuple[int, float]]], n_judges: int) -> None:
        self.judges_of = [[j for j, _ in own] for own in reviews]
        self.per_app = [len(own) for own in reviews]
        self.per_judge = [0] * n_judges
        self.means: list[float] = []
        self.g = g = [0.0] * n_judges  # each judge's sum of residuals
        rss = 0.0
        for own in reviews:
            mean = sum(y for _, y in own) / len(own)
            self.means.append(mean)
            for j, y in own:
                r = y - mean
                rss += r * r
                g[j] += r
                self.per_judge[j] += 1
        self.rss = rss
        self.dof = sum(self.per_app) - len(reviews)
        self.groups, self.apps_in = _pieces(self.judges_of, n_judges)
        self.blocks: list[tuple[list[int], list[int], list[list[float]], float]] = []
        diagonal: list[float] = []
        off: list[float] = []
        s: list[float] = []
        for members, apps in zip(self.groups, self.apps_in, strict=True):
            if len(members) < 2:
                continue  # a judge alone: C and g are 0 there
            block, beta = self._block(members, apps)
            self.blocks.append((members, apps, block, beta))
            piece_diagonal, piece_off, piece_s = tridiagonalize(block, [g[j] for j in members])
            if diagonal:
                off.append(0.0)  # pieces do not couple
            diagonal += piece_diagonal
            off += piece_off
            s += piece_s
        self.betas = [beta for *_, beta in self.blocks]
        self.tridiagonal = Tridiagonal(diagonal, off)
        self.s = s
        self.u = self.tridiagonal.solve_unshifted(s)  # T^-1 s: C^+ g, transformed
        self.rss_fixed = max(rss - sum(map(mul, s, self.u)), 0.0)  # after fixed offsets

    def _block(self, members: list[int], apps: list[int]) -> tuple[list[list[float]], float]:
        """C on one piece plus beta/size everywhere, and beta (the mean of C's diagonal)."""
        size = len(members)
        local = {j: k for k, j in enumerate(members)}
        block = [[0.0] * size for _ in range(size)]
        for app in apps:
            judges = self.judges_of[app]
            if len(judges) < 2:
                continue  # adds 1 - 1 = 0
            weight = 1.0 / len(judges)
            places = [local[j] for j in judges]
            for x in places:
                row = block[x]
                for y in places:
                    row[y] -= weight
                row[x] += 1.0
        beta = sum(block[k][k] for k in range(size)) / size
        shift = beta / size
        return [[value + shift for value in row] for row in block], beta

    # --- the restricted likelihood as a function of the variance ratio t -------------------

    def _q_and_log_det(self, t: float) -> tuple[float, float]:
        """Q(t) and log det(I + tC)."""
        log_det, form = self.tridiagonal.log_det_and_form(t, self.u, self.s)
        return self.rss_fixed + form, log_det - sum(math.log1p(t * b) for b in self.betas)

    def _objective(self, t: float) -> float:
        """f(t), -2 restricted log-likelihood up to a constant (see the module docstring)."""
        q, log_det = self._q_and_log_det(t)
        return (self.dof * math.log(q) if q > 0.0 else -math.inf) + log_det

    def _slope(self, log_t: float) -> float:
        """df / d(ln t): its sign tells on which side of ``log_t`` the minimum lies."""
        t = math.exp(log_t)
        form, square, log_det_slope = self.tridiagonal.derivatives(t, self.u, self.s)
        q = self.rss_fixed + form
        if not q > 0.0:
            return -math.inf  # no noise left here (f is -inf): the minimum is not below
        betas = sum(t * b / (1.0 + t * b) for b in self.betas)
        return -self.dof * t * square / q + log_det_slope - betas

    def reml_ratio(self) -> tuple[float, bool]:
        """The REML estimate of sd_judges^2 / sd_noise^2, and whether there was any data."""
        if self.dof <= 0:
            return 0.0, False  # no application with two reviews
        if self.rss == 0.0:
            return 0.0, True  # every application's judges agree exactly: nothing to adjust
        values = [self._objective(math.exp(x)) for x in LOG_GRID]
        return ratio_from_grid(values, self.dof * math.log(self.rss), self._slope), True

    # --- estimates at the chosen ratio --------------------------------------------------

    def effects(self, ratio: float, estimable: bool, app_ids: list[str],
                judge_ids: list[str]) -> JudgeEffects:
        n_judges = len(judge_ids)
        offsets = [0.0] * n_judges
        k_diagonal = [0.0] * n_judges  # of K = (C + I/ratio)^-1
        pair_sums = [0.0] * len(app_ids)  # K summed over the pairs of an application's judges
        if estimable and ratio > 0.0:
            self._at_ratio(ratio, offsets, k_diagonal, pair_sums)
        scores = [mean - sum(offsets[j] for j in judges) / len(judges)
                  for mean, judges in zip(self.means, self.judges_of, strict=True)]
        app_se: list[float | None] = [None] * len(app_ids)
        judge_se: list[float | None] = [None] * n_judges
        sd_noise = sd_judges = None
        if estimable:
            sd_noise = math.sqrt(self._q_and_log_det(ratio)[0] / self.dof)
            sd_judges = math.sqrt(ratio) * sd_noise
            app_se = [sd_noise * math.sqrt(1.0 / n + pairs / (n * n))
                      for n, pairs in zip(self.per_app, pair_sums, strict=True)]
            judge_se = [sd_noise * math.sqrt(max(k, 0.0)) for k in k_diagonal]
        pieces = tuple(Piece(tuple(judge_ids[j] for j in members),
                             tuple(app_ids[a] for a in apps))
                       for members, apps in zip(self.groups, self.apps_in, strict=True))
        piece_of = [0] * n_judges
        for number, members in enumerate(self.groups):
            for j in members:
                piece_of[j] = number
        return JudgeEffects(
            scores={app: AdjustedScore(app, scores[i], app_se[i], self.per_app[i])
                    for i, app in enumerate(app_ids)},
            offsets={judge: JudgeOffset(judge, offsets[i], judge_se[i], self.per_judge[i],
                                        piece_of[i])
                     for i, judge in enumerate(judge_ids)},
            sd_judges=sd_judges, sd_noise=sd_noise, ratio=ratio, pieces=pieces,
            estimable=estimable)

    def _at_ratio(self, ratio: float, offsets: list[float], k_diagonal: list[float],
                  pair_sums: list[float]) -> None:
        """Offsets ``K g`` and the entries of K the standard errors need, piece by piece.

        K by Cholesky of ``C + beta 11'/size + I/t``, then the correction on 11':
        ``t - 1/(beta + 1/t) = t^2 beta / (1 + t beta)``, over ``size``.
        """
        for members, apps in zip(self.groups, self.apps_in, strict=True):
            if len(members) == 1:  # C = 0: K = t, and no offset
                k_diagonal[members[0]] = ratio
                for app in apps:
                    pair_sums[app] = ratio
        for members, apps, block, beta in self.blocks:
            size = len(members)
            system = [row[:] for row in block]
            for x in range(size):
                system[x][x] += 1.0 / ratio
            factor = cholesky(system)
            for j, offset in zip(members, solve(factor, [self.g[j] for j in members]),
                                 strict=True):
                offsets[j] = offset
            extra = ratio * ratio * beta / (1.0 + ratio * beta) / size
            local = {j: x for x, j in enumerate(members)}
            places_of = [[local[j] for j in self.judges_of[app]] for app in apps]
            k_rows = _k_entries(factor, places_of, extra)
            for x, j in enumerate(members):
                k_diagonal[j] = k_rows[x][x]
            for app, places in zip(apps, places_of, strict=True):
                pair_sums[app] = sum(sum(map(k_rows[x].__getitem__, places)) for x in places)


def _k_entries(factor: list[list[float]], places_of: list[list[int]], extra: float
               ) -> list[list[float]]:
    """K's rows, exact on the diagonal and for every pair of judges that share an
    application (elsewhere 0): the whole inverse when most pairs do (a large round),
    else just those entries (many judges with few reviews each, where K is large)."""
    size = len(factor)
    occurrences = sum(len(places) * (len(places) - 1) // 2 for places in places_of)
    if 4 * occurrences >= size * size:
        return [[value + extra for value in row] for row in inverse(factor)]
    columns = InverseColumns(factor)
    k_rows = [[0.0] * size for _ in range(size)]
    for x in range(size):
        k_rows[x][x] = columns.entry(x, x) + extra
    needed = {x * size + y for places in places_of for x, y in combinations(places, 2)}
    for key in needed:
        x, y = divmod(key, size)
        k_rows[x][y] = k_rows[y][x] = columns.entry(x, y) + extra
    return k_rows


def _pieces(judges_of: list[list[int]], n_judges: int
            ) -> tuple[list[list[int]], list[list[int]]]:
    """Connected pieces of the judge-application graph: each piece's judges and
    applications (ascending), the largest piece first, then by first judge."""
    apps_of: list[list[int]] = [[] for _ in range(n_judges)]
    for app, judges in enumerate(judges_of):
        for j in judges:
            apps_of[j].append(app)
    seen_judge = [False] * n_judges
    seen_app = [False] * len(judges_of)
    pieces: list[tuple[list[int], list[int]]] = []
    for start in range(n_judges):
        if seen_judge[start]:
            continue
        seen_judge[start] = True
        members, apps, stack = [start], [], [start]
        while stack:
            for app in apps_of[stack.pop()]:
                if not seen_app[app]:
                    seen_app[app] = True
                    apps.append(app)
                    for j in judges_of[app]:
                        if not seen_judge[j]:
                            seen_judge[j] = True
                            members.append(j)
                            stack.append(j)
        pieces.append((sorted(members), sorted(apps)))
    pieces.sort(key=lambda piece: (-len(piece[0]), piece[0][0]))
    return [members for members, _ in pieces], [apps for _, apps in pieces]
