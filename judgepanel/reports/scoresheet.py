"""The judge's own score sheet: their declarations, scores and comments, for their records.

Saved by the judge at export, from their judge workspace. It shows exactly
what a results file carries: for an application declared a conflict, the
declaration only (scores kept in the workspace for a possible withdrawal are
not shown, as they are not sent); private notes never appear, because
``sheet_from_session`` does not copy them into the plain data at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from judgepanel.model.judge.records import CONFIDENCE_LABELS
from judgepanel.progress import Progress
from judgepanel.reports import styles as st
from judgepanel.reports.common import num, score, table
from judgepanel.reports.data import CriterionInfo
from judgepanel.reports.document import ReportDocument, format_time

if TYPE_CHECKING:
    from judgepanel.model.judge.session import JudgingSession

TITLE = "My score sheet"


@dataclass(frozen=True)
class SheetEntry:
    ref: str
    title: str
    declared: bool
    conflict: bool
    reason: str = ""
    declared_at: dt.datetime | None = None
    scores: dict[str, float | None] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)  # for the panel
    overall_comment: str = ""  # for the panel
    confidence: int | None = None
    total: float | None = None
    unable_reason: str = ""  # unable to review: what the judge said instead of scores
    feedback: dict[str, str] = field(default_factory=dict)  # for the applicant
    overall_feedback: str = ""  # for the applicant


@dataclass(frozen=True)
class ScoreSheet:
    program: str
    round_name: str
    judge: str
    bundle_id: str
    criteria: tuple[CriterionInfo, ...]
    entries: tuple[SheetEntry, ...]
    sequence: int | None = None  # the export this sheet accompanies
    printed: dt.datetime | None = None


def sheet_from_session(session: JudgingSession, *, sequence: int | None = None,
                       printed: dt.datetime | None = None) -> ScoreSheet:
    """Plain data from an open judging session; private notes are deliberately not read."""
    entries = []
    for app in session.applications:
        state = session.review(app.id)
        d = state.declaration
        conflict = bool(d and d.conflict) or state.unable  # neither sends scores
        entries.append(SheetEntry(
            ref=app.id, title=app.title, declared=d is not None, conflict=conflict,
            reason=d.reason if d else "", declared_at=d.declared_at if d else None,
            scores={} if conflict else dict(state.scores),
            comments={} if conflict else {k: v for k, v in state.comments.items() if v},
            overall_comment="" if conflict else state.overall_comment,
            feedback={} if conflict else {k: v for k, v in state.feedback.items() if v},
            overall_feedback="" if conflict else state.overall_feedback,
            confidence=None if conflict else state.confidence,
            total=None if conflict else state.total,
            unable_reason="" if d is None or d.conflict else state.unable_reason,
        ))
    rubric = session.rubric
    return ScoreSheet(
        program=session.info.program_name, round_name=session.info.round_name,
        judge=session.info.judge_name, bundle_id=session.info.bundle_id,
        criteria=tuple(CriterionInfo(c.key, c.title, c.weight, c.min, c.max, c.step, c.counts)
                       for c in rubric.criteria),
        entries=tuple(entries), sequence=sequence, printed=printed,
    )


def _entry(doc: ReportDocument, sheet: ScoreSheet, e: SheetEntry, i: int) -> list[Flowable]:
    """One application: heading, declaration, scores and comments, overall, confidence."""
    s = doc.styles
    out: list[Flowable] = [doc.section(e.title, f"app-{i}", level=1,
                                       outline=f"{e.ref} — {e.title}")]
    if not e.declared:
        out.append(Paragraph(f"{st.text(e.ref)}: no declaration yet.", s.muted))
        return out
    reason = (e.reason or "no reason given").strip().rstrip(".")
    declared = (f"Declared a conflict of interest on {format_time(e.declared_at)}: "
                f"{st.text(reason)}." if e.conflict and not e.unable_reason else
                f"Declared no conflict of interest on {format_time(e.declared_at)}.")
    out.append(Paragraph(f"{st.text(e.ref)} · {declared}", s.muted))
    if e.unable_reason:
        out.append(Paragraph(f"Unable to review: {st.text(e.unable_reason)}", s.body))
    if e.conflict:
        return out
    rows = [[c.title, score(e.scores.get(c.key)),
             f"{c.min:g}–{c.max:g}" if c.counts else f"{c.min:g}–{c.max:g}, advice",
             e.comments.get(c.key, "")] for c in sheet.criteria]
    rows.append([Paragraph("Total (0–100)", s.cell_head),
                 Paragraph(num(e.total), s.cell_head_right), "", ""])
    out.append(table(["Criterion", "Score", "Scale", "Comment for the panel"], rows,
                     [x * mm for x in (50, 14, 20, 90)], right=(1,),
                     extra=[("LINEABOVE", (0, -1), (-1, -1), 0.8, st.INK)]))
    if e.overall_comment.strip():
        out.append(Paragraph(f"<i>Overall, for the panel:</i> {st.text(e.overall_comment)}",
                             s.quote))
    for c in sheet.criteria:
        if e.feedback.get(c.key, "").strip():
            out.append(Paragraph(f"<i>{st.text(c.title)}, for the applicant:</i> "
                                 f"{st.text(e.feedback[c.key])}", s.quote))
    if e.overall_feedback.strip():
        out.append(Paragraph(f"<i>Overall, for the applicant:</i> "
                             f"{st.text(e.overall_feedback)}", s.quote))
    if e.confidence is not None:
        label = CONFIDENCE_LABELS.get(e.confidence, str(e.confidence))
        out.append(Paragraph(f"Confidence: {e.confidence} ({label})", s.small))
    return out


def build(sheet: ScoreSheet, out_path: Path | str, progress: Progress | None = None) -> Path:
    doc = ReportDocument(title=TITLE, program=sheet.program, round_name=sheet.round_name,
                         subject=f"Score sheet of {sheet.judge}", author=sheet.judge,
                         printed=sheet.printed, progress=progress)
    conflicts = sum(1 for e in sheet.entries if e.conflict and not e.unable_reason)
    scored = sum(1 for e in sheet.entries if e.total is not None)
    sent = f" It accompanies results file #{sheet.sequence}." if sheet.sequence else ""
    story: list[Flowable] = doc.cover(
        TITLE,
        [("Applications", str(len(sheet.entries))), ("Scored", str(scored)),
         ("Conflicts", str(conflicts))],
        intro=f"{st.text(sheet.judge)} — bundle {st.text(sheet.bundle_id)}. Your declarations, "
        f"scores, comments for the panel and feedback for the applicant as sent to the "
        f"program staff; private notes are not included."
        f"{sent}",
    )
    story.append(doc.section("Summary", "summary"))
    rows = []
    for e in sheet.entries:
        status = ("unable to review" if e.unable_reason else
                  "conflict declared" if e.conflict else
                  "not declared" if not e.declared else
                  "complete" if e.total is not None else "incomplete")
        rows.append([e.ref, e.title, status, num(e.total)])
    story.append(table(["Ref", "Application", "Status", "Total"], rows,
                       [x * mm for x in (24, 100, 32, 18)], right=(3,)))
    story.append(doc.section("Applications", "applications"))
    for i, e in enumerate(sheet.entries):
        # One application's block stays on one page when it fits: split, it left the
        # total row and the overall comment alone at the top of the next page.
        story.append(KeepTogether(_entry(doc, sheet, e, i)))
    return doc.build(story, out_path)
