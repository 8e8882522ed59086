"""Exports of a round: every raw score, the rankings and the panel, as CSV and XLSX.

Both formats hold the same tables, so a number checked in one is in the other:

- Summary: the round, the ranking basis, the tie-break criterion, the
  disagreement limits, Krippendorff's alpha overall and per category, budgets,
  counts of counted, excluded and missing reviews, and anything staff must look
  at (open conflicts, reviews that no longer fit the rubric).
- Scores: one row per judge and application (the judge's current review, see
  leaderboard.py), with the total, every criterion's raw score, comment for the
  panel and feedback for the applicant in rubric order, the overall comment (for
  the panel), overall feedback (for the applicant) and confidence, and whether it
  counts. The feedback columns hold what the feedback report would send: a results
  file before version 3 has none unless ``feedback.legacy_comments_to_applicant``.
- Rankings, overall and one table per category: ranks on every basis (raw,
  adjusted, z), the statistics, the adjusted score with its standard error,
  per-criterion means, flags, missing and conflicted judges, the funding
  line when there is a budget, and the panel's decision with its reason
  (``decisions``; empty until decided).
- Judges: reviews counted, mean, spread, leniency, the model's offset with its
  standard error, assigned, missing, conflicted.

Applicants' contact name and e-mail go into the ranking tables only when the program
says so (setting ``exports.contact_details``, off by default, or ``contacts=True`` for
one export), so staff can notify applicants; the summary states either way.

Column order is fixed (criteria in rubric order), rows are sorted, so two
exports of the same data differ only in the export time. CSV is UTF-8 with a
byte-order mark (Excel otherwise misreads accents); text that a spreadsheet
would run as a formula (starting with = + - @, tab or CR) gets a leading
apostrophe. In XLSX such text is stored as text, never as a formula. Every text
passes the text policy first (judgepanel/text.py): line breaks of every kind become
LF, control characters and bidirectional overrides and isolates are removed, so a
name cannot reorder itself or a row in a spreadsheet. Files
appear complete or not at all: everything is written to temporary files in the
target folder and renamed into place at the end.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.clock import utcnow
from judgepanel.model.scoring.ranking import BASIS_NAMES, DEFAULT_BASIS, Basis
from judgepanel.model.scoring.statistics import median
from judgepanel.model.staff.decide.decisions import DecisionInfo, load_decisions
from judgepanel.model.staff.decide.leaderboard import Leaderboard, RoundBoards, compute_all
from judgepanel.model.staff.results.feedback import Feedback, program_feedback
from judgepanel.model.staff.schema.program import Application, Program, Round
from judgepanel.model.staff.settings import EXPORTS_CONTACT_DETAILS, setting_value
from judgepanel.text import clean_text

Kind = Literal["text", "int", "score", "stat", "money", "auto"]
Cell = str | int | float | Decimal | None

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XLSX_FORMATS = {"stat": "0.00", "money": "#,##0.00"}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Table:
    """One sheet / one CSV file: named columns of a given kind."""

    name: str  # sheet title
    slug: str  # file-name suffix
    headers: tuple[str, ...]
    kinds: tuple[Kind, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _names(boards: RoundBoards) -> dict[str, str]:
    return {key: b.category.name for key, b in boards.by_category.items() if b.category}


def _cats(keys: Sequence[str], names: Mapping[str, str]) -> str:
    return "; ".join(names.get(k, k) for k in keys)


def scores_table(board: Leaderboard, category_names: Mapping[str, str],
                 feedback: Feedback | None = None) -> Table:
    """One row per review: each criterion's score, comment for the panel and feedback for
    the applicant (as the feedback report would send it), labelled so."""
    keys = board.rubric.keys
    feedback = feedback or {}
    none: tuple[dict[str, str], str] = ({}, "")
    headers = ["Application", "Title", "Categories", "Judge", "Judge no.", "Results sequence",
               "Counts", "Total (0-100)"]
    kinds: list[Kind] = ["text", "text", "text", "text", "int", "int", "text", "stat"]
    for key in keys:
        headers += [f"{key}: score", f"{key}: comment for the panel",
                    f"{key}: feedback for the applicant"]
        kinds += ["score", "text", "text"]
    headers += ["Overall comment for the panel", "Overall feedback for the applicant",
                "Confidence"]
    kinds += ["text", "text", "int"]
    rows = []
    for r in board.reviews:
        row: list[Cell] = [r.application.ref, r.application.title,
                           _cats(r.application.categories, category_names), r.judge.name,
                           r.judge.id, r.sequence,
                           "yes" if r.counted else f"no: {r.excluded}", r.total]
        said, overall = feedback.get((r.results_id, r.application.id), none)
        for key in keys:
            row += [r.scores.get(key), r.comments.get(key, ""), said.get(key, "")]
        row += [r.overall_comment, overall, r.confidence]
        rows.append(tuple(row))
    return Table("Scores", "scores", tuple(headers), tuple(kinds), tuple(rows))


def _people(people: Sequence[object]) -> str:
    return "; ".join(getattr(p, "name", "") for p in people)


Contacts = Mapping[str, tuple[str, str]]  # reference -> (contact name, e-mail)


def _with_contacts(table: Table, contacts: Contacts | None) -> Table:
    """``table`` with the applicants' contact name and e-mail as its last two columns."""
    if contacts is None:
        return table
    ref = table.headers.index("Application")
    rows = tuple((*row, *contacts.get(str(row[ref]), ("", ""))) for row in table.rows)
    return Table(table.name, table.slug, (*table.headers, "Contact name", "Contact e-mail"),
                 (*table.kinds, "text", "text"), rows)


