"""Rankings, disagreement flags and shortlists, overall or per category.

Three bases (``Basis``): ``raw``, the mean total; ``adjusted``, the total an
average judge would give (``ApplicationStats.adjusted``, the judge-effect model);
``z``, the mean of per-judge z-scores (``ApplicationStats.z_mean``). The
default is ``adjusted``: in the simulation benchmark (bench/bench_simulation.py,
docs/scoring.md) it recovered the true order at least as well as the better of
raw and z in every setting, and clearly better than raw wherever judges differ.
Before there were three, "normalised" named the z basis; ``parse_basis`` still
reads it, as ``z``, so stored settings and command lines keep their meaning.

Ranking rule (deterministic; printed in the reports' method note):

1. Higher score first: the mean total, the adjusted score, or the mean z-score
   (never its clipped 0..100 display, so clipping can never create a tie).
2. Ties: higher mean of the rubric's tie-break criterion first (an application
   without scores for it goes after those with them).
3. Still tied: more reviews first (the mean rests on more judges).
4. Still tied: the applications share a rank, competition style ("1, 2, 2, 4"),
   and are listed by application id. The id is never used to decide merit.

Scores are compared rounded to ``SCORE_DECIMALS`` places, so two means that are
equal on paper but differ in the last floating-point bit count as tied; the
disagreement limits are compared at the same precision.

Applications without a score on the chosen basis (no reviews yet; on the z
basis, no z-scores) are not ranked and are listed in ``unranked``.

Shortlist: ``top=N`` takes every application ranked N or better, so a tie
across the cut-off takes all tied applications and reports them in
``ties_at_cutoff`` for staff to decide; ``threshold=T`` takes every ranked
application whose shown score (raw mean, adjusted score, or 0..100 z display)
is at least T. Given both, an application must meet both.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from judgepanel.errors import ValidationError
from judgepanel.model.scoring.statistics import SCORE_DECIMALS, ApplicationStats

Basis = Literal["raw", "adjusted", "z"]
BASES: tuple[Basis, ...] = ("raw", "adjusted", "z")
DEFAULT_BASIS: Basis = "adjusted"
# Spellings of earlier versions, as stored in program settings and typed on command lines.
OLD_BASIS_NAMES: Mapping[str, Basis] = {"normalised": "z", "normalized": "z"}
BASIS_NAMES = {"raw": "mean total (raw)",
               "adjusted": "score adjusted for judge leniency",
               "z": "mean z-score (per judge)"}


def basis_named(value: object) -> Basis | None:
    """The basis a name means (an old name too: "normalised" is z); None for anything else."""
    if isinstance(value, str):
        name = value.strip().lower()
        if name in BASES:
            return name  # type: ignore[return-value]
        return OLD_BASIS_NAMES.get(name)
    return None


def parse_basis(value: object, *, setting: str = "basis") -> Basis:
    """``basis_named``, refusing anything else with a message."""
    found = basis_named(value)
    if found is not None:
        return found
    raise ValidationError(
        f"“{value}” is not a ranking basis. Use raw, adjusted or z "
        "(normalised, the old name of z, is read as z).", path=setting)


def basis_value(stats: ApplicationStats, basis: Basis) -> float | None:
    """What ``basis`` ranks on: the mean total, the adjusted score or the mean z-score."""
    if basis == "raw":
        return stats.mean
    return stats.adjusted if basis == "adjusted" else stats.z_mean


@dataclass(frozen=True)
class DisagreementRule:
    """Per-program thresholds above which the judges' totals count as disagreeing."""

    max_range: float | None = None
    max_sd: float | None = None

    def reasons(self, stats: ApplicationStats) -> tuple[str, ...]:
        """Plain-words reasons the application is flagged; empty when it is not."""
        out = []
        spread = stats.summary.range
        # At the ranking's precision: a range of 30.000000000000004 is 30, not above it.
        if (self.max_range is not None and spread is not None
                and round(spread, SCORE_DECIMALS) > self.max_range):
            out.append(f"scores range over {spread:.1f} points (limit {self.max_range:g})")
        sd = stats.summary.sd
        if self.max_sd is not None and sd is not None and round(sd, SCORE_DECIMALS) > self.max_sd:
            out.append(f"standard deviation {sd:.1f} (limit {self.max_sd:g})")
        return tuple(out)


@dataclass(frozen=True)
class RankingRow:
    rank: int  # competition rank: equal only when every rule above ties
    application_id: str
    score: float  # what tables show: mean total, adjusted score, or the 0..100 z display
    ranked_on: float  # what was compared: mean total, adjusted score, or the mean z-score
    tie_break: float | None  # mean of the tie-break criterion's raw scores
    shared: bool  # another application has the same rank
    disagreement: tuple[str, ...]
    stats: ApplicationStats

    @property
    def flagged(self) -> bool:
        return bool(self.disagreement)


