"""``judgepanel judge …``: judging from the command line, over the app's own workflow.

The same judging session (``model.judge.session``) and the same judge workspace as
the desktop app (by default the app's, so a judge can switch between the two):

- ``show BUNDLE``: the bundle's facts, the staff fingerprint, each application's state;
- ``declare BUNDLE --none | --conflict REF --reason TEXT … | --unable REF --reason TEXT``;
- ``sheet BUNDLE --out FILE.xlsx|.csv``: a score sheet to fill in;
- ``score BUNDLE SHEET [--check]``: apply a filled sheet (all or nothing);
- ``export BUNDLE --out FILE.jpresults [--score-sheet FILE.pdf]``;
- ``carry BUNDLE --out FILE.jpwork``: the work as it stands, complete or not, in a work
  file for the judge's other computer (encrypted to the judge alone);
- ``continue BUNDLE FILE``: bring back the work of one's own results or work file.

Each takes ``--identity-file``/``--passphrase-file`` (else this computer's judge
identities), ``--workspace FILE`` and ``--json``. See docs/cli.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from judgepanel.cli.staff_common import emit, json_errors, read_passphrase
from judgepanel.crypto.identity import Identity
from judgepanel.errors import IdentityError, ValidationError
from judgepanel.model.judge.records import AppProgress, ExportProblem
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.text import plural


class _Pair(argparse.Action):
    """``--conflict REF``/``--unable REF`` start an entry; ``--reason TEXT`` completes it."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        entries: list[list[str]] = getattr(namespace, "entries", None) or []
        if self.dest == "reason":
            if not entries or len(entries[-1]) == 3:
                parser.error("--reason must follow --conflict REF or --unable REF")
            entries[-1].append(str(values))
        else:
            if entries and len(entries[-1]) == 2:
                parser.error(f"give --reason TEXT after {entries[-1][0]} {entries[-1][1]}")
            entries.append([str(option_string), str(values)])
        namespace.entries = entries


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bundle", type=Path, metavar="BUNDLE", help="your .jpbundle file")
    parser.add_argument("--identity-file", type=Path, metavar="PATH",
                        help="your judge identity from a file (an exported .identity.age, "
                        "or a demo .identity) instead of this computer's identities")
    parser.add_argument("--passphrase-file", type=Path, metavar="PATH",
                        help="a file whose first line is the passphrase of your identity")
    parser.add_argument("--workspace", type=Path, metavar="FILE",
                        help="the judge workspace (default: the desktop app's)")
    parser.add_argument("--json", action="store_true", help="print one JSON object, for scripts")


def register(sub: argparse._SubParsersAction) -> None:
    judge = sub.add_parser("judge", help="judge from the command line: show, declare, score "
                           "sheet, score, export, carry to another computer, continue",
                           description="Judge a bundle from the command line, with the same "
                           "rules and the same saved work as the desktop app.")
    steps = judge.add_subparsers(dest="judge_command", metavar="STEP", required=True)

    show = steps.add_parser("show", help="the bundle's facts and each application's state")
    _common(show)
    show.set_defaults(func=json_errors(run_show))

    declare = steps.add_parser(
        "declare", help="declare conflicts of interest (or none), or that you are unable to "
        "review an application")
    _common(declare)
    declare.add_argument("--none", action="store_true",
                         help="no conflict of interest with every application not yet "
                         "declared (except those given with --conflict)")
    declare.add_argument("--conflict", action=_Pair, metavar="REF",
                         help="a conflict of interest with REF; follow with --reason")
    declare.add_argument("--unable", action=_Pair, metavar="REF",
                         help="unable to review REF for another reason than a conflict "
                         "(declared without a conflict); follow with --reason")
    declare.add_argument("--reason", action=_Pair, metavar="TEXT", help="why")
    declare.set_defaults(func=json_errors(run_declare), entries=[])

    sheet = steps.add_parser("sheet", help="write a score sheet (.xlsx or .csv) to fill in")
    _common(sheet)
    sheet.add_argument("--out", type=Path, required=True, metavar="FILE")
    sheet.set_defaults(func=json_errors(run_sheet))

    score = steps.add_parser("score", help="apply a filled score sheet (all or nothing)")
    _common(score)
    score.add_argument("sheet", type=Path, metavar="SHEET")
    score.add_argument("--check", action="store_true", help="show what would change; "
                       "change nothing")
    score.set_defaults(func=json_errors(run_score))

    export = steps.add_parser("export", help="sign and export your results file")
    _common(export)
    export.add_argument("--out", type=Path, required=True, metavar="FILE.jpresults")
    export.add_argument("--score-sheet", type=Path, metavar="FILE.pdf",
                        help="also save your score sheet as a PDF, for your records")
    export.set_defaults(func=json_errors(run_export))

    carry = steps.add_parser(
        "carry", help="save your work as it stands, complete or not, in a work file to go "
        "on on another computer (for you alone, not for the staff)")
    _common(carry)
    carry.add_argument("--out", type=Path, required=True, metavar="FILE.jpwork")
    carry.set_defaults(func=json_errors(run_carry))

    resume = steps.add_parser(
        "continue", help="bring back your work from your own results file or work file "
        "(on a new computer); changes nothing if the file is refused")
    _common(resume)
    resume.add_argument("file", type=Path, metavar="FILE",
                        help="your .jpresults or .jpwork file for this bundle")
    resume.set_defaults(func=json_errors(run_continue))


