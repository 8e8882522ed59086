"""``judgepanel staff assign|bundles|merge|rank|export``: running a judging round.

Split from ``staff.py`` (preparing the program) to keep both readable. The
workflows are imported when a command runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from judgepanel.cli.staff_common import (
    basis_option,
    common_options,
    emit,
    identity_from_args,
    identity_options,
    json_errors,
    opened,
)
from judgepanel.crypto.passphrase import new_passphrase
from judgepanel.errors import JudgePanelError, ValidationError
from judgepanel.model.staff.identity import program_staff_fingerprint
from judgepanel.model.staff.prepare.applications import find_application
from judgepanel.model.staff.prepare.judges import find_judge
from judgepanel.model.staff.prepare.rounds import find_round, round_applications
from judgepanel.text import plural

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from judgepanel.model.staff.bundles.building import BuiltBundle
    from judgepanel.model.staff.schema.program import Program, Round


def _round_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--round", type=int, metavar="N", help="default: the latest round")


def register(steps: argparse._SubParsersAction) -> None:
    assign = steps.add_parser("assign", help="assign judges to applications")
    actions = assign.add_subparsers(dest="assign_command", metavar="ACTION", required=True)
    run = actions.add_parser("run", help="complete the assignment automatically")
    common_options(run)
    _round_option(run)
    run.add_argument("--per-application", type=int, default=3, metavar="N",
                     help="judges per application (default 3)")
    run.add_argument("--max-load", type=int, metavar="N", help="at most N per judge")
    run.add_argument("--seed", type=int, default=0, help="for a reproducible draw")
    run.add_argument("--ignore-categories", action="store_true",
                     help="do not restrict judges to their category panels")
    run.add_argument("--check", action="store_true",
                     help="show what would be assigned (and any shortfall); change nothing")
    run.add_argument("--allow-short", action="store_true",
                     help="assign what is possible when some applications must stay short "
                     "of judges (refused by default, and nothing is written)")
    run.set_defaults(func=json_errors(run_assign))
    for name, helptext in (("add", "assign one application to one judge"),
                           ("remove", "take one application away from one judge")):
        one = actions.add_parser(name, help=helptext)
        common_options(one)
        _round_option(one)
        one.add_argument("judge", help="fingerprint, id or name of the judge")
        one.add_argument("application", help="the application's reference")
        one.set_defaults(func=json_errors(run_assign_one), action=name)
    show = actions.add_parser("show", help="who reviews what")
    common_options(show)
    _round_option(show)
    show.set_defaults(func=json_errors(run_assign_show))

    bundles = steps.add_parser("bundles", help="build one encrypted, signed bundle per judge")
    common_options(bundles)
    identity_options(bundles)
    _round_option(bundles)
    bundles.add_argument("--out", type=Path, required=True, metavar="DIR",
                         help="where to write the .jpbundle files")
    bundles.add_argument("--judge", action="append", default=[], metavar="JUDGE",
                         help="build only this judge's bundle (fingerprint, id or name); "
                         "may be repeated. Default: every judge with assignments")
    bundles.add_argument("--passphrase-for", action="append", default=[],
                         metavar="JUDGE[,JUDGE…]",
                         help="encrypt these judges' bundles to a new passphrase each "
                         "instead of their key; the passphrases are printed once, never "
                         "stored. May be repeated")
    bundles.set_defaults(func=json_errors(run_bundles))

    merge = steps.add_parser("merge", help="verify and import judges' .jpresults files")
    common_options(merge)
    identity_options(merge)
    merge.add_argument("files", nargs="+", type=Path, metavar="FILE")
    merge.set_defaults(func=json_errors(run_merge))

    rank = steps.add_parser("rank", help="the ranking, overall or for one category")
    common_options(rank)
    _round_option(rank)
    rank.add_argument("--category", help="one category (name or key)")
    basis_option(rank)
    rank.add_argument("--top", type=int, metavar="N", help="show only the first N")
    rank.set_defaults(func=json_errors(run_rank))

    export = steps.add_parser("export", help="write scores and rankings to XLSX or CSV")
    common_options(export)
    _round_option(export)
    basis_option(export)
    export.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="a .xlsx file, or a folder for the CSV files")
    export.add_argument("--format", choices=("xlsx", "csv"),
                        help="default: from --out (a .xlsx name, otherwise CSV)")
    export.add_argument("--contacts", action=argparse.BooleanOptionalAction, default=None,
                        help="include (or leave out) applicants' contact name and e-mail "
                        "(default: the program setting exports.contact_details, off)")
    export.set_defaults(func=json_errors(run_export))


# --- assign -------------------------------------------------------------------------------


def run_assign(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.prepare.assignments import auto_assign

    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        outcome = auto_assign(session, round_, workspace.actor,
                              per_application=args.per_application, max_load=args.max_load,
                              by_category=not args.ignore_categories, seed=args.seed,
                              allow_short=args.allow_short, check=args.check)
        names = {j.id: j.name for j in program.judges}
        refs = {a.id: a.ref for a in round_applications(session, round_)}
        data: dict[str, Any] = {
            "round": round_.number, "checked": args.check, "written": outcome.written,
            "added": len(outcome.added), "dropped": len(outcome.dropped),
            "pairs": [{"judge": names[j], "application": refs.get(a, str(a))}
                      for j, a in outcome.added],
            "unmet": [{"application": u.app_id, "missing": u.missing, "reason": u.reason}
                      for u in outcome.unmet],
            "loads": {names[j]: n for j, n in sorted(outcome.loads.items())}}
        outdated = _outdated_note(session, round_) if outcome.written else []
    added: dict[str, int] = {}
    for judge_id, _app in outcome.added:
        added[names[judge_id]] = added.get(names[judge_id], 0) + 1
    lines = [f"Round {data['round']}: {outcome.summary()}"]
    lines += [f"  {name}: {plural(n, 'application')}"
              + (f" ({added[name]} new)" if name in added else "")
              for name, n in data["loads"].items()]
    lines += [f"  short: {u}" for u in outcome.unmet]
    if args.check:
        lines.append("Nothing was changed (--check).")
    lines += outdated
    emit(args, data, lines)
    return 1 if outcome.unmet else 0


def _outdated_note(session: Session, round_: Round) -> list[str]:
    """A line for each judge whose bundle no longer matches their assignments."""
    from judgepanel.model.staff.bundles.issued import outdated_bundles

    stale = outdated_bundles(session, round_)
    if not stale:
        return []
    names = ", ".join(sorted(b.judge.name for b in stale))
    return [f"! Outdated bundles (their assignments changed since they were built): {names}. "
            "Rebuild them with `judgepanel staff bundles --out DIR --judge NAME`."]


def run_assign_one(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.prepare.assignments import add_assignment, remove_assignment

    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        judge = find_judge(session, program, args.judge)
        application = find_application(session, program, args.application)
        if args.action == "add":
            add_assignment(session, round_, judge, application, workspace.actor)
        else:
            remove_assignment(session, round_, judge, application, workspace.actor)
        data = {"round": round_.number, "judge": judge.name, "application": application.ref,
                "action": args.action}
        outdated = _outdated_note(session, round_)
    verb = "Assigned" if args.action == "add" else "Removed"
    emit(args, data, [f"{verb} {data['application']} {'to' if args.action == 'add' else 'from'} "
                      f"{data['judge']} (round {data['round']}).", *outdated])
    return 0


def run_assign_show(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.prepare.assignments import list_assignments, load_matrix

    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        by_judge: dict[str, list[str]] = {}
        for row in list_assignments(session, round_):
            by_judge.setdefault(row.judge.name, []).append(row.application.ref)
        matrix = load_matrix(session, program, round_)
        refs = {a: ref for a, ref, _title in matrix.applications}
        coverage = {refs[a]: {"can_count": n, "assigned": m}
                    for a, (n, m) in matrix.coverage().items()}
        data: dict[str, Any] = {
            "round": round_.number,
            "assignments": {k: sorted(v) for k, v in sorted(by_judge.items())},
            "coverage": coverage}
        outdated = _outdated_note(session, round_)
    lines = [f"Round {data['round']}:"] + [
        f"  {name} ({len(refs)}): {', '.join(refs)}"
        for name, refs in data["assignments"].items()] if by_judge else [
        "Nothing assigned yet. Run `judgepanel staff assign run`."]
    lines += [f"! {ref}: {c['assigned']} assigned, {c['can_count']} can count (a conflict "
              "of interest keeps the others out)"
              for ref, c in sorted(coverage.items()) if c["can_count"] < c["assigned"]]
    emit(args, data, lines + outdated)
    return 0


# --- bundles, merge -------------------------------------------------------------------------


def run_bundles(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.bundles.building import build_bundles

    with opened(args) as workspace:
        with workspace.session() as session:
            program = workspace.program(session)
            round_number = find_round(session, program, args.round).number
            expected = program_staff_fingerprint(program)
            only = [find_judge(session, program, text).id for text in args.judge] or None
            chosen = [find_judge(session, program, text)
                      for text in _judge_names(session, program, args.passphrase_for)]
            if only is not None:
                outside = [j.name for j in chosen if j.id not in only]
                if outside:
                    raise ValidationError(
                        f"A passphrase was asked for {', '.join(outside)}, whose bundle is "
                        "not being built. Add --judge for them too, or leave out --judge.",
                        path="passphrase_for")
            passphrases = {j.id: new_passphrase() for j in chosen}
        identity = identity_from_args(args, expected)
        with workspace.session() as session:
            round_ = find_round(session, workspace.program(session), round_number)
            built = build_bundles(workspace, round_, identity, args.out,
                                  passphrases=passphrases, judges=only)
        rows = [_built_row(b, passphrases.get(b.judge_id)) for b in built]
    noun = "bundle" if len(rows) == 1 else "bundles"
    lines = [f"Built {len(rows)} {noun} in {args.out}:"]
    for r in rows:
        lines.append(f"  {r['judge']}: {r['path']} ({plural(r['applications'], 'application')})")
        if r["passphrase"]:
            lines.append(f"      passphrase: {r['passphrase']}")
    if passphrases:
        lines += [
            "The passphrases are shown only now and are not stored anywhere: give each "
            "judge theirs by phone or in person, never with the bundle. Staff cannot reopen "
            "a passphrase bundle; a lost passphrase means building that bundle again."]
    emit(args, {"round": round_number, "bundles": rows}, lines)
    return 0


def _judge_names(session: Session, program: Program, values: list[str]) -> list[str]:
    """The judges named in ``--passphrase-for``: comma-separated, unless a whole value
    is itself a judge's name (``"Smith, Jo"``)."""
    names: list[str] = []
    for value in values:
        try:
            find_judge(session, program, value)
            parts = [value]
        except ValidationError:
            parts = [p.strip() for p in value.split(",") if p.strip()]
        names += [p for p in parts if p not in names]
    return names


