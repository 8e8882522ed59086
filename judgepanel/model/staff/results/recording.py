"""What an accepted results file puts in the score tables, and how a replaced one leaves them.

Kept apart from ``merging`` (which checks files in batches) because staff choosing
between two diverged exports (``diverged``) records the chosen one the same way: its
declarations, reviews, scores and "unable to review" go in with one bulk INSERT per
table (``storage.bulk``), and the file it replaces gives up its rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from judgepanel.formats.results.spec import ResultsContent
from judgepanel.model.staff.prepare import conflicts
from judgepanel.model.staff.schema.program import Application, Conflict, Judge
from judgepanel.model.staff.schema.results import (
    Declaration,
    ReceivedResults,
    Review,
    Score,
    UnableReview,
)
from judgepanel.model.storage.bulk import insert_rows

# Where an accepted file's rows go, in the order rows_of builds them.
ROW_TABLES: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (cast(Table, Declaration.__table__),
     ("judge_id", "application_id", "results_id", "conflict", "reason", "declared_at")),
    (cast(Table, Review.__table__),
     ("results_id", "application_id", "overall_comment", "overall_feedback", "confidence")),
    (cast(Table, Score.__table__),
     ("results_id", "application_id", "criterion_key", "value", "comment", "feedback")),
    (cast(Table, UnableReview.__table__),
     ("results_id", "application_id", "judge_id", "reason", "declared_at")),
)

Rows = tuple[list[tuple[Any, ...]], ...]


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)  # a checked stamp: its "Z" makes it UTC


def rows_of(results_id: int, judge_id: int, ids: dict[str, int],
            content: ResultsContent) -> Rows:
    """The file's declarations, reviews, scores and unable-to-review as rows of ROW_TABLES.

    ``ids`` maps the bundle's application ids to ``Application.id``.
    """
    declarations = [
        (judge_id, ids[entry.application_id], results_id, entry.conflict,
         entry.reason, parse_time(entry.declared_at))
        for entry in content.declarations]
    reviews: list[tuple[Any, ...]] = []
    scores: list[tuple[Any, ...]] = []
    for entry in content.reviews:
        application_id = ids[entry.application_id]
        reviews.append((results_id, application_id, entry.overall_comment,
                        entry.overall_feedback, entry.confidence))
        scores += [(results_id, application_id, score.criterion, float(score.score),
                    score.comment, score.feedback) for score in entry.scores]
    unable = [(results_id, ids[entry.application_id], judge_id, entry.reason,
               parse_time(entry.declared_at)) for entry in content.unable_to_review]
    return declarations, reviews, scores, unable


def insert_all(session: Session, staged: Sequence[Rows]) -> None:
    """One bulk INSERT per table for the rows of every file in ``staged``."""
    for position, (table, columns) in enumerate(ROW_TABLES):
        insert_rows(session, table, columns, [row for rows in staged for row in rows[position]])


def delete_rows(session: Session, results_ids: Iterable[int]) -> None:
    """Take the rows of these (replaced) files out of the score tables; scores first."""
    ids = list(results_ids)
    if ids:
        for entity in (Score, Review, Declaration, UnableReview):
            session.execute(delete(entity).where(entity.results_id.in_(ids)))


def retire(session: Session, old: ReceivedResults, *, in_database: bool = True) -> None:
    """``old`` is replaced: its status says so, its rows leave (its raw file stays)."""
    old.status = "replaced"
    if in_database:
        delete_rows(session, [old.id])


def record_declared_conflict(session: Session, judge: Judge, application_id: int, reason: str,
                             actor: str, *, before: Callable[[], None] | None = None) -> None:
    """A judge's own declaration is final for them: recorded as a confirmed conflict,
    once per reason however often the judge exports. ``before`` runs just before the
    conflict is written (the merge appends the audit entries of earlier files first)."""
    existing = session.scalars(select(Conflict).where(
        Conflict.judge_id == judge.id, Conflict.application_id == application_id,
        Conflict.source == conflicts.DECLARED)).first()
    text = reason.strip() or "Declared by the judge"
    if existing is not None and text in (existing.reasons or []):
        return
    application = session.get(Application, application_id)
    assert application is not None
    if before is not None:
        before()
    conflicts.declare(session, judge, application, text, actor,
                      source=conflicts.DECLARED, status=conflicts.CONFIRMED)
