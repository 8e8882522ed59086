"""Judge activity: who has returned what, when, with which sequence; who is late.

"Late" is judged at a fixed moment so the same data gives the same report:
``ReportOptions.generated_at`` when the caller gives one, otherwise the
newest moment recorded in the data (last results received or audit entry).
A judge is late when their due date has passed at that moment and some
assigned application is neither scored, declared conflicted, nor marked unable to
review (with a reason, listed under the table).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from judgepanel.progress import Progress
from judgepanel.reports import styles as st
from judgepanel.reports.common import table
from judgepanel.reports.data import ReportData, ResultsInfo
from judgepanel.reports.document import ReportDocument, format_time
from judgepanel.reports.fonts import CONDENSED
from judgepanel.text import natural_key

TITLE = "Judge activity"


def as_of(data: ReportData) -> dt.datetime | None:
    if data.options.generated_at is not None:
        return data.options.generated_at
    moments = [r.received_at for r in data.results] + [a.at for a in data.audit]
    return max(moments) if moments else None


@dataclass(frozen=True)
class JudgeActivity:
    judge: str
    assigned: int
    done: int  # fully scored, declared conflicted, or unable to review (with a reason)
    conflicts: int
    files: int
    refused: int
    last: ResultsInfo | None  # newest accepted results file
    due: dt.datetime | None
    status: str  # "complete" | "LATE" | "in progress" | "not returned"


def judge_rows(data: ReportData) -> list[JudgeActivity]:
    """One summary per judge with an assignment or a bundle in this round."""
    now = as_of(data)
    assigned: dict[str, set[str]] = defaultdict(set)
    for judge, app in data.assignments:
        assigned[judge].add(app)
    complete: dict[str, set[str]] = defaultdict(set)
    for r in data.reviews:
        if r.total is not None:
            complete[r.judge].add(r.application)
    conflicted: dict[str, set[str]] = defaultdict(set)
    for judge, app in data.conflicted_pairs:
        conflicted[judge].add(app)
    for app, judge, _reason in data.unable:
        complete[judge].add(app)
    due: dict[str, dt.datetime | None] = {}
    for b in data.bundles:
        if not b.superseded:
            due[b.judge] = b.due_at or data.due_at
    files: dict[str, list[ResultsInfo]] = defaultdict(list)
    for f in data.results:
        if f.judge is not None:
            files[f.judge].append(f)
    rows = []
    for judge in sorted(set(assigned) | set(due), key=lambda j: data.judge_name(j).casefold()):
        apps = assigned[judge]
        done = (complete[judge] | conflicted[judge]) & apps
        accepted = [f for f in files[judge] if f.status == "accepted"]
        last = max(accepted, key=lambda f: (f.sequence or 0, f.received_at), default=None)
        deadline = due.get(judge, data.due_at)
        if apps and done == apps:
            status = "complete"
        elif deadline is not None and now is not None and now > deadline:
            status = "LATE"
        elif accepted:
            status = "in progress"
        else:
            status = "not returned"
        rows.append(JudgeActivity(
            judge=judge, assigned=len(apps), done=len(done),
            conflicts=len(conflicted[judge] & apps), files=len(files[judge]),
            refused=sum(1 for f in files[judge] if f.status == "refused"),
            last=last, due=deadline, status=status,
        ))
    return rows


def build(data: ReportData, out_path: str, progress: Progress | None = None) -> None:
    doc = ReportDocument(title=TITLE, program=data.program, round_name=data.round_name,
                         subject=f"Judge activity, {data.program}, {data.round_name}",
                         author=data.options.author, printed=data.options.generated_at,
                         progress=progress)
    s = doc.styles
    summary = judge_rows(data)
    late = [r for r in summary if r.status == "LATE"]
    done = [r for r in summary if r.status == "complete"]
    moment = as_of(data)
    story: list[Flowable] = doc.cover(
        TITLE,
        [("Judges", str(len(summary))), ("Complete", str(len(done))), ("Late", str(len(late))),
         ("Results files", str(len(data.results)))],
        intro="Status as of " + st.text(format_time(moment)) + ". Judges are named: this is a "
        "staff record.",
    )
    story.append(doc.section("Who has returned what", "summary"))
    rows: list[list[object]] = []
    for a in summary:
        last = a.last
        last_text = f"#{last.sequence} on {format_time(last.received_at)}" if last else "—"
        rows.append([data.judge_name(a.judge), a.assigned, a.done, a.conflicts, last_text,
                     a.refused, format_time(a.due), a.status])
    late_rows: list[tuple[object, ...]] = []
    for i, a in enumerate(summary):
        if a.status == "LATE":
            late_rows += [("TEXTCOLOR", (7, i + 1), (7, i + 1), st.WARN),
                          ("FONT", (7, i + 1), (7, i + 1), CONDENSED.bold, 8.5)]
    story.append(table(
        ["Judge", "Apps", "Done", "COI", "Last accepted results (UTC)", "Refused", "Due (UTC)",
         "Status"], rows, [x * mm for x in (34, 11, 11, 10, 38, 17, 28, 25)],
        right=(1, 2, 3, 5), extra=late_rows))
    story.append(Paragraph("Apps: applications assigned. Done: fully scored, declared "
                           "conflicted, or unable to review. COI: conflicts among them.",
                           s.small))
    if data.unable:
        story.append(Paragraph("Unable to review (a missing review, with the judge's reason):",
                               s.body))
        for app, judge, reason in sorted(data.unable, key=lambda u: (
                data.judge_name(u[1]).casefold(), u[0])):
            story.append(Paragraph(f"• {st.text(data.judge_name(judge))} — {st.text(app)}: "
                                   f"{st.text(reason)}", s.body))
    story.append(doc.section("Every results file received", "files"))
    rows = []
    # By the minute shown, then judge, export and file: files merged in the same minute
    # come in the same order every time, not in the order of their microseconds.
    for r in sorted(data.results, key=lambda r: (
            r.received_at.replace(second=0, microsecond=0),
            natural_key(data.judge_name(r.judge)), r.sequence or 0, r.file_name)):
        rows.append([format_time(r.received_at), data.judge_name(r.judge), r.bundle_id or "—",
                     "—" if r.sequence is None else r.sequence, r.status, r.refusal or ""])
    if rows:
        story.append(table(["Received (UTC)", "Judge", "Bundle", "Seq.", "Status",
                            "Why refused"],
                           rows, [x * mm for x in (28, 32, 28, 10, 17, 59)], right=(3,)))
    else:
        story.append(Paragraph("No results have been received yet.", s.body))
    doc.build(story, out_path)
