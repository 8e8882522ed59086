"""Rank a table of scores from anywhere: ``judgepanel scores rank TABLE``.

For programs that judged in spreadsheets, and for auditors who want to check a
ranking: a CSV or XLSX table (read by ``prepare.importing.sources.read_table``,
the reader of every import) with one row per review and the columns
``application``, ``judge`` and ``total`` (0-100), plus any number of
criterion columns (numbers or blank). Column names are matched ignoring case
and surrounding spaces.

The numbers come from the leaderboard's own code: ``statistics.application_stats``
(which fits the judge-effect model over the whole table), ``ranking.rank``
with the default disagreement limits, ``basis_checks.basis_warnings``. A table
has no conflicts, assignments or categories: every row is a review that counts.

Bad rows are refused all together, each named by its row number, and nothing is
ranked (``ImportRowsError``): a ranking of the rows that happened to be readable
would look complete.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from judgepanel.errors import FileFormatError, ImportRowsError, ValidationError
from judgepanel.model.scoring.basis_checks import BasisWarning, basis_warnings
from judgepanel.model.scoring.judge_effects import JudgeEffects
from judgepanel.model.scoring.ranking import DEFAULT_BASIS, Basis, DisagreementRule, Ranking, rank
from judgepanel.model.scoring.statistics import (
    ApplicationStats,
    ScoredReview,
    application_stats,
    judge_effects,
)
from judgepanel.model.staff.prepare.importing.sources import read_table
from judgepanel.model.staff.settings import DEFAULT_MAX_RANGE, DEFAULT_MAX_SD

REQUIRED = ("application", "judge", "total")


@dataclass(frozen=True)
class TableRanking:
    source: str  # the file's name
    basis: Basis
    ranking: Ranking
    stats: Mapping[str, ApplicationStats]  # by application
    effects: JudgeEffects
    warnings: tuple[BasisWarning, ...]
    criteria: tuple[str, ...]  # the criterion columns, in the table's order
    reviews: int


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "")) if text else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def rank_table(path: Path | str, *, basis: Basis = DEFAULT_BASIS, sheet: str | None = None,
               tie_break: str | None = None) -> TableRanking:
    """Read, check and rank the table at ``path`` (see the module docstring)."""
    table = read_table(path, sheet=sheet)
    by_name = {h.strip().casefold(): h for h in table.headers}
    missing = [name for name in REQUIRED if name not in by_name]
    if missing:
        raise FileFormatError(
            f"The table needs the columns {', '.join(REQUIRED)}; it has no "
            f"{' or '.join(missing)} column. Name the columns in the first row and try again.",
            path=str(path))
    app_col, judge_col, total_col = (by_name[name] for name in REQUIRED)
    criteria = tuple(h for h in table.headers if h not in (app_col, judge_col, total_col))
    if tie_break is not None and tie_break not in criteria:
        raise ValidationError(f"The tie-break “{tie_break}” is not a criterion column of the "
                              f"table (they are: {', '.join(criteria) or 'none'}).",
                              path="tie_break")
    problems: list[tuple[int, str]] = []
    seen: dict[tuple[str, str], int] = {}
    reviews: list[ScoredReview] = []
    for row in table.rows:
        if row.problem:
            problems.append((row.number, row.problem))
            continue
        app, judge = str(row.values[app_col]).strip(), str(row.values[judge_col]).strip()
        text = str(row.values[total_col]).strip()
        total = _number(text)
        scores: dict[str, float] = {}
        bad = [f"no {name}" for name, value in (("application", app), ("judge", judge))
               if not value]
        if not text:
            bad.append("no total")
        elif total is None or not 0 <= total <= 100:
            bad.append(f"the total “{text}” is not a number from 0 to 100")
        for key in criteria:
            cell = str(row.values[key]).strip()
            if cell:
                value = _number(cell)
                if value is None:
                    bad.append(f"“{cell}” in {key} is not a number")
                else:
                    scores[key] = value
        if app and judge and (app, judge) in seen:
            bad.append(f"{judge} already scored {app} in row {seen[(app, judge)]}")
        if bad:
            problems.append((row.number, "; ".join(bad)))
            continue
        assert total is not None
        seen[(app, judge)] = row.number
        reviews.append(ScoredReview(app, judge, float(total), scores))
    if problems:
        raise ImportRowsError(
            f"{len(problems)} of {len(table.rows)} rows in {table.name} have problems, so "
            "nothing was ranked. Fix the rows listed and try again.", problems,
            path=str(path))
    if not reviews:
        raise FileFormatError(f"{table.name} has a header row but no scores to rank.",
                              path=str(path))
    effects = judge_effects(reviews)
    stats = application_stats(reviews, effects=effects)
    ranking = rank(stats, basis=basis, tie_break=tie_break,
                   disagreement=DisagreementRule(DEFAULT_MAX_RANGE, DEFAULT_MAX_SD))
    return TableRanking(table.name, basis, ranking, stats, effects, basis_warnings(effects),
                        criteria, len(reviews))
