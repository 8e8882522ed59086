"""The judge's changes to a review, one rule each, applied alone or many in one transaction.

Why a module of its own: the desktop app saves one edit at a time (a score the moment
it is chosen, typed text after a pause), while a filled score sheet or a results file
a judge continues from brings many at once, and those must apply whole or not at all.
Both go through :func:`apply_edits`, so a score from a spreadsheet meets exactly the
rules a score typed in the app meets:

- a score must be on the criterion's scale (None clears it);
- texts follow the results format's rules (``records.checked_text``); comments are for
  the panel, feedback for the applicant (two texts per review, issue #18);
- nothing of a review can change before the application is declared, nor while it
  is declared a conflict; private notes may change at any time and are never exported;
- "unable to review" (kind ``unable``, value the reason, empty to take it back) needs a
  declaration without a conflict and a reason;
- each exportable change bumps the bundle's revision and is audited (texts by length).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.clock import utcnow
from judgepanel.errors import ValidationError
from judgepanel.model.judge.export import BundleContext, bundle_row
from judgepanel.model.judge.records import checked_text, confidence_level
from judgepanel.model.judge.schema import DeclarationRow, ReviewRow, ScoreRow

KINDS = ("score", "comment", "feedback", "overall", "overall_feedback", "confidence", "note",
         "unable")
"""``comment`` and ``overall`` are the texts for the panel; ``feedback`` (per criterion) and
``overall_feedback`` the texts for the applicant (results format 3)."""


@dataclass(frozen=True)
class Edit:
    """One change: ``kind`` of :data:`KINDS`, ``key`` the criterion (or ""), the new value."""

    application_id: str
    kind: str
    key: str
    value: Any


def apply_edits(ctx: BundleContext, edits: Sequence[Edit]) -> int:
    """Apply every edit in one transaction (all or nothing); the number that changed."""
    with ctx.workspace.transaction() as s:
        return apply_edits_in(ctx, s, edits)


def apply_edits_in(ctx: BundleContext, s: Session, edits: Sequence[Edit]) -> int:
    """:func:`apply_edits` inside the caller's transaction: every value is checked before
    the first is written, and any refusal rolls the caller's transaction back."""
    titles = {a.id: a.title for a in ctx.applications}
    checked = [_checked(ctx, titles, edit) for edit in edits]
    return sum(_write(ctx, titles, s, edit) for edit in checked)


def _checked(ctx: BundleContext, titles: dict[str, str], edit: Edit) -> Edit:
    """The edit with its value checked and normalised (before any write)."""
    if edit.application_id not in titles:
        raise ValidationError(f"This bundle has no application “{edit.application_id}”.",
                              path=edit.application_id)
    kind, value = edit.kind, edit.value
    if kind == "score":
        criterion = ctx.rubric.criterion(edit.key)
        if value is not None:
            criterion.check_score(value)
            value = float(value)
    elif kind in ("comment", "feedback"):
        ctx.rubric.criterion(edit.key)
        value = checked_text(value, "comment" if kind == "comment"
                             else "feedback for the applicant", edit.key)
    elif kind == "overall":
        value = checked_text(value, "overall comment", "overall_comment")
    elif kind == "overall_feedback":
        value = checked_text(value, "overall feedback for the applicant", "overall_feedback")
    elif kind == "confidence":
        value = confidence_level(value)
    elif kind == "note":
        value = checked_text(value, "note", "private_note")
    elif kind == "unable":
        value = checked_text(value or "", "reason", "unable_reason").strip()
    else:
        raise ValueError(f"unknown edit kind {kind!r}")  # a programming error
    return Edit(edit.application_id, kind, edit.key, value)