@dataclass(frozen=True)
class Ranking:
    basis: Basis
    category: str | None
    rows: tuple[RankingRow, ...]
    unranked: tuple[str, ...]

    def row(self, application_id: str) -> RankingRow | None:
        return self._by_id.get(application_id)

    @cached_property
    def _by_id(self) -> dict[str, RankingRow]:
        # A board looks up every row: a scan per lookup made that quadratic (~0.1 s of
        # a 2,000-application board). Reversed, so a repeated id finds its first row.
        return {r.application_id: r for r in reversed(self.rows)}

    @property
    def flagged(self) -> tuple[RankingRow, ...]:
        return tuple(r for r in self.rows if r.flagged)


@dataclass(frozen=True)
class Shortlist:
    selected: tuple[str, ...]  # in ranking order
    ties_at_cutoff: tuple[str, ...]  # non-empty when a tie pushed the list past top N


def rank(
    stats: Mapping[str, ApplicationStats] | Iterable[ApplicationStats],
    *,
    basis: Basis = "raw",
    tie_break: str | None = None,
    disagreement: DisagreementRule | None = None,
    only: Collection[str] | None = None,
    category: str | None = None,
) -> Ranking:
    """Rank applications by ``basis``; ``only`` restricts to some ids (e.g. one category).

    ``tie_break`` is the rubric's tie-break criterion key (``Rubric.tie_break``).
    """
    if basis not in BASES:
        raise ValueError(f"unknown ranking basis {basis!r}")
    items = list(stats.values()) if isinstance(stats, Mapping) else list(stats)
    if only is not None:
        wanted = set(only)
        items = [s for s in items if s.application_id in wanted]
    rule = disagreement or DisagreementRule()
    scored: list[tuple[tuple[float, float, int], ApplicationStats, float, float | None]] = []
    unranked: list[str] = []
    for s in items:
        value = basis_value(s, basis)
        if value is None:
            unranked.append(s.application_id)
            continue
        tb = s.criterion_means.get(tie_break) if tie_break else None
        # Sort key: descending score, then descending tie-break (missing last), then more
        # reviews. Negated so that one ascending sort does it all.
        key = (
            -round(value, SCORE_DECIMALS),
            -round(tb, SCORE_DECIMALS) if tb is not None else float("inf"),
            -s.n,
        )
        scored.append((key, s, value, tb))
    scored.sort(key=lambda item: (item[0], item[1].application_id))
    keys = [item[0] for item in scored]
    rows: list[RankingRow] = []
    for i, (key, s, value, tb) in enumerate(scored):
        # Competition rank: a row tied with the one before takes its rank.
        position = rows[-1].rank if i > 0 and keys[i - 1] == key else i + 1
        shared = (i > 0 and keys[i - 1] == key) or (i + 1 < len(keys) and keys[i + 1] == key)
        shown = s.z_display if basis == "z" else value
        rows.append(
            RankingRow(
                rank=position,
                application_id=s.application_id,
                score=float(shown if shown is not None else value),
                ranked_on=value,
                tie_break=tb,
                shared=shared,
                disagreement=rule.reasons(s),
                stats=s,
            )
        )
    return Ranking(basis, category, tuple(rows), tuple(sorted(unranked)))


def rank_by_category(
    stats: Mapping[str, ApplicationStats] | Iterable[ApplicationStats],
    categories: Mapping[str, str | Collection[str]],
    *,
    basis: Basis = "raw",
    tie_break: str | None = None,
    disagreement: DisagreementRule | None = None,
) -> dict[str, Ranking]:
    """One ranking per category; ``categories`` maps an application to one or more categories.

    Scores are not recomputed per category: z-scores keep using each judge's whole
    round, which is what makes them comparable across categories.
    """
    items = list(stats.values()) if isinstance(stats, Mapping) else list(stats)
    members: dict[str, set[str]] = {}
    for app, cats in categories.items():
        for cat in [cats] if isinstance(cats, str) else cats:
            members.setdefault(cat, set()).add(app)
    return {
        cat: rank(
            items,
            basis=basis,
            tie_break=tie_break,
            disagreement=disagreement,
            only=members[cat],
            category=cat,
        )
        for cat in sorted(members)
    }


def shortlist(
    ranking: Ranking, *, top: int | None = None, threshold: float | None = None
) -> Shortlist:
    """Who goes through to the next round (see the module docstring for ties)."""
    if top is None and threshold is None:
        raise ValidationError("Choose how many applications to shortlist, or a minimum score.")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise ValidationError("The shortlist size must be a whole number of at least 1.")
    rows = list(ranking.rows)
    if threshold is not None:
        limit = round(threshold, SCORE_DECIMALS)
        rows = [r for r in rows if round(r.score, SCORE_DECIMALS) >= limit]
    ties: tuple[str, ...] = ()
    if top is not None:
        # Ranks are positions in the full ranking; after a threshold they still only grow.
        kept = [r for r in rows if r.rank <= top]
        if len(kept) > top:
            cutoff = kept[-1].rank
            ties = tuple(r.application_id for r in kept if r.rank == cutoff)
        rows = kept
    return Shortlist(tuple(r.application_id for r in rows), ties)
