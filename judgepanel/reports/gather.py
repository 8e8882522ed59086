"""Read one round of a staff workspace into a :class:`ReportData`, in one pass.

Which reviews count is not decided here: it comes from
``model.round_reviews.load_round_reviews``, the rule the leaderboard, the
shortlist and the exports use too (docs/scoring.md, section 2), so a PDF can
never show other numbers than the app or the CLI. In short: the newest
accepted results file of the round per judge and application; a review is
left out when the judge declared a conflict in that file or staff confirmed
one; an *open* (undecided) finding does not remove the review, it is listed
for staff to decide. The applications are the round's
(``rounds.round_applications``, plus any assigned or reviewed outside it, as
``round_reviews`` keeps them). Disagreement limits are
``model.leaderboard.disagreement_rule``. This module only adds what reports
print and the model does not carry: addresses, summaries, roles, the
conflict register, results files, bundles and the audit log.

Program settings read here (declared in ``model.staff.settings``; see
docs/reports.md): the ranking basis, the summary field (matched to the form's field
names without regard to case, accents or spacing), and whether reports name
judges and show applicants scores, judge names or the panel's decision, which set the
defaults of :class:`ReportOptions`. The disagreement limits are read by the
leaderboard's rule. The panel's decisions and the outcome list come from
``decide.decisions``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from judgepanel.model.scoring.funding import FundingLine
from judgepanel.model.scoring.ranking import Ranking
from judgepanel.model.staff import audit as audit_mod
from judgepanel.model.staff.decide.decisions import load_decisions, outcomes
from judgepanel.model.staff.decide.leaderboard import RoundBoards, compute_all
from judgepanel.model.staff.prepare.rounds import find_round, round_applications
from judgepanel.model.staff.results.feedback import Feedback, applicant_feedback
from judgepanel.model.staff.results.round_reviews import RoundReviews, load_round_reviews
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.program import Application, Conflict, Judge, Program, Round
from judgepanel.model.staff.schema.results import Declaration, IssuedBundle, ReceivedResults
from judgepanel.model.staff.settings import (
    FEEDBACK_LEGACY_COMMENTS,
    RANKING_BASIS,
    REPORTS_FEEDBACK_JUDGE_NAMES,
    REPORTS_FEEDBACK_OUTCOME,
    REPORTS_FEEDBACK_SCORES,
    REPORTS_NAME_JUDGES,
    SUMMARY_FIELD,
    setting_value,
)
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
from judgepanel.text import fold_accents, natural_key

SUMMARY_FIELDS = ("summary", "abstract", "practice_summary", "description")
AUDIT_DETAIL_CHARS = 240


def options_from_settings(program: Program, **overrides: Any) -> ReportOptions:
    """The program's report defaults (``staff.settings``), with explicit choices (not None)
    on top."""
    base: dict[str, Any] = {
        "summary_field": setting_value(program, SUMMARY_FIELD),
        "name_judges": setting_value(program, REPORTS_NAME_JUDGES),
        "feedback_scores": setting_value(program, REPORTS_FEEDBACK_SCORES),
        "feedback_judge_names": setting_value(program, REPORTS_FEEDBACK_JUDGE_NAMES),
        "legacy_comments_to_applicant": setting_value(program, FEEDBACK_LEGACY_COMMENTS),
        "feedback_outcome": setting_value(program, REPORTS_FEEDBACK_OUTCOME),
        "basis": setting_value(program, RANKING_BASIS),
    }
    base.update({k: v for k, v in overrides.items() if v is not None})
    return ReportOptions(**base)


def gather(
    session: Session,
    program: Program,
    round_number: int | None = None,
    options: ReportOptions | None = None,
) -> ReportData:
    """Everything the reports need about one round (the latest if not given)."""
    round_ = find_round(session, program, round_number)
    options = options or options_from_settings(program)
    counted = load_round_reviews(session, round_)
    boards = compute_all(session, round_, basis=options.basis)
    summary_keys = (options.summary_field, *SUMMARY_FIELDS)

    rows = _application_rows(session, round_, counted)
    ref_of = {app_id: info.ref for app_id, info in counted.apps.items()}
    category_name = {c.key: c.name for c in counted.categories}
    judges = list(
        session.scalars(select(Judge).where(Judge.program_id == program.id).order_by(Judge.id))
    )
    bundles = list(
        session.scalars(
            select(IssuedBundle).where(IssuedBundle.round_id == round_.id).order_by(IssuedBundle.id)
        )
    )
    bundle_ids = {b.id: b.bundle_id for b in bundles}
    results = list(
        session.scalars(
            select(ReceivedResults)
            .join(IssuedBundle, ReceivedResults.issued_bundle_id == IssuedBundle.id)
            .where(IssuedBundle.round_id == round_.id)
            .order_by(ReceivedResults.received_at, ReceivedResults.id)
        )
    )
    sequence_of = {r.id: r.sequence for r in results}
    declarations = list(
        session.scalars(
            select(Declaration)
            .where(Declaration.results_id.in_(list(sequence_of)))
            .order_by(Declaration.declared_at, Declaration.id)
        )
    )
    # The register lists every finding on an application this round holds, whoever the
    # judge; which of them keep scores out is the model's ``conflicted`` set.
    conflicts = list(
        session.scalars(
            select(Conflict)
            .join(Judge)
            .where(Judge.program_id == program.id, Conflict.application_id.in_(list(ref_of)))
            .order_by(Conflict.detected_at, Conflict.id)
        )
    )
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))

    def pairs(found: Iterable[tuple[int, int]]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((str(j), ref_of[a]) for j, a in found if a in ref_of))

    return ReportData(
        program=program.name,
        description=program.description,
        currency=program.currency,
        round_name=round_.name,
        round_number=round_.number,
        rubric_name=counted.rubric.name,
        tie_break=counted.rubric.tie_break,
        criteria=tuple(
            CriterionInfo(c.key, c.title, c.weight, c.min, c.max, c.step, c.counts)
            for c in counted.rubric.criteria
        ),
        applications=tuple(
            AppInfo(
                ref=info.ref,
                title=info.title,
                organisation=info.organisation,
                city=rows[app_id].city,
                categories=tuple(category_name[k] for k in info.categories),
                requested=info.requested,
                awarded=info.awarded,
                summary=_summary(rows[app_id].fields or {}, summary_keys),
                contact_name=rows[app_id].contact_name,
            )
            for app_id, info in sorted(counted.apps.items(), key=lambda kv: natural_key(
                kv[1].ref))
        ),
        judges=tuple(JudgeProfile(str(j.id), j.name, j.role, j.organisation) for j in judges),
        reviews=_reviews(counted, applicant_feedback(
            session, [r for r in counted.reviews.values() if r.counted],
            legacy=options.legacy_comments_to_applicant)),
        assignments=pairs(counted.assigned),
        conflicted=pairs(counted.conflicted),
        undecided=pairs(counted.open_pairs),
        not_counted=tuple(sorted(
            (r.application.ref, str(r.judge.id), r.excluded)
            for pair, r in counted.reviews.items()
            if not r.counted and pair not in counted.conflicted
        )),
        unable=tuple(sorted((counted.apps[a].ref, str(j), reason)
                            for (j, a), reason in counted.unable.items() if a in counted.apps)),
        conflicts=tuple(
            ConflictInfo(
                judge=str(c.judge_id),
                application=ref_of[c.application_id],
                source=c.source,
                status=c.status,
                reasons=tuple(c.reasons or ()),
                note=c.note,
                detected_at=c.detected_at,
                decided_by=c.decided_by or "",
                decided_at=c.decided_at,
            )
            for c in conflicts
        ),
        declarations=tuple(
            DeclarationInfo(
                judge=str(d.judge_id),
                application=ref_of.get(d.application_id, str(d.application_id)),
                conflict=d.conflict,
                reason=d.reason,
                declared_at=d.declared_at,
                sequence=sequence_of.get(d.results_id or 0),
            )
            for d in declarations
        ),
        results=tuple(
            ResultsInfo(
                judge=None if r.judge_id is None else str(r.judge_id),
                bundle_id=bundle_ids.get(r.issued_bundle_id or 0, ""),
                sequence=r.sequence,
                status=r.status,
                received_at=r.received_at,
                file_name=r.file_name,
                refusal=r.refusal_message or "",
            )
            for r in results
        ),
        bundles=tuple(
            IssuedBundleInfo(str(b.judge_id), b.bundle_id, b.created_at, b.due_at, b.superseded)
            for b in bundles
        ),
        audit=tuple(_audit_info(e) for e in events),
        audit_problems=tuple(str(p) for p in audit_mod.check(session)),
        categories=tuple(ReportCategory(c.key, c.name, c.budget) for c in counted.categories),
        budget=counted.budget,
        due_at=round_.due_at,
        blind=round_.is_blind,
        disagreement=boards.overall.disagreement,
        options=options,
        standings=_standings(boards),
        decisions=load_decisions(session, round_),
        outcomes=outcomes(session, round_),
    )


def _standings(boards: RoundBoards) -> Standings:
    """The leaderboard's numbers, as the reports key them."""
    overall = boards.overall
    rankings: dict[tuple[str, str | None], Ranking] = {
        (basis, None): ranking for basis, ranking in overall.rankings.items()}
    funding: dict[str | None, FundingLine] = {}
    if overall.funding is not None:
        funding[None] = overall.funding
    for key, board in boards.by_category.items():
        rankings.update(((basis, key), ranking) for basis, ranking in board.rankings.items())
        if board.funding is not None:
            funding[key] = board.funding
    return Standings(
        applications={row.application.ref: row.stats for row in overall.rows},
        judges={str(row.judge.id): row.stats for row in overall.judges if row.stats},
        alpha=overall.alpha, rankings=rankings, funding=funding)