# --- identity and session ---------------------------------------------------------------


def judge_identities(args: argparse.Namespace) -> list[Identity]:
    """The identity given with --identity-file, or every judge identity on this computer
    that opens without a passphrase (or with --passphrase-file's)."""
    passphrase = read_passphrase(args.passphrase_file)
    if args.identity_file:
        from judgepanel.formats.identity_file import read_identity_file

        identity = read_identity_file(args.identity_file, passphrase=passphrase)
        if identity.role != "judge":
            raise IdentityError(f"“{identity.name}” is a {identity.role} identity; judge "
                                "commands need your judge identity.")
        return [identity]
    from judgepanel.formats.keystore import IdentityStore

    store = IdentityStore()
    cards = [c for c in store.list() if c.role == "judge"]
    if not cards:
        raise IdentityError("There is no judge identity on this computer. Create one in the "
                            "app (My identity) or with `judgepanel identity new --name NAME "
                            "--role judge`, or give --identity-file.")
    found = []
    for card in cards:
        if store.needs_passphrase(card.fingerprint) and passphrase is None:
            continue
        found.append(store.load(card.fingerprint, passphrase=passphrase
                                if store.needs_passphrase(card.fingerprint) else None))
    if not found:
        raise IdentityError("Your judge identity is protected by a passphrase. Give it with "
                            "--passphrase-file PATH (a file whose first line is the "
                            "passphrase).")
    return found


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[tuple[JudgingSession, Identity]]:
    identities = judge_identities(args)
    workspace = JudgeWorkspace.open(args.workspace)
    try:
        with JudgingSession.open(args.bundle, identities, workspace) as session:
            mine = next(i for i in identities
                        if i.fingerprint == session.info.judge_fingerprint)
            yield session, mine
    finally:
        workspace.close()


def _state(progress: AppProgress) -> str:
    if not progress.declared:
        return "not declared"
    if progress.conflict:
        return "conflict of interest"
    if progress.unable:
        return "unable to review"
    if progress.complete:
        return "complete"
    return f"{progress.scored} of {progress.criteria} scored"


def _applications(session: JudgingSession) -> list[dict[str, Any]]:
    out = []
    for app, progress in zip(session.applications, session.progress(), strict=True):
        review = session.review(app.id) if progress.unable else None
        out.append({"ref": app.id, "title": app.title, "state": _state(progress),
                    "declared": progress.declared, "conflict": progress.conflict,
                    "unable_reason": review.unable_reason if review else "",
                    "scored": progress.scored, "criteria": progress.criteria,
                    "complete": progress.complete, "total": progress.total})
    return out


def _missing(problems: list[ExportProblem], ending: str) -> list[str]:
    """"Ready to export.", or how many things are missing, ``ending``, and each of them."""
    if not problems:
        return ["Ready to export."]
    are = "is" if len(problems) == 1 else "are"
    return [f"{plural(len(problems), 'thing')} {are} still missing{ending}:",
            *(f"  {p.message}" for p in problems)]


# --- commands ---------------------------------------------------------------------------


