"""The audit appendix: the workspace's audit log, with the result of its chain check.

Printed on the first page: whether the hash chain is intact and the newest
entry's number and hash. Keeping that head with the decision documents is
what later shows that no entry was cut off the end (see ``model.audit``).
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from judgepanel.progress import Progress
from judgepanel.reports import styles as st
from judgepanel.reports.common import table
from judgepanel.reports.data import ReportData
from judgepanel.reports.document import ReportDocument, format_time

TITLE = "Audit log"


def chain_box(data: ReportData) -> Flowable:
    s = st.make_styles()
    if data.audit_problems:
        lines = ["<b>The audit chain is broken.</b> These entries no longer fit together; the "
                 "log was changed outside JudgePanel:"]
        lines += [st.text(p) for p in data.audit_problems]
        colour, fill = st.WARN, st.WARN_LIGHT
    else:
        lines = [f"<b>The audit chain is intact</b>: all {len(data.audit)} entries fit together "
                 "and none was changed after it was written."]
        colour, fill = st.GOOD, st.GOOD_LIGHT
    if data.audit:
        head = data.audit[-1]
        lines.append(f"Newest entry: #{head.seq}, hash <font name='JPSansCond'>"
                     f"{head.hash}</font>. Keep this with the decision to show later that no "
                     "entry was removed.")
    box = Table([[Paragraph("<br/>".join(lines), s.body)]], colWidths=[174 * mm])
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), fill),
                             ("LINEBEFORE", (0, 0), (0, -1), 3, colour),
                             ("LEFTPADDING", (0, 0), (-1, -1), 8),
                             ("TOPPADDING", (0, 0), (-1, -1), 6),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return box


def build(data: ReportData, out_path: str, progress: Progress | None = None) -> None:
    doc = ReportDocument(title=TITLE, program=data.program, round_name=data.round_name,
                         subject=f"Audit log of {data.program}", author=data.options.author,
                         printed=data.options.generated_at, progress=progress)
    status = "broken" if data.audit_problems else "intact"
    story: list[Flowable] = doc.cover(
        TITLE, [("Entries", str(len(data.audit))), ("Chain", status)],
        intro="Every action recorded in this program's workspace, oldest first (times in UTC).")
    story += [doc.section("Chain check", "check"), chain_box(data),
              doc.section("Entries", "entries")]
    rows = [[e.seq, format_time(e.at), e.actor, e.action, e.details] for e in data.audit]
    if rows:
        story.append(table(["#", "Time", "Actor", "Action", "Details"], rows,
                           [x * mm for x in (10, 28, 24, 33, 79)], right=(0,)))
    else:
        story.append(Paragraph("The log is empty.", doc.styles.body))
    doc.build(story, out_path)
