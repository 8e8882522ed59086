"""Read one round of a staff workspace into a :class:`ReportData`, in one pass.

Which scores count: for each judge and application, the scores of the newest
accepted results file of this round that holds them (highest sequence, then
latest received). Refused files never count. A review whose judge has a
conflict with the application (declared by the judge, or a screening finding
staff confirmed or have not yet decided) is left out here, before any
statistic sees it; the dossier lists the conflict instead.

Program settings read here (``Program.settings``, all optional):
``disagreement_max_range`` / ``disagreement_max_sd`` (numbers),
``ranking_basis`` ("raw" | "normalised"), ``summary_field`` (the form field
holding an application's public summary), and ``reports`` = {``name_judges``,
``feedback_scores``, ``feedback_judge_names``} (booleans), which set the
defaults of :class:`ReportOptions`.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from judgepanel.errors import ValidationError
from judgepanel.model import audit as audit_mod
from judgepanel.model.entities import (
    Application,
    Assignment,
    AuditEvent,
    Conflict,
    Declaration,
    IssuedBundle,
    Judge,
    Program,
    ReceivedResults,
    Review,
    Round,
    Score,
)
from judgepanel.model.ranking import DisagreementRule
from judgepanel.model.rounds import rubric_for_round
from judgepanel.model.scoring import weighted_total
from judgepanel.reports.data import (
    AppInfo,
    AuditInfo,
    BundleInfo,
    CategoryInfo,
    ConflictInfo,
    CriterionInfo,
    DeclarationInfo,
    JudgeInfo,
    ReportData,
    ReportOptions,
    ResultsInfo,
    ReviewInfo,
)

SUMMARY_FIELDS = ("summary", "abstract", "practice_summary", "description")
AUDIT_DETAIL_CHARS = 240


def options_from_settings(program: Program, **overrides: Any) -> ReportOptions:
    """The program's report defaults, with explicit choices (not None) on top."""
    settings = dict(program.settings or {})
    reports = dict(settings.get("reports") or {})
    base: dict[str, Any] = {
        "name_judges": bool(reports.get("name_judges", False)),
        "feedback_scores": bool(reports.get("feedback_scores", False)),
        "feedback_judge_names": bool(reports.get("feedback_judge_names", False)),
    }
    if settings.get("ranking_basis") in ("raw", "normalised"):
        base["basis"] = settings["ranking_basis"]
    base.update({k: v for k, v in overrides.items() if v is not None})
    return ReportOptions(**base)


def find_round(session: Session, program: Program, number: int | None) -> Round:
    """The round by number, or the latest one."""
    query = select(Round).where(Round.program_id == program.id)
    if number is not None:
        query = query.where(Round.number == number)
    found = session.scalars(query.order_by(Round.number.desc())).first()
    if found is None:
        what = f"round {number}" if number is not None else "any round"
        raise ValidationError(
            f"This program has no {what} yet. Add a round before making reports.", path="round"
        )
    return found


