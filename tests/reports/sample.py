"""A small, realistic round as plain report data (no database), for rendering tests.

Numbers are chosen so that the expected ranking can be worked out by hand:
four judges, six applications, two criteria (impact weight 3, feasibility
weight 1, both 1..5), one declared conflict whose scores must never appear,
and one open (undecided) screening finding whose judge's review still counts,
as the model's rule says (``gather`` fills ``conflicted``/``undecided`` from it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from judgepanel.model.scoring.funding import FundingLine, funding_line
from judgepanel.model.scoring.ranking import BASES, DisagreementRule, Ranking, rank
from judgepanel.model.scoring.statistics import ScoredReview, panel_stats
from judgepanel.reports.data import (
    AppInfo,
    AuditInfo,
    ConflictInfo,
    CriterionInfo,
    DeclarationInfo,
    IssuedBundleInfo,
    JudgeProfile,
    ReportCategory,
    ReportData,
    ReportOptions,
    ResultsInfo,
    ReviewInfo,
    Standings,
)

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
CRITERIA = (
    CriterionInfo("impact", "Impact on the community", 3, 1, 5, 1, True),
    CriterionInfo("feasibility", "Feasibility", 1, 1, 5, 1, True),
)
APPS = (
    AppInfo("REC-001", "Bicycle lanes for Łódź", "Miasto Łódź", "Łódź", ("Mobility",),
            Decimal("50000"), summary="Protected lanes on four arteries, built with residents."),
    AppInfo("REC-002", "Favela solar cooperative", "Cooperativa Sol", "São Paulo", ("Energy",),
            Decimal("80000"), summary="Rooftop solar owned by the neighbourhood."),
    AppInfo("REC-003", "Zoë's river clean-up", "Friends of the River & Co <Ltd>", "Gent",
            ("Energy", "Mobility"), Decimal("30000"), summary="Volunteers cleared 12 km of banks."),
    AppInfo("REC-004", "José's heat shelters", "Ayuntamiento", "Sevilla", ("Energy",),
            Decimal("60000")),
    AppInfo("REC-005", "Tram night service", "Transit Authority", "Porto", ("Mobility",),
            Decimal("40000")),
    AppInfo("REC-006", "Community gardens", "Green Roots", "Kraków", ("Mobility",),
            Decimal("20000")),
)
JUDGES = (
    JudgeProfile("1", "Zoë Kowalska", "Judge"),
    JudgeProfile("2", "José Álvarez", "Judge"),
    JudgeProfile("3", "Ana Łukasik", "Judge"),
    JudgeProfile("4", "Bob Smith", "Judge"),
)
# (judge, app, impact, feasibility); totals = (3*(i-1)/4*100 + (f-1)/4*100)/4
SCORES = (
    ("1", "REC-001", 5, 4), ("2", "REC-001", 4, 4), ("3", "REC-001", 5, 5),
    ("1", "REC-002", 2, 3), ("2", "REC-002", 5, 5), ("4", "REC-002", 3, 2),
    ("1", "REC-003", 4, 4), ("3", "REC-003", 4, 3), ("4", "REC-003", 4, 4),
    ("2", "REC-004", 3, 3), ("3", "REC-004", 2, 2), ("4", "REC-004", 2, 3),
    ("1", "REC-005", 1, 2), ("2", "REC-005", 2, 1),
)
SECRET_COMMENT = "CONFLICTED-SCORE-MUST-NOT-APPEAR"


def total(impact: float, feasibility: float) -> float:
    return (3 * (impact - 1) / 4 * 100 + (feasibility - 1) / 4 * 100) / 4


def reviews() -> tuple[ReviewInfo, ...]:
    out = []
    for judge, app, i, f in SCORES:
        comments = {"impact": f"Impact note by judge {judge} on {app}: Zoë liked it."}
        feedback = {"impact": f"Feedback on impact by judge {judge} for {app}."}
        out.append(ReviewInfo(app, judge, total(i, f), {"impact": i, "feasibility": f},
                              comments, overall_comment=f"Overall view of {app} from {judge}.",
                              confidence=3, feedback=feedback,
                              overall_feedback=f"Overall feedback for {app} from {judge}."))
    # An incomplete review (feasibility missing): shown in the dossier, not in statistics.
    out.append(ReviewInfo("REC-006", "3", None, {"impact": 4}, {}, "Unfinished."))
    return tuple(out)


def with_standings(data: ReportData) -> ReportData:
    """``data`` with the numbers the leaderboard would give it, from the model's own
    statistics, ranking and funding functions (in the product only the leaderboard
    computes them; plain report data for rendering needs them computed here)."""
    complete = [ScoredReview(r.application, r.judge, r.total, dict(r.scores))
                for r in data.reviews if r.total is not None]
    panel = panel_stats(complete, assigned=data.assignments, conflicts=data.conflicted_pairs,
                        applications=[a.ref for a in data.applications])
    rankings: dict[tuple[str, str | None], Ranking] = {}
    funding: dict[str | None, FundingLine] = {}
    scopes: list[tuple[str | None, list[str] | None, Decimal | None]] = [
        (None, None, data.budget)]
    scopes += [(c.key, [a.ref for a in data.applications if c.name in a.categories], c.budget)
               for c in data.categories]
    for key, only, budget in scopes:
        for basis in BASES:
            rankings[(basis, key)] = rank(panel.applications, basis=basis,  # type: ignore[arg-type]
                                          tie_break=data.tie_break,
                                          disagreement=data.disagreement, only=only,
                                          category=key)
        if budget is not None:
            lead = rankings[(data.options.basis, key)]
            ranked = [(r.application_id, data.app[r.application_id].requested or Decimal(0))
                      for r in lead.rows]
            awards = {ref: a for ref, _ in ranked if (a := data.app[ref].awarded) is not None}
            funding[key] = funding_line(ranked, budget, awards)
    return dataclasses.replace(data, standings=Standings(
        panel.applications, panel.judges, panel.alpha, rankings, funding))


def sample(**options: object) -> ReportData:
    return with_standings(ReportData(
        program="Mayors' Recognition — Zoë & José prize",
        round_name="Round 1: Łódź–São Paulo shortlist",
        round_number=1,
        currency="EUR",
        rubric_name="Standard rubric",
        tie_break="impact",
        criteria=CRITERIA,
        applications=APPS,
        judges=JUDGES,
        reviews=reviews(),
        assignments=tuple((j, a) for j, a, _, _ in SCORES)
        + (("4", "REC-001"), ("3", "REC-006"), ("4", "REC-005")),
        conflicts=(
            ConflictInfo("4", "REC-001", "declared", "confirmed", ("Board member of Miasto Łódź",),
                         detected_at=T0, decided_by="staff", decided_at=T0),
            ConflictInfo("2", "REC-006", "detected", "dismissed", ("Same city",),
                         note="Different district", detected_at=T0, decided_by="Zoë",
                         decided_at=T0),
            ConflictInfo("1", "REC-003", "detected", "open", ("Same email domain: gent.be",),
                         detected_at=T0),
        ),
        conflicted=(("4", "REC-001"),),
        undecided=(("1", "REC-003"),),
        not_counted=(("REC-005", "4", "its scores do not fit the rubric"),),
        declarations=(
            DeclarationInfo("4", "REC-001", True, "I sit on the board.", T0, 1),
            DeclarationInfo("1", "REC-001", False, "", T0, 2),
        ),
        results=(
            ResultsInfo("1", "b-1", 1, "accepted", T0 + dt.timedelta(days=3)),
            ResultsInfo("1", "b-1", 2, "accepted", T0 + dt.timedelta(days=4)),
            ResultsInfo("2", "b-2", 1, "accepted", T0 + dt.timedelta(days=5)),
            ResultsInfo("3", "b-3", 1, "accepted", T0 + dt.timedelta(days=9)),
            ResultsInfo("4", "b-4", 1, "refused", T0 + dt.timedelta(days=6),
                        refusal="This results file was already received (replay)."),
        ),
        bundles=tuple(IssuedBundleInfo(j.id, f"b-{j.id}", T0, T0 + dt.timedelta(days=7))
                      for j in JUDGES),
        audit=tuple(AuditInfo(i + 1, T0 + dt.timedelta(hours=i), "staff", a,
                              '{"program": "Zoë"}', f"{i:064x}")
                    for i, a in enumerate(("workspace.created", "round.added", "judge.enrolled"))),
        categories=(ReportCategory("mobility", "Mobility", Decimal("75000")),
                    ReportCategory("energy", "Energy", None)),
        budget=Decimal("150000"),
        due_at=T0 + dt.timedelta(days=7),
        disagreement=DisagreementRule(max_range=40),
        options=ReportOptions(**options),  # type: ignore[arg-type]
    ))