def _write(ctx: BundleContext, titles: dict[str, str], s: Session, edit: Edit) -> int:
    app_id, kind, value = edit.application_id, edit.kind, edit.value
    if kind == "note":
        review = review_row(ctx, s, app_id, touch=False)
        if review.private_note == value:
            return 0
        review.private_note = value
        _record(ctx, s, "private_note.set", app_id)  # no content, no revision
        return 1
    _require_scorable(ctx, titles, s, app_id)
    if kind in ("score", "comment", "feedback"):
        create = value is not None if kind == "score" else bool(value)
        row = _score_row(ctx, s, app_id, edit.key, create=create)
        attribute = {"score": "value"}.get(kind, kind)
        if row is None or getattr(row, attribute) == value:
            return 0
        setattr(row, attribute, value)
        details: dict[str, Any] = ({"criterion": edit.key, "score": value} if kind == "score"
                                   else {"criterion": edit.key, "length": len(value)})
        row.updated_at = utcnow()
        changed(ctx, s, f"{kind}.set", app_id, **details)
        return 1
    review = review_row(ctx, s, app_id, touch=False)
    if kind == "overall":
        if review.overall_comment == value:
            return 0
        review.overall_comment = value
        changed(ctx, s, "overall_comment.set", app_id, length=len(value))
    elif kind == "overall_feedback":
        if review.overall_feedback == value:
            return 0
        review.overall_feedback = value
        changed(ctx, s, "overall_feedback.set", app_id, length=len(value))
    elif kind == "confidence":
        if review.confidence == value:
            return 0
        review.confidence = value
        changed(ctx, s, "confidence.set", app_id, confidence=value)
    else:  # "unable"
        if review.unable_reason == value:
            return 0
        review.unable_reason, review.unable_at = value, (utcnow() if value else None)
        changed(ctx, s, "unable.set" if value else "unable.cleared", app_id,
                reason=value)
    return 1


def _require_scorable(ctx: BundleContext, titles: dict[str, str], s: Session,
                      app_id: str) -> None:
    row = declaration_row(ctx, s, app_id)
    title = titles[app_id]
    if row is None:
        raise ValidationError(
            f"First declare whether you have a conflict of interest with “{title}”, "
            "then score it.", path=app_id)
    if row.conflict:
        raise ValidationError(
            f"You declared a conflict of interest with “{title}”, so you cannot score it.",
            path=app_id)


def declaration_row(ctx: BundleContext, s: Session, app_id: str) -> DeclarationRow | None:
    return s.scalars(select(DeclarationRow).where(
        DeclarationRow.bundle_row_id == ctx.row_id,
        DeclarationRow.application_id == app_id)).first()


def _score_row(ctx: BundleContext, s: Session, app_id: str, key: str, *,
               create: bool) -> ScoreRow | None:
    """The stored row; a new (empty) one only with ``create``, so clearing adds nothing."""
    row = s.scalars(select(ScoreRow).where(
        ScoreRow.bundle_row_id == ctx.row_id, ScoreRow.application_id == app_id,
        ScoreRow.criterion_key == key)).first()
    if row is None and create:
        row = ScoreRow(bundle_row_id=ctx.row_id, application_id=app_id,
                       criterion_key=key, value=None, comment="", feedback="")
        s.add(row)
    return row


def review_row(ctx: BundleContext, s: Session, app_id: str, *, touch: bool = True) -> ReviewRow:
    row = s.scalars(select(ReviewRow).where(
        ReviewRow.bundle_row_id == ctx.row_id, ReviewRow.application_id == app_id)).first()
    if row is None:
        row = ReviewRow(bundle_row_id=ctx.row_id, application_id=app_id,
                        overall_comment="", overall_feedback="", private_note="",
                        unable_reason="",
                        updated_at=utcnow())
        s.add(row)
    elif touch:
        row.updated_at = utcnow()
    return row


def _record(ctx: BundleContext, s: Session, action: str, app_id: str | None,
            **details: Any) -> None:
    entry: dict[str, Any] = {"bundle": ctx.info.bundle_id}
    if app_id is not None:
        entry["application"] = app_id
    entry.update(details)
    ctx.workspace.record(s, ctx.info.judge_fingerprint, action, entry)


def changed(ctx: BundleContext, s: Session, action: str, app_id: str, **details: Any) -> None:
    """An exportable change: bump the revision, touch the review time, audit it."""
    bundle_row(s, ctx.row_id).revision += 1
    review_row(ctx, s, app_id)
    _record(ctx, s, action, app_id, **details)
