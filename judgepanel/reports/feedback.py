"""Applicant feedback: what the judges wrote for each application's applicant.

Only the judges' feedback for the applicant is printed (results format 3: the text
the judge app labels "For the applicant"), never their comments for the panel. A
results file older than version 3 has no feedback; its comments, written for the
panel, appear only if the program says so (``feedback.legacy_comments_to_applicant``,
applied when the data is gathered: ``ReviewInfo.feedback``).

By default no judge names, no letters that could be matched across
applicants, and no scores: feedback is about the application, not about who
judged it. A program may allow scores (``feedback_scores``) and names
(``feedback_judge_names``) and the panel's decision with its reason
(``feedback_outcome``, when there is one). Feedback is grouped by criterion so the
applicant reads it as topics; a conflicted judge's never appears
because their review is not in the data.

Memory: like the dossiers, each applicant's page is a ``Deferred`` part, made
when the layout reaches it and freed once drawn, so 2,000 applicants no longer
mean 2,000 laid-out pages held at once (docs/reports.md, "Large rounds").
"""

from __future__ import annotations

from collections import defaultdict

from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from judgepanel.progress import Progress
from judgepanel.reports import styles as st
from judgepanel.reports.common import num, score
from judgepanel.reports.data import ReportData, ReviewInfo
from judgepanel.reports.document import Deferred, ReportDocument

TITLE = "Feedback to applicants"


def _who(data: ReportData, review: ReviewInfo) -> str:
    return f" — {st.text(data.judge_name(review.judge))}" if data.options.feedback_judge_names \
        else ""


def application_story(doc: ReportDocument, data: ReportData, ref: str, index: int,
                      reviews: list[ReviewInfo]) -> list[Flowable]:
    s = doc.styles
    app = data.app[ref]
    story: list[Flowable] = [
        doc.section(app.title, f"fb-{index}", level=1, outline=f"{app.ref} — {app.title}"),
        Paragraph(" · ".join(st.text(x) for x in (app.ref, app.organisation, app.city) if x),
                  s.muted),
    ]
    decision = data.decisions.get(ref) if data.options.feedback_outcome else None
    if decision is not None:
        story.append(Paragraph(f"The panel's decision: {st.text(decision.outcome)}. "
                               f"{st.text(decision.reason)}", s.body))
    wrote = False
    show_scores = data.options.feedback_scores
    for c in data.criteria:
        items = []
        for r in reviews:
            text = r.feedback.get(c.key, "").strip()
            if text:
                given = r.scores.get(c.key)
                prefix = f"[{score(given)} of {c.max:g}] " if show_scores else ""
                items.append(f"{prefix}{st.text(text)}{_who(data, r)}")
        if items:
            wrote = True
            story.append(Paragraph(st.text(c.title), s.h2))
            story += [Paragraph(item, s.quote) for item in items]
    overall = [f"{st.text(r.overall_feedback.strip())}{_who(data, r)}" for r in reviews
               if r.overall_feedback.strip()]
    if overall:
        wrote = True
        story.append(Paragraph("Overall", s.h2))
        story += [Paragraph(item, s.quote) for item in overall]
    if show_scores:
        stats = data.standings.applications.get(ref)
        if stats is not None and stats.mean is not None:
            story.append(Paragraph(f"Mean total: {num(stats.mean)} of 100 from {stats.n} "
                                   "reviews.", s.body))
    if not wrote:
        story.append(Paragraph("The judges left no written feedback on this application.",
                               s.body))
    return story


def build(data: ReportData, out_path: str, progress: Progress | None = None) -> None:
    doc = ReportDocument(title=TITLE, program=data.program, round_name=data.round_name,
                         subject=f"Feedback to applicants, {data.program}",
                         author=data.options.author, printed=data.options.generated_at,
                         progress=progress)
    wanted = data.options.applications
    refs = [a.ref for a in data.applications if wanted is None or a.ref in set(wanted)]
    by_app: dict[str, list[ReviewInfo]] = defaultdict(list)
    for r in sorted(data.reviews, key=lambda r: data.judge_label(r.judge)):
        by_app[r.application].append(r)
    shown = []
    if data.options.feedback_scores:
        shown.append("scores")
    if data.options.feedback_judge_names:
        shown.append("judges' names")
    if data.options.feedback_outcome:
        shown.append("the panel's decision")
    policy = ("with " + " and ".join(shown)) if shown else "without judges' names or scores"
    story: list[Flowable] = doc.cover(
        TITLE, [("Applications", str(len(refs)))],
        intro=f"What the judges wrote for each applicant (their feedback for the applicant, "
        f"never their comments for the panel), {policy}, one application per page, to be "
        "sent to each applicant separately.",
    )
    story.append(doc.section("Applications", "applications"))
    story.append(Spacer(1, 1))

    def page(i: int, ref: str) -> Deferred:
        def make() -> list[Flowable]:
            head: list[Flowable] = [PageBreak()] if i else []
            return head + application_story(doc, data, ref, i, by_app.get(ref, []))
        return Deferred(make)

    story += [page(i, ref) for i, ref in enumerate(refs)]
    doc.build(story, out_path)
