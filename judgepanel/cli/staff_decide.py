"""``judgepanel staff shortlist|award|decide``: the decisions staff take from a ranking.

``shortlist`` wraps ``model.shortlisting`` (look first with ``--dry-run``, then
create the next round); ``award`` wraps ``awards.set_award`` (partial
awards, passing over, clearing); ``decide`` wraps ``decisions`` (the panel's outcome
and reason for an application, listing, clearing, undoing). Each prints what the
decision changes so staff see the consequence before the next step; see docs/cli.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from judgepanel.cli.staff_common import (
    basis_option,
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
from judgepanel.model.staff.prepare.applications import application_titles, find_application
from judgepanel.model.staff.prepare.rounds import find_round, round_applications

if TYPE_CHECKING:
    from judgepanel.model.staff.decide.decisions import DecisionInfo
    from judgepanel.model.staff.decide.shortlist import ShortlistPlan


def register(steps: argparse._SubParsersAction) -> None:
    short = steps.add_parser(
        "shortlist", help="take the best applications of a round into a new round",
        description="Shortlist the top N (ties at the cut-off all go through) or every "
        "application scoring at least X, overall, within one category or in every "
        "category, into a new round. --dry-run shows the selection and changes nothing.")
    common_options(short)
    short.add_argument("--round", type=int, metavar="N",
                       help="the round to shortlist from (default: the latest round)")
    rule = short.add_mutually_exclusive_group(required=True)
    rule.add_argument("--top", type=int, metavar="N", help="the N best (ties included)")
    rule.add_argument("--threshold", type=float, metavar="SCORE",
                      help="every application with at least this score (0–100)")
    basis_option(short)
    where = short.add_mutually_exclusive_group()
    where.add_argument("--category", metavar="KEY", help="within this category only")
    where.add_argument("--per-category", action="store_true",
                       help="apply the rule in every category; the union goes through")
    short.add_argument("--exclude", action="append", default=[], metavar="REF",
                       help="leave this application out (to settle a tie); may be repeated")
    short.add_argument("--name", metavar="NAME", help="the new round's name (required "
                       "unless --dry-run), e.g. \"Final round\"")
    due_option(short)
    short.add_argument("--budget", help="the new round's budget (grants)")
    short.add_argument("--rubric", type=Path, metavar="FILE",
                       help="a rubric .toml for the new round (default: a copy of the "
                       "source round's)")
    short.add_argument("--dry-run", action="store_true",
                       help="show who would go through; change nothing")
    short.set_defaults(func=json_errors(run_shortlist))

    award = steps.add_parser(
        "award", help="set (or clear) staff's award for an application (grants)",
        description="Set the amount awarded to an application: a partial award, a full "
        "award out of ranking order, or 0 to pass over it. --clear lets the funding line "
        "decide again. Recorded in the audit log.")
    common_options(award)
    award.add_argument("ref", metavar="REF", help="the application's reference")
    award.add_argument("amount", nargs="?", metavar="AMOUNT",
                       help="e.g. 12500 or '$12,500.00'")
    award.add_argument("--clear", action="store_true", help="remove staff's award")
    award.add_argument("--note", default="", help="why (kept in the audit log)")
    award.add_argument("--expect-version", type=int, metavar="N",
                       help="refuse if another officer changed the application since this "
                       "version (printed by `staff award` with --json as \"version\")")
    basis_option(award)  # the ranking the funding line goes down
    award.add_argument("--round", type=int, metavar="N",
                       help="the round whose funding line is summarised (default: latest)")
    award.set_defaults(func=json_errors(run_award))

    decide = steps.add_parser(
        "decide", help="record the panel's decision on an application, or list them",
        description="Record the panel's decision on an application (an outcome from the "
        "program's list, with the reason), clear it, undo the last change, or --list the "
        "round's decisions. Recorded in the audit log.")
    common_options(decide)
    decide.add_argument("ref", nargs="?", metavar="REF", help="the application's reference")
    decide.add_argument("outcome", nargs="?", metavar="OUTCOME",
                        help="e.g. winner, \"honourable mention\", funded (see --list)")
    decide.add_argument("--reason", default="", help="why the panel decided so (required)")
    decide.add_argument("--amount", metavar="AMOUNT",
                        help="the award, with an outcome that funds (default: the award "
                        "already set, else the amount requested)")
    what = decide.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true",
                      help="list the round's decisions and the program's outcomes")
    what.add_argument("--clear", action="store_true", help="take the decision back")
    what.add_argument("--undo", action="store_true",
                      help="put back what the last change to this decision replaced")
    decide.add_argument("--round", type=int, metavar="N",
                        help="the round (default: the latest round)")
    decide.add_argument("--expect-version", type=int, metavar="N",
                        help="refuse if another officer changed the decision since this "
                        "version (0: you saw none; --json prints \"version\")")
    decide.set_defaults(func=json_errors(run_decide))


# --- shortlist ----------------------------------------------------------------------------


def _plan_data(plan: ShortlistPlan) -> dict[str, Any]:
    return {"from_round": plan.source_round, "basis": plan.basis, "top": plan.top,
            "threshold": plan.threshold, "category": plan.category,
            "per_category": plan.per_category, "selected": list(plan.selected),
            "by_category": {k: list(v) for k, v in plan.by_category.items()},
            "ties_at_cutoff": list(plan.ties_at_cutoff), "excluded": list(plan.excluded),
            "warnings": list(plan.warnings)}


def _plan_lines(plan: ShortlistPlan, titles: dict[str, str]) -> list[str]:
    rule = f"the top {plan.top}" if plan.top is not None else f"a score of {plan.threshold:g}+"
    where = (" in every category" if plan.per_category
             else f" in {plan.category}" if plan.category else "")
    lines = [f"Round {plan.source_round}, {rule}{where} ({plan.basis}): "
             f"{len(plan.selected)} application{'s' if len(plan.selected) != 1 else ''}"]
    ties = set(plan.ties_at_cutoff)
    if plan.per_category:
        for key, refs in plan.by_category.items():
            lines.append(f"  {key}: {', '.join(refs) if refs else '(none)'}")
    for ref in plan.selected:
        mark = "  (tied at the cut-off)" if ref in ties else ""
        lines.append(f"  ✓ {ref:<13} {titles.get(ref, '')[:60]}{mark}")
    lines += [f"  ✗ {ref:<13} excluded" for ref in plan.excluded]
    lines += [f"! {w}" for w in plan.warnings]
    return lines


def run_shortlist(args: argparse.Namespace) -> int:
    from judgepanel.model.rubric.definition import load_rubric
    from judgepanel.model.staff.decide.shortlist import plan_shortlist, shortlist_into_new_round

    if args.top is not None and args.top < 1:
        raise ValidationError("--top must be 1 or more.", path="top")
    if args.threshold is not None and not 0 <= args.threshold <= 100:
        raise ValidationError("--threshold is a score from 0 to 100.", path="threshold")
    if not args.dry_run and not (args.name or "").strip():
        raise ValidationError("Name the new round with --name (or look first with "
                              "--dry-run).", path="name")
    rubric = load_rubric(args.rubric) if args.rubric else None
    budget = parse_money(args.budget, "budget") if args.budget else None
    due = due_at(args)
    rule: dict[str, Any] = {"top": args.top, "threshold": args.threshold,
                            "basis": args.basis, "category": args.category,
                            "per_category": args.per_category, "exclude": args.exclude}
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        if args.dry_run:
            plan = plan_shortlist(session, round_, **rule)
            data: dict[str, Any] = {"dry_run": True, **_plan_data(plan)}
        else:
            outcome = shortlist_into_new_round(session, round_, args.name, workspace.actor,
                                               rubric=rubric, due_at=due, budget=budget,
                                               **rule)
            plan = outcome.plan
            data = {"dry_run": False, **_plan_data(plan), "round": outcome.round.number,
                    "round_name": outcome.round.name}
        titles = application_titles(session, program, plan.selected)
    lines = _plan_lines(plan, titles)
    if args.dry_run:
        lines.append("Nothing was changed (--dry-run). Run again with --name NAME to create "
                     "the round.")
    else:
        lines.append(f"Created round {data['round']} “{data['round_name']}” with these "
                     f"applications. Next: `judgepanel staff assign run --round "
                     f"{data['round']}`.")
    emit(args, data, lines)
    return 0


# --- award --------------------------------------------------------------------------------


def run_award(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.decide.awards import set_award
    from judgepanel.model.staff.decide.leaderboard import compute

    if args.clear == (args.amount is not None):
        raise ValidationError("Give either an AMOUNT or --clear.", path="amount")
    amount = None if args.clear else parse_money(args.amount, "amount")
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        application = find_application(session, program, args.ref)
        previous = application.awarded_amount
        version = set_award(session, application, amount, workspace.actor, note=args.note,
                            expected_version=args.expect_version)
        data: dict[str, Any] = {"application": application.ref, "version": version,
                                "requested": application.requested_amount,
                                "awarded": amount, "previous": previous,
                                "round": round_.number}
        if round_.budget is not None:
            board = compute(session, round_, basis=args.basis)
            if board.funding is not None:
                row = board.funding.row(application.ref)
                data.update(budget=board.funding.budget,
                            total_awarded=board.funding.total_awarded,
                            remaining=board.funding.remaining,
                            line_at=board.funding.line_at,
                            tied_at_line=list(board.funding.tied_at_line),
                            tie_note=board.funding.tie_note(),
                            status=row.status if row else None)
        currency = program.currency
    if amount is None:
        lines = [f"Cleared the award for {data['application']}: the funding line decides "
                 "again."]
    else:
        lines = [f"Award for {data['application']}: {money(amount)} {currency} of "
                 f"{money(data['requested'])} requested"
                 + ("" if previous is None else " (unchanged)" if previous == amount
                    else f" (was {money(previous)})") + "."]
    if "budget" in data:
        over = data["remaining"] < 0
        lines.append(f"Round {data['round']}: {money(data['total_awarded'])} of "
                     f"{money(data['budget'])} {currency} awarded; "
                     + (f"OVER BUDGET by {money(-data['remaining'])}" if over
                        else f"{money(data['remaining'])} left")
                     + (f"; funding line at {data['line_at']}" if data["line_at"] else "")
                     + ".")
        if data["tie_note"]:
            lines.append(data["tie_note"])
    emit(args, data, lines)
    return 0



# --- decide -------------------------------------------------------------------------------


def _decision_data(info: DecisionInfo) -> dict[str, Any]:
    return {"application": info.ref, "title": info.title, "outcome": info.outcome,
            "reason": info.reason, "decided_by": info.decided_by,
            "decided_at": info.decided_at.isoformat() if info.decided_at else None,
            "version": info.version,
            "selected": info.selected,
            "award": None if info.award is None else f"{info.award:.2f}"}


def _list_decisions(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.decide.decisions import load_decisions, outcomes

    if args.ref is not None:
        raise ValidationError("--list takes no application: it lists the whole round.",
                              path="ref")
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        choices = outcomes(session, round_)
        found = list(load_decisions(session, round_).values())
        total = len(round_applications(session, round_))
        number, currency = round_.number, program.currency
    data = {"round": number, "applications": total,
            "outcomes": [{"name": o.name, "selected": o.selected, "award": o.award}
                         for o in choices],
            "decisions": [_decision_data(d) for d in found]}
    lines = [f"Round {number}: {len(found)} of {total} applications decided. Outcomes: "
             + ", ".join(o.name for o in choices) + "."]
    for d in found:
        award = f" {money(d.award)} {currency}" if d.award else ""
        lines.append(f"  {d.ref:<13} {d.outcome}{award}: {d.reason}  ({d.decided_by})")
    emit(args, data, lines)
    return 0


def run_decide(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.decide.decisions import (
        clear_decision,
        load_decisions,
        set_decision,
        undo_decision,
    )

    if args.list:
        return _list_decisions(args)
    if args.ref is None:
        raise ValidationError("Name the application (REF), or use --list.", path="ref")
    changing = args.clear or args.undo
    if changing and (args.outcome is not None or args.reason or args.amount):
        raise ValidationError("--clear and --undo take only the application.",
                              path="outcome")
    if not changing and args.outcome is None:
        raise ValidationError("Give the outcome after the reference, e.g. `judgepanel staff "
                              "decide REC-001 winner --reason \"…\"` (--list shows the "
                              "outcomes).", path="outcome")
    amount = parse_money(args.amount, "amount") if args.amount else None
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        application = find_application(session, program, args.ref)
        if args.clear:
            clear_decision(session, round_, application, workspace.actor,
                           expected_version=args.expect_version)
        elif args.undo:
            undo_decision(session, round_, application, workspace.actor,
                          expected_version=args.expect_version)
        else:
            set_decision(session, round_, application, args.outcome, args.reason,
                         workspace.actor, amount=amount,
                         expected_version=args.expect_version)
        info = load_decisions(session, round_).get(application.ref)
        ref, number, currency = application.ref, round_.number, program.currency
    data: dict[str, Any] = {"round": number, "application": ref,
                            "decision": None if info is None else _decision_data(info)}
    if info is None:
        lines = [f"{ref} has no decision in round {number} now."]
    else:
        award = f" ({money(info.award)} {currency})" if info.award else ""
        lines = [f"{ref}: {info.outcome}{award}. Reason: {info.reason}"]
    emit(args, data, lines)
    return 0
