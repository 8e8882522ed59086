"""Statistics over a round's reviews: per application, per judge, and for the panel.

Input is a flat list of ``ScoredReview`` (one per judge and application, the total on
0..100 from ``scoring.weighted_total``); the workspace builds it from the
database. Pass only reviews that count: a review whose pair is also listed as a
conflict is refused rather than silently used.

Definitions (they appear in reports, so they are fixed here):

- SD is the sample standard deviation (divides by n - 1); None for n < 2.
- Precision: scores are compared at ``SCORE_DECIMALS`` decimal places, and the
  totals enter the z-scores rounded to that precision. A weighted total has
  several floating-point forms for one value (on a four-criterion 1-7 rubric,
  1+1+1+4 gives 12.5 and 1+2+2+2 gives 12.499999999999998): unrounded, a judge
  whose totals are equal on paper had an SD of 1e-15 and z-scores of +-0.7 made
  of rounding error alone.
- z-score of a review: ``(total - judge_mean) / judge_sd`` over all reviews by
  that judge that were passed in (so call with the whole round, then rank per
  category). A judge with fewer than 2 reviews, or whose totals are all equal
  (at ``SCORE_DECIMALS``), gives no z-scores. An application's ``z_mean`` is
  the mean of the z-scores it has; None if it has none.
- Display of z: the T-score ``50 + 10 * z_mean`` clipped to 0..100; 50 means
  "as good as this panel's average review". It is not rescaled over the round,
  but it still moves when reviews are added, since every new review changes its
  judge's mean and SD. Rank on ``z_mean``, never on the clipped display.
- Judge leniency: the mean, over the judge's reviews of applications that
  someone else also reviewed, of ``total - mean of the other judges' totals for
  that application``. Using the others only keeps the judge's own score from
  pulling the comparison towards itself. Positive = scores higher than peers.
  Spread: the sample SD of the judge's totals.
- Krippendorff's alpha, interval metric, with missing data: units are
  applications, coders are judges, values are totals. Units with fewer than two
  values are not pairable and are left out, as the method prescribes:
  ``alpha = 1 - D_o / D_e`` with
  ``D_o = (1/n) * sum_u sum_{i != j in u} (v_i - v_j)^2 / (m_u - 1)`` and
  ``D_e = (1/(n(n-1))) * sum_{i != j over all pairable values} (v_i - v_j)^2``,
  n = number of pairable values. Both sums are computed from centred squares
  (``sum_{i != j} (v_i - v_j)^2 = 2 m sum (v - mean)^2``). None when undefined
  (fewer than two pairable values, or no variation at all).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from judgepanel.errors import ValidationError
from judgepanel.model.scoring.judge_effects import JudgeEffects, fit_judge_effects

T_SCORE_CENTRE = 50.0
T_SCORE_SCALE = 10.0
# Decimal places at which scores are compared (ranks, ties, limits) and at which totals
# enter the z-scores and the judge-effect model: far finer than any rubric's steps, far
# coarser than floating-point noise.
SCORE_DECIMALS = 9


@dataclass(slots=True)
class ScoredReview:
    """One judge's complete review of one application (read-only by convention, not
    ``frozen``, for the reason ``round_reviews.ReviewRecord`` gives)."""

    application_id: str
    judge_id: str
    total: float  # 0..100
    criteria: Mapping[str, float] = field(default_factory=dict)  # raw scores by key


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float | None
    median: float | None
    sd: float | None
    min: float | None
    max: float | None

    @property
    def range(self) -> float | None:
        return None if self.min is None or self.max is None else self.max - self.min


@dataclass(frozen=True)
class ApplicationStats:
    """Everything the ranking and the reports need about one application."""

    application_id: str
    summary: Summary
    z_mean: float | None
    z_count: int  # how many of its reviews had a z-score
    adjusted: float | None  # score adjusted for judge leniency (judge_effects), 0..100 scale
    adjusted_se: float | None  # its standard error; None when the round cannot estimate it
    criterion_means: Mapping[str, float]
    judges: tuple[str, ...]  # who reviewed it, sorted
    conflicted: tuple[str, ...] = ()  # judges with a conflict, sorted
    missing: tuple[str, ...] = ()  # assigned, not conflicted, no review yet

    @property
    def n(self) -> int:
        return self.summary.n

    @property
    def mean(self) -> float | None:
        return self.summary.mean

    @property
    def z_display(self) -> float | None:
        return t_score(self.z_mean)


@dataclass(frozen=True)
class JudgeStats:
    judge_id: str
    n: int
    mean: float | None
    spread: float | None  # sample SD of the judge's totals
    leniency: float | None  # mean offset from the other judges on the same applications
    compared: int  # reviews that entered the leniency


@dataclass(frozen=True)
class PanelStats:
    applications: Mapping[str, ApplicationStats]
    judges: Mapping[str, JudgeStats]
    alpha: float | None
    effects: JudgeEffects  # the judge-effect model fitted to the same reviews


# --- basic statistics ----------------------------------------------------------


def mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def median(values: Sequence[float]) -> float | None:
    return _median_of_sorted(sorted(values)) if values else None


def _median_of_sorted(ordered: Sequence[float]) -> float:
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def sample_sd(values: Sequence[float]) -> float | None:
    """Sample standard deviation (n - 1); None below two values."""
    if len(values) < 2:
        return None
    return _sd_around(values, math.fsum(values) / len(values))


def _sd_around(values: Sequence[float], centre: float) -> float | None:
    """``sample_sd`` given the values' mean (callers that have it need not sum again)."""
    if len(values) < 2:
        return None
    return math.sqrt(math.fsum((v - centre) ** 2 for v in values) / (len(values) - 1))


