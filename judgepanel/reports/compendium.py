"""The best-practices compendium: the selected applications' summaries, for publication.

Published for other cities to learn from, so it carries no scores, no ranks
and no judges; it is ordered by title, not by rank. Which applications:
``ReportOptions.selected`` when staff chose them; otherwise every
application with an award above zero; otherwise the top
``compendium_top`` of the ranking.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, HRFlowable, Paragraph, Spacer

from judgepanel.progress import Progress
from judgepanel.reports import styles as st
from judgepanel.reports.data import ReportData
from judgepanel.reports.document import ReportDocument

TITLE = "Best practices"


def selected(data: ReportData) -> list[str]:
    if data.options.selected is not None:
        chosen = set(data.options.selected)
        return [a.ref for a in data.applications if a.ref in chosen]
    awarded = [a.ref for a in data.applications if a.awarded is not None and a.awarded > 0]
    if awarded:
        return awarded
    rows = data.ranking().rows
    return [r.application_id for r in rows if r.rank <= data.options.compendium_top]


def build(data: ReportData, out_path: str, progress: Progress | None = None) -> None:
    doc = ReportDocument(title=TITLE, program=data.program, round_name=data.round_name,
                         subject=f"Best practices from {data.program}",
                         author=data.options.author, printed=data.options.generated_at,
                         progress=progress)
    s = doc.styles
    refs = sorted(selected(data), key=lambda r: data.app[r].title.casefold())
    cities = {data.app[r].city for r in refs if data.app[r].city}
    intro = st.text(data.description) if data.description else (
        f"The practices selected in {st.text(data.program)}, described by the applicants, "
        "for others to learn from.")
    story: list[Flowable] = doc.cover(
        TITLE, [("Practices", str(len(refs))), ("Cities", str(len(cities)))], intro=intro)
    story.append(doc.section("Practices", "practices"))
    for i, ref in enumerate(refs):
        app = data.app[ref]
        place = ", ".join(x for x in (app.organisation, app.city) if x)
        block: list[Flowable] = [
            CondPageBreak(60 * mm),
            doc.section(app.title, f"bp-{i}", level=1),
            Paragraph(st.text(place), s.muted),
        ]
        if app.categories:
            block.append(Paragraph(st.text(" · ".join(app.categories)), s.small))
        summary = app.summary or "The applicant did not provide a summary for publication."
        block += [Spacer(1, 2 * mm)]
        block += [Paragraph(st.text(p), s.body) for p in summary.split("\n\n") if p.strip()]
        block += [Spacer(1, 3 * mm), HRFlowable(width="100%", color=st.RULE, thickness=0.5),
                  Spacer(1, 3 * mm)]
        story += block
    if not refs:
        story.append(Paragraph("No applications have been selected yet.", s.body))
    doc.build(story, out_path)