def _application_rows(session: Session, round_: Round,
                      counted: RoundReviews) -> dict[int, Application]:
    """The ORM rows of the applications ``round_reviews`` put in the round (for their fields).

    ``round_applications`` is the round's membership; ``round_reviews`` may add one
    assigned or reviewed outside it, which is fetched here so its review is not lost.
    """
    rows = {a.id: a for a in round_applications(session, round_) if a.id in counted.apps}
    extra = sorted(set(counted.apps) - set(rows))
    if extra:
        rows.update((a.id, a) for a in session.scalars(
            select(Application).where(Application.id.in_(extra))
            .options(selectinload(Application.categories))))
    return rows


def _reviews(counted: RoundReviews, feedback: Feedback) -> tuple[ReviewInfo, ...]:
    """The reviews that count, by application then judge; the others never reach a report."""
    none: tuple[dict[str, str], str] = ({}, "")
    out = [
        ReviewInfo(
            application=record.application.ref,
            judge=str(record.judge.id),
            total=record.total,
            scores=dict(record.scores),
            comments=dict(record.comments),
            overall_comment=record.overall_comment,
            confidence=record.confidence,
            feedback=feedback.get((record.results_id, record.application.id), none)[0],
            overall_feedback=feedback.get((record.results_id, record.application.id),
                                          none)[1],
        )
        for record in counted.reviews.values()
        if record.counted
    ]
    return tuple(sorted(out, key=lambda r: (r.application, int(r.judge))))


def field_key(name: str) -> str:
    """A form field's name as the compendium matches it: case, accents, spaces and
    punctuation aside ("Practice summary", "practice_summary" and "PRACTICE SUMMARY" agree)."""
    return "".join(ch for ch in fold_accents(name).casefold() if ch.isalnum())


def _summary(fields: dict[str, Any], keys: tuple[Any, ...]) -> str:
    by_key: dict[str, Any] = {}
    for name, value in fields.items():
        by_key.setdefault(field_key(str(name)), value)
    for key in keys:
        value = by_key.get(field_key(key)) if isinstance(key, str) and key.strip() else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _audit_info(event: AuditEvent) -> AuditInfo:
    details = json.dumps(event.details, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    if len(details) > AUDIT_DETAIL_CHARS:
        details = details[: AUDIT_DETAIL_CHARS - 1] + "…"
    return AuditInfo(event.seq, event.at, event.actor, event.action, details, event.hash)
