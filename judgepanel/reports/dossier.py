"""Application dossiers: for each application, every judge's scores and comments.

One application per page (a committee member turns to it), with a bookmark
each. Judges appear as "Judge A", "Judge B", ... (the same letter across the
whole document and the ranking report's judge chart) unless the program
chose to name them. Conflicted reviews are not in the data at all; the
dossier lists the conflict (who, why, what staff decided) instead.
"""

from __future__ import annotations

from collections import defaultdict

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from judgepanel.progress import Progress
from judgepanel.reports import styles as st
from judgepanel.reports.common import DASH, money, num, score, table
from judgepanel.reports.data import ReportData, ReviewInfo
from judgepanel.reports.document import ReportDocument

TITLE = "Application dossiers"
WIDTH = 174


def _selected(data: ReportData) -> list[str]:
    wanted = data.options.applications
    refs = [a.ref for a in data.applications]
    return [r for r in refs if wanted is None or r in set(wanted)]


def application_story(doc: ReportDocument, data: ReportData, ref: str, index: int,
                      reviews: list[ReviewInfo], rank: dict[str, str]) -> list[Flowable]:
    s = doc.styles
    app = data.app[ref]
    stats = data.panel.applications.get(ref)
    facts = [f"<b>{st.text(app.ref)}</b>"]
    facts += [st.text(x) for x in (app.organisation, app.city) if x]
    if app.categories:
        facts.append("Categories: " + st.text(", ".join(app.categories)))
    if app.requested is not None:
        facts.append("Requested " + st.text(money(app.requested, data.currency)))
    story: list[Flowable] = [
        doc.section(app.title, f"app-{index}", level=1, outline=f"{app.ref} — {app.title}"),
        Paragraph(" · ".join(facts), s.muted),
    ]
    if stats is not None:
        summary = (f"{stats.n} complete review{'s' if stats.n != 1 else ''} · mean "
                   f"{num(stats.mean)} · SD {num(stats.summary.sd)} · range "
                   f"{num(stats.summary.min)}–{num(stats.summary.max)} · normalised "
                   f"{num(stats.z_display)} · rank {rank.get(ref, DASH)}")
        story.append(Paragraph(summary, s.body))
    ordered = sorted(reviews, key=lambda r: data.judge_label(r.judge))
    if ordered:
        header = ["Criterion", *[data.judge_label(r.judge) for r in ordered], "Mean"]
        rows = []
        for c in data.criteria:
            values = [r.scores.get(c.key) for r in ordered]
            given = [v for v in values if v is not None]
            mean = sum(given) / len(given) if given else None
            title = c.title + ("" if c.counts else " (advice)")
            rows.append([title, *[score(v) for v in values], num(mean, 2)])
        rows.append(["Total (0–100)", *[num(r.total) for r in ordered],
                     num(stats.mean if stats else None)])
        n = len(ordered)
        judge_w = min(22.0, (WIDTH - 70 - 16) / max(n, 1))
        widths = [x * mm for x in (WIDTH - 16 - judge_w * n, *([judge_w] * n), 16)]
        story.append(table(header, rows, widths, right=range(1, n + 2),
                           extra=[("LINEABOVE", (0, -1), (-1, -1), 0.8, st.INK)]))
    else:
        story.append(Paragraph("No judge has returned scores for this application.", s.body))
    story += _flags(doc, data, ref)
    comments = _comments(doc, data, ordered)
    if comments:
        story += [Paragraph("Comments", s.h2), *comments]
    return story


def _flags(doc: ReportDocument, data: ReportData, ref: str) -> list[Flowable]:
    s = doc.styles
    lines = []
    stats = data.panel.applications.get(ref)
    if stats is not None:
        reasons = data.disagreement.reasons(stats)
        if reasons:
            lines.append("Judges disagree: " + st.text("; ".join(reasons)) + ".")
        if stats.missing:
            who = ", ".join(data.judge_label(j) for j in stats.missing)
            lines.append(f"Assigned but not (completely) reviewed: {st.text(who)}.")
    for c in data.conflicts:
        if c.application == ref:
            lines.append(
                f"Conflict of interest ({st.text(c.source)}, {st.text(c.status)}): "
                f"{st.text(data.judge_label(c.judge))} — {st.text('; '.join(c.reasons))}"
                + (f" — note: {st.text(c.note)}" if c.note else "")
            )
    recorded = {c.judge for c in data.conflicts if c.application == ref and c.source == "declared"}
    for d in data.declarations:
        if d.application == ref and d.conflict and d.judge not in recorded:
            reason = (d.reason or "no reason given").rstrip(".")
            lines.append(f"{st.text(data.judge_label(d.judge))} declared a conflict: "
                         f"{st.text(reason)}.")
    if not lines:
        return []
    return [Paragraph("Flags and conflicts", s.h2),
            *[Paragraph("• " + line, s.body) for line in lines]]


def _comments(doc: ReportDocument, data: ReportData,
              reviews: list[ReviewInfo]) -> list[Flowable]:
    s = doc.styles
    out: list[Flowable] = []
    for r in reviews:
        parts = []
        for c in data.criteria:
            text = r.comments.get(c.key)
            if text:
                parts.append(f"<i>{st.text(c.title)}:</i> {st.text(text)}")
        if r.overall_comment.strip():
            parts.append(f"<i>Overall:</i> {st.text(r.overall_comment)}")
        if not parts:
            continue
        confidence = f" (confidence {r.confidence})" if r.confidence is not None else ""
        out.append(Paragraph(f"<b>{st.text(data.judge_label(r.judge))}</b>{confidence}", s.body))
        out += [Paragraph(p, s.quote) for p in parts]
    return out


def build(data: ReportData, out_path: str, progress: Progress | None = None) -> None:
    doc = ReportDocument(title=TITLE, program=data.program, round_name=data.round_name,
                         subject=f"Dossiers of {data.program}, {data.round_name}",
                         author=data.options.author, printed=data.options.generated_at,
                         progress=progress)
    refs = _selected(data)
    by_app: dict[str, list[ReviewInfo]] = defaultdict(list)
    for r in data.reviews:
        by_app[r.application].append(r)
    ranking = data.ranking()
    rank = {r.application_id: f"{r.rank}{'=' if r.shared else ''}" for r in ranking.rows}
    names = "named" if data.options.name_judges else "shown as Judge A, B, … (the same letter "
    names += "" if data.options.name_judges else "throughout)"
    story: list[Flowable] = doc.cover(
        TITLE,
        [("Applications", str(len(refs))), ("Reviews", str(len(data.reviews)))],
        intro=f"One page per application: scores per criterion, comments, flags and "
        f"conflicts. Judges are {names}. Scores of a judge with a conflict are never shown.",
    )
    story.append(doc.section("Applications", "applications"))
    story.append(Spacer(1, 1))
    for i, ref in enumerate(refs):
        if i:
            story.append(PageBreak())
        story += application_story(doc, data, ref, i, by_app.get(ref, []), rank)
    doc.build(story, out_path)
