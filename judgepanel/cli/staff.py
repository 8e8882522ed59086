"""``judgepanel staff …``: every step of running a program, from the command line.

init, rubric, import, judges, conflicts live here (preparing the round);
assign, bundles, merge, rank, export live in ``staff_round.py`` (running it);
shortlist and award in ``staff_decide.py``; round and audit in ``staff_admin.py``; copy,
upgrade, login and logout (a shared program) in ``staff_shared.py``.
Each command is a thin wrapper over the same model workflows the desktop app
calls, prints a short summary (or JSON with ``--json``) and exits non-zero
with a plain message on any refusal. See docs/cli.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from judgepanel.cli import reports as staff_reports
from judgepanel.cli import staff_admin, staff_decide, staff_judges, staff_round, staff_shared
from judgepanel.cli.staff_common import (
    ask_password,
    common_options,
    due_at,
    due_option,
    emit,
    identity_options,
    json_errors,
    opened,
    parse_money,
    staff_card_from_args,
)
from judgepanel.errors import ImportRowsError, ValidationError
from judgepanel.model.rubric.definition import load_rubric
from judgepanel.model.staff.identity import set_staff_identity
from judgepanel.model.staff.prepare import conflicts as conflict_rules
from judgepanel.model.staff.prepare.categories import RECOGNITION_COMPONENTS, add_category
from judgepanel.model.staff.prepare.importing.mapping import ColumnMapping
from judgepanel.model.staff.prepare.importing.workflow import ImportReport, import_file
from judgepanel.model.staff.prepare.judges import (
    enroll_file,
    list_judges,
    set_affiliations,
    set_profile,
)
from judgepanel.model.staff.prepare.rounds import (
    add_round,
    find_round,
    rubric_for_round,
    save_rubric,
)
from judgepanel.model.staff.schema.program import Conflict
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.text import plural


def register(sub: argparse._SubParsersAction) -> None:
    staff = sub.add_parser(
        "staff", help="run a program: workspace, rubric, applications, judges, bundles, "
        "results, rankings",
        description="Staff commands. Each takes --workspace PATH_OR_URL (default: the "
        "current folder; a database URL for a program shared on a PostgreSQL server) and "
        "--json.")
    steps = staff.add_subparsers(dest="staff_command", metavar="STEP", required=True)

    init = steps.add_parser("init", help="create a program workspace with its first round")
    common_options(init)
    identity_options(init)
    init.add_argument("--name", required=True, help="the program's name")
    init.add_argument("--description", default="")
    init.add_argument("--currency", default="USD", help="for grants (default USD)")
    init.add_argument("--category", action="append", default=[], metavar="NAME",
                      help="a category (component or funding track); may be repeated")
    init.add_argument("--components", action="store_true",
                      help="add the ten components of the compact as categories")
    init.add_argument("--round-name", default="First round", metavar="NAME")
    due_option(init)
    init.add_argument("--budget", help="the round's budget (grants)")
    init.add_argument("--staff-fingerprint", metavar="FP",
                      help="which staff identity on this computer (default: the newest)")
    init.set_defaults(func=json_errors(run_init))

    rubric = steps.add_parser("rubric", help="set the round's rubric from a TOML file, or show it")
    common_options(rubric)
    rubric.add_argument("file", nargs="?", type=Path, help="a rubric .toml file")
    rubric.add_argument("--round", type=int, metavar="N", help="default: the latest round")
    rubric.set_defaults(func=json_errors(run_rubric))

    imp = steps.add_parser("import", help="import applications from CSV, XLSX or JSON")
    common_options(imp)
    imp.add_argument("file", type=Path)
    imp.add_argument("--attachments", type=Path, metavar="DIR",
                     help="the folder holding the files the attachment columns name")
    imp.add_argument("--attachment-column", action="append", default=[], metavar="COLUMN",
                     help="a column listing attachment file names (default: guessed)")
    imp.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                     help="map a field (title, ref, organisation, city, contact_name, "
                     "contact_email, requested_amount, categories) to a column")
    imp.add_argument("--sheet", help="the XLSX sheet (default: the first)")
    imp.add_argument("--good-rows-only", action="store_true",
                     help="import the good rows even if some rows have problems")
    imp.add_argument("--allow-duplicates", action="store_true",
                     help="add rows that repeat an application already in the program "
                     "(same title, organisation and e-mail); refused by default")
    imp.add_argument("--ref-prefix", metavar="TEXT",
                     help="without a reference column: references are made as TEXT-0001, "
                     "… (default APP)")
    imp.add_argument("--check", action="store_true",
                     help="show the column mapping and every problem; import nothing")
    imp.set_defaults(func=json_errors(run_import))

    judges = steps.add_parser("judges", help="enroll judges from their cards, list, withdraw")
    judge_actions = judges.add_subparsers(dest="judges_command", metavar="ACTION", required=True)
    enroll = judge_actions.add_parser("enroll", help="enroll judges from .jpcard files")
    common_options(enroll)
    enroll.add_argument("cards", nargs="+", type=Path, metavar="CARD")
    enroll.add_argument("--email", help="(one card only) the judge's e-mail")
    enroll.add_argument("--organisation", help="(one card only) the judge's organisation")
    enroll.add_argument("--city", help="(one card only) the judge's city")
    enroll.add_argument("--affiliation", action="append", default=[], metavar="TEXT",
                        help="(one card only) a declared affiliation; may be repeated")
    enroll.set_defaults(func=json_errors(run_judges_enroll))
    jlist = judge_actions.add_parser("list", help="list the enrolled judges")
    common_options(jlist)
    jlist.set_defaults(func=json_errors(run_judges_list))
    staff_judges.register_actions(judge_actions)

    conflicts = steps.add_parser("conflicts", help="screen for conflicts of interest, decide")
    conflict_actions = conflicts.add_subparsers(dest="conflicts_command", metavar="ACTION",
                                                required=True)
    screen = conflict_actions.add_parser("screen", help="compare every judge with every "
                                         "application")
    common_options(screen)
    screen.set_defaults(func=json_errors(run_conflicts_screen))
    clist = conflict_actions.add_parser("list", help="list possible and decided conflicts")
    common_options(clist)
    clist.add_argument("--status", choices=("open", "confirmed", "dismissed"))
    clist.set_defaults(func=json_errors(run_conflicts_list))
    for action, helptext in (("confirm", "this judge will not review this application"),
                             ("dismiss", "the match is harmless (a reason is required)")):
        decide = conflict_actions.add_parser(action, help=helptext)
        common_options(decide)
        decide.add_argument("ids", nargs="+", type=int, metavar="ID",
                            help="conflict numbers from `conflicts list`")
        decide.add_argument("--note", default="", help="why (kept in the audit log)")
        decide.add_argument("--expect-version", type=int, metavar="N",
                            help="(one ID only) refuse if another officer changed the "
                            "conflict since `conflicts list` showed this version")
        decide.set_defaults(func=json_errors(run_conflicts_decide), action=action)

    staff_round.register(steps)
    staff_decide.register(steps)
    staff_admin.register(steps)
    staff_shared.register(steps)
    staff_reports.register(steps)


# --- init ---------------------------------------------------------------------------------


def run_init(args: argparse.Namespace) -> int:
    identity = staff_card_from_args(args, _normalised(args.staff_fingerprint))
    budget = parse_money(args.budget, "budget") if args.budget else None
    due = due_at(args)
    categories = [*(RECOGNITION_COMPONENTS if args.components else ()), *args.category]
    workspace = StaffWorkspace.create(args.workspace, args.name, description=args.description,
                                      currency=args.currency.upper(),
                                      actor=_init_actor(args.workspace, identity.name),
                                      ask_password=ask_password)
    try:
        with workspace.session() as session:
            program = workspace.program(session)
            for name in categories:
                add_category(session, program, name)
            round_ = add_round(session, program, args.round_name, workspace.actor,
                               due_at=due, budget=budget)
            set_staff_identity(session, program, identity, workspace.actor)
            data = {"workspace": workspace.location.display, "program": program.name,
                    "round": round_.number, "categories": len(categories),
                    "staff_fingerprint": identity.fingerprint}
    finally:
        workspace.close()
    emit(args, data, [
        f"Created the program “{args.name}” in {data['workspace']}",
        f"  round {data['round']}: {args.round_name}; {len(categories)} categories",
        f"  staff key: {identity.name} ({identity.fingerprint})",
        "Next: `judgepanel staff rubric FILE.toml`, then `judgepanel staff import FILE`.",
    ])
    return 0


def _init_actor(workspace: str, identity_name: str) -> str | None:
    """Who creates the program: its staff identity's name; on a server the officer's login
    (StaffWorkspace's rule: several officers share one staff identity there)."""
    from judgepanel.model.staff.location import locate

    return None if locate(workspace).on_server else identity_name


def _normalised(text: str | None) -> str | None:
    from judgepanel.crypto.identity import normalize_fingerprint

    return normalize_fingerprint(text) if text else None


# --- rubric -------------------------------------------------------------------------------


def run_rubric(args: argparse.Namespace) -> int:
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        if args.file is not None:
            save_rubric(session, round_, load_rubric(args.file), workspace.actor)
        rubric = rubric_for_round(session, round_)
        data: dict[str, Any] = {"round": round_.number, "rubric": rubric.to_dict(),
                                "changed": args.file is not None}
        lines = [f"{'Set' if args.file else 'Rubric of'} round {round_.number} "
                 f"({round_.name}): “{rubric.name}”"]
        for c in rubric.criteria:
            counts = f"weight {c.weight:g}" if c.counts else "advice only"
            comment = "" if c.comment.when == "never" else f"; {c.comment.describe()}"
            lines.append(f"  {c.key:<16} {c.title} ({c.scale_text()}, {counts}{comment})")
        if rubric.tie_break:
            lines.append(f"  ties broken by: {rubric.tie_break}")
    emit(args, data, lines)
    return 0


# --- import -------------------------------------------------------------------------------


def _mapping(args: argparse.Namespace) -> ColumnMapping:
    """The guessed mapping with the officer's --map, --attachment-column and --ref-prefix."""
    from judgepanel.model.staff.prepare.importing.sources import read_table

    guessed = ColumnMapping.guess(read_table(args.file, sheet=args.sheet).headers).to_dict()
    for item in args.map:
        field, sep, column = item.partition("=")
        if not sep or not field.strip():
            raise ValidationError(f"“{item}” is not FIELD=COLUMN.", path="map")
        guessed[field.strip()] = column.strip() or None
    if args.attachment_column:
        guessed["attachments"] = tuple(args.attachment_column)
    if args.ref_prefix is not None:
        prefix = args.ref_prefix.strip()
        if not prefix or len(prefix) > 20:
            raise ValidationError("Give a reference prefix of 1 to 20 characters.",
                                  path="ref_prefix")
        guessed["ref_prefix"] = prefix
    return ColumnMapping.from_dict(guessed)


def _mapping_data(mapping: ColumnMapping, headers: tuple[str, ...]) -> dict[str, Any]:
    return {"mapping": {**mapping.mapped_columns(), "attachments": list(mapping.attachments)},
            "form_fields": list(mapping.extra_columns(headers)),
            "references": "column" if mapping.ref else "generated",
            "ref_prefix": None if mapping.ref else mapping.ref_prefix}


def _problem_rows(report: Any) -> list[dict[str, Any]]:
    return [{"row": p.row, "field": p.field, "column": p.column, "problem": p.reason}
            for p in report.problems]


def _possible_duplicates(report: ImportReport) -> dict[str, Any]:
    """Rows imported under another reference than a look-alike: JSON, and a line each."""
    return {"possible_duplicates": [
        {"row": d.row, "ref": d.ref, "like_row": d.like_row, "like_ref": d.like_ref,
         "notice": str(d)} for d in report.possible_duplicates]}


def _notice_lines(report: ImportReport) -> list[str]:
    return [f"  note: {d}" for d in report.possible_duplicates]


def run_import(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.prepare.importing.sources import read_table
    from judgepanel.model.staff.prepare.importing.workflow import check_file

    mapping = _mapping(args)
    table = read_table(args.file, sheet=args.sheet)
    headers, title = table.headers, {"title_rows": list(table.title_rows),
                                     "header_row": table.header_row}
    described = [*([table.title_note()] if table.title_rows else []),
                 *mapping.describe(headers)]
    if not args.json:  # the mapping first, so a refusal below is read against it
        for line in described:
            print(line)
    with opened(args) as workspace:
        if args.check:
            report = check_file(workspace, args.file, mapping, attachments_dir=args.attachments,
                                sheet=args.sheet, allow_duplicates=args.allow_duplicates)
            data = {"checked": True, "source": report.source, "rows": report.total_rows,
                    "good": len(report.good), "imported": 0, **title,
                    **_mapping_data(mapping, headers),
                    "problems": _problem_rows(report), **_possible_duplicates(report)}
            lines = [f"Checked {report.source}: {report.summary()} Nothing was imported "
                     "(--check)."] + [f"  {p}" for p in report.problems]
            lines += _notice_lines(report)
            emit(args, data, lines)
            return 0 if report.ok else 1
        try:
            outcome = import_file(workspace, args.file, mapping,
                                  attachments_dir=args.attachments,
                                  good_rows_only=args.good_rows_only, sheet=args.sheet,
                                  allow_duplicates=args.allow_duplicates)
        except ValidationError as error:
            if not (args.good_rows_only and error.path == "rows"):
                raise
            # No good row at all: list what is wrong with each row (nothing was written).
            report = check_file(workspace, args.file, mapping, attachments_dir=args.attachments,
                                sheet=args.sheet, allow_duplicates=args.allow_duplicates)
            raise ImportRowsError(
                f"No row of {Path(args.file).name} can be imported. Fix the rows listed "
                "(or the program's categories) and import again.",
                [(p.row, p.reason) for p in report.problems]) from None
        except ImportRowsError as error:
            if error.path == "duplicate":
                error.message = error.message.rstrip(".") + " (`--allow-duplicates`)."
            raise
    report = outcome.report
    data = {"source": report.source, "rows": report.total_rows, "imported": len(outcome.refs),
            "refs": outcome.refs, **title, **_mapping_data(mapping, headers),
            "problems": _problem_rows(report), **_possible_duplicates(report)}
    lines = [f"Imported {plural(len(outcome.refs), 'application')} from {report.source}: "
             f"{report.summary()}"]
    lines += [f"  skipped: {p}" for p in report.problems]
    lines += _notice_lines(report)
    emit(args, data, lines)
    return 0


# --- judges -------------------------------------------------------------------------------


def run_judges_enroll(args: argparse.Namespace) -> int:
    profile_given = args.email or args.organisation or args.city or args.affiliation
    if profile_given and len(args.cards) > 1:
        raise ValidationError("--email, --organisation, --city and --affiliation go with one "
                              "card at a time.", path="cards")
    rows: list[dict[str, Any]] = []
    lines: list[str] = []
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        for path in args.cards:
            enrollment = enroll_file(session, program, path, workspace.actor)
            judge = enrollment.judge
            changed: list[str] = []
            if profile_given:
                changed += set_profile(session, judge, workspace.actor, email=args.email,
                                       organisation=args.organisation, city=args.city)
                if args.affiliation:
                    changed += set_affiliations(session, judge, args.affiliation,
                                                workspace.actor)
            rows.append({"id": judge.id, "name": judge.name, "fingerprint": judge.fingerprint,
                         "new": enrollment.created, "warning": enrollment.warning,
                         "changed": changed})
            verb = "Enrolled" if enrollment.created else "Already enrolled:"
            lines.append(f"{verb} {judge.name}  fingerprint {judge.fingerprint}")
            if enrollment.warning:
                lines.append(f"  ! {enrollment.warning}")
            if not enrollment.created and profile_given:
                lines += ([f"  updated {c}" for c in changed] if changed
                          else ["  profile unchanged"])
    lines.append("Read each fingerprint back to the judge by phone before sending bundles.")
    emit(args, {"judges": rows}, lines)
    return 0


def run_judges_list(args: argparse.Namespace) -> int:
    with opened(args) as workspace, workspace.session() as session:
        judges = list_judges(session, workspace.program(session))
        rows: list[dict[str, Any]] = [
                {"id": j.id, "name": j.name, "fingerprint": j.fingerprint, "email": j.email,
                 "organisation": j.organisation, "city": j.city, "active": j.active,
                 "flag": j.flag, "categories": [c.name for c in j.categories],
                 "affiliations": [a.value for a in j.affiliations]} for j in judges]
    lines = [f"{'ID':>3}  {'FINGERPRINT':<19}  {'NAME':<24}  {'CITY':<16}  AFFILIATIONS"] + [
        f"{r['id']:>3}  {r['fingerprint']:<19}  {r['name']:<24}  {r['city'] or '—':<16}  "
        + ("; ".join(r["affiliations"]) or "—")
        + ("" if r["active"] else "  (withdrawn)") + (f"  ! {r['flag']}" if r["flag"] else "")
        for r in rows]
    if not rows:
        lines = ["No judges yet. Enroll them with `judgepanel staff judges enroll CARD...`."]
    emit(args, {"judges": rows}, lines)
    return 0


# --- conflicts ----------------------------------------------------------------------------


def _conflict_row(c: Conflict) -> dict[str, Any]:
    return {"id": c.id, "judge": c.judge.name, "judge_fingerprint": c.judge.fingerprint,
            "application": c.application.ref, "source": c.source, "status": c.status,
            "reasons": list(c.reasons), "note": c.note, "version": c.version}


def run_conflicts_screen(args: argparse.Namespace) -> int:
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        result = conflict_rules.screen(session, program, workspace.actor)
        waiting = [_conflict_row(c) for c in
                   conflict_rules.list_conflicts(session, program, status="open")]
    lines = [result.summary()] + [
        f"  #{r['id']:<4} {r['judge']} × {r['application']}: {'; '.join(r['reasons'])}"
        for r in waiting]
    if waiting:
        lines.append("Decide each with `judgepanel staff conflicts confirm|dismiss ID`.")
    emit(args, {"new": result.new, "updated": result.updated, "reopened": result.reopened,
                "cleared": result.cleared, "open": waiting}, lines)
    return 0


def run_conflicts_list(args: argparse.Namespace) -> int:
    with opened(args) as workspace, workspace.session() as session:
        rows = [_conflict_row(c) for c in conflict_rules.list_conflicts(
            session, workspace.program(session), status=args.status)]
    lines = [f"#{r['id']:<4} {r['status']:<9} {r['judge']} × {r['application']} "
             f"({r['source']}): {'; '.join(r['reasons'])}" for r in rows] or [
        f"No {args.status} conflicts." if args.status else "No conflicts recorded."]
    emit(args, {"conflicts": rows}, lines)
    return 0


def run_conflicts_decide(args: argparse.Namespace) -> int:
    if args.expect_version is not None and len(args.ids) != 1:
        raise ValidationError("--expect-version goes with one conflict at a time.",
                              path="expect-version")
    rows = []
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        for conflict_id in args.ids:
            conflict = session.get(Conflict, conflict_id)
            if conflict is None or conflict.judge.program_id != program.id:
                raise ValidationError(f"There is no conflict #{conflict_id}. See "
                                      "`judgepanel staff conflicts list`.", path="id")
            if args.action == "confirm":
                conflict_rules.confirm(session, conflict, workspace.actor, args.note,
                                       expected_version=args.expect_version)
            else:
                conflict_rules.dismiss(session, conflict, workspace.actor, args.note,
                                       expected_version=args.expect_version)
            rows.append(_conflict_row(conflict))
    done = "Confirmed" if args.action == "confirm" else "Dismissed"
    emit(args, {"conflicts": rows},
         [f"{done} #{r['id']}: {r['judge']} × {r['application']}" for r in rows])
    return 0