def gather(
    session: Session,
    program: Program,
    round_number: int | None = None,
    options: ReportOptions | None = None,
) -> ReportData:
    """Everything the reports need about one round (the latest if not given)."""
    round_ = find_round(session, program, round_number)
    rubric = rubric_for_round(session, round_)
    options = options or options_from_settings(program)
    settings = dict(program.settings or {})

    apps = list(
        session.scalars(
            select(Application)
            .where(Application.program_id == program.id)
            .options(selectinload(Application.categories))
            .order_by(Application.ref)
        )
    )
    ref_of = {a.id: a.ref for a in apps}
    judges = list(
        session.scalars(select(Judge).where(Judge.program_id == program.id).order_by(Judge.id))
    )
    summary_keys = (settings.get("summary_field"), *SUMMARY_FIELDS)

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
    accepted = [r for r in results if r.status == "accepted"]
    # Newest first, so the first file seen for a (judge, application) pair wins.
    order = {
        r.id: rank
        for rank, r in enumerate(
            sorted(accepted, key=lambda r: (r.sequence or 0, r.received_at, r.id), reverse=True)
        )
    }
    judge_of = {r.id: r.judge_id for r in accepted}
    sequence_of = {r.id: r.sequence for r in results}

    scores: dict[tuple[int, int], dict[int, list[Score]]] = defaultdict(lambda: defaultdict(list))
    for s in session.scalars(select(Score).where(Score.results_id.in_(list(order)))):
        scores[(judge_of[s.results_id] or 0, s.application_id)][s.results_id].append(s)
    overall: dict[tuple[int, int], Review] = {
        (r.results_id, r.application_id): r
        for r in session.scalars(select(Review).where(Review.results_id.in_(list(order))))
    }
    declarations = list(
        session.scalars(
            select(Declaration)
            .where(Declaration.results_id.in_([r.id for r in results]))
            .order_by(Declaration.declared_at, Declaration.id)
        )
    )
    conflicts = list(
        session.scalars(
            select(Conflict)
            .join(Judge)
            .where(Judge.program_id == program.id)
            .order_by(Conflict.detected_at, Conflict.id)
        )
    )
    blocked = {(c.judge_id, c.application_id) for c in conflicts if c.status != "dismissed"}
    blocked |= {(d.judge_id, d.application_id) for d in declarations if d.conflict}

    reviews: list[ReviewInfo] = []
    for (judge_id, app_id), by_file in sorted(scores.items()):
        if (judge_id, app_id) in blocked or app_id not in ref_of:
            continue
        newest = min(by_file, key=lambda rid: order[rid])
        values = {s.criterion_key: s.value for s in by_file[newest]}
        comments = {s.criterion_key: s.comment for s in by_file[newest] if s.comment.strip()}
        review = overall.get((newest, app_id))
        try:
            total = weighted_total(rubric, values)
        except ValidationError:
            total = None
        reviews.append(
            ReviewInfo(
                application=ref_of[app_id],
                judge=str(judge_id),
                total=total,
                scores=values,
                comments=comments,
                overall_comment=review.overall_comment if review else "",
                confidence=review.confidence if review else None,
            )
        )

    assignments = session.execute(
        select(Assignment.judge_id, Assignment.application_id)
        .where(Assignment.round_id == round_.id)
        .order_by(Assignment.judge_id, Assignment.application_id)
    )
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    return ReportData(
        program=program.name,
        description=program.description,
        currency=program.currency,
        round_name=round_.name,
        round_number=round_.number,
        rubric_name=rubric.name,
        tie_break=rubric.tie_break,
        criteria=tuple(
            CriterionInfo(c.key, c.title, c.weight, c.min, c.max, c.step, c.counts)
            for c in rubric.criteria
        ),
        applications=tuple(
            AppInfo(
                ref=a.ref,
                title=a.title,
                organisation=a.organisation,
                city=a.city,
                categories=tuple(c.name for c in a.categories),
                requested=a.requested_amount,
                awarded=a.awarded_amount,
                summary=_summary(a.fields or {}, summary_keys),
                contact_name=a.contact_name,
            )
            for a in apps
        ),
        judges=tuple(
            JudgeInfo(str(j.id), j.name, j.role, j.organisation) for j in judges
        ),
        reviews=tuple(reviews),
        assignments=tuple(
            (str(j), ref_of[a]) for j, a in assignments if a in ref_of
        ),
        conflicts=tuple(
            ConflictInfo(
                judge=str(c.judge_id),
                application=ref_of.get(c.application_id, str(c.application_id)),
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
            BundleInfo(str(b.judge_id), b.bundle_id, b.created_at, b.due_at, b.superseded)
            for b in bundles
        ),
        audit=tuple(_audit_info(e) for e in events),
        audit_problems=tuple(str(p) for p in audit_mod.check(session)),
        categories=tuple(CategoryInfo(c.key, c.name, c.budget) for c in program.categories),
        budget=round_.budget,
        due_at=round_.due_at,
        blind=round_.is_blind,
        disagreement=DisagreementRule(
            max_range=_number(settings.get("disagreement_max_range")),
            max_sd=_number(settings.get("disagreement_max_sd")),
        ),
        options=options,
    )


def with_options(data: ReportData, **changes: Any) -> ReportData:
    """The same data with some options changed (cached statistics are recomputed)."""
    return dataclasses.replace(data, options=dataclasses.replace(data.options, **changes))


def _summary(fields: dict[str, Any], keys: tuple[Any, ...]) -> str:
    for key in keys:
        value = fields.get(key) if isinstance(key, str) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _audit_info(event: AuditEvent) -> AuditInfo:
    details = json.dumps(event.details, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    if len(details) > AUDIT_DETAIL_CHARS:
        details = details[: AUDIT_DETAIL_CHARS - 1] + "…"
    return AuditInfo(event.seq, event.at, event.actor, event.action, details, event.hash)
