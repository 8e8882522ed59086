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
from judgepanel.reports.common import table
from judgepanel.reports.data import ReportData
from judgepanel.reports.document import ReportDocument, format_time

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
        rows.append([c.application, data.judge_name(c.judge), SOURCES.get(c.source, c.source),
                     "; ".join(c.reasons), format_time(c.detected_at), c.status, decided,
                     c.note])
    if rows:
        story.append(table(
            ["Ref", "Judge", "Source", "Reasons", "Found (UTC)", "Status", "Decided (UTC)",
             "Note"], rows, [x * mm for x in (17, 23, 17, 30, 28, 18, 23, 18)]))
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
        story.append(table(["Ref", "Judge", "Answer", "Reason", "Declared (UTC)", "Results #"],
                           rows2, [x * mm for x in (20, 30, 20, 58, 30, 16)], right=(5,)))
    else:
        story.append(Paragraph("No results with declarations have been received yet.", s.body))
    story.append(Paragraph(st.text("Results # is the sequence number of the results file "
                                   "that carried the declaration."), s.small))
    doc.build(story, out_path)
