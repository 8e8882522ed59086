"""When is a normalised basis (adjusted or z) weak? Plain-words warnings for the board.

Thresholds come from the simulation benchmark (bench/bench_simulation.py, table
in docs/scoring.md):

- z divides by each judge's own SD: below about 20 reviews per judge that SD is
  noisy, and simulated z fell below raw with 2 to 8 reviews per judge. A judge
  who saw only one category is compared with that category only, so z erases
  differences of quality between categories (simulated: 0.15 below raw).
- adjusted shrinks offsets by what the round knows: with few reviews per judge
  (median under 5) it corrects little and stays close to raw; it does no harm.
  Judges in several pieces that share no application are compared as raw means
  compare them (each piece's offsets sum to zero: judge_effects.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from judgepanel.model.scoring.judge_effects import JudgeEffects
from judgepanel.model.scoring.ranking import Basis
from judgepanel.model.scoring.statistics import median

Z_FEW_REVIEWS = 20  # median reviews per judge below which z is flagged
ADJUSTED_FEW_REVIEWS = 5  # ... below which the adjusted basis is flagged


@dataclass(frozen=True)
class BasisWarning:
    """``text`` in English for the exports and the command line; ``kind`` and ``values``
    let a screen say the same in its own words (translated)."""

    basis: Basis  # "adjusted" or "z"
    kind: str  # not_estimable | few_reviews | pieces | confined
    text: str
    values: Mapping[str, float] = field(default_factory=dict)


def reviews_per_judge(effects: JudgeEffects) -> tuple[int, ...]:
    """Each judge's number of counted reviews, smallest first."""
    return tuple(sorted(o.n for o in effects.offsets.values()))


def basis_warnings(effects: JudgeEffects,
                   judge_categories: Mapping[str, Sequence[str]] | None = None,
                   ) -> tuple[BasisWarning, ...]:
    """Warnings about the adjusted and z bases of a round.

    ``judge_categories`` maps a judge to the categories of the applications they
    reviewed (empty or None when the program has no categories).
    """
    counts = reviews_per_judge(effects)
    if not counts:
        return ()
    middle = median(counts)
    assert middle is not None
    out: list[BasisWarning] = []
    if not effects.estimable:
        out.append(BasisWarning("adjusted", "not_estimable", "No application has two "
                                "counted reviews, so "
                                "judge leniency cannot be estimated: the adjusted score is "
                                "the mean total."))
    elif middle < ADJUSTED_FEW_REVIEWS:
        out.append(BasisWarning("adjusted", "few_reviews", f"Judges have a median of "
                                f"{middle:g} reviews each: their leniency is uncertain, so "
                                "the adjusted scores correct little and stay close to the "
                                "mean totals.", {"median": middle}))
    if len(effects.pieces) > 1:
        big = sum(1 for p in effects.pieces if len(p.judges) > 1)
        out.append(BasisWarning("adjusted", "pieces", f"The judges form {len(effects.pieces)} "
                                f"groups that share no application ({big} with more than one "
                                "judge): adjusted scores compare within a group; between "
                                "groups they compare as the mean totals do.",
                                {"groups": len(effects.pieces), "big": big}))
    if middle < Z_FEW_REVIEWS:
        out.append(BasisWarning("z", "few_reviews", f"Judges have a median of {middle:g} "
                                "reviews each: z-scores need about 20 per judge, and with "
                                "fewer they rank less accurately than the mean totals.",
                                {"median": middle}))
    if judge_categories:
        used = {c for cats in judge_categories.values() for c in cats}
        confined = sum(1 for cats in judge_categories.values() if len(set(cats)) == 1)
        if len(used) > 1 and confined * 2 >= len(judge_categories):
            out.append(BasisWarning("z", "confined", f"{confined} of {len(judge_categories)} "
                                    "judges reviewed in one category only: their z-scores "
                                    "compare applications within that category, and erase "
                                    "any difference in quality between categories.",
                                    {"confined": confined, "judges": len(judge_categories)}))
    return tuple(out)
