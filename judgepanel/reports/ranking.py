"""The ranking report: the document a committee decides from.

Order of the report: cover with the round's key figures; the method in plain
words (so nobody has to ask how a number was made); the overall ranking; the
charts; the panel's agreement; one section per category; and, for grants,
the funding line against the budget. Conflicted reviews never reach these
numbers (``gather`` drops them); each row says how many there were.
"""

from __future__ import annotations

from collections import Counter

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table

from judgepanel.model.scoring.funding import FundingLine
from judgepanel.model.scoring.ranking import BASIS_NAMES, Basis, Ranking, RankingRow
from judgepanel.model.scoring.statistics import T_SCORE_CENTRE, T_SCORE_SCALE
from judgepanel.progress import Progress
from judgepanel.reports import charts
from judgepanel.reports import styles as st
from judgepanel.reports.common import (
    alpha_sentence,
    amount,
    markup,
    money,
    num,
    table,
)
from judgepanel.reports.data import ReportData
from judgepanel.reports.document import ReportDocument
from judgepanel.reports.longtable import fit_width, long_table
from judgepanel.text import plural

WIDTH = 174 * mm
TITLE = "Ranking report"


def flags(row: RankingRow) -> list[str]:
    """Short flags for the table; the full reasons are listed under it."""
    out = []
    if row.disagreement:
        out.append("disagree")
    if row.stats.missing:
        out.append(f"{len(row.stats.missing)} missing")
    if row.stats.conflicted:
        out.append(f"{len(row.stats.conflicted)} COI")
    return out


def applicant_line(organisation: str, city: str) -> str:
    """"Organisation, City", without repeating a city the organisation already names."""
    if city and city.casefold() in organisation.casefold():
        return organisation
    return ", ".join(x for x in (organisation, city) if x)


def application_cell(title: str, applicant: str) -> str:
    """The title, and the applicant in small grey type under it."""
    if not applicant:
        return markup(st.text(title))
    grey = "#" + st.MUTED.hexval()[2:]
    return markup(f"{st.text(title)}<br/><font size={st.SIZE_SMALL} color='{grey}'>"
                  f"{st.text(applicant)}</font>")


def companion(basis: Basis) -> Basis:
    """The ranking printed beside the lead: raw beside a normalised one, else adjusted."""
    return "adjusted" if basis == "raw" else "raw"


def ranking_table(data: ReportData, lead: Ranking, other: Ranking) -> list[Flowable]:
    """Rank, application, applicant, n, mean, SD, a normalised score, the other rank, flags.

    The normalised score is the z display on a z ranking, else the adjusted score.
    """
    other_rank = {r.application_id: r.rank for r in other.rows}
    z_shown = lead.basis == "z"
    header = ["Rank", "Ref", "Application and applicant", "n", "Mean", "SD",
              "z" if z_shown else "Adj.",
              {"raw": "Raw rank", "adjusted": "Adj. rank", "z": "z rank"}[other.basis], "Flags"]
    rows = []
    for r in lead.rows:
        app = data.app[r.application_id]
        rows.append([
            f"{r.rank}{'=' if r.shared else ''}", app.ref,
            application_cell(app.title, applicant_line(app.organisation, app.city)),
            r.stats.n, num(r.stats.mean), num(r.stats.summary.sd),
            num(r.stats.z_display if z_shown else r.stats.adjusted),
            other_rank.get(r.application_id, "—"), ", ".join(flags(r)),
        ])
    # The ref column is as wide as the longest ref (refs must not break); then rank, n,
    # mean, SD, norm, other rank, flags, each wide enough for its bold header word; the
    # application (title over applicant, one column so rows stay two lines high) takes
    # the rest.
    ref_w = fit_width([r[1] for r in rows], at_least=14 * mm, bold_header="Ref")
    fixed = [x * mm for x in (11.5, 6, 12.5, 11, 13.5, 13, 24)]
    widths = [fixed[0], ref_w, WIDTH - ref_w - sum(fixed), *fixed[1:]]
    story: list[Flowable] = long_table(header, rows, widths, right=range(3, 8))
    if lead.unranked:
        names = ", ".join(lead.unranked)
        story.append(Paragraph(
            f"Not ranked yet (no complete review{' with a z-score' if z_shown else ''}): "
            f"{st.text(names)}.", st.make_styles().small))
    notes = [r for r in lead.rows if r.disagreement]
    if notes:
        s = st.make_styles()
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph("<b>Why applications are flagged for disagreement</b>",
                               s.small_heading))
        why = [(r.application_id, data.app[r.application_id].title, "; ".join(r.disagreement))
               for r in notes]
        ref_w = fit_width([w[0] for w in why], at_least=14 * mm, bold_header="Ref")
        story += long_table(["Ref", "Application", "Why"], why,
                            [ref_w, 62 * mm, WIDTH - ref_w - 62 * mm])
    return story