def run_show(args: argparse.Namespace) -> int:
    with opened(args) as (session, _identity):
        info = session.info
        apps = _applications(session)
        problems = session.problems()
        exports = session.exports()
        first = session.first_bundle_from_this_staff_key()
    data = {"bundle_id": info.bundle_id, "program": info.program_name,
            "round": info.round_name, "judge": info.judge_name,
            "judge_fingerprint": info.judge_fingerprint, "staff": info.staff_name,
            "staff_fingerprint": info.staff_fingerprint, "due": info.due,
            "first_bundle_from_this_staff_key": first, "applications": apps,
            "missing": len(problems), "missing_items": [p.message for p in problems],
            "exports": [{"sequence": e.sequence, "file": str(e.path),
                         "export_id": e.export_id, "work_file": e.work_file}
                        for e in exports]}
    lines = [f"{info.program_name} — {info.round_name}", f"  judge:             "
             f"{info.judge_name} ({info.judge_fingerprint})",
             f"  signed by:         {info.staff_name}",
             f"  staff fingerprint: {info.staff_fingerprint}"
             + ("   (first bundle of this program here: compare it with the one the "
                "staff gave you)" if first else ""),
             f"  due:               {info.due or '—'}", ""]
    lines += [f"  {a['ref']:<14} {a['state']:<22} {a['title']}" for a in apps]
    lines.append("")
    lines += _missing(problems, " before you can export")
    emit(args, data, lines)
    return 0


def run_declare(args: argparse.Namespace) -> int:
    entries = args.entries
    if entries and len(entries[-1]) == 2:
        raise ValidationError(f"Give --reason TEXT after {entries[-1][0]} {entries[-1][1]}.")
    if not entries and not args.none:
        raise ValidationError("Say what to declare: --none, --conflict REF --reason TEXT, or "
                              "--unable REF --reason TEXT.")
    done: list[str] = []
    with opened(args) as (session, _identity):
        known = {a.id for a in session.applications}
        unknown = [ref for _, ref, *_ in entries if ref not in known]
        if unknown:
            raise ValidationError(f"Not in this bundle: {', '.join(unknown)}.", path="ref")
        conflicts = {ref: reason for option, ref, reason in entries if option == "--conflict"}
        unable = [(ref, reason) for option, ref, reason in entries if option == "--unable"]
        for ref, reason in conflicts.items():
            session.declare(ref, True, reason)
            done.append(f"{ref}: conflict of interest ({reason})")
        if args.none:
            for progress in session.progress():
                ref = progress.application_id
                if not progress.declared and ref not in conflicts:
                    session.declare(ref, False)
                    done.append(f"{ref}: no conflict of interest")
        for ref, reason in unable:
            session.set_unable(ref, reason)
            done.append(f"{ref}: unable to review ({reason})")
        apps = _applications(session)
    emit(args, {"declared": done, "applications": apps},
         done or ["Nothing to declare: every application was declared already."])
    return 0


def run_sheet(args: argparse.Namespace) -> int:
    from judgepanel.model.judge.sheet import write_sheet

    with opened(args) as (session, _identity):
        path = write_sheet(session, args.out)
        count = len(session.applications)
    emit(args, {"sheet": str(path), "applications": count},
         [f"Wrote a score sheet of {plural(count, 'application')} to {path}.",
          "Fill in scores, comments for the panel and feedback for the applicant, then: "
          "judgepanel judge score BUNDLE SHEET --check"])
    return 0


def run_score(args: argparse.Namespace) -> int:
    from judgepanel.model.judge.sheet import apply_sheet, plan_sheet, read_sheet

    rows = read_sheet(args.sheet)
    with opened(args) as (session, _identity):
        plan = plan_sheet(session, rows)
        if plan.problems:
            raise plan.refusal(args.sheet)
        changes = [c.description for c in plan.changes]
        applied = 0 if args.check else apply_sheet(session, plan)
        missing = session.problems()
    head = ("Would change" if args.check else "Changed") + f" {plural(len(changes), 'value')}" + (
        " (nothing was changed: --check)." if args.check else ".")
    # After --check, what is missing is as before the sheet: say so rather than mislead.
    emit(args, {"changes": changes, "applied": applied, "check": args.check,
                "missing": len(missing), "missing_items": [p.message for p in missing]},
         [head, *(f"  {c}" for c in changes),
          *_missing(missing, " (before this sheet)" if args.check and changes else "")])
    return 0


