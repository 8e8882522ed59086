"""``judgepanel staff round …`` and ``staff audit``: the program's rounds and its audit log.

Rounds are usually made by ``staff shortlist``; ``round add`` is for a round
chosen by other means (a second call, a re-run with every application), and
``round add-applications`` for a late addition to a later round;
``round remove-application`` takes one out again before any bundle holds it, and
``round delete`` removes a later round no bundle was built for (undoing a shortlist). ``audit``
lists the hash-chained log and checks the chain: a broken chain exits 1, so a
scheduled script notices tampering. Both wrap ``model.rounds`` / ``model.audit``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

from judgepanel.cli.staff_common import (
    common_options,
    due_at,
    due_option,
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
from judgepanel.text import plural

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
    due_option(add)
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

    fewer = actions.add_parser("remove-application",
                               help="take applications out of a later round (before any "
                               "bundle holds them)")
    common_options(fewer)
    fewer.add_argument("--round", type=int, metavar="N", help="default: the latest round")
    fewer.add_argument("refs", nargs="+", metavar="REF")
    fewer.set_defaults(func=json_errors(run_round_remove_applications))

    drop = actions.add_parser("delete", help="delete a later round no bundle was built for")
    common_options(drop)
    drop.add_argument("--round", type=int, required=True, metavar="N",
                      help="the round to delete (required: it is never guessed)")
    drop.set_defaults(func=json_errors(run_round_delete))

    setting = steps.add_parser("setting", help="list the program's settings, or set one")
    setting_actions = setting.add_subparsers(dest="setting_command", metavar="ACTION",
                                             required=True)
    slist = setting_actions.add_parser("list", help="every setting with its value")
    common_options(slist)
    slist.set_defaults(func=json_errors(run_setting_list))
    sset = setting_actions.add_parser("set", help="set one setting (checked and audited)")
    common_options(sset)
    sset.add_argument("key", help="e.g. exports.contact_details, summary_field")
    sset.add_argument("value", help="true/false, a number, a text, or `none` for the "
                      "default")
    sset.set_defaults(func=json_errors(run_setting_set))

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
    parts = [plural(r["applications"], "application"), f"rubric “{r['rubric']}”"
             if r["rubric"] else "no rubric", plural(r["assignments"], "assignment"),
             plural(r["bundles"], "bundle")]
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
    due = due_at(args)
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


def run_round_remove_applications(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.prepare.rounds import remove_round_application

    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        removed: dict[str, int] = {}
        for ref in dict.fromkeys(args.refs):
            application = find_application(session, program, ref)
            judges = remove_round_application(session, round_, application, workspace.actor)
            removed[application.ref] = len(judges)
        row = dataclasses.asdict(round_summary(session, round_))
    lines = [f"Took {ref} out of round {row['number']}"
             + (f" (and its {n} assignment{'s' if n != 1 else ''})" if n else "") + "."
             for ref, n in removed.items()]
    emit(args, {"round": row, "removed": list(removed)}, [*lines, _round_line(row)])
    return 0


def run_round_delete(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.prepare.rounds import delete_round

    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        row = dataclasses.asdict(round_summary(session, round_))
        delete_round(session, round_, workspace.actor)
    emit(args, {"deleted": row}, [
        f"Deleted round {row['number']} ({row['name']}, "
        f"{plural(row['applications'], 'application')}). "
        "Its applications stay in the program; the audit log keeps what it held."])
    return 0


# --- settings -----------------------------------------------------------------------------


def _setting_value(text: str) -> Any:
    """What was typed, as the setting's kind of value: true/false, none, a number, text."""
    lowered = text.strip().lower()
    if lowered[:1] in ("[", "{"):  # a list or object in JSON (the decision outcomes)
        try:
            return json.loads(text)
        except ValueError:
            raise ValidationError("The value looks like JSON but is not valid JSON.",
                                  path="value") from None
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if lowered in ("none", "null", ""):
        return None
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text


def run_setting_list(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.settings import SETTINGS, setting_value

    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        rows = [{"key": s.key, "value": s.stored(setting_value(program, s)),
                 "default": s.stored(s.default),
                 "what": s.what} for s in SETTINGS]
    emit(args, {"settings": rows}, [f"  {r['key']:<30} {json.dumps(r['value']):<8} {r['what']}"
                                    for r in rows])
    return 0


def run_setting_set(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.settings import SETTINGS, set_setting

    chosen = next((s for s in SETTINGS if s.key == args.key.strip()), None)
    if chosen is None:
        raise ValidationError(f"There is no setting “{args.key}”. Settings: "
                              f"{', '.join(s.key for s in SETTINGS)}.", path="key")
    with opened(args) as workspace, workspace.session() as session:
        value = _setting_value(args.value)
        if value is None:
            value = chosen.default
        stored = set_setting(session, workspace.program(session), chosen, value,
                             workspace.actor)
    shown = chosen.stored(stored)
    emit(args, {"key": chosen.key, "value": shown},
         [f"{chosen.key} = {json.dumps(shown, ensure_ascii=False)} ({chosen.what})."])
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