def _built_row(built: BuiltBundle, passphrase: str | None = None) -> dict[str, Any]:
    return {"judge": built.judge_name, "path": str(built.path), "bundle_id": built.bundle_id,
            "applications": len(built.applications),
            "opens_with": "passphrase" if built.passphrase else "judge key",
            "passphrase": passphrase, "superseded": list(built.superseded)}


def run_merge(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.results.merging import (
        MergeReport,
        merge_results,
        refuse_work_files,
    )

    # A shell pattern that matched nothing arrives as itself: say so in plain words.
    unmatched = [str(f) for f in args.files
                 if not Path(f).exists() and any(c in str(f) for c in "*?[")]
    if unmatched:
        raise ValidationError(
            f"No file matches {', '.join(unmatched)}: there are no results files there yet. "
            "Check the folder you saved the judges' .jpresults files in.")
    work = refuse_work_files(args.files)
    with opened(args) as workspace:
        if len(work) == len(args.files):  # only work files: refused by name, no identity
            report = MergeReport(list(work.values()))
        else:
            with workspace.session() as session:
                expected = program_staff_fingerprint(workspace.program(session))
            try:
                identity = identity_from_args(args, expected)
            except JudgePanelError as error:  # the results wait; the work files named now
                if work:
                    names = ", ".join(row.path.name for row in work.values())
                    error.message += (f" (Whatever the identity, {names} cannot be merged: "
                                      "not results, a judge's unfinished work. Ask the "
                                      "judge for their .jpresults file.)")
                raise
            report = merge_results(workspace, args.files, identity)
    rows: list[dict[str, Any]] = [{"file": str(r.path), "judge": r.judge, "sequence": r.sequence,
             "status": r.status, "reason": r.reason, "message": r.message}
            for r in report.rows]
    accepted = sum(1 for r in rows if r["status"] == "accepted")
    held = sum(1 for r in rows if r["status"] == "held")  # diverged: staff choose
    mark = {"accepted": "✓", "held": "!"}
    lines = [f"{accepted} of {len(rows)} results files accepted"
             + (f", {held} held for you to compare and choose." if held else ".")] + [
        f"  {mark.get(str(r['status']), '✗')} {Path(r['file']).name}"
        f"{' (' + str(r['judge']) + ')' if r['judge'] else ''}"
        f"{'' if r['status'] == 'accepted' else ': ' + str(r['message'])}" for r in rows]
    emit(args, {"accepted": accepted, "held": held, "refused": len(rows) - accepted - held,
                "files": rows}, lines)
    return 0 if accepted == len(rows) else 1


# --- rank, export ---------------------------------------------------------------------------


def run_rank(args: argparse.Namespace) -> int:
    from judgepanel.cli.staff_board import rank_command

    return rank_command(args)


def run_export(args: argparse.Namespace) -> int:
    from judgepanel.cli.staff_board import export_command

    if args.format is None:
        args.format = "xlsx" if args.out.suffix.lower() == ".xlsx" else "csv"
    return export_command(args)
