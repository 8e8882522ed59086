"""The leaderboard's columns: the ranking (with the panel's decision) and the judges."""

from __future__ import annotations

from collections.abc import Callable

from judgepanel.model.staff.decide.decisions import DecisionInfo
from judgepanel.model.staff.decide.leaderboard import BoardRow, JudgeRow
from judgepanel.ui.staff.table_model import BAD, GOOD, MUTED, WARN, Column, text_of, tr

TITLE_WIDTH = 180  # pixels; long titles are elided and shown whole in their tooltip
TITLE_MIN = 120  # narrower still in a small window, to keep the decision in view

DecisionOf = Callable[[str], DecisionInfo | None]
"""The panel's decision on an application (by ref), or None when it has none yet."""


def board_columns(decision_of: DecisionOf) -> list[Column[BoardRow]]:
    """The ranking's columns, most wanted first.

    Why this order: a 1024-pixel window shows about the first ten columns, so the
    money a grants decision turns on (requested, awarded, where the funding line
    falls) comes right after the scores, then the panel's decision (its reason in the
    tooltip), and the review count and spread follow. Headings are short (the whole
    wording is the heading's tooltip) so they never make a column wider than its numbers.
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
        Column(tr("Adj. rank"), lambda r: r.rank_adjusted, align_right=True,
               heading_tip=tr("Rank by the score adjusted for judge leniency")),
        Column(tr("Raw rank"), lambda r: r.rank_raw, align_right=True,
               heading_tip=tr("Rank by the raw mean")),
        Column(tr("Reference"), lambda r: r.application.ref),
        Column(tr("Title"), lambda r: r.application.title, tooltip=lambda r: r.application.title),
        Column(tr("Adjusted"), lambda r: r.stats.adjusted, align_right=True,
               tooltip=lambda r: _adjusted_tip(r),
               heading_tip=tr("The score adjusted for judge leniency (0–100): what a judge "
                              "of average leniency would give")),
        Column(tr("Mean"), lambda r: r.stats.mean, align_right=True,
               heading_tip=tr("Mean of the judges' totals (0–100)")),
        Column(tr("Requested"), lambda r: r.application.requested, align_right=True,
               heading_tip=tr("Amount requested")),
        Column(tr("Awarded"), lambda r: r.funding.awarded if r.funding else None,
               align_right=True, heading_tip=tr("Amount awarded")),
        Column(tr("Funding"), lambda r: r.funding.status if r.funding else "",
               tone=lambda r: None if r.funding is None else
               (MUTED if r.funding.below_line else GOOD),
               tooltip=lambda r: tr("Below the funding line: the budget ran out above")
               if r.funding is not None and r.funding.below_line else "",
               heading_tip=tr("Funded, partly funded or unfunded, by the funding line")),
        Column(tr("Decision"), outcome, tone=selected, tooltip=reason,
               heading_tip=tr("The panel's decision (hover over it for the reason)")),
        Column(tr("Reviews"), lambda r: r.stats.n, align_right=True,
               heading_tip=tr("Reviews counted")),
        Column(tr("SD"), lambda r: r.stats.summary.sd, align_right=True,
               heading_tip=tr("Standard deviation of the judges' totals")),
        Column(tr("Range"), lambda r: r.stats.summary.range, align_right=True,
               heading_tip=tr("Highest total minus lowest total")),
        Column(tr("z rank"), lambda r: r.rank_z, align_right=True,
               heading_tip=tr("Rank by z-score (per judge)")),
        Column(tr("z score"), lambda r: r.stats.z_display, align_right=True,
               heading_tip=tr("Mean of the per-judge z-scores, on 0–100 (50 is a judge's "
                              "average)")),
        Column(tr("Flags"), lambda r: r.flags, tone=lambda r: WARN if r.flags else None,
               tooltip=lambda r: text_of(r.flags),
               heading_tip=tr("Why the judges disagree, when they do")),
        Column(tr("Missing"), lambda r: tuple(j.name for j in r.missing),
               tone=lambda r: BAD if r.missing else None,
               tooltip=lambda r: text_of(tuple(j.name for j in r.missing)),
               heading_tip=tr("Judges whose review has not come in")),
        Column(tr("Conflicted"), lambda r: tuple(j.name for j in r.conflicted),
               tooltip=lambda r: text_of(tuple(j.name for j in r.conflicted)),
               heading_tip=tr("Judges with a conflict of interest")),
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
        Column(tr("Spread"), lambda j: j.stats.spread if j.stats else None, align_right=True,
               heading_tip=tr("Standard deviation of the judge's totals")),
        Column(tr("Leniency"),
               lambda j: j.stats.leniency if j.stats else None, align_right=True,
               tone=lambda j: WARN if j.stats and j.stats.leniency is not None
               and abs(j.stats.leniency) >= 10 else None,
               heading_tip=tr("Leniency (+ kinder, − harsher): points above or below the "
                              "other judges on the same applications")),
        Column(tr("Offset"), lambda j: j.offset.offset if j.offset else None,
               align_right=True,
               tooltip=lambda j: tr("Estimated leniency in points, standard error {se:.1f}; "
                                    "the adjusted scores take it out").format(se=j.offset.se)
               if j.offset and j.offset.se is not None else "",
               heading_tip=tr("Offset (model): the judge's leniency as the adjusted scores "
                              "estimate it, in points")),
    ]
