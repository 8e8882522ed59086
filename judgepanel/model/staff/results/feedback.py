"""Feedback for the applicant, per review: what may reach an applicant, and nothing else.

A review has two texts (issue #18): comments for the panel (never shown to applicants)
and, from results format 3, feedback for the applicant, per criterion and overall. The
feedback report and the exports read the latter here, apart from ``round_reviews``
(which the leaderboard reads 60,000 scores through and which needs no feedback).

A results file older than version 3 has no feedback: its comments were written for
the panel. Only when the program says so (``feedback.legacy_comments_to_applicant``,
``legacy`` below) do its comments stand in for feedback.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.model.staff.results.round_reviews import ReviewRecord
from judgepanel.model.staff.schema.program import Program
from judgepanel.model.staff.schema.results import ReceivedResults, Review, Score
from judgepanel.model.staff.settings import FEEDBACK_LEGACY_COMMENTS, setting_value

FEEDBACK_VERSION = 3
"""The first results format version with feedback for the applicant."""

Feedback = dict[tuple[int, int], tuple[dict[str, str], str]]
"""(results id, application id) -> (feedback per criterion, non-empty only; overall)."""


def applicant_feedback(session: Session, reviews: Sequence[ReviewRecord], *,
                       legacy: bool) -> Feedback:
    """The feedback for the applicant of each of ``reviews``: per criterion and overall."""
    ids = sorted({r.results_id for r in reviews})
    out: Feedback = {}
    if not ids:
        return out
    versions: dict[int, int | None] = {rid: version for rid, version in session.execute(
        select(ReceivedResults.id, ReceivedResults.format_version)
        .where(ReceivedResults.id.in_(ids)))}
    said: dict[tuple[int, int], dict[str, str]] = {}
    for rid, app_id, key, text in session.execute(
            select(Score.results_id, Score.application_id, Score.criterion_key, Score.feedback)
            .where(Score.results_id.in_(ids), Score.feedback != "")):
        said.setdefault((rid, app_id), {})[key] = text
    overall = {(rid, app_id): text for rid, app_id, text in session.execute(
        select(Review.results_id, Review.application_id, Review.overall_feedback)
        .where(Review.results_id.in_(ids), Review.overall_feedback != ""))}
    for record in reviews:
        pair = (record.results_id, record.application.id)
        if (versions.get(record.results_id) or 0) < FEEDBACK_VERSION:
            out[pair] = ((dict(record.comments), record.overall_comment) if legacy
                         else ({}, ""))
        else:
            out[pair] = (said.get(pair, {}), overall.get(pair, ""))
    return out


def program_feedback(session: Session, program: Program,
                     reviews: Sequence[ReviewRecord]) -> Feedback:
    """:func:`applicant_feedback` as ``program``'s settings say (the leaderboard's drill-down)."""
    return applicant_feedback(session, reviews,
                              legacy=setting_value(program, FEEDBACK_LEGACY_COMMENTS))
