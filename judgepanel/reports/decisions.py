"""The Decisions report: what the panel decided on each application, why, and on what scores.

A record for the program and its board. For every decision: the outcome, the reason,
who decided and when, and the scores behind it (the rank on the lead basis, the raw
mean and the adjusted score, from the leaderboard, as the ranking report prints them;
the award for grants). Then every departure from the ranking
(``decide.decisions.departures``): an application given a better outcome than one
ranked above it, with both reasons side by side, so nobody has to find the exceptions
by comparing two lists. The applications still undecided close the report. Judges are
not named: the report is about the applications.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from judgepanel.model.scoring.ranking import BASIS_NAMES
from judgepanel.model.staff.decide.decisions import departures
from judgepanel.progress import Progress
from judgepanel.reports import styles as st
from judgepanel.reports.common import DASH, amount, num
from judgepanel.reports.data import ReportData
from judgepanel.reports.document import ReportDocument, format_time
from judgepanel.reports.longtable import fit_width, long_table
from judgepanel.text import plural

TITLE = "Decisions"
WIDTH = 174 * mm


def _rank_text(rank: int | None) -> str:
    return DASH if rank is None else str(rank)


def build(data: ReportData, out_path: str, progress: Progress | None = None) -> None:
    doc = ReportDocument(title=TITLE, program=data.program, round_name=data.round_name,
                         subject=f"The panel's decisions, {data.program}",
                         author=data.options.author, printed=data.options.generated_at,
                         progress=progress)
    s = doc.styles
    ranking = data.ranking()
    ranks = {r.application_id: r.rank for r in ranking.rows}
    basis = BASIS_NAMES[ranking.basis]
    decided = dict(data.decisions)
    place = {o.name: i for i, o in enumerate(data.outcomes)}
    found = departures(ranks, {ref: d.outcome for ref, d in decided.items()}, data.outcomes)
    counts = [(o.name.capitalize(), str(sum(1 for d in decided.values() if d.outcome == o.name)))
              for o in data.outcomes]
    story: list[Flowable] = doc.cover(
        TITLE,
        [("Decided", f"{len(decided)} of {len(data.applications)}"), *counts,
         ("Departures from the ranking", str(len(found)))],
        intro=f"Each decision of the panel with its reason and the scores behind it (rank "
        f"on the {basis.lower()}, raw mean and adjusted score, 0–100), then every decision "
        "that places an application above one ranked better, with both reasons. Outcomes "
        "in the program's order: " + ", ".join(o.name for o in data.outcomes) + ".")

    story.append(doc.section("Decisions", "decisions"))
    grants = any(o.award for o in data.outcomes)
    rows = []
    order = sorted(decided.values(), key=lambda d: (
        place.get(d.outcome, len(place)), ranks.get(d.ref, 10**9), d.ref))
    for d in order:
        stats = data.standings.applications.get(d.ref)
        row: list[object] = [
            d.outcome, _rank_text(ranks.get(d.ref)), d.ref, data.app[d.ref].title
            if d.ref in data.app else d.title,
            num(stats.mean if stats else None), num(stats.adjusted if stats else None)]
        if grants:
            row.append(amount(d.award))
        row += [d.reason, f"{d.decided_by}, {format_time(d.decided_at)}"]
        rows.append(row)
    if rows:
        outcome_w, rank_w, ref_w, raw_w, adjusted_w = (
            fit_width([r[i] for r in rows], at_least=10 * mm, bold_header=h)
            for i, h in ((0, "Outcome"), (1, "Rank"), (2, "Ref"), (4, "Raw"),
                         (5, "Adjusted")))
        money_w = 22 * mm if grants else 0
        fixed = outcome_w + rank_w + ref_w + raw_w + adjusted_w + money_w + 26 * mm
        rest = WIDTH - fixed
        header = ["Outcome", "Rank", "Ref", "Title", "Raw", "Adjusted"]
        widths = [outcome_w, rank_w, ref_w, rest * 0.35, raw_w, adjusted_w]
        if grants:
            header.append(f"Award ({data.currency})")
            widths.append(money_w)
        header += ["Reason", "Decided by, when (UTC)"]
        widths += [rest * 0.65, 26 * mm]
        story += long_table(header, rows, widths,
                            right=(1, 4, 5, 6) if grants else (1, 4, 5))
    else:
        story.append(Paragraph("The panel has not decided on any application yet.", s.body))

    story.append(doc.section("Departures from the ranking", "departures"))
    if not found:
        story.append(Paragraph(
            "None: no decided application was given a better outcome than one ranked above "
            f"it ({basis.lower()}).", s.body))
    for dep in found:
        mine = decided[dep.ref]
        over = "; ".join(f"{ref} (rank {rank}, {outcome})" for ref, rank, outcome in dep.over)
        block: list[Flowable] = [
            Paragraph(f"<b>{st.text(dep.ref)}</b> ranked {dep.rank}, "
                      f"<b>{st.text(dep.outcome)}</b>, above {st.text(over)}.", s.body),
            Paragraph(f"Reason for {st.text(dep.ref)}: {st.text(mine.reason)}", s.quote)]
        for ref, _, _ in dep.over:
            block.append(Paragraph(f"Reason for {st.text(ref)}: "
                                   f"{st.text(decided[ref].reason)}", s.quote))
        story += [KeepTogether(block), Spacer(1, 2 * mm)]

    story.append(doc.section("Not yet decided", "undecided"))
    waiting = sorted((a for a in data.applications if a.ref not in decided),
                     key=lambda a: (ranks.get(a.ref, 10**9), a.ref))
    if waiting:
        story.append(Paragraph(st.text(
            f"{plural(len(waiting), 'application')} without a decision, in ranking order: "
            + ", ".join(f"{a.ref} ({_rank_text(ranks.get(a.ref))})" for a in waiting)
            + "."), s.body))
    else:
        story.append(Paragraph("Every application of the round has a decision.", s.body))
    doc.build(story, out_path)

