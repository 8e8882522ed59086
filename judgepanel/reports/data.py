"""Plain data every report is drawn from, and the statistics derived from it.

Why a separate layer: rendering must be testable without a database, and the
reports must never run a query of their own half-way through a PDF. ``gather``
(in ``gather.py``) reads a workspace once into a :class:`ReportData`; the
report modules only read these frozen objects.

Why the numbers cannot disagree with the app: which reviews count is not
decided here. ``gather`` takes the counted reviews, the conflicted pairs and
the round's applications from ``model.round_reviews`` (the same source as the
leaderboard, the shortlist and the exports), and the disagreement limits from
``model.leaderboard.disagreement_rule``. The statistics below then go through
the same model functions the leaderboard uses (``model.stats``,
``model.ranking``, ``model.funding``), with the same inputs.

Identifiers: applications are keyed by their reference ("REC-2026-014"),
judges by a string id. Judges are shown as "Judge A", "Judge B", ... in
enrolment order unless the program chose to name them (``name_judges``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from judgepanel.model.scoring import ranking as ranking_mod
from judgepanel.model.scoring import statistics as stats_mod
from judgepanel.model.scoring.funding import FundingLine, funding_line
from judgepanel.model.scoring.ranking import DEFAULT_BASIS, Basis


@dataclass(frozen=True)
class ReportOptions:
    """Choices that change what a report shows; defaults are the cautious ones."""

    name_judges: bool = False  # dossier/activity: real names instead of Judge A, B, ...
    feedback_scores: bool = False  # applicant feedback may show scores
    feedback_judge_names: bool = False  # applicant feedback may name judges
    basis: Basis = DEFAULT_BASIS  # which ranking leads the ranking report
    selected: tuple[str, ...] | None = None  # compendium: these applications
    compendium_top: int = 10  # compendium fallback when nothing was awarded
    generated_at: dt.datetime | None = None  # printed date; None prints none
    author: str = "JudgePanel"
    applications: tuple[str, ...] | None = None  # dossier/feedback: only these


@dataclass(frozen=True)
class CriterionInfo:
    key: str
    title: str
    weight: float
    min: float
    max: float
    step: float
    counts: bool


@dataclass(frozen=True)
class AppInfo:
    ref: str
    title: str
    organisation: str = ""
    city: str = ""
    categories: tuple[str, ...] = ()  # category names
    requested: Decimal | None = None
    awarded: Decimal | None = None
    summary: str = ""  # for the compendium: the application's own summary text
    contact_name: str = ""


@dataclass(frozen=True)
class JudgeInfo:
    id: str
    name: str
    role: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class ReviewInfo:
    """One judge's review that counts (conflicted or unusable reviews never get here)."""

    application: str
    judge: str
    total: float | None  # None when a counting criterion is unscored
    scores: Mapping[str, float] = field(default_factory=dict)
    comments: Mapping[str, str] = field(default_factory=dict)
    overall_comment: str = ""
    confidence: int | None = None


@dataclass(frozen=True)
class ConflictInfo:
    judge: str
    application: str
    source: str  # "detected" | "declared" | "staff"
    status: str  # "open" | "confirmed" | "dismissed"
    reasons: tuple[str, ...]
    note: str = ""
    detected_at: dt.datetime | None = None
    decided_by: str = ""
    decided_at: dt.datetime | None = None


@dataclass(frozen=True)
class DeclarationInfo:
    judge: str
    application: str
    conflict: bool
    reason: str
    declared_at: dt.datetime | None
    sequence: int | None = None


@dataclass(frozen=True)
class ResultsInfo:
    judge: str | None
    bundle_id: str
    sequence: int | None
    status: str  # "accepted" | "refused"
    received_at: dt.datetime
    file_name: str = ""
    refusal: str = ""


@dataclass(frozen=True)
class BundleInfo:
    judge: str
    bundle_id: str
    created_at: dt.datetime | None
    due_at: dt.datetime | None
    superseded: bool = False


@dataclass(frozen=True)
class AuditInfo:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    details: str
    hash: str


@dataclass(frozen=True)
class CategoryInfo:
    key: str
    name: str
    budget: Decimal | None = None


