"""The leaderboard's columns: the ranking (with the panel's decision) and the judges."""

from __future__ import annotations

from collections.abc import Callable

from judgepanel.model.staff.decide.decisions import DecisionInfo
from judgepanel.model.staff.decide.leaderboard import BoardRow, JudgeRow
from judgepanel.ui.staff.table_model import BAD, GOOD, MUTED, WARN, Column, tr

TITLE_WIDTH = 180  # pixels; long titles are elided and shown whole in their tooltip

DecisionOf = Callable[[str], DecisionInfo | None]
"""The panel's decision on an application (by ref), or None when it has none yet."""


def board_columns(decision_of: DecisionOf) -> list[Column[BoardRow]]:
    """The ranking's columns, most wanted first.

    Why this order: a 1280-pixel window shows about the first eight columns, so the
    money a grants decision turns on (requested, awarded, where the funding line
    falls) comes right after the scores, then the panel's decision (its reason in the
    tooltip), and the review count and spread follow.
    """

    def outcome(r: BoardRow) -> str:
        decision = decision_of(r.application.ref)
        return decision.outcome if decision else ""

    def reason(r: BoardRow) -> str:
        decision = decision_of(r.application.ref)
        return decision.reason if decision else ""

    def selected(r: BoardRow) -> str | None:
        decision = decision_of(r.application.ref)
        return None if decision is None else (GOOD if decision.selected else MUTED)

    return [
        Column(tr("Rank (adjusted)"), lambda r: r.rank_adjusted, align_right=True),
        Column(tr("Rank (raw)"), lambda r: r.rank_raw, align_right=True),
        Column(tr("Reference"), lambda r: r.application.ref),
        Column(tr("Title"), lambda r: r.application.title),
        Column(tr("Adjusted"), lambda r: r.stats.adjusted, align_right=True,
               tooltip=lambda r: _adjusted_tip(r)),
        Column(tr("Mean (0–100)"), lambda r: r.stats.mean, align_right=True),
        Column(tr("Requested"), lambda r: r.application.requested, align_right=True),
        Column(tr("Awarded"), lambda r: r.funding.awarded if r.funding else None,
               align_right=True),
        Column(tr("Funding"), lambda r: r.funding.status if r.funding else "",
               tone=lambda r: None if r.funding is None else
               (MUTED if r.funding.below_line else GOOD),
               tooltip=lambda r: tr("Below the funding line: the budget ran out above")
               if r.funding is not None and r.funding.below_line else ""),
        Column(tr("Decision"), outcome, tone=selected, tooltip=reason),
        Column(tr("Reviews"), lambda r: r.stats.n, align_right=True),
        Column(tr("SD"), lambda r: r.stats.summary.sd, align_right=True),
        Column(tr("Range"), lambda r: r.stats.summary.range, align_right=True),
        Column(tr("Rank (z)"), lambda r: r.rank_z, align_right=True),
        Column(tr("z (0–100)"), lambda r: r.stats.z_display, align_right=True),
        Column(tr("Flags"), lambda r: r.flags, tone=lambda r: WARN if r.flags else None),
        Column(tr("Missing"), lambda r: tuple(j.name for j in r.missing),
               tone=lambda r: BAD if r.missing else None),
        Column(tr("Conflicted"), lambda r: tuple(j.name for j in r.conflicted)),
    ]


def _adjusted_tip(row: BoardRow) -> str:
    se = row.stats.adjusted_se
    if se is None:
        return ""
    return tr("Standard error {se:.1f}: the score an average judge would give is within about "
              "{twice:.1f} points of this, 19 times in 20").format(se=se, twice=2 * se)


def judge_columns() -> list[Column[JudgeRow]]:
    return [
        Column(tr("Judge"), lambda j: j.judge.name),
        Column(tr("Assigned"), lambda j: j.assigned, align_right=True),
        Column(tr("Reviews"), lambda j: j.stats.n if j.stats else 0, align_right=True),
        Column(tr("Missing"), lambda j: j.missing, align_right=True,
               tone=lambda j: BAD if j.missing else None),
        Column(tr("Conflicted"), lambda j: j.conflicted, align_right=True),
        Column(tr("Mean"), lambda j: j.stats.mean if j.stats else None, align_right=True),
        Column(tr("Spread"), lambda j: j.stats.spread if j.stats else None, align_right=True),
        Column(tr("Leniency (+ kinder, − harsher)"),
               lambda j: j.stats.leniency if j.stats else None, align_right=True,
               tone=lambda j: WARN if j.stats and j.stats.leniency is not None
               and abs(j.stats.leniency) >= 10 else None),
        Column(tr("Offset (model)"), lambda j: j.offset.offset if j.offset else None,
               align_right=True,
               tooltip=lambda j: tr("Estimated leniency in points, standard error {se:.1f}; "
                                    "the adjusted scores take it out").format(se=j.offset.se)
               if j.offset and j.offset.se is not None else ""),
    ]