def rankings_table(board: Leaderboard, category_names: Mapping[str, str],
                   name: str = "Rankings", slug: str = "rankings",
                   decisions: Mapping[str, DecisionInfo] | None = None) -> Table:
    keys = board.rubric.keys
    headers = ["Rank", "Raw rank", "Adjusted rank", "z rank", "Application", "Title",
               "Organisation", "Categories", "Reviews", "Mean", "Median", "SD", "Min", "Max",
               "Adjusted", "Adjusted SE", "z (0-100)", "Mean z",
               *(f"{k}: mean" for k in keys), "Disagreement",
               "Reviewed by", "Missing", "Conflicted", "Requested", "Awarded", "Funding",
               "Decision", "Decision reason"]
    stat: list[Kind] = ["stat"] * len(keys)
    kinds: list[Kind] = ["int", "int", "int", "int", "text", "text", "text", "text", "int",
                         "stat", "stat", "stat", "stat", "stat", "stat", "stat", "stat",
                         "stat", *stat,
                         "text", "text", "text", "text", "money", "money", "text",
                         "text", "text"]
    decided = decisions or {}
    rows = []
    for r in board.rows:
        s, app, f = r.stats, r.application, r.funding
        status = ""
        if f is not None:
            status = f.status + (" (set by staff)" if f.overridden else "")
        decision = decided.get(app.ref)
        rows.append((
            board.rank_of(r), r.rank_raw, r.rank_adjusted, r.rank_z, app.ref, app.title,
            app.organisation, _cats(app.categories, category_names), s.n,
            s.summary.mean, s.summary.median, s.summary.sd, s.summary.min, s.summary.max,
            s.adjusted, s.adjusted_se, s.z_display, s.z_mean,
            *(s.criterion_means.get(k) for k in keys),
            "; ".join(r.flags), _people(r.reviewers), _people(r.missing),
            _people(r.conflicted), app.requested,
            f.awarded if f is not None else app.awarded, status,
            decision.outcome if decision else "", decision.reason if decision else ""))
    return Table(name, slug, tuple(headers), tuple(kinds), tuple(rows))


def judges_table(board: Leaderboard) -> Table:
    headers = ("Judge", "Judge no.", "Reviews counted", "Mean total", "Spread (SD)",
               "Leniency", "Compared", "Offset (model)", "Offset SE", "Assigned", "Missing",
               "Conflicted")
    kinds: tuple[Kind, ...] = ("text", "int", "int", "stat", "stat", "stat", "int", "stat",
                               "stat", "int", "int", "int")
    rows = []
    for j in board.judges:
        st, off = j.stats, j.offset
        rows.append((j.judge.name, j.judge.id, st.n if st else 0, st.mean if st else None,
                     st.spread if st else None, st.leniency if st else None,
                     st.compared if st else 0, off.offset if off else None,
                     off.se if off else None, j.assigned, j.missing, j.conflicted))
    return Table("Judges", "judges", headers, kinds, tuple(rows))