@dataclass(frozen=True)
class ReportData:
    """Everything about one round of one program that any report shows."""

    program: str
    round_name: str
    round_number: int
    currency: str = "USD"
    description: str = ""
    rubric_name: str = ""
    tie_break: str | None = None  # criterion key
    criteria: tuple[CriterionInfo, ...] = ()
    applications: tuple[AppInfo, ...] = ()
    judges: tuple[JudgeInfo, ...] = ()
    reviews: tuple[ReviewInfo, ...] = ()
    assignments: tuple[tuple[str, str], ...] = ()  # (judge, application)
    conflicts: tuple[ConflictInfo, ...] = ()  # findings and decisions (the register's view)
    declarations: tuple[DeclarationInfo, ...] = ()
    # Decided by the model (``RoundReviews``), not re-derived from the lists above:
    conflicted: tuple[tuple[str, str], ...] = ()  # (judge, application): scores never count
    undecided: tuple[tuple[str, str], ...] = ()  # open finding, the judge's review counts
    # (application, judge, why): a current review the model does not count for another
    # reason than a conflict (its scores no longer fit the rubric)
    not_counted: tuple[tuple[str, str, str], ...] = ()
    results: tuple[ResultsInfo, ...] = ()
    bundles: tuple[BundleInfo, ...] = ()
    audit: tuple[AuditInfo, ...] = ()
    audit_problems: tuple[str, ...] = ()
    categories: tuple[CategoryInfo, ...] = ()
    budget: Decimal | None = None  # the round's budget (grants)
    due_at: dt.datetime | None = None
    blind: bool = False
    disagreement: ranking_mod.DisagreementRule = field(
        default_factory=ranking_mod.DisagreementRule
    )
    options: ReportOptions = field(default_factory=ReportOptions)

    # --- lookups ---------------------------------------------------------------

    @cached_property
    def app(self) -> Mapping[str, AppInfo]:
        return {a.ref: a for a in self.applications}

    @cached_property
    def judge(self) -> Mapping[str, JudgeInfo]:
        return {j.id: j for j in self.judges}

    @cached_property
    def criterion(self) -> Mapping[str, CriterionInfo]:
        return {c.key: c for c in self.criteria}

    @cached_property
    def judge_labels(self) -> Mapping[str, str]:
        """How each judge is shown: "Judge A", ... in enrolment order, or the name."""
        if self.options.name_judges:
            return {j.id: j.name for j in self.judges}
        return {j.id: f"Judge {letters(i)}" for i, j in enumerate(self.judges)}

    def judge_label(self, judge_id: str | None) -> str:
        if judge_id is None:
            return "unknown sender"
        return self.judge_labels.get(judge_id, f"Judge {judge_id}")

    def judge_name(self, judge_id: str | None) -> str:
        """Real name (for staff-only registers such as conflicts and activity)."""
        info = self.judge.get(judge_id or "")
        return info.name if info else self.judge_label(judge_id)

    @property
    def is_grant(self) -> bool:
        return self.budget is not None or any(c.budget is not None for c in self.categories)

    # --- statistics ----------------------------------------------------------------

    @cached_property
    def complete_reviews(self) -> tuple[stats_mod.Review, ...]:
        return tuple(
            stats_mod.Review(r.application, r.judge, r.total, dict(r.scores))
            for r in self.reviews
            if r.total is not None
        )

    @cached_property
    def conflicted_pairs(self) -> frozenset[tuple[str, str]]:
        """(judge, application) pairs whose scores must never count (the model's decision)."""
        return frozenset(self.conflicted)

    @cached_property
    def undecided_pairs(self) -> frozenset[tuple[str, str]]:
        """Pairs under an open finding whose review counts until staff decide."""
        return frozenset(self.undecided)

    @cached_property
    def panel(self) -> stats_mod.PanelStats:
        return stats_mod.panel_stats(
            self.complete_reviews,
            assigned=self.assignments,
            conflicts=self.conflicted_pairs,
            applications=[a.ref for a in self.applications],
        )

    def ranking(self, basis: Basis | None = None, category: str | None = None) -> (
        ranking_mod.Ranking
    ):
        """The ranking overall, or of one category (by name)."""
        only = None
        if category is not None:
            only = [a.ref for a in self.applications if category in a.categories]
        return ranking_mod.rank(
            self.panel.applications,
            basis=basis or self.options.basis,
            tie_break=self.tie_break,
            disagreement=self.disagreement,
            only=only,
            category=category,
        )

    def funding(self, ranking: ranking_mod.Ranking, budget: Decimal) -> FundingLine:
        """The funding line down ``ranking``; every award staff set is taken as given."""
        ranked = [
            (r.application_id, self.app[r.application_id].requested or Decimal(0))
            for r in ranking.rows
        ]
        overrides = {
            ref: awarded for ref, _ in ranked if (awarded := self.app[ref].awarded) is not None
        }
        return funding_line(ranked, budget, overrides)


def letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet-style labels for any number of judges."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out
