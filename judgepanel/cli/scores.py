"""``judgepanel scores rank TABLE``: rank any table of scores with the leaderboard's code.

No workspace needed: a CSV or XLSX with one row per review (columns
application, judge, total, and optional criterion columns). The arithmetic is
``model.staff.decide.table_ranking``; this module lays it out for a terminal
or, with ``--json``, for scripts.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from judgepanel.cli.staff_common import basis_option, emit, json_errors
from judgepanel.model.scoring.ranking import BASIS_NAMES
from judgepanel.text import plural


def register(sub: argparse._SubParsersAction) -> None:
    scores = sub.add_parser("scores", help="rank a table of scores (no workspace needed)")
    steps = scores.add_subparsers(dest="step", metavar="STEP", required=True)
    rank = steps.add_parser(
        "rank", help="rank a CSV or XLSX table: application, judge, total (0-100)",
        description="Rank a table with one row per review and the columns application, "
                    "judge and total (0-100), plus optional criterion columns, with the "
                    "same code as the leaderboard.")
    rank.add_argument("table", type=Path, metavar="TABLE", help="a .csv or .xlsx file")
    basis_option(rank)
    rank.add_argument("--sheet", help="XLSX: the sheet to read (default: the first)")
    rank.add_argument("--tie-break", metavar="COLUMN",
                      help="a criterion column whose higher mean breaks ties")
    rank.add_argument("--json", action="store_true", help="print one JSON object, for scripts")
    rank.set_defaults(func=json_errors(run_rank))


def _num(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def run_rank(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.decide.table_ranking import rank_table

    result = rank_table(args.table, basis=args.basis, sheet=args.sheet,
                        tie_break=args.tie_break)
    rows = []
    for r in result.ranking.rows:
        s = r.stats
        rows.append({"application": r.application_id, "rank": r.rank, "score": _num(r.score),
                     "shared": r.shared, "reviews": s.n, "mean": _num(s.mean),
                     "adjusted": _num(s.adjusted), "adjusted_se": _num(s.adjusted_se),
                     "z": _num(s.z_mean), "sd": _num(s.summary.sd),
                     "criteria": {k: _num(v) for k, v in s.criterion_means.items()},
                     "flags": list(r.disagreement)})
    effects = result.effects
    data: dict[str, Any] = {
        "basis": result.basis, "table": result.source, "reviews": result.reviews,
        "ranking": rows, "unranked": list(result.ranking.unranked),
        "judges": [{"judge": o.judge_id, "reviews": o.n, "offset": _num(o.offset),
                    "offset_se": _num(o.se)} for o in effects.offsets.values()],
        "model": {"sd_judges": _num(effects.sd_judges), "sd_noise": _num(effects.sd_noise),
                  "estimable": effects.estimable, "pieces": len(effects.pieces)},
        "warnings": [{"basis": w.basis, "text": w.text} for w in result.warnings],
    }
    lines = [f"{result.source}: {plural(result.reviews, 'review')} of "
             f"{plural(len(result.stats), 'application')}, "
             f"ranked by the {BASIS_NAMES[result.basis]}"]
    lines += [f"Note ({w.basis}): {w.text}" for w in result.warnings if w.basis == result.basis]
    lines.append(f"{'RANK':>5}  {'SCORE':>6}  {'N':>2}  {'MEAN':>6}  APPLICATION")
    for r in result.ranking.rows:
        lines.append(f"{r.rank:>4}{'=' if r.shared else ' '}  {r.score:6.2f}  "
                     f"{r.stats.n:>2}  {r.stats.mean or 0:6.2f}  {r.application_id}")
    if result.ranking.unranked:
        lines.append("Not ranked (no score on this basis): "
                     + ", ".join(result.ranking.unranked))
    emit(args, data, lines)
    return 0