def summarise(values: Sequence[float]) -> Summary:
    if not values:
        return Summary(n=0, mean=None, median=None, sd=None, min=None, max=None)
    # One sum and one sort for all of them: a round summarises thousands of applications.
    centre = math.fsum(values) / len(values)
    return Summary(
        n=len(values),
        mean=centre,
        median=_median_of_sorted(sorted(values)),
        sd=_sd_around(values, centre),
        min=min(values),
        max=max(values),
    )


def t_score(z: float | None) -> float | None:
    """The 0..100 display of a z-score: 50 + 10 z, clipped."""
    if z is None:
        return None
    return min(100.0, max(0.0, T_SCORE_CENTRE + T_SCORE_SCALE * z))


# --- per review, per application, per judge ----------------------------------------


def check_reviews(
    reviews: Iterable[ScoredReview], conflicts: Iterable[tuple[str, str]] = ()
) -> list[ScoredReview]:
    """The reviews as a list, refusing duplicates, non-finite totals and conflicted pairs."""
    blocked = set(conflicts)
    out = list(reviews)
    # Whole-list tests first (a round has 10,000 reviews, nearly always all fine); only
    # when one fails does the loop below look for the first offender to name it.
    pairs = {(r.judge_id, r.application_id) for r in out}
    if (len(pairs) == len(out) and pairs.isdisjoint(blocked)
            and all(type(r.total) is float and math.isfinite(r.total) for r in out)):
        return out
    seen: set[tuple[str, str]] = set()
    for r in out:
        pair = (r.judge_id, r.application_id)
        if pair in seen:
            raise ValidationError(
                f"Judge {r.judge_id} has two reviews of application {r.application_id}; "
                "only the latest accepted results may count.",
                path=r.application_id,
            )
        if pair in blocked:
            raise ValidationError(
                f"Judge {r.judge_id} has a conflict with application {r.application_id} "
                "but their review was included. Remove the review or dismiss the conflict.",
                path=r.application_id,
            )
        if not isinstance(r.total, int | float) or not math.isfinite(r.total):
            raise ValidationError(
                f"The review of {r.application_id} by {r.judge_id} has no valid total.",
                path=r.application_id,
                detail=f"total={r.total!r}",
            )
        seen.add(pair)
    return out


