"""``judgepanel staff rank`` and ``staff export``: the leaderboard, printed or written out.

The numbers come from ``model.leaderboard`` (which reviews count) and the pure
scoring modules; this module only lays them out for a terminal or for JSON.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from judgepanel.cli.staff_common import emit, money, opened
from judgepanel.model.scoring.ranking import BASIS_NAMES
from judgepanel.model.staff.decide.leaderboard import BoardRow, Leaderboard, compute
from judgepanel.model.staff.prepare.rounds import find_round


def _num(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def board_row(board: Leaderboard, row: BoardRow) -> dict[str, Any]:
    s = row.stats
    data: dict[str, Any] = {
        "rank": board.rank_of(row), "rank_raw": row.rank_raw,
        "rank_adjusted": row.rank_adjusted, "rank_z": row.rank_z,
        # The old name of the z basis's rank, kept for scripts that read it.
        "rank_normalised": row.rank_z, "ref": row.application.ref,
        "title": row.application.title, "organisation": row.application.organisation,
        "categories": list(row.application.categories), "n": s.n,
        "mean": _num(s.mean, 2), "median": _num(s.summary.median, 2),
        "sd": _num(s.summary.sd, 2), "min": _num(s.summary.min, 2),
        "max": _num(s.summary.max, 2), "adjusted": _num(s.adjusted, 2),
        "adjusted_se": _num(s.adjusted_se, 2), "z": _num(s.z_display, 2),
        "normalised": _num(s.z_display, 2),  # the old name of "z"
        "tie_break": _num(row.tie_break, 2), "flags": list(row.flags),
        "missing": [j.name for j in row.missing],
        "conflicted": [j.name for j in row.conflicted],
    }
    if row.application.requested is not None:
        data["requested"] = row.application.requested
    if row.funding is not None:
        data["awarded"] = row.funding.awarded
        data["funding"] = row.funding.status
        data["staff_award"] = row.funding.overridden
        data["running_total"] = row.funding.running_total
    return data


def rank_command(args: argparse.Namespace) -> int:
    with opened(args) as workspace, workspace.session() as session:
        program = workspace.program(session)
        round_ = find_round(session, program, args.round)
        board = compute(session, round_, category=args.category, basis=args.basis)
        rows = [board_row(board, r) for r in board.rows]
        judges = [{"name": j.judge.name, "assigned": j.assigned, "missing": j.missing,
                   "conflicted": j.conflicted,
                   "reviews": j.stats.n if j.stats else 0,
                   "mean": _num(j.stats.mean, 2) if j.stats else None,
                   "spread": _num(j.stats.spread, 2) if j.stats else None,
                   "leniency": _num(j.stats.leniency, 2) if j.stats else None,
                   "offset": _num(j.offset.offset, 2) if j.offset else None,
                   "offset_se": _num(j.offset.se, 2) if j.offset else None}
                  for j in board.judges]
        data: dict[str, Any] = {
            "round": board.round_number, "round_name": board.round_name,
            "category": board.category.name if board.category else None,
            "basis": board.basis, "alpha": _num(board.alpha, 3),
            "tie_break": board.rubric.tie_break, "rows": rows, "judges": judges,
            "open_conflicts": [{"judge": c.judge.name, "application": c.application_ref,
                                "reasons": list(c.reasons)} for c in board.open_conflicts],
            "problems": list(board.problems),
            "reviews_per_judge": list(board.reviews_per_judge),
            "warnings": [{"basis": w.basis, "text": w.text} for w in board.warnings],
        }
        if board.funding is not None:
            data["budget"] = board.funding.budget
            data["awarded"] = board.funding.total_awarded
            data["line_at"] = board.funding.line_at
            data["tied_at_line"] = list(board.funding.tied_at_line)
            data["remaining"] = board.funding.remaining
        currency = program.currency
    shown = board.rows[: args.top] if args.top else board.rows
    emit(args, data, _lines(board, shown, currency))
    return 0


def _score(board: Leaderboard, row: BoardRow) -> float | None:
    s = row.stats
    return {"raw": s.mean, "adjusted": s.adjusted, "z": s.z_display}[board.basis]


def _lines(board: Leaderboard, rows: Sequence[BoardRow], currency: str) -> list[str]:
    """The terminal's board, from the board's own numbers (not the JSON's rounded ones:
    rounding twice, 74.949 would print 75.0 here and 74.9 in the app)."""
    where = f" — {board.category.name}" if board.category else ""
    alpha = "n/a" if board.alpha is None else f"{board.alpha:.2f}"
    lines = [f"Round {board.round_number} ({board.round_name}){where}: ranked by the "
             f"{BASIS_NAMES[board.basis]}; panel agreement (Krippendorff's alpha) {alpha}"]
    lines += [f"Note ({w.basis}): {w.text}" for w in board.warnings if w.basis == board.basis]
    line = board.funding
    header = f"{'RANK':>4}  {'SCORE':>5}  {'N':>2}  {'SD':>5}  {'REF':<13}"
    lines.append(header + (f"  {'REQUESTED':>13}  {'AWARDED':>13}   " if line else "  ")
                 + "TITLE")
    for row in rows:
        ref = row.application.ref
        if line and ref == line.line_at:
            lines.append(f"{'':>6}---- funding line: the budget runs out here ----")
        rank, score, sd = board.rank_of(row), _score(board, row), row.stats.summary.sd
        text = (f"{'-' if rank is None else rank:>4}  "
                f"{'-' if score is None else f'{score:5.1f}':>5}  {row.stats.n:>2}  "
                f"{'-' if sd is None else f'{sd:5.1f}':>5}  {ref:<13}")
        if line:
            funding = row.funding
            mark = "*" if funding and funding.overridden else " "
            text += (f"  {money(row.application.requested):>13}  "
                     f"{money(funding.awarded if funding else None):>13}{mark}")
        text += f"  {row.application.title[:60]}"
        notes = []
        if row.flags:
            notes.append("disagreement: " + "; ".join(row.flags))
        if row.missing:
            notes.append("missing: " + ", ".join(j.name for j in row.missing))
        if row.conflicted:
            notes.append("conflicted: " + ", ".join(j.name for j in row.conflicted))
        lines.append(text)
        lines += [f"{'':>19}! {n}" for n in notes]
    if line:
        lines.append(f"Budget {money(line.budget)} {currency}; awarded "
                     f"{money(line.total_awarded)}"
                     + (f"; funding line at {line.line_at}" if line.line_at else "")
                     + ("; * = award set by staff (`judgepanel staff award`)"
                        if any(r.funding and r.funding.overridden for r in rows) else ""))
        if line.tied_at_line:
            lines.append(line.tie_note())
    for conflict in board.open_conflicts:
        lines.append(f"Open conflict: {conflict.judge.name} × {conflict.application_ref} "
                     f"({'; '.join(conflict.reasons)})")
    lines += [f"Problem: {p}" for p in board.problems]
    return lines


def export_command(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.decide.exports import export_csv, export_xlsx

    with opened(args) as workspace, workspace.session() as session:
        round_ = find_round(session, workspace.program(session), args.round)
        contacts = getattr(args, "contacts", None)
        if args.format == "xlsx":
            files = [export_xlsx(session, round_, args.out, basis=args.basis,
                                 contacts=contacts)]
        else:
            files = export_csv(session, round_, args.out, basis=args.basis, contacts=contacts)
        number = round_.number
        if contacts is None:
            from judgepanel.model.staff.settings import EXPORTS_CONTACT_DETAILS, setting_value

            contacts = setting_value(workspace.program(session), EXPORTS_CONTACT_DETAILS)
    said = ("with applicants' contact names and e-mails" if contacts
            else "without applicants' contact details")
    emit(args, {"round": number, "format": args.format, "files": [str(f) for f in files],
                "contacts": contacts},
         [f"Exported round {number} ({args.format.upper()}, {said}):"]
         + [f"  {f}" for f in files])
    return 0
