"""Plain data every report is drawn from, and the statistics derived from it.

Why a separate layer: rendering must be testable without a database, and the
reports must never run a query of their own half-way through a PDF. ``gather``
(in ``gather.py``) reads a workspace once into a :class:`ReportData`; the
report modules only read these frozen objects.

Why the numbers cannot disagree with the app: nothing is computed here. ``gather``
takes the counted reviews, the conflicted pairs and the round's applications from
``staff.results.round_reviews`` and every statistic, ranking and funding line from
the leaderboard (``staff.decide.leaderboard.compute_all``, :class:`Standings`), the
one ranking computation in the product; the reports only print them.

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
from judgepanel.model.scoring.funding import FundingLine
from judgepanel.model.scoring.ranking import DEFAULT_BASIS, Basis
from judgepanel.model.staff.decide.decisions import DecisionInfo
from judgepanel.model.staff.settings import Outcome


@dataclass(frozen=True)
class ReportOptions:
    """Choices that change what a report shows; defaults are the cautious ones."""

    name_judges: bool = False  # dossier/activity: real names instead of Judge A, B, ...
    feedback_scores: bool = False  # applicant feedback may show scores
    feedback_judge_names: bool = False  # applicant feedback may name judges
    feedback_outcome: bool = False  # applicant feedback may say the panel's decision
    # Comments of results files before version 3 (written for the panel) count as
    # feedback for the applicant (``feedback.legacy_comments_to_applicant``).
    legacy_comments_to_applicant: bool = False
    basis: Basis = DEFAULT_BASIS  # which ranking leads the ranking report
    selected: tuple[str, ...] | None = None  # compendium: these applications
    summary_field: str | None = None  # compendium: the form field with the summary
    compendium_top: int = 10  # compendium fallback: no decision, nothing awarded
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
class JudgeProfile:
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
    comments: Mapping[str, str] = field(default_factory=dict)  # for the panel
    overall_comment: str = ""  # for the panel
    confidence: int | None = None
    # For the applicant (results format 3; an older file's comments when the program
    # says so: ``ReportOptions.legacy_comments_to_applicant``). Never the panel's texts.
    feedback: Mapping[str, str] = field(default_factory=dict)
    overall_feedback: str = ""


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
class IssuedBundleInfo:
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
class ReportCategory:
    key: str
    name: str
    budget: Decimal | None = None


@dataclass(frozen=True)
class Standings:
    """What the leaderboard computed for the round: the numbers every report prints.

    Keys: applications by reference, judges by their string id, rankings by
    (basis, category key or None for overall), funding lines by category key or None.
    """

    applications: Mapping[str, stats_mod.ApplicationStats] = field(default_factory=dict)
    judges: Mapping[str, stats_mod.JudgeStats] = field(default_factory=dict)
    alpha: float | None = None
    rankings: Mapping[tuple[str, str | None], ranking_mod.Ranking] = field(default_factory=dict)
    funding: Mapping[str | None, FundingLine] = field(default_factory=dict)


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
    judges: tuple[JudgeProfile, ...] = ()
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
    # (application, judge, reason): the judge said they are unable to review it (for
    # another reason than a conflict): a missing review, with its reason
    unable: tuple[tuple[str, str, str], ...] = ()
    results: tuple[ResultsInfo, ...] = ()
    bundles: tuple[IssuedBundleInfo, ...] = ()
    audit: tuple[AuditInfo, ...] = ()
    audit_problems: tuple[str, ...] = ()
    categories: tuple[ReportCategory, ...] = ()
    budget: Decimal | None = None  # the round's budget (grants)
    due_at: dt.datetime | None = None
    blind: bool = False
    disagreement: ranking_mod.DisagreementRule = field(
        default_factory=ranking_mod.DisagreementRule
    )
    options: ReportOptions = field(default_factory=ReportOptions)
    standings: Standings = field(default_factory=Standings)
    # The panel's decisions (``decide.decisions``) by application ref, and the program's
    # outcome list, best first.
    decisions: Mapping[str, DecisionInfo] = field(default_factory=dict)
    outcomes: tuple[Outcome, ...] = ()

    # --- lookups ---------------------------------------------------------------

    @cached_property
    def app(self) -> Mapping[str, AppInfo]:
        return {a.ref: a for a in self.applications}

    @cached_property
    def judge(self) -> Mapping[str, JudgeProfile]:
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

    # --- the leaderboard's numbers ----------------------------------------------------

    @property
    def complete_reviews(self) -> int:
        """How many counted reviews have every counting criterion scored."""
        return sum(1 for r in self.reviews if r.total is not None)

    @cached_property
    def conflicted_pairs(self) -> frozenset[tuple[str, str]]:
        """(judge, application) pairs whose scores must never count (the model's decision)."""
        return frozenset(self.conflicted)

    @cached_property
    def undecided_pairs(self) -> frozenset[tuple[str, str]]:
        """Pairs under an open finding whose review counts until staff decide."""
        return frozenset(self.undecided)

    def ranking(self, basis: Basis | None = None, category: str | None = None) -> (
        ranking_mod.Ranking
    ):
        """The leaderboard's ranking overall, or of one category (by name)."""
        key = None if category is None else self.category_key(category)
        return self.standings.rankings[(basis or self.options.basis, key)]

    def funding(self, category: str | None = None) -> FundingLine | None:
        """The leaderboard's funding line (on the lead basis), overall or of one category."""
        key = None if category is None else self.category_key(category)
        return self.standings.funding.get(key)

    def category_key(self, name: str) -> str:
        for category in self.categories:
            if category.name == name:
                return category.key
        raise KeyError(name)


def letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet-style labels for any number of judges."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out