def z_scores(reviews: Iterable[ScoredReview]) -> dict[tuple[str, str], float]:
    """z of each review within its judge's reviews, keyed (judge_id, application_id)."""
    items = list(reviews)
    zs = _z_list(items)
    out: dict[tuple[str, str], float] = {}
    for own in _by_judge(items).values():  # judge by judge, as this always listed them
        for i in own:
            z = zs[i]
            if z is not None:
                out[(items[i].judge_id, items[i].application_id)] = z
    return out


def _by_judge(items: Sequence[ScoredReview]) -> dict[str, list[int]]:
    """Positions in ``items`` of each judge's reviews, judges in order of appearance."""
    by_judge: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(items):
        by_judge[r.judge_id].append(i)
    return by_judge


def _z_list(items: Sequence[ScoredReview]) -> list[float | None]:
    """z of each review of ``items``, in the same order; None where its judge gives none."""
    out: list[float | None] = [None] * len(items)
    for own in _by_judge(items).values():
        totals = [round(items[i].total, SCORE_DECIMALS) for i in own]
        centre = math.fsum(totals) / len(totals)
        sd = _sd_around(totals, centre)
        if sd is None or sd == 0:
            continue
        for i, total in zip(own, totals, strict=True):
            out[i] = (total - centre) / sd
    return out


def application_stats(
    reviews: Iterable[ScoredReview],
    *,
    assigned: Iterable[tuple[str, str]] = (),
    conflicts: Iterable[tuple[str, str]] = (),
    applications: Iterable[str] = (),
    effects: JudgeEffects | None = None,
) -> dict[str, ApplicationStats]:
    """Stats for every application that has a review, an assignment, or is listed.

    ``assigned`` and ``conflicts`` are (judge_id, application_id) pairs; they only
    feed the ``missing`` and ``conflicted`` lists. ``effects`` is
    ``judge_effects(reviews)`` when the caller has it already; otherwise it is fitted.
    """
    conflict_pairs = set(conflicts)
    items = check_reviews(reviews, conflict_pairs)
    fitted = judge_effects(items) if effects is None else effects
    by_app: dict[str, list[ScoredReview]] = defaultdict(list)
    z_by_app: dict[str, list[float]] = defaultdict(list)  # the z-scores its reviews have
    for r, z in zip(items, _z_list(items), strict=True):
        by_app[r.application_id].append(r)
        if z is not None:
            z_by_app[r.application_id].append(z)
    assigned_by_app: dict[str, set[str]] = defaultdict(set)
    for judge, app in assigned:
        assigned_by_app[app].add(judge)
    conflicted_by_app: dict[str, set[str]] = defaultdict(set)
    for judge, app in conflict_pairs:
        conflicted_by_app[app].add(judge)
    ids = set(by_app) | set(assigned_by_app) | set(applications)
    nobody: frozenset[str] = frozenset()
    out: dict[str, ApplicationStats] = {}
    for app in sorted(ids):
        own = by_app.get(app, [])
        reviewed = {r.judge_id for r in own}
        app_z = z_by_app.get(app, [])
        conflicted = conflicted_by_app.get(app, nobody)
        waiting = assigned_by_app.get(app, nobody) - reviewed - conflicted
        adjusted = fitted.scores.get(app)
        out[app] = ApplicationStats(
            application_id=app,
            summary=summarise([r.total for r in own]),
            z_mean=mean(app_z),
            z_count=len(app_z),
            adjusted=adjusted.score if adjusted else None,
            adjusted_se=adjusted.se if adjusted else None,
            criterion_means=_criterion_means(own),
            judges=tuple(sorted(reviewed)),
            conflicted=tuple(sorted(conflicted)) if conflicted else (),
            missing=tuple(sorted(waiting)) if waiting else (),
        )
    return out


def judge_effects(reviews: Iterable[ScoredReview]) -> JudgeEffects:
    """The judge-effect model (``judge_effects.py``) fitted to the reviews' totals.

    Totals enter at ``SCORE_DECIMALS``, as they enter the z-scores. Fit the whole
    round, then rank per category: as with z, that keeps categories comparable.
    """
    items = check_reviews(reviews)
    return fit_judge_effects([r.application_id for r in items], [r.judge_id for r in items],
                             [round(r.total, SCORE_DECIMALS) for r in items])


