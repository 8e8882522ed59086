"""``judgepanel staff report KIND --workspace PATH --out FILE``: write one PDF report.

A thin wrapper over :func:`judgepanel.reports.build_report`. The printed date
is only what ``--date`` gives: without it the same workspace always gives
the same bytes, so two runs can be compared with a checksum.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from judgepanel.cli.staff_common import ask_password, basis_option, workspace_option
from judgepanel.model.scoring.ranking import DEFAULT_BASIS
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.reports import REPORT_KINDS, build_report
from judgepanel.reports.gather import options_from_settings


def register(sub: argparse._SubParsersAction) -> None:
    kinds = ", ".join(f"{k.name} ({k.description})" for k in REPORT_KINDS.values())
    parser = sub.add_parser(
        "report", help="write a PDF report of a round",
        description=f"Write a PDF report. Kinds: {kinds}.")
    parser.add_argument("kind", choices=sorted(REPORT_KINDS), metavar="KIND",
                        help=", ".join(sorted(REPORT_KINDS)))
    workspace_option(parser)
    parser.add_argument("--out", "-o", type=Path, required=True, metavar="FILE",
                        help="the PDF to write")
    parser.add_argument("--round", type=int, default=None, metavar="N",
                        help="round number (default: the latest round)")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=None,
                        metavar="YYYY-MM-DD", help="date printed on the report (and the "
                        "moment lateness is judged at); default: none printed")
    basis_option(parser, default=None,
                 default_text=f"the program's ranking_basis setting, else {DEFAULT_BASIS}")
    parser.add_argument("--name-judges", action="store_true", default=None,
                        help="show judges' names instead of Judge A, B, ...")
    parser.add_argument("--feedback-scores", action="store_true", default=None,
                        help="applicant feedback: include scores")
    parser.add_argument("--feedback-outcome", action="store_true", default=None,
                        help="applicant feedback: include the panel's decision and reason "
                        "(default: the program setting reports.feedback_outcome)")
    parser.add_argument("--application", action="append", default=None, metavar="REF",
                        help="dossier/feedback: only this application (may be repeated)")
    parser.add_argument("--select", action="append", default=None, metavar="REF",
                        help="compendium: include this application (may be repeated)")
    parser.add_argument("--summary-field", metavar="FIELD",
                        help="compendium: the form field holding each summary (case and "
                        "spacing aside; default: the program setting summary_field, else "
                        "summary, abstract, practice summary or description)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    when = None
    if args.date is not None:
        when = dt.datetime.combine(args.date, dt.time(12), tzinfo=dt.UTC)
    workspace = StaffWorkspace.open(args.workspace, ask_password=ask_password)
    try:
        with workspace.session() as session:
            options = options_from_settings(
                workspace.program(session),
                generated_at=when,
                basis=args.basis,
                name_judges=args.name_judges,
                feedback_scores=args.feedback_scores,
                feedback_outcome=args.feedback_outcome,
                applications=tuple(args.application) if args.application else None,
                selected=tuple(args.select) if args.select else None,
                summary_field=args.summary_field,
            )
        out = build_report(args.kind, workspace, args.round, args.out, options=options)
    finally:
        workspace.close()
    print(f"Wrote the {REPORT_KINDS[args.kind].title.lower()} to {out}")
    return 0
