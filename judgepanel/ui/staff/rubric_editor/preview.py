"""The rubric editor's preview: roughly what a judge sees for each criterion."""

from __future__ import annotations

import html

from judgepanel.model.rubric.definition import Rubric
from judgepanel.ui.staff.table_model import tr


def preview_html(rubric: Rubric) -> str:
    """Roughly what a judge sees for each criterion."""
    e = html.escape
    total = sum(c.weight for c in rubric.counting)
    parts = [f"<h3>{e(rubric.name)}</h3>"]
    for c in rubric.criteria:
        share = (tr("{share}% of the total").format(share=f"{100 * c.weight / total:.0f}")
                 if c.counts else tr("advice only, not in the total"))
        parts.append(f"<h4>{e(c.title)} <small>({e(c.scale_text())}; {share})</small></h4>")
        if c.guidance:
            parts.append(f"<p><i>{e(c.guidance)}</i></p>")
        if c.levels:
            parts.append("<ul>" + "".join(f"<li><b>{lv.score:g}</b> — {e(lv.descriptor)}</li>"
                                          for lv in c.levels) + "</ul>")
        rules = (c.comment.describe("a comment for the panel").capitalize(),
                 c.applicant_feedback.describe("feedback for the applicant").capitalize())
        parts.append("<p><small>" + ". ".join(e(r) for r in rules) + ".</small></p>")
    if rubric.overall_feedback_required:
        parts.append("<p>" + tr("Every review needs overall feedback for the applicant.")
                     + "</p>")
    if rubric.tie_break:
        parts.append("<p>" + tr("Ties are broken by “{title}”.").format(
            title=e(rubric.criterion(rubric.tie_break).title)) + "</p>")
    return "".join(parts)

