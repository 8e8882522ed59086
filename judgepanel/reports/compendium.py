"""The compendium: the selected applications' summaries, for publication.

Published for others to learn from, so it carries no scores, no ranks and no
judges; it is ordered by title (naturally: "Project 3" before "Project 19"), not by
rank. Its title fits the program: "Best practices" for a recognition program,
"Funded initiatives" for grants (a round with a budget or requested amounts). Which
applications: ``ReportOptions.selected`` when staff chose them; otherwise, once the
panel has decided on any application, those whose outcome is a selected one (winners,
the funded: ``decide.decisions``); otherwise every application with an award above
zero; otherwise the top ``compendium_top`` of the ranking. The summary is the form
field ``ReportOptions.summary_field`` names, else a usual one
(``gather.SUMMARY_FIELDS``), found without regard to case or spacing.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, HRFlowable, Paragraph, Spacer

from judgepanel.progress import Progress
from judgepanel.reports import styles as st
from judgepanel.reports.data import ReportData
from judgepanel.reports.document import ReportDocument
from judgepanel.text import natural_key

TITLE = "Best practices"
GRANTS_TITLE = "Funded initiatives"


def is_grants(data: ReportData) -> bool:
    """A grants program: the round has a budget, or applications ask for money."""
    return data.budget is not None or any(
        a.requested is not None or a.awarded is not None for a in data.applications)


def title(data: ReportData) -> str:
    return GRANTS_TITLE if is_grants(data) else TITLE


def selected(data: ReportData) -> list[str]:
    if data.options.selected is not None:
        chosen = set(data.options.selected)
        return [a.ref for a in data.applications if a.ref in chosen]
    if data.decisions:
        return [a.ref for a in data.applications
                if (d := data.decisions.get(a.ref)) is not None and d.selected]
    awarded = [a.ref for a in data.applications if a.awarded is not None and a.awarded > 0]
    if awarded:
        return awarded
    rows = data.ranking().rows
    return [r.application_id for r in rows if r.rank <= data.options.compendium_top]


def build(data: ReportData, out_path: str, progress: Progress | None = None) -> None:
    heading = title(data)
    grants = is_grants(data)
    items = "Initiatives" if grants else "Practices"
    doc = ReportDocument(title=heading, program=data.program, round_name=data.round_name,
                         subject=f"{heading} from {data.program}",
                         author=data.options.author, printed=data.options.generated_at,
                         progress=progress)
    s = doc.styles
    refs = sorted(selected(data), key=lambda r: natural_key(data.app[r].title))
    cities = {data.app[r].city for r in refs if data.app[r].city}
    intro = st.text(data.description) if data.description else (
        f"The {items.lower()} {'funded' if grants else 'selected'} in "
        f"{st.text(data.program)}, described by the applicants, for others to learn from.")
    story: list[Flowable] = doc.cover(
        heading, [(items, str(len(refs))), ("Cities", str(len(cities)))], intro=intro)
    story.append(doc.section(items, "practices"))
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