def method(data: ReportData) -> list[Flowable]:
    s = st.make_styles()
    counting = [c for c in data.criteria if c.counts]
    advisory = [c for c in data.criteria if not c.counts]
    weights = sum(c.weight for c in counting)
    rows = [[c.title, f"{c.min:g}–{c.max:g}" + (f" (step {c.step:g})" if c.step != 1 else ""),
             f"{c.weight:g}", f"{100 * c.weight / weights:.0f}%" if c.counts else "advice only"]
            for c in data.criteria]
    tie = data.criterion.get(data.tie_break or "")
    rule = data.disagreement
    limits = [f"a range above {rule.max_range:g} points" if rule.max_range is not None else "",
              f"a standard deviation above {rule.max_sd:g}" if rule.max_sd is not None else ""]
    limits = [x for x in limits if x]
    paragraphs = [
        "<b>Each review's total.</b> Every criterion that counts is converted to a 0–100 scale "
        "(lowest score = 0, highest = 100) and the total is their weighted mean, using the "
        "weights below. A review counts only when every counting criterion is scored."
        + (f" {plural(len(advisory), 'criterion', 'criteria')} "
           "is scored for advice only and does not enter the total." if advisory else ""),
        "<b>Mean.</b> An application's mean is the plain average of its reviews' totals; SD is "
        "the sample standard deviation between its judges.",
        "<b>Adjusted score.</b> Some judges score higher than others. The adjusted score is "
        "what a judge of average leniency would give: a statistical model (total = quality "
        "+ judge's leniency + noise) estimates each judge's leniency from the applications "
        "they shared with other judges, trusting it more the more reviews the judge made, "
        "and takes it out. It is on the same 0–100 scale as the mean.",
        "<b>z score.</b> Each review's total is "
        "turned into a z-score within its judge's own reviews (how far above or below that "
        "judge's average, in that judge's standard deviations); an application's z "
        f"score is the mean of these, shown as {T_SCORE_CENTRE:g} + {T_SCORE_SCALE:g} × z "
        f"({T_SCORE_CENTRE:g} = as good as this panel's average review). Judges with fewer "
        "than two reviews give no z-scores.",
        "<b>Ties.</b> Equal scores are separated by the higher mean on "
        + (f"“{st.text(tie.title)}”, then " if tie else "")
        + "the larger number of reviews. Applications still equal share a rank (marked “=”).",
        "<b>Conflicts of interest.</b> A judge's scores are never used for an application they "
        "declared a conflict with, or whose conflict staff confirmed. A possible conflict that "
        "screening found and staff have not decided yet does not remove the scores; the "
        "dossier marks it.",
    ]
    if limits:
        paragraphs.append("<b>Disagreement.</b> An application is flagged when its judges' "
                          f"totals show {' or '.join(limits)}.")
    story: list[Flowable] = [Paragraph(p, s.body) for p in paragraphs]
    story.append(table(["Criterion", "Scale", "Weight", "Share of total"], rows,
                       [x * mm for x in (92, 30, 20, 32)], right=(2, 3)))
    return story


def chart_section(data: ReportData) -> list[Flowable]:
    s = st.make_styles()
    means = [a.mean for a in data.standings.applications.values() if a.mean is not None]
    story: list[Flowable] = [
        charts.histogram(means, width=WIDTH, title="Distribution of application means",
                         xlabel="mean total (0–100)"),
        Spacer(1, 5 * mm),
        Paragraph("<b>Score distribution per criterion</b> (number of reviews giving each score)",
                  s.small),
    ]
    cells, row = [], []
    per_row = 3
    for c in data.criteria:
        counts: Counter[float] = Counter()
        steps = round((c.max - c.min) / c.step)
        for i in range(steps + 1) if steps <= 20 else ():
            counts[round(c.min + i * c.step, 6)] += 0
        for review in data.reviews:
            value = review.scores.get(c.key)
            if value is not None:
                counts[round(value, 6)] += 1
        row.append(charts.score_bars(counts, width=WIDTH / per_row - 6, title=c.title))
        if len(row) == per_row:
            cells.append(row)
            row = []
    if row:
        cells.append(row + [""] * (per_row - len(row)))
    if cells:
        # the heading and its small charts stay on one page (they are a few rows high)
        story[-1] = KeepTogether([story[-1], Table(cells, colWidths=[WIDTH / per_row] * per_row,
                                                   hAlign="LEFT")])
    judges = [
        (data.judge_label(j), js.leniency, js.spread, js.n)
        for j, js in sorted(data.standings.judges.items(), key=lambda kv: data.judge_label(kv[0]))
    ]
    if judges:
        story += [Spacer(1, 5 * mm), CondPageBreak(40 * mm),
                  Paragraph("<b>Judges</b> (number of complete reviews in brackets)", s.small),
                  charts.judge_chart(judges, width=WIDTH)]
    return story