def summary_table(boards: RoundBoards, program_name: str, exported: dt.datetime,
                  contacts: bool = False) -> Table:
    b = boards.overall
    rule = b.disagreement
    limits = [f"range above {rule.max_range:g}" if rule.max_range is not None else "",
              f"SD above {rule.max_sd:g}" if rule.max_sd is not None else ""]
    rows: list[tuple[Cell, ...]] = [
        ("Program", program_name),
        ("Round", f"{b.round_number}: {b.round_name}"),
        ("Rubric", b.rubric.name),
        ("Ranked on", BASIS_NAMES[b.basis]),
        ("Tie-break criterion", b.rubric.tie_break or "none"),
        ("Disagreement flagged when", " or ".join(x for x in limits if x) or "never"),
        ("Krippendorff's alpha (interval), all applications", b.alpha),
        ("Judge leniency model: SD of judge offsets", b.effects.sd_judges),
        ("Judge leniency model: SD of review noise", b.effects.sd_noise),
        ("Reviews per judge", _per_judge_text(b.reviews_per_judge)),
        *((f"Warning ({w.basis})", w.text) for w in b.warnings),
    ]
    for board in boards.by_category.values():
        assert board.category is not None
        rows.append((f"Krippendorff's alpha, {board.category.name}", board.alpha))
    if b.funding is not None:
        rows.append(("Budget of the round", b.funding.budget))
    for board in boards.by_category.values():
        if board.funding is not None and board.category is not None:
            rows.append((f"Budget, {board.category.name}", board.funding.budget))
    counted = sum(1 for r in b.reviews if r.counted)
    rows += [("Reviews counted", counted), ("Reviews excluded", len(b.reviews) - counted),
             ("Reviews missing", sum(len(r.missing) for r in b.rows))]
    for c in b.open_conflicts:
        rows.append(("Undecided conflict", f"{c.judge.name} / {c.application_ref}: "
                                           + "; ".join(c.reasons)))
    for text in b.problems:
        rows.append(("Problem", text))
    rows.append(("Applicants' contact details",
                 "included in the rankings (to notify applicants)" if contacts else
                 "not included (program setting exports.contact_details)"))
    rows.append(("Exported at (UTC)", exported.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")))
    return Table("Summary", "summary", ("Item", "Value"), ("text", "auto"), tuple(rows))


def _per_judge_text(counts: Sequence[int]) -> str:
    middle = median(counts)
    if middle is None:
        return ""
    return f"median {middle:g} (from {counts[0]} to {counts[-1]}; {len(counts)} judges)"


def round_tables(session: Session, round_: Round, *, basis: Basis = DEFAULT_BASIS,
                 exported: dt.datetime | None = None,
                 contacts: bool | None = None) -> list[Table]:
    """Every table of the export, in sheet order. ``contacts`` None: the program's
    setting decides whether applicants' contact details are included."""
    program = session.get(Program, round_.program_id)
    assert program is not None
    if contacts is None:
        contacts = setting_value(program, EXPORTS_CONTACT_DETAILS)
    people: Contacts | None = None
    if contacts:
        people = {ref: (name, email) for ref, name, email in session.execute(
            select(Application.ref, Application.contact_name, Application.contact_email)
            .where(Application.program_id == program.id))}
    boards = compute_all(session, round_, basis=basis)
    names = _names(boards)
    decisions = load_decisions(session, round_)
    tables = [summary_table(boards, program.name, exported or utcnow(), bool(contacts)),
              scores_table(boards.overall, names,
                           program_feedback(session, program, boards.overall.reviews)),
              _with_contacts(rankings_table(boards.overall, names, decisions=decisions),
                             people)]
    titles: set[str] = {t.name.casefold() for t in tables} | {"judges"}
    for key, board in boards.by_category.items():
        tables.append(_with_contacts(rankings_table(
            board, names, _sheet_title(f"Rank {names[key]}", titles), f"rankings-{key}",
            decisions), people))
    tables.append(judges_table(boards.overall))
    return tables


def _sheet_title(wanted: str, used: set[str]) -> str:
    """A valid, unique worksheet title (31 characters, none of []:*?/\\)."""
    base = _SHEET_BAD.sub("-", wanted).strip("'")[:31] or "Sheet"
    title, n = base, 2
    while title.casefold() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)].rstrip() + suffix, n + 1
    used.add(title.casefold())
    return title


