"""Application dossiers: for each application, every judge's scores and comments.

One application per page (a committee member turns to it), with a bookmark
each. Judges appear as "Judge A", "Judge B", ... (the same letter across the
whole document and the ranking report's judge chart) unless the program
chose to name them. Which reviews appear is the model's rule (see
``gather``): a review whose judge declared a conflict, or whose conflict
staff confirmed, is not in the data at all and the page lists the conflict
instead; a review under an *open* finding counts, and the page says so.

Memory: each application's page is a ``Deferred`` part, made when the layout
reaches it and freed once drawn, so the story no longer holds 2,000 laid-out
pages at once (772 MiB before, about 145 MiB now; docs/reports.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from judgepanel.progress import Progress
from judgepanel.reports import styles as st
from judgepanel.reports.common import DASH, money, num, score, table
from judgepanel.reports.data import ConflictInfo, DeclarationInfo, ReportData, ReviewInfo
from judgepanel.reports.document import Deferred, ReportDocument

TITLE = "Application dossiers"
WIDTH = 174


@dataclass
class _AppFacts:
    """What one application's page needs from the round's lists, gathered in one pass."""

    reviews: list[ReviewInfo] = field(default_factory=list)
    conflicts: list[ConflictInfo] = field(default_factory=list)
    declarations: list[DeclarationInfo] = field(default_factory=list)
    not_counted: list[tuple[str, str]] = field(default_factory=list)  # (judge, why)


def _facts(data: ReportData) -> dict[str, _AppFacts]:
    out: dict[str, _AppFacts] = defaultdict(_AppFacts)
    for r in data.reviews:
        out[r.application].reviews.append(r)
    for c in data.conflicts:
        out[c.application].conflicts.append(c)
    for d in data.declarations:
        if d.conflict:
            out[d.application].declarations.append(d)
    for ref, judge, why in data.not_counted:
        out[ref].not_counted.append((judge, why))
    return out


def _selected(data: ReportData) -> list[str]:
    wanted = None if data.options.applications is None else set(data.options.applications)
    return [a.ref for a in data.applications if wanted is None or a.ref in wanted]


def application_story(doc: ReportDocument, data: ReportData, ref: str, index: int,
                      rank: dict[str, str], found: _AppFacts) -> list[Flowable]:
    """One application's page; ``found`` is its share of the round (see ``_facts``)."""
    s = doc.styles
    app = data.app[ref]
    stats = data.standings.applications.get(ref)
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
                   f"{num(stats.summary.min)}–{num(stats.summary.max)} · adjusted "
                   f"{num(stats.adjusted)} · rank {rank.get(ref, DASH)}")
        story.append(Paragraph(summary, s.body))
    ordered = sorted(found.reviews, key=lambda r: data.judge_label(r.judge))
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
    story += _flags(doc, data, ref, found)
    comments = _comments(doc, data, ordered)
    if comments:
        story += [Paragraph("Comments for the panel and feedback for the applicant", s.h2),
                  *comments]
    return story


def _flags(doc: ReportDocument, data: ReportData, ref: str,
           found: _AppFacts) -> list[Flowable]:
    s = doc.styles
    lines = []
    stats = data.standings.applications.get(ref)
    if stats is not None:
        reasons = data.disagreement.reasons(stats)
        if reasons:
            lines.append("Judges disagree: " + st.text("; ".join(reasons)) + ".")
        unable = {judge: reason for app, judge, reason in data.unable if app == ref}
        waiting = [j for j in stats.missing if j not in unable]
        if waiting:
            who = ", ".join(data.judge_label(j) for j in waiting)
            lines.append(f"Assigned but not (completely) reviewed: {st.text(who)}.")
        lines += [f"{st.text(data.judge_label(judge))} was unable to review it: "
                  f"{st.text(reason.rstrip('.'))}." for judge, reason in unable.items()]
    lines += [f"{st.text(data.judge_label(judge))}'s review is not counted: {st.text(why)}."
              for judge, why in found.not_counted]
    undecided = data.undecided_pairs
    for c in found.conflicts:
        who = data.judge_label(c.judge)
        status = "undecided" if c.status == "open" else c.status
        line = (f"Conflict of interest ({st.text(c.source)}, {st.text(status)}): "
                f"{st.text(who)} — {st.text('; '.join(c.reasons))}"
                + (f" — note: {st.text(c.note)}" if c.note else ""))
        if (c.judge, ref) in undecided:
            line += f". Until staff decide, {st.text(who)}'s scores count."
        lines.append(line)
    recorded = {c.judge for c in found.conflicts if c.source == "declared"}
    conflicted = data.conflicted_pairs
    for d in found.declarations:
        # Only a declaration still in force (the model's decision) is a conflict now.
        if d.judge not in recorded and (d.judge, ref) in conflicted:
            recorded.add(d.judge)
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
        # Both texts of a review, each labelled with who it was written for.
        for title, panel, applicant in (
                *((c.title, r.comments.get(c.key, ""), r.feedback.get(c.key, ""))
                  for c in data.criteria),
                ("Overall", r.overall_comment, r.overall_feedback)):
            if panel.strip():
                parts.append(f"<i>{st.text(title)}, for the panel:</i> {st.text(panel)}")
            if applicant.strip():
                parts.append(f"<i>{st.text(title)}, for the applicant:</i> "
                             f"{st.text(applicant)}")
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
    facts = _facts(data)
    ranking = data.ranking()
    rank = {r.application_id: f"{r.rank}{'=' if r.shared else ''}" for r in ranking.rows}
    names = "named" if data.options.name_judges else "shown as Judge A, B, … (the same letter "
    names += "" if data.options.name_judges else "throughout)"
    story: list[Flowable] = doc.cover(
        TITLE,
        [("Applications", str(len(refs))), ("Reviews", str(len(data.reviews)))],
        intro=f"One page per application: scores per criterion, comments, flags and "
        f"conflicts. Judges are {names}. The scores of a judge who declared a conflict, or "
        "whose conflict staff confirmed, are never shown; a conflict staff have not decided "
        "yet is marked on the page.",
    )
    story.append(doc.section("Applications", "applications"))
    story.append(Spacer(1, 1))

    def page(i: int, ref: str) -> Deferred:
        def make() -> list[Flowable]:
            head: list[Flowable] = [PageBreak()] if i else []
            return head + application_story(doc, data, ref, i, rank,
                                            facts.get(ref) or _AppFacts())
        return Deferred(make)

    story += [page(i, ref) for i, ref in enumerate(refs)]
    doc.build(story, out_path)
