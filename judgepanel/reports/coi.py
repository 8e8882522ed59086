"""The conflict-of-interest register: every finding, declaration and decision.

A staff record for accountability, so judges are named (not lettered): the
register must show who was kept away from what, why, and who decided.
Two parts: screening findings and staff decisions (with reasons and times),
then every declaration judges returned with their results (conflict or not).
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from judgepanel.progress import Progress
from judgepanel.reports import styles as st
from judgepanel.reports.data import ReportData
from judgepanel.reports.document import ReportDocument, format_time
from judgepanel.reports.longtable import fit_width, long_table

WIDTH = 174 * mm

TITLE = "Conflict-of-interest register"
SOURCES = {"detected": "screening", "declared": "judge", "staff": "staff"}


def build(data: ReportData, out_path: str, progress: Progress | None = None) -> None:
    doc = ReportDocument(title=TITLE, program=data.program, round_name=data.round_name,
                         subject=f"Conflicts of interest, {data.program}",
                         author=data.options.author, printed=data.options.generated_at,
                         progress=progress)
    s = doc.styles
    counts = {status: sum(1 for c in data.conflicts if c.status == status)
              for status in ("confirmed", "open", "dismissed")}
    declared = [d for d in data.declarations if d.conflict]
    story: list[Flowable] = doc.cover(
        TITLE,
        [("Confirmed", str(counts["confirmed"])), ("Open", str(counts["open"])),
         ("Dismissed", str(counts["dismissed"])), ("Declared by judges", str(len(declared)))],
        intro="Screening findings, staff decisions and judges' declarations, with reasons and "
        "times (UTC). A conflict the judge declared, or staff confirmed, keeps the judge's "
        "scores out of every ranking; an open finding does not until staff confirm it.",
    )
    story.append(doc.section("Findings and decisions", "findings"))
    rows = []
    for c in sorted(data.conflicts, key=lambda c: (c.application, data.judge_name(c.judge))):
        decided = (f"{c.decided_by}, {format_time(c.decided_at)}" if c.decided_at else "—")
        if c.note:
            decided += f": {c.note}"
        rows.append([c.application, data.judge_name(c.judge), SOURCES.get(c.source, c.source),
                     "; ".join(c.reasons), format_time(c.detected_at), c.status, decided])
    if rows:
        # refs never break; the decision and its note share one column wide enough to read
        # (and neither do times, sources and statuses: "screenin-g" reads badly)
        ref_w, source_w, found_w, status_w = (
            fit_width([r[i] for r in rows], at_least=10 * mm, bold_header=h)
            for i, h in ((0, "Ref"), (2, "Source"), (4, "Found (UTC)"), (5, "Status")))
        rest = WIDTH - ref_w - source_w - found_w - status_w - 24 * mm
        story += long_table(
            ["Ref", "Judge", "Source", "Reasons", "Found (UTC)", "Status",
             "Decided by, when (UTC): note"], rows,
            [ref_w, 24 * mm, source_w, rest * 0.45, found_w, status_w, rest * 0.55])
    else:
        story.append(Paragraph("No possible conflicts were found or declared.", s.body))
    story.append(doc.section("Declarations returned by judges", "declarations"))
    rows2: list[list[object]] = []
    for d in sorted(data.declarations,
                    key=lambda d: (d.application, data.judge_name(d.judge), d.sequence or 0)):
        rows2.append([d.application, data.judge_name(d.judge),
                     "conflict" if d.conflict else "no conflict", d.reason or "—",
                     format_time(d.declared_at), "—" if d.sequence is None else d.sequence])
    if rows2:
        ref_w, answer_w, when_w = (
            fit_width([r[i] for r in rows2], at_least=10 * mm, bold_header=h)
            for i, h in ((0, "Ref"), (2, "Answer"), (4, "Declared (UTC)")))
        story += long_table(["Ref", "Judge", "Answer", "Reason", "Declared (UTC)", "Results #"],
                            rows2, [ref_w, 30 * mm, answer_w,
                                    WIDTH - ref_w - answer_w - when_w - 45 * mm,
                                    when_w, 15 * mm], right=(5,))
    else:
        story.append(Paragraph("No results with declarations have been received yet.", s.body))
    story.append(Paragraph(st.text("Results # is the sequence number of the results file "
                                   "that carried the declaration."), s.small))
    doc.build(story, out_path)
