"""A round's leaderboard: statistics, rankings, flags and the funding line, overall or per category.

The arithmetic lives in ``scoring``, ``stats``, ``ranking`` and ``funding``;
which reviews count is decided once in ``round_reviews``. This module puts the
two together: z-scores always use each judge's whole round (so they compare
across categories), while a category's panel alpha and judge leniency/spread
use the reviews of that category's applications only. A category board draws
its funding line against the category's budget, the overall board against the
round's; staff awards (``awards.set_award``) are overrides the line takes as given.

Disagreement limits are program settings (``staff.settings``: ``disagreement_range``,
``disagreement_sd``, in points of the 0..100 total, with a per-round override).
Everything returned is plain frozen data, safe to hand to the GUI thread.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.scoring.basis_checks import (
    BasisWarning,
    basis_warnings,
    reviews_per_judge,
)
from judgepanel.model.scoring.funding import FundingLine, FundingRow, funding_line
from judgepanel.model.scoring.judge_effects import JudgeEffects, JudgeOffset
from judgepanel.model.scoring.ranking import (
    BASES,
    DEFAULT_BASIS,
    Basis,
    DisagreementRule,
    Ranking,
    rank,
)
from judgepanel.model.scoring.statistics import (
    ApplicationStats,
    JudgeStats,
    ScoredReview,
    application_stats,
    judge_effects,
    judge_stats,
    panel_alpha,
)
from judgepanel.model.staff.prepare.categories import find_category
from judgepanel.model.staff.results.round_reviews import (
    ApplicationInfo,
    CategoryInfo,
    JudgeInfo,
    ReviewRecord,
    RoundReviews,
    load_round_reviews,
)
from judgepanel.model.staff.schema.program import Category, Program, Round
from judgepanel.model.staff.settings import DISAGREEMENT_RANGE, DISAGREEMENT_SD, setting_value
from judgepanel.model.storage.gc_pause import bulk_step


@dataclass(frozen=True)
class OpenConflict:
    """An undecided conflict finding on a pair whose review currently counts."""

    judge: JudgeInfo
    application_ref: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class BoardRow:
    application: ApplicationInfo
    stats: ApplicationStats
    rank_raw: int | None
    rank_adjusted: int | None
    rank_z: int | None
    tie_break: float | None  # mean raw score of the tie-break criterion
    flags: tuple[str, ...]  # disagreement reasons, plain words
    reviewers: tuple[JudgeInfo, ...]
    missing: tuple[JudgeInfo, ...]  # assigned, no review yet, no reason given
    conflicted: tuple[JudgeInfo, ...]
    funding: FundingRow | None
    unable: tuple[tuple[JudgeInfo, str], ...] = ()  # a missing review with its reason


@dataclass(frozen=True)
class JudgeRow:
    judge: JudgeInfo
    stats: JudgeStats | None  # None when no review of theirs counts here
    offset: JudgeOffset | None  # leniency in the judge-effect model of the whole round
    assigned: int
    missing: int
    conflicted: int
    unable: int = 0


@dataclass(frozen=True)
class Leaderboard:
    round_id: int
    round_number: int
    round_name: str
    category: CategoryInfo | None
    basis: Basis
    rubric: Rubric
    disagreement: DisagreementRule
    rows: tuple[BoardRow, ...]  # ranked on ``basis`` first, then the unranked by ref
    raw: Ranking
    adjusted: Ranking
    z: Ranking
    judges: tuple[JudgeRow, ...]
    alpha: float | None
    funding: FundingLine | None
    reviews: tuple[ReviewRecord, ...]  # sorted by application ref, judge name
    open_conflicts: tuple[OpenConflict, ...]
    problems: tuple[str, ...]
    effects: JudgeEffects  # the judge-effect model, fitted to the whole round
    warnings: tuple[BasisWarning, ...]  # where the adjusted or z basis is weak
    reviews_per_judge: tuple[int, ...]  # each judge's counted reviews in the round, sorted

    @property
    def ranking(self) -> Ranking:
        return self.rankings[self.basis]

    @property
    def rankings(self) -> dict[Basis, Ranking]:
        return {"raw": self.raw, "adjusted": self.adjusted, "z": self.z}

    def row(self, ref: str) -> BoardRow | None:
        return next((r for r in self.rows if r.application.ref == ref), None)

    def rank_of(self, row: BoardRow, basis: Basis | None = None) -> int | None:
        """The row's rank on ``basis`` (the board's own by default)."""
        chosen = basis or self.basis
        if chosen == "raw":
            return row.rank_raw
        return row.rank_adjusted if chosen == "adjusted" else row.rank_z


@dataclass(frozen=True)
class RoundBoards:
    overall: Leaderboard
    by_category: Mapping[str, Leaderboard]  # category key -> board, program order


# --- settings -----------------------------------------------------------------------


def disagreement_rule(program: Program, round_: Round) -> DisagreementRule:
    """The round's disagreement limits: round override, else program setting, else default.

    A setting of ``null`` switches that test off (``staff.settings``).
    """
    return DisagreementRule(max_range=setting_value(program, DISAGREEMENT_RANGE, round_),
                            max_sd=setting_value(program, DISAGREEMENT_SD, round_))


# --- building a board -------------------------------------------------------------------


def _judge_key(judge_id: int) -> str:
    return str(judge_id)


class _Roster:
    """The program's judges by the key the statistics use, listed by name, then id.

    A board lists the reviewers, missing and conflicted judges of every application
    (6,000 short lists in a national round); the order of the judges is found once
    per board rather than by sorting names again for every list.
    """

    def __init__(self, judges: Mapping[int, JudgeInfo]) -> None:
        self._info = {_judge_key(j): info for j, info in judges.items()}
        ordered = sorted(self._info, key=lambda k: (self._info[k].name, self._info[k].id))
        self._place = {key: i for i, key in enumerate(ordered)}

    def people(self, keys: Iterable[str]) -> tuple[JudgeInfo, ...]:
        info = self._info
        return tuple(info[k] for k in sorted(keys, key=self._place.__getitem__))


@dataclass(frozen=True)
class _RoundStats:
    """What every board of the round shares: computed once over the whole round."""

    counted: Mapping[tuple[int, int], ScoredReview]  # ``_counted(data)``
    apps: Mapping[str, ApplicationStats]
    effects: JudgeEffects
    warnings: tuple[BasisWarning, ...]


def _board(data: RoundReviews, rule: DisagreementRule, category: CategoryInfo | None,
           basis: Basis, round_stats: _RoundStats) -> Leaderboard:
    """One board of the round (overall, or one category's)."""
    if basis not in BASES:
        raise ValueError(f"unknown ranking basis {basis!r}")
    all_stats, counted = round_stats.apps, round_stats.counted
    shown = {a.id: a for a in data.apps.values()
             if category is None or category.key in a.categories}
    by_ref = {a.ref: a for a in shown.values()}
    stat_reviews = [r for p, r in counted.items() if p[1] in shown]
    tie = data.rubric.tie_break
    rankings = {b: rank(all_stats, basis=b, tie_break=tie, disagreement=rule, only=by_ref,
                        category=category.key if category else None) for b in BASES}
    chosen = rankings[basis]
    budget = category.budget if category is not None else data.budget
    line = None
    if budget is not None:
        ranked = [(r.application_id, by_ref[r.application_id].requested or Decimal(0))
                  for r in chosen.rows]
        awards = {ref: award for ref, _ in ranked
                  if (award := by_ref[ref].awarded) is not None}
        line = funding_line(ranked, budget, awards, [r.rank for r in chosen.rows])
    people = _Roster(data.judges).people
    unable_by_app: dict[int, dict[str, str]] = defaultdict(dict)
    for (j, a), reason in data.unable.items():
        unable_by_app[a][_judge_key(j)] = reason
    rows = []
    ranked_refs = [r.application_id for r in chosen.rows]
    for ref in ranked_refs + sorted(by_ref.keys() - set(ranked_refs)):
        stats = all_stats[ref]
        raw_row, adjusted_row, z_row = (rankings[b].row(ref) for b in BASES)
        chosen_row = chosen.row(ref)
        unable = unable_by_app.get(by_ref[ref].id)
        missing = stats.missing if not unable else tuple(
            k for k in stats.missing if k not in unable)
        rows.append(BoardRow(
            application=by_ref[ref], stats=stats,
            rank_raw=raw_row.rank if raw_row else None,
            rank_adjusted=adjusted_row.rank if adjusted_row else None,
            rank_z=z_row.rank if z_row else None,
            tie_break=stats.criterion_means.get(tie) if tie else None,
            # The ranking has asked the same rule about the same statistics already.
            flags=chosen_row.disagreement if chosen_row else rule.reasons(stats),
            reviewers=people(stats.judges) if stats.judges else (),
            missing=people(missing) if missing else (),
            conflicted=people(stats.conflicted) if stats.conflicted else (),
            funding=line.row(ref) if line else None,
            unable=tuple((judge, unable[_judge_key(judge.id)]) for judge in people(unable))
            if unable else ()))
    judge = data.judges
    return Leaderboard(
        round_id=data.round_id, round_number=data.round_number, round_name=data.round_name,
        category=category, basis=basis, rubric=data.rubric, disagreement=rule,
        rows=tuple(rows), raw=rankings["raw"], adjusted=rankings["adjusted"],
        z=rankings["z"], judges=_judge_rows(data, shown, stat_reviews, round_stats.effects),
        alpha=panel_alpha(stat_reviews), funding=line,
        reviews=tuple(sorted((r for p, r in data.reviews.items() if p[1] in shown),
                             key=lambda r: (r.application.ref, r.judge.name, r.judge.id))),
        open_conflicts=tuple(sorted(
            (OpenConflict(judge[j], data.apps[a].ref, reasons)
             for (j, a), reasons in data.open_pairs.items() if a in shown),
            key=lambda c: (c.application_ref, c.judge.name, c.judge.id))),
        problems=tuple(text for app_id, text in data.problems if app_id in shown),
        effects=round_stats.effects, warnings=round_stats.warnings,
        reviews_per_judge=reviews_per_judge(round_stats.effects),
    )


def _judge_rows(data: RoundReviews, shown: Mapping[int, ApplicationInfo],
                reviews: list[ScoredReview], effects: JudgeEffects) -> tuple[JudgeRow, ...]:
    per_judge = judge_stats(reviews)
    assigned: dict[int, int] = defaultdict(int)
    missing: dict[int, int] = defaultdict(int)
    conflicted: dict[int, int] = defaultdict(int)
    unable: dict[int, int] = defaultdict(int)
    for j, a in data.conflicted:
        if a in shown:
            conflicted[j] += 1
    for j, a in data.unable:
        if a in shown:
            unable[j] += 1
    reviewed = {pair for pair, r in data.reviews.items() if not r.excluded and pair[1] in shown}
    for pair in data.assigned:
        if pair[1] in shown:
            assigned[pair[0]] += 1
            if pair not in reviewed and pair not in data.conflicted and pair not in data.unable:
                missing[pair[0]] += 1
    people = set(assigned) | set(conflicted) | {j for j, _ in reviewed}
    return tuple(JudgeRow(data.judges[j], per_judge.get(_judge_key(j)),
                          effects.offsets.get(_judge_key(j)), assigned[j],
                          missing[j], conflicted[j], unable[j])
                 for j in sorted(people, key=lambda j: (data.judges[j].name, j)))


def _counted(data: RoundReviews) -> dict[tuple[int, int], ScoredReview]:
    """The reviews that count, as the statistics take them, by (judge id, application id)."""
    key = _judge_key
    return {(j, a): ScoredReview(r.application.ref, key(j), r.total or 0.0, r.scores)
            for (j, a), r in data.reviews.items() if r.counted}


def _round_stats(data: RoundReviews) -> _RoundStats:
    counted = _counted(data)
    key = _judge_key
    reviews = list(counted.values())
    effects = judge_effects(reviews)
    categories: dict[str, set[str]] = defaultdict(set)
    for (j, a) in counted:
        categories[key(j)].update(data.apps[a].categories)
    apps = application_stats(
        reviews,
        assigned=[(key(j), data.apps[a].ref) for j, a in data.assigned if a in data.apps],
        conflicts=[(key(j), data.apps[a].ref) for j, a in data.conflicted],
        applications=[a.ref for a in data.apps.values()],
        effects=effects,
    )
    per_judge = {j: tuple(sorted(c)) for j, c in categories.items()}
    return _RoundStats(counted, apps, effects, basis_warnings(effects, per_judge))


# --- public entry points -----------------------------------------------------------------


def _category_info(session: Session, program: Program, data: RoundReviews,
                   category: Category | str) -> CategoryInfo:
    if isinstance(category, Category):
        wanted: Category | None = category
    else:
        wanted = find_category(session, program, category)
    for info in data.categories:
        if wanted is not None and info.id == wanted.id:
            return info
    raise ValidationError(f"There is no category “{category}” in this program.",
                          path="category")


def _prepare(session: Session, round_: Round) -> tuple[Program, RoundReviews, DisagreementRule]:
    program = session.get(Program, round_.program_id)
    assert program is not None
    return program, load_round_reviews(session, round_), disagreement_rule(program, round_)


@bulk_step
def compute(session: Session, round_: Round, *, category: Category | str | None = None,
            basis: Basis = DEFAULT_BASIS) -> Leaderboard:
    """The leaderboard of ``round_``, overall or for one category (object, key or name)."""
    program, data, rule = _prepare(session, round_)
    info = None if category is None else _category_info(session, program, data, category)
    return _board(data, rule, info, basis, _round_stats(data))


@bulk_step
def compute_all(session: Session, round_: Round, *,
                basis: Basis = DEFAULT_BASIS) -> RoundBoards:
    """The overall board and one per category that has applications in the round."""
    _, data, rule = _prepare(session, round_)
    stats = _round_stats(data)
    used = {key for a in data.apps.values() for key in a.categories}
    return RoundBoards(
        overall=_board(data, rule, None, basis, stats),
        by_category={c.key: _board(data, rule, c, basis, stats)
                     for c in data.categories if c.key in used})
