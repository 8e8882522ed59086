"""``judgepanel staff round …`` and ``staff audit``: the program's rounds and its audit log.

Rounds are usually made by ``staff shortlist``; ``round add`` is for a round
chosen by other means (a second call, a re-run with every application), and
``round add-applications`` for a late addition to a later round. ``audit``
lists the hash-chained log and checks the chain: a broken chain exits 1, so a
scheduled script notices tampering. Both wrap ``model.rounds`` / ``model.audit``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

from judgepanel.cli.staff_common import (
    common_options,
    emit,
    json_errors,
    money,
    opened,
    parse_money,
)
from judgepanel.errors import ValidationError
from judgepanel.model.staff.overview import round_summaries, round_summary
from judgepanel.model.staff.prepare.applications import find_application
from judgepanel.model.staff.prepare.rounds import find_round

DETAILS_WIDTH = 160


def register(steps: argparse._SubParsersAction) -> None:
    round_ = steps.add_parser("round", help="list the rounds, add one, add applications")
    actions = round_.add_subparsers(dest="round_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="every round with its applications and rubric")
    common_options(listing)
    listing.set_defaults(func=json_errors(run_round_list))

    add = actions.add_parser("add", help="add the next round")
    common_options(add)
    add.add_argument("--name", required=True, help="the round's name")
    add.add_argument("--application", action="append", default=None, metavar="REF",
                     help="a later round holds these applications (may be repeated; "
                     "default: every application of the program)")
    add.add_argument("--due", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    add.add_argument("--budget", help="the round's budget (grants)")
    add.add_argument("--rubric", type=Path, metavar="FILE",
                     help="a rubric .toml (default: a copy of the latest round's rubric)")
    add.set_defaults(func=json_errors(run_round_add))

    more = actions.add_parser("add-applications",
                              help="put more applications into a later round")
    common_options(more)
    more.add_argument("--round", type=int, metavar="N", help="default: the latest round")
    more.add_argument("refs", nargs="+", metavar="REF")
    more.set_defaults(func=json_errors(run_round_add_applications))

    audit = steps.add_parser(
        "audit", help="list the audit log and check its chain",
        description="List the audit log (oldest first) and check that its hash chain is "
        "intact. Exit 1 when it is broken.")
    common_options(audit)
    audit.add_argument("--check", action="store_true",
                       help="only check the chain (and print its head)")
    audit.add_argument("--action", default="", metavar="PREFIX",
                       help="only entries whose action starts with PREFIX (e.g. award.)")
    audit.add_argument("--last", type=int, metavar="N", help="only the newest N entries")
    audit.add_argument("--expect", metavar="SEQ:HASH",
                       help="a head recorded earlier (from `staff audit --check`): also "
                       "detect entries removed from the end")
    audit.set_defaults(func=json_errors(run_audit))


# --- round --------------------------------------------------------------------------------


def _round_line(r: dict[str, Any]) -> str:
    parts = [f"{r['applications']} applications", f"rubric “{r['rubric']}”" if r["rubric"]
             else "no rubric", f"{r['assignments']} assignments", f"{r['bundles']} bundles"]
    if r["due"]:
        parts.append(f"due {r['due']:%Y-%m-%d}")
    if r["budget"] is not None:
        parts.append(f"budget {money(r['budget'])}")
    if r["blind"]:
        parts.append("blind review")
    return f"  {r['number']:>2}. {r['name']}: " + "; ".join(parts)


def run_round_list(args: argparse.Namespace) -> int:
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        rows = [dataclasses.asdict(s) for s in round_summaries(session, program)]
    emit(args, {"rounds": rows}, [f"{len(rows)} round{'s' if len(rows) != 1 else ''}:"]
         + [_round_line(r) for r in rows])
    return 0


def run_round_add(args: argparse.Namespace) -> int:
    from judgepanel.model.rubric.definition import load_rubric
    from judgepanel.model.staff.prepare.rounds import add_round, rubric_for_round, save_rubric

    rubric = load_rubric(args.rubric) if args.rubric else None
    budget = parse_money(args.budget, "budget") if args.budget else None
    due = (dt.datetime.combine(args.due, dt.time(23, 59), tzinfo=dt.UTC) if args.due else None)
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        previous = list(program.rounds)
        chosen = None
        if args.application is not None:
            chosen = [find_application(session, program, ref)
                      for ref in dict.fromkeys(args.application)]
        if rubric is None and previous and previous[-1].rubric is not None:
            rubric = rubric_for_round(session, previous[-1])
        round_ = add_round(session, program, args.name, workspace.actor, due_at=due,
                           budget=budget, applications=chosen)
        if rubric is not None:
            save_rubric(session, round_, rubric, workspace.actor)
        row = dataclasses.asdict(round_summary(session, round_))
    lines = [f"Added round {row['number']}:", _round_line(row)]
    if not row["rubric"]:
        lines.append("Next: set its rubric with `judgepanel staff rubric FILE.toml`.")
    else:
        lines.append(f"Next: `judgepanel staff assign run --round {row['number']}`.")
    emit(args, {"round": row}, lines)
    return 0


def run_round_add_applications(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.prepare.rounds import add_round_applications

    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        apps = [find_application(session, program, ref) for ref in dict.fromkeys(args.refs)]
        added = add_round_applications(session, round_, apps, workspace.actor)
        row = dataclasses.asdict(round_summary(session, round_))
    emit(args, {"round": row, "added": added},
         [f"Added {added} application{'s' if added != 1 else ''} to round {row['number']} "
          f"({len(args.refs) - added} already in it).", _round_line(row)])
    return 0


# --- audit --------------------------------------------------------------------------------


def _anchor(text: str | None) -> tuple[int, str] | None:
    if not text:
        return None
    seq, sep, digest = text.partition(":")
    if not sep or not seq.strip().isdigit() or len(digest.strip()) != 64:
        raise ValidationError("--expect takes SEQ:HASH as `staff audit --check` prints it "
                              "(e.g. 42:3f1c…, the hash in full).", path="expect")
    return int(seq), digest.strip().lower()


def _short(details: Any) -> str:
    text = json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= DETAILS_WIDTH else text[: DETAILS_WIDTH - 1] + "…"


def run_audit(args: argparse.Namespace) -> int:
    from judgepanel.model.staff import audit

    anchor = _anchor(args.expect)
    if args.last is not None and args.last < 1:
        raise ValidationError("--last must be 1 or more.", path="last")
    with opened(args) as workspace, workspace.session() as session:
        broken = audit.check(session, anchor)
        head = audit.head(session)
        entries: list[dict[str, Any]] = []
        if not args.check:
            found = audit.events(session, args.action)
            if args.last is not None:
                found = found[-args.last:]
            entries = [{"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
                        "details": e.details} for e in found]
    data: dict[str, Any] = {
        "intact": not broken, "broken": [{"seq": b.seq, "problem": b.problem} for b in broken],
        "head": {"seq": head[0], "hash": head[1]} if head else None}
    if not args.check:
        data["entries"] = entries
    lines = [f"{e['seq']:>5}  {e['at']:%Y-%m-%d %H:%M:%S}  {e['actor']:<16.16}  "
             f"{e['action']:<24} {_short(e['details'])}" for e in entries]
    if broken:
        lines.append(f"The audit log is BROKEN ({len(broken)} problem"
                     f"{'s' if len(broken) != 1 else ''}): it was changed outside JudgePanel. "
                     "Keep a copy of the workspace as it is and tell whoever looks after it.")
        lines += [f"  ✗ {b}" for b in broken]
    else:
        lines.append("The audit log is intact"
                     + (f": {head[0]} entries, head {head[0]}:{head[1]}" if head else
                        " (empty)") + ".")
    emit(args, data, lines)
    return 1 if broken else 0