def run_export(args: argparse.Namespace) -> int:
    out = args.out if args.out.suffix == ".jpresults" else args.out.with_name(
        args.out.name + ".jpresults")
    if out.exists():
        raise ValidationError(f"{out} already exists. Choose another name: your earlier "
                              "results files stay as they are.", path=str(out))
    with opened(args) as (session, identity):
        problems = session.problems()
        if problems:  # the app shows this list beside its Export button; here, say it
            head, *items = _missing(problems, "")
            raise ValidationError("\n".join([
                f"The results cannot be exported yet: {head}", *items,
                "Complete them (judgepanel judge declare, or a score sheet with judgepanel "
                "judge sheet and judgepanel judge score), then export again."]))
        record = session.export(out, identity)
        sheet = ""
        if args.score_sheet:
            from judgepanel.reports import scoresheet

            scoresheet.build(scoresheet.sheet_from_session(session, sequence=record.sequence),
                             args.score_sheet)
            sheet = str(args.score_sheet)
    emit(args, {"file": str(record.path), "sequence": record.sequence,
                "export_id": record.export_id, "sha256": record.sha256, "score_sheet": sheet},
         [f"Exported version {record.sequence} to {record.path}. Send this file to the "
          "program staff.", *([f"Your score sheet is {sheet}."] if sheet else [])])
    return 0


def run_carry(args: argparse.Namespace) -> int:
    from judgepanel.formats.detect import WORK_SUFFIX

    out: Path = args.out
    if not out.suffix:
        out = out.with_name(out.name + WORK_SUFFIX)
    if out.suffix.lower() != WORK_SUFFIX:
        raise ValidationError(f"A work file's name ends in {WORK_SUFFIX}: choose a name like "
                              f"“{out.stem}{WORK_SUFFIX}”. (Results for the staff are "
                              "exported with judgepanel judge export.)", path=str(out))
    if out.exists():
        raise ValidationError(f"{out} already exists. Choose another name: your earlier "
                              "files stay as they are.", path=str(out))
    with opened(args) as (session, identity):
        carried = session.carry(out, identity)
        missing = len(session.problems())
    record = carried.record
    lines = [f"Saved your work (version {record.sequence}) to {record.path}.",
             "It is for you alone, not for the program staff: on your other computer, open "
             "your bundle and continue from it (in the app: Continue from my results file "
             "or work file…; here: judgepanel judge continue BUNDLE FILE)."]
    if missing:
        lines.append(f"{plural(missing, 'thing')} {'is' if missing == 1 else 'are'} still "
                     "missing before you can export your results.")
    if carried.left_out:
        lines += ["Not in the work file: comments on criteria you have not scored yet "
                  "(score them first, then save it again):",
                  *(f"  {item}" for item in carried.left_out)]
    emit(args, {"file": str(record.path), "sequence": record.sequence,
                "export_id": record.export_id, "sha256": record.sha256, "missing": missing,
                "left_out": carried.left_out}, lines)
    return 0


def run_continue(args: argparse.Namespace) -> int:
    from judgepanel.model.judge.restore import read_own_results

    with opened(args) as (session, identity):
        own = read_own_results(args.file, identity)
        changes = session.differences_from(own)  # refuses another bundle's file first
        record = session.continue_from(own)
        missing = len(session.problems())
    declarations, conflicts, reviews, unable = own.counts()
    when = own.created.astimezone().strftime("%Y-%m-%d %H:%M")
    lines = [f"Continued from your {own.what} {own.path.name} (version {record.sequence}, "
             f"saved on {when}):",
             f"  declarations: {declarations} ({plural(conflicts, 'conflict')} of interest)",
             f"  reviews: {reviews}", *([f"  unable to review: {unable}"] if unable else []),
             (f"{plural(changes, 'answer')} here changed to the file's." if changes
              else "Nothing here changed: this computer already held the same work."),
             "Your next export builds on it. "
             + (f"{plural(missing, 'thing')} {'is' if missing == 1 else 'are'} still missing "
                "before you can export." if missing else "Everything is complete.")]
    emit(args, {"file": str(own.path), "work_file": own.work_file,
                "sequence": record.sequence, "export_id": record.export_id,
                "declarations": declarations, "conflicts": conflicts, "reviews": reviews,
                "unable": unable, "changes": changes, "missing": missing}, lines)
    return 0
