"""``judgepanel staff judges withdraw | reactivate | clear-warning``.

Why these exist: enrolment can go wrong in ways staff must be able to undo from
the command line too — a staff card enrolled with the judges' cards, a judge who
steps down, a warning ("a second key under a known name") that staff resolved
by calling the judge. Without them a flagged or unwanted judge blocks
``staff bundles`` for the whole panel. Each change goes to the audit log.
"""

from __future__ import annotations

import argparse
from typing import Any

from judgepanel.cli.staff_common import common_options, emit, json_errors, opened
from judgepanel.errors import ValidationError
from judgepanel.model.staff.prepare.judges import clear_flag, find_judge, set_active


def register_actions(actions: argparse._SubParsersAction) -> None:
    """Add the actions to ``staff judges`` (next to ``enroll`` and ``list``)."""
    for name, helptext in (
        ("withdraw", "take judges out of assignment and new bundles (kept for the record)"),
        ("reactivate", "bring withdrawn judges back"),
    ):
        action = actions.add_parser(name, help=helptext)
        common_options(action)
        action.add_argument("judges", nargs="+", metavar="JUDGE",
                            help="fingerprint, id or name (see `staff judges list`)")
        action.set_defaults(func=json_errors(run_set_active), active=name == "reactivate")

    clear = actions.add_parser(
        "clear-warning", help="mark a judge's enrolment warning as resolved (say how)")
    common_options(clear)
    clear.add_argument("judge", metavar="JUDGE", help="fingerprint, id or name")
    clear.add_argument("--note", default="",
                       help="how you checked, e.g. “fingerprint read back by phone” "
                       "(required; kept in the audit log)")
    clear.set_defaults(func=json_errors(run_clear_warning))


def run_set_active(args: argparse.Namespace) -> int:
    rows: list[dict[str, Any]] = []
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        for text in args.judges:
            judge = find_judge(session, program, text)
            changed = judge.active != args.active
            if changed:
                set_active(session, judge, args.active, workspace.actor)
            rows.append({"id": judge.id, "name": judge.name,
                         "fingerprint": judge.fingerprint, "active": judge.active,
                         "changed": changed})
    lines = []
    for r in rows:
        state = "active again" if r["active"] else "withdrawn"
        lines.append(f"{r['name']} ({r['fingerprint']}): "
                     + (state if r["changed"] else f"already {state.replace(' again', '')}"))
    if not args.active and any(r["changed"] for r in rows):
        lines.append("Run `judgepanel staff assign run` to give their applications to other "
                     "judges; their earlier assignments are kept for the record.")
    emit(args, {"judges": rows}, lines)
    return 0


def run_clear_warning(args: argparse.Namespace) -> int:
    with opened(args) as workspace, workspace.session() as session:
        judge = find_judge(session, workspace.program(session), args.judge)
        if not judge.flag:
            raise ValidationError(f"{judge.name} has no warning to clear.", path="judge")
        previous = judge.flag
        clear_flag(session, judge, workspace.actor, args.note)
        row = {"id": judge.id, "name": judge.name, "fingerprint": judge.fingerprint,
               "cleared": previous, "note": args.note.strip()}
    emit(args, {"judge": row}, [f"Cleared the warning on {row['name']} "
                                f"({row['fingerprint']}): {previous}"])
    return 0