# --- cell formatting -------------------------------------------------------------------


def _compact(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _csv_text(value: str) -> str:
    value = clean_text(value)[0]
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_cell(value: Cell, kind: Kind) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _csv_text(value)
    if isinstance(value, Decimal) or kind == "money":
        return f"{Decimal(value):.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if kind == "score":
        return _compact(value)
    return f"{value:.4f}"


def _xlsx_cell(sheet: object, value: Cell, kind: Kind) -> WriteOnlyCell:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", clean_text(value)[0]))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal) or kind == "money":
        cell.number_format = _XLSX_FORMATS["money"]
    elif isinstance(value, float) and kind in ("stat", "auto"):
        cell.number_format = _XLSX_FORMATS["stat"]
    return cell


# --- writing ---------------------------------------------------------------------------


@contextlib.contextmanager
def _staged(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary paths beside ``targets``; renamed over them only if the block succeeds."""
    temps: list[Path] = []
    try:
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                        dir=target.parent)
            os.close(fd)
            temps.append(Path(name))
        yield temps
        for temp in temps:
            with open(temp, "rb") as handle:
                os.fsync(handle.fileno())
        for temp, target in zip(temps, targets, strict=True):
            os.replace(temp, target)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def _csv_bytes(table: Table) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([_csv_text(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_cell(v, k) for v, k in zip(row, table.kinds, strict=True)])
    return out.getvalue().encode("utf-8-sig")


def write_csv_files(tables: Sequence[Table], folder: Path | str, stem: str) -> list[Path]:
    """One ``<stem>-<table>.csv`` per table in ``folder``; all appear, or none changes."""
    targets = [Path(folder) / f"{stem}-{t.slug}.csv" for t in tables]
    with _staged(targets) as temps:
        for table, temp in zip(tables, temps, strict=True):
            temp.write_bytes(_csv_bytes(table))
    return targets


def write_xlsx(tables: Sequence[Table], path: Path | str) -> Path:
    """One workbook, a sheet per table (openpyxl write-only mode: rows stream out)."""
    target = Path(path)
    with _staged([target]) as (temp,):
        book = Workbook(write_only=True)
        sheets = []
        try:
            for table in tables:
                sheet = book.create_sheet(table.name)
                sheets.append(sheet)
                sheet.append([_xlsx_cell(sheet, h, "text") for h in table.headers])
                for row in table.rows:
                    sheet.append([_xlsx_cell(sheet, v, k)
                                  for v, k in zip(row, table.kinds, strict=True)])
            book.save(str(temp))
        except BaseException:
            # Streamed sheets hold open scratch files until closed; release them.
            for sheet in sheets:
                if not sheet.closed:
                    with contextlib.suppress(Exception):
                        sheet.close()
            raise
    return target


def export_csv(session: Session, round_: Round, folder: Path | str, *,
               basis: Basis = DEFAULT_BASIS,
               stem: str | None = None, contacts: bool | None = None) -> list[Path]:
    """Write the round's tables as CSV files into ``folder``; returns their paths."""
    tables = round_tables(session, round_, basis=basis, contacts=contacts)
    return write_csv_files(tables, folder, stem or f"round-{round_.number}")


def export_xlsx(session: Session, round_: Round, path: Path | str, *,
                basis: Basis = DEFAULT_BASIS, contacts: bool | None = None) -> Path:
    """Write the round's tables as one XLSX workbook at ``path``."""
    return write_xlsx(round_tables(session, round_, basis=basis, contacts=contacts), path)