def funding_section(data: ReportData, line: FundingLine, key: str) -> list[Flowable]:
    s = st.make_styles()
    rows = []
    cut = None
    for r in line.rows:
        app = data.app[r.application_id]
        status = r.status + (" (set by staff)" if r.overridden else "")
        rows.append([r.position, app.ref, app.title, amount(r.requested), amount(r.awarded),
                     amount(r.running_total), amount(r.remaining), status])
        if r.application_id == line.line_at:
            cut = len(rows)  # the line is drawn above this row (header is row 0)
    rule = {cut - 1: (2.0, st.WARN)} if cut is not None else {}
    ref_w = fit_width([r[1] for r in rows], at_least=14 * mm, bold_header="Ref")
    widths = [7 * mm, ref_w, 58 * mm - ref_w, *[x * mm for x in (20, 20, 20, 20, 29)]]
    cur = data.currency
    summary = (f"Budget {money(line.budget, data.currency)}; awarded "
               f"{money(line.total_awarded, data.currency)}; remaining "
               f"{money(line.remaining, data.currency)}.")
    if line.over_budget:
        summary += " <b>The awards exceed the budget.</b>"
    if line.line_at:
        summary += (f" The funding line falls above {st.text(line.line_at)}: it is the first "
                    "application whose request no longer fits (orange rule).")
    if line.tied_at_line:
        summary += f" <b>{st.text(line.tie_note())}</b>"
    return [
        Paragraph("Going down the ranking, each application is funded in full while its "
                  "request fits in what is left; the first that does not fit draws the line. "
                  "Awards set by staff are taken as given.", s.small),
        Paragraph(summary, s.body),
        *long_table(["#", "Ref", "Application", f"Requested ({cur})", f"Awarded ({cur})",
                     f"Running total ({cur})", f"Remaining ({cur})", "Status"],
                    rows, widths, right=(0, 3, 4, 5, 6),
                    rule_above=rule),
    ]


def build(data: ReportData, out_path: str, progress: Progress | None = None) -> None:
    doc = ReportDocument(title=TITLE, program=data.program, round_name=data.round_name,
                         subject=f"Ranking of {data.program}, {data.round_name}",
                         author=data.options.author, printed=data.options.generated_at,
                         progress=progress)
    s = doc.styles
    lead = data.ranking()
    other = data.ranking(companion(lead.basis))
    facts = [("Applications", str(len(data.applications))),
             ("Judges", str(len({r.judge for r in data.reviews}))),
             ("Complete reviews", str(data.complete_reviews)),
             ("Ranked", str(len(lead.rows)))]
    basis = BASIS_NAMES[lead.basis]
    story: list[Flowable] = doc.cover(
        TITLE, facts,
        intro=f"Ranked by {basis}. Rubric: {st.text(data.rubric_name)}."
        + (" Blind review: judges did not see some applicant details." if data.blind else ""))
    story += [doc.section("How this ranking was made", "method"), *method(data)]
    story += [CondPageBreak(60 * mm), doc.section("Ranking", "ranking"),
              *ranking_table(data, lead, other)]
    story += [CondPageBreak(90 * mm), doc.section("Charts", "charts"), *chart_section(data)]
    alpha = data.standings.alpha
    story += [KeepTogether([doc.section("Panel agreement", "agreement"),
                            Paragraph("Krippendorff's alpha (interval) over review totals: 1 is "
                                      "perfect agreement, 0 no more than chance.", s.small),
                            charts.alpha_gauge(alpha, width=WIDTH / 2),
                            Spacer(1, 2 * mm),
                            Paragraph(markup(st.text(alpha_sentence(alpha))), s.body)])]
    line = data.funding()
    if line is not None:
        story += [CondPageBreak(60 * mm), doc.section("Funding line", "funding"),
                  *funding_section(data, line, "funding")]
    used = [c for c in data.categories if any(c.name in a.categories for a in data.applications)]
    if used:
        story.append(doc.section("Categories", "categories"))
    for i, cat in enumerate(used):
        ranking = data.ranking(category=cat.name)
        other_cat = data.ranking(companion(lead.basis), cat.name)
        story += [CondPageBreak(50 * mm), doc.section(cat.name, f"cat-{i}", level=1),
                  *ranking_table(data, ranking, other_cat)]
        cat_line = data.funding(cat.name)
        if cat_line is not None:
            story += [Spacer(1, 3 * mm), *funding_section(data, cat_line, f"cat-{i}-funding")]
    doc.build(story, out_path)
