"""PDF reports built with reportlab. No Qt.

``build_report(kind, workspace, round, out_path, options=...)`` reads one round of
a staff workspace once (``gather``) and lays out one report kind from that plain
data. ``REPORT_KINDS`` lists the staff reports by name (what the command line and
the staff app offer). The judge's score sheet is built from a judging session
instead: ``scoresheet.build(scoresheet.sheet_from_session(session), path)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from judgepanel.errors import ValidationError
from judgepanel.progress import Progress

if TYPE_CHECKING:
    from judgepanel.model.staff.workspace import StaffWorkspace
    from judgepanel.reports.data import ReportData, ReportOptions


@dataclass(frozen=True)
class ReportKind:
    name: str
    title: str
    description: str
    module: str  # judgepanel.reports.<module> with build(data, out_path, progress)

    def builder(self) -> Callable[[ReportData, str, Progress | None], None]:
        import importlib

        return importlib.import_module(f"judgepanel.reports.{self.module}").build  # type: ignore[no-any-return]


REPORT_KINDS: dict[str, ReportKind] = {
    k.name: k
    for k in (
        ReportKind("ranking", "Ranking report", "method, ranking, charts, agreement, "
                   "categories and funding line", "ranking"),
        ReportKind("dossier", "Application dossiers", "every judge's scores and comments per "
                   "application, flags and conflicts", "dossier"),
        ReportKind("coi", "Conflict-of-interest register", "every finding, declaration and "
                   "decision with reasons and times", "coi"),
        ReportKind("activity", "Judge activity", "who returned what, when, with which "
                   "sequence; who is late", "activity"),
        ReportKind("feedback", "Feedback to applicants", "judges' feedback for each "
                   "applicant (never their comments for the panel), without names or scores "
                   "unless allowed", "feedback"),
        ReportKind("compendium", "Compendium", "best practices (recognition) or funded "
                   "initiatives (grants): the selected applications' summaries for "
                   "publication", "compendium"),
        ReportKind("decisions", "Decisions", "each decision of the panel with its reason "
                   "and scores; every departure from the ranking called out", "decisions"),
        ReportKind("audit", "Audit log", "the audit log with its chain check", "audit_appendix"),
    )
}


def render(kind: str, data: ReportData, out_path: Path | str,
           progress: Progress | None = None) -> Path:
    """Lay out one report kind from plain data (no database needed)."""
    if kind not in REPORT_KINDS:
        raise ValidationError(
            f"There is no report called “{kind}”. Choose one of: {', '.join(REPORT_KINDS)}.",
            path="kind",
        )
    out = Path(out_path)
    REPORT_KINDS[kind].builder()(data, str(out), progress)
    return out


def build_report(kind: str, workspace: StaffWorkspace, round: int | None, out_path: Path | str,
                 *, options: ReportOptions | None = None,
                 progress: Progress | None = None) -> Path:
    """Read ``round`` (number; None = latest) of ``workspace`` and write report ``kind``."""
    from judgepanel.reports.gather import gather

    if kind not in REPORT_KINDS:
        render(kind, None, out_path)  # type: ignore[arg-type]  # raises the friendly error
    with workspace.session() as session:
        data = gather(session, workspace.program(session), round, options)
    return render(kind, data, out_path, progress)