def _criterion_means(reviews: Sequence[ScoredReview]) -> dict[str, float]:
    values: dict[str, list[float]] = defaultdict(list)
    for r in reviews:
        for key, score in r.criteria.items():
            if score is not None:
                values[key].append(score)
    return {key: math.fsum(v) / len(v) for key, v in sorted(values.items())}


def judge_stats(reviews: Iterable[ScoredReview]) -> dict[str, JudgeStats]:
    """Each judge's count, mean, spread and leniency (see the module docstring)."""
    items = check_reviews(reviews)
    by_app: dict[str, list[ScoredReview]] = defaultdict(list)
    by_judge: dict[str, list[float]] = defaultdict(list)  # each judge's totals
    for r in items:
        by_app[r.application_id].append(r)
        by_judge[r.judge_id].append(r.total)
    # Offsets application by application: a checked list has one review per judge and
    # application, so "the other judges" are the other reviews. Their order within a
    # judge's list does not matter: fsum is exact, so mean() gives the same number.
    offsets: dict[str, list[float]] = defaultdict(list)
    for own in by_app.values():
        if len(own) < 2:
            continue
        totals = [r.total for r in own]
        for i, r in enumerate(own):
            others = totals[:i] + totals[i + 1:]
            offsets[r.judge_id].append(r.total - math.fsum(others) / len(others))
    out: dict[str, JudgeStats] = {}
    for judge in sorted(by_judge):
        totals = by_judge[judge]
        centre = math.fsum(totals) / len(totals)
        compared = offsets.get(judge, [])
        out[judge] = JudgeStats(
            judge_id=judge,
            n=len(totals),
            mean=centre,
            spread=_sd_around(totals, centre),
            leniency=mean(compared),
            compared=len(compared),
        )
    return out


# --- panel reliability ----------------------------------------------------------------


def krippendorff_alpha_interval(units: Iterable[Iterable[float | None]]) -> float | None:
    """Krippendorff's alpha (interval); each unit lists its coders' values, None = missing."""
    pairable = []
    for unit in units:
        values = [float(v) for v in unit if v is not None]
        if len(values) >= 2:
            pairable.append(values)
    n = sum(len(u) for u in pairable)
    if n < 2:
        return None
    within = math.fsum(2 * len(u) * _centred_squares(u) / (len(u) - 1) for u in pairable)
    observed = within / n
    pooled = [v for u in pairable for v in u]
    expected = 2 * _centred_squares(pooled) / (n - 1)
    if expected == 0:
        return None
    return 1.0 - observed / expected


def panel_alpha(reviews: Iterable[ScoredReview]) -> float | None:
    """Alpha over review totals: units = applications, coders = judges."""
    by_app: dict[str, list[float]] = defaultdict(list)
    for r in check_reviews(reviews):
        by_app[r.application_id].append(r.total)
    return krippendorff_alpha_interval(by_app[a] for a in sorted(by_app))


def panel_stats(
    reviews: Iterable[ScoredReview],
    *,
    assigned: Iterable[tuple[str, str]] = (),
    conflicts: Iterable[tuple[str, str]] = (),
    applications: Iterable[str] = (),
) -> PanelStats:
    """Applications, judges and alpha in one call (what the results screen shows)."""
    conflicts = set(conflicts)
    assigned = list(assigned)
    items = check_reviews(reviews, conflicts)
    effects = judge_effects(items)
    return PanelStats(
        applications=application_stats(
            items, assigned=assigned, conflicts=conflicts, applications=applications,
            effects=effects,
        ),
        judges=judge_stats(items),
        alpha=panel_alpha(items),
        effects=effects,
    )


def _centred_squares(values: Sequence[float]) -> float:
    centre = math.fsum(values) / len(values)
    return math.fsum((v - centre) ** 2 for v in values)
