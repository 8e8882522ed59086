"""The score sheet: a judge's applications and the rubric as a spreadsheet, and back.

Some judges prefer to score in a spreadsheet, offline and with everything on one
page. :func:`write_sheet` writes one (``.xlsx``, or ``.csv`` for any tool) holding
the judge's applications, one row each, with what is already scored; the rubric's
scale and level descriptors are in the second row above the data (and, in a
workbook, on a sheet of their own, with each score cell offering only the scale's
points). :func:`plan_sheet` reads a filled sheet back and says, cell by cell, what it
would change and what is wrong; :func:`apply_sheet` applies a plan with no problem,
all in one transaction (``edits.apply_edits``), so nothing is ever half applied.

Layout (docs/judge-guide.md and docs/cli.md): row 1, the column headings; row 2,
what to write in each column (its first cell says so: :data:`HELP_MARK`); then one
row per application. Columns: ``Reference``, ``Title``, ``Status`` (read only), for
each criterion ``Score: <title> [<key>]``, ``Comment for the panel: <title> [<key>]``
(never shown to the applicant) and ``Feedback for the applicant: <title> [<key>]``
(may be sent to them), then ``Overall comment for the panel``, ``Overall feedback for
the applicant`` and ``Confidence (1-5)``. A sheet made before feedback existed
(``Comment: <title> [<key>]``, ``Overall comment``) is still read: its comments are
the panel's. A blank cell means "no score" or "no text": a score that was given and
is blank in the sheet is cleared. The sheet
never declares conflicts: declarations are made first (in the app or with
``judgepanel judge declare``), and scores for an undeclared or conflicted
application are refused, naming the cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from judgepanel.errors import FileFormatError, ImportRowsError, JudgePanelError, ValidationError
from judgepanel.model.judge.edits import Edit
from judgepanel.model.judge.records import (
    CONFIDENCE_LABELS,
    ReviewState,
    checked_text,
    confidence_level,
)
from judgepanel.model.judge.session import JudgingSession
from judgepanel.text import plural

HELP_MARK = "What to write"
REFERENCE, TITLE, STATUS = "Reference", "Title", "Status"
OVERALL, CONFIDENCE = "Overall comment for the panel", "Confidence (1-5)"
OVERALL_FEEDBACK = "Overall feedback for the applicant"
OLD_OVERALL = "Overall comment"  # a sheet made before feedback existed
COMMENT_HEADING, FEEDBACK_HEADING = "Comment for the panel", "Feedback for the applicant"
_KINDS = {"Score": "score", "Comment": "comment", COMMENT_HEADING: "comment",
          FEEDBACK_HEADING: "feedback"}
_TEXT_WORDS = {"comment": "comment", "feedback": "feedback for the applicant",
               "overall": "overall comment",
               "overall_feedback": "overall feedback for the applicant"}
MAX_SHEET_BYTES = 16 * 1024 * 1024
MAX_ROWS = 20_000
_KEYED = re.compile(r"(Score|Comment|Comment for the panel|Feedback for the applicant): "
                    r".*\[([A-Za-z][A-Za-z0-9_-]{0,63})\]")


def _fmt(value: float | None) -> str | int | float:
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else value


def _status(review: ReviewState) -> str:
    declaration = review.declaration
    if declaration is None:
        return "Not declared: declare first"
    if declaration.conflict:
        return "Conflict of interest: not scored"
    if review.unable:
        return f"Unable to review: {review.unable_reason}"
    return "Complete" if not review.problems else "To score"


def sheet_rows(session: JudgingSession) -> list[list[Any]]:
    """Headings, the help row, then one row per application with what is stored now."""
    criteria = session.rubric.criteria
    header: list[Any] = [REFERENCE, TITLE, STATUS]
    help_row: list[Any] = [HELP_MARK, "(do not change)", "(do not change)"]
    for c in criteria:
        header += [f"Score: {c.title} [{c.key}]", f"{COMMENT_HEADING}: {c.title} [{c.key}]",
                   f"{FEEDBACK_HEADING}: {c.title} [{c.key}]"]
        levels = "; ".join(f"{_fmt(level.score)} = {level.descriptor}" for level in c.levels)
        help_row += [f"{c.scale_text()}" + (f". {levels}" if levels else ""),
                     f"For the panel only: never shown to the applicant ("
                     f"{c.comment.describe()})",
                     f"For the applicant: may be sent to them ("
                     f"{c.applicant_feedback.describe('feedback')})"]
    overall_rule = "required" if session.rubric.overall_feedback_required else "optional"
    header += [OVERALL, OVERALL_FEEDBACK, CONFIDENCE]
    help_row += ["For the panel only: never shown to the applicant (optional)",
                 f"For the applicant: may be sent to them ({overall_rule})",
                 "; ".join(f"{n} = {label}" for n, label in
                           CONFIDENCE_LABELS.items()) + " (optional)"]
    rows = [header, help_row]
    for app in session.applications:
        review = session.review(app.id)
        row: list[Any] = [app.id, app.title, _status(review)]
        for c in criteria:
            row += [_fmt(review.scores.get(c.key)), review.comments.get(c.key, ""),
                    review.feedback.get(c.key, "")]
        row += [review.overall_comment, review.overall_feedback, review.confidence or ""]
        rows.append(row)
    return rows


def write_sheet(session: JudgingSession, path: Path | str) -> Path:
    """Write the sheet as ``.xlsx`` or ``.csv`` (by the name's suffix), atomically."""
    dst = Path(path)
    suffix = dst.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError("Name the score sheet with .xlsx (a workbook) or .csv.",
                              path=str(dst))
    rows = sheet_rows(session)
    if suffix == ".csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        data = out.getvalue().encode("utf-8-sig")  # Excel reads UTF-8 with its mark
    else:
        data = _workbook(session, rows)
    tmp = dst.with_name(f".{dst.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(dst)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise JudgePanelError(f"The score sheet could not be saved as “{dst.name}”. Choose "
                              "another folder.", detail=str(error), path=str(dst)) from None
    return dst


def _workbook(session: JudgingSession, rows: list[list[Any]]) -> bytes:
    import openpyxl  # only a workbook pays for it
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Scores"
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(italic=True)
    sheet.freeze_panes = "D3"
    last = len(rows)
    for index, c in enumerate(session.rubric.criteria):
        column = openpyxl.utils.get_column_letter(4 + 3 * index)
        points = ",".join(str(_fmt(v)) for v in c.valid_scores())
        if len(points) < 250 and last > 2:  # Excel's limit for a list typed in
            rule = DataValidation(type="list", formula1=f'"{points}"', allow_blank=True,
                                  showErrorMessage=True, error=f"{c.title}: {c.scale_text()}")
            sheet.add_data_validation(rule)
            rule.add(f"{column}3:{column}{last}")
    for column in sheet.columns:
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = 14 if column[0].value in (
            REFERENCE, STATUS) or str(column[0].value).startswith("Score") else 36
    rubric = book.create_sheet("Rubric")
    rubric.append(["Key", "Criterion", "Weight", "Scale", "Comment for the panel",
                   "Feedback for the applicant", "Guidance", "What each score means"])
    for c in session.rubric.criteria:
        rubric.append([c.key, c.title, _fmt(c.weight) if c.counts else "not counted",
                       c.scale_text(), c.comment.describe(),
                       c.applicant_feedback.describe("feedback"), c.guidance.strip(),
                       "\n".join(f"{_fmt(level.score)} = {level.descriptor}"
                                 for level in c.levels)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading it back ---------------------------------------------------------------------


@dataclass(frozen=True)
class CellProblem:
    row: int  # as the spreadsheet numbers it (1 = the headings)
    column: str
    message: str

    def text(self) -> str:
        return f"“{self.column}”: {self.message}"


@dataclass(frozen=True)
class SheetChange:
    edit: Edit
    description: str  # "A-1 · Innovation: 3 → 4"


@dataclass
class SheetPlan:
    changes: list[SheetChange] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)

    def refusal(self, path: Path) -> JudgePanelError:
        return ImportRowsError(
            f"The score sheet has {plural(len(self.problems), 'cell')} that cannot be used, so "
            "nothing was changed. Correct them and try again.",
            [(p.row, p.text()) for p in self.problems], path=str(path))


def read_sheet(path: Path | str) -> list[list[Any]]:
    """The rows of a ``.xlsx`` (its first sheet) or ``.csv`` score sheet."""
    src = Path(path)
    try:
        size = src.stat().st_size
    except OSError as error:
        raise FileFormatError("The score sheet could not be opened. Check that it exists.",
                              detail=str(error), path=str(src)) from None
    if size > MAX_SHEET_BYTES:
        raise FileFormatError("This file is far larger than a score sheet.",
                              detail=f"{size} bytes", path=str(src))
    if src.suffix.lower() == ".csv":
        try:
            text = src.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileFormatError("The score sheet is not UTF-8 text. Save it as CSV UTF-8 "
                                  "(or as .xlsx) and try again.", path=str(src)) from None
        rows: list[list[Any]] = list(csv.reader(io.StringIO(text, newline="")))
    elif src.suffix.lower() == ".xlsx":
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = openpyxl.load_workbook(src, read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                rows = [list(r) for _, r in zip(range(MAX_ROWS + 3),
                                                sheet.iter_rows(values_only=True),
                                                strict=False)]
            finally:
                book.close()
        except (InvalidFileException, OSError, KeyError, ValueError, IndexError) as error:
            raise FileFormatError("The score sheet could not be read as a workbook (.xlsx).",
                                  detail=str(error), path=str(src)) from None
    else:
        raise FileFormatError("A score sheet is a .xlsx or .csv file.", path=str(src))
    if len(rows) > MAX_ROWS + 2:
        raise FileFormatError("This sheet has far more rows than a judge has applications.",
                              path=str(src))
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _columns(header: Sequence[Any], session: JudgingSession,
             problems: list[CellProblem]) -> dict[int, tuple[str, str]]:
    """Column index -> (kind, criterion key) for the columns the sheet may change."""
    keys = set(session.rubric.keys)
    out: dict[int, tuple[str, str]] = {}
    for index, raw in enumerate(header):
        name = _text(raw).strip()
        keyed = _KEYED.fullmatch(name)
        if keyed and keyed.group(2) in keys:
            out[index] = (_KINDS[keyed.group(1)], keyed.group(2))
        elif name in (OVERALL, OLD_OVERALL):
            out[index] = ("overall", "")
        elif name == OVERALL_FEEDBACK:
            out[index] = ("overall_feedback", "")
        elif name == CONFIDENCE:
            out[index] = ("confidence", "")
        elif name in (REFERENCE, TITLE, STATUS) or not name:
            continue
        else:
            problems.append(CellProblem(1, name, "this column is not one of the score "
                                        "sheet's; make a new sheet and copy your scores in."))
    return out


def plan_sheet(session: JudgingSession, rows: list[list[Any]]) -> SheetPlan:
    """What applying ``rows`` would change, and every cell that cannot be used."""
    plan = SheetPlan()
    if not rows or _text(rows[0][0] if rows[0] else "").strip() != REFERENCE:
        plan.problems.append(CellProblem(1, "A", f"the first heading must be “{REFERENCE}”: "
                                         "this is not a JudgePanel score sheet."))
        return plan
    header = rows[0]
    columns = _columns(header, session, plan.problems)
    titles = {c.key: c.title for c in session.rubric.criteria}
    known = {a.id for a in session.applications}
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        first = _text(row[0] if row else "").strip()
        if not first or first == HELP_MARK or not any(_text(v).strip() for v in row):
            continue
        if first not in known:
            plan.problems.append(CellProblem(number, REFERENCE, f"“{first}” is not one of "
                                             "your applications in this bundle."))
            continue
        if first in seen:
            plan.problems.append(CellProblem(number, REFERENCE, f"“{first}” has two rows."))
            continue
        seen.add(first)
        _plan_row(session, first, number, row, header, columns, titles, plan)
    return plan


def _plan_row(session: JudgingSession, app_id: str, number: int, row: list[Any],
              header: Sequence[Any], columns: dict[int, tuple[str, str]],
              titles: dict[str, str], plan: SheetPlan) -> None:
    review = session.review(app_id)
    declaration = review.declaration
    for index, (kind, key) in columns.items():
        column = _text(header[index])
        cell = row[index] if index < len(row) else None
        try:
            value, shown = _value(session, kind, key, cell)
        except ValidationError as error:
            plan.problems.append(CellProblem(number, column, error.message))
            continue
        current: Any = {"score": review.scores.get(key), "comment": review.comments.get(key, ""),
                        "feedback": review.feedback.get(key, ""),
                        "overall": review.overall_comment,
                        "overall_feedback": review.overall_feedback,
                        "confidence": review.confidence}[kind]
        if value == current:
            continue
        if declaration is None or declaration.conflict:
            why = ("declare first whether you have a conflict of interest with it"
                   if declaration is None else "you declared a conflict of interest with it")
            plan.problems.append(CellProblem(number, column, f"{app_id} cannot be scored: "
                                             f"{why}."))
            continue
        what = (titles.get(key, "") + (f" {_TEXT_WORDS[kind]}" if kind != "score" else "")
                if key else _TEXT_WORDS.get(kind, "confidence"))
        before = (_text(_fmt(current)) if kind == "score" else _text(current)) or "(blank)"
        after = shown or "(blank)"
        if kind in _TEXT_WORDS:
            before, after = (f"{len(_text(current))} characters" if current else "(blank)",
                             f"{len(after)} characters" if shown else "(blank)")
        plan.changes.append(SheetChange(Edit(app_id, kind, key, value),
                                        f"{app_id} · {what}: {before} → {after}"))


def _value(session: JudgingSession, kind: str, key: str, cell: Any) -> tuple[Any, str]:
    """The cell's value as the session takes it, and as a person reads it."""
    text = _text(cell).strip()
    if kind == "score":
        if not text:
            return None, ""
        criterion = session.rubric.criterion(key)
        try:
            number = float(text.replace(",", ".")) if not isinstance(cell, int | float) \
                else float(cell)
        except ValueError:
            raise ValidationError(f"“{text}” is not a number ({criterion.scale_text()}).",
                                  path=key) from None
        criterion.check_score(number)
        return number, _text(_fmt(number))
    if kind == "confidence":
        if not text:
            return None, ""
        level = confidence_level(int(text) if text.isdigit() else text.split("—")[-1])
        return level, str(level)
    value = checked_text(_text(cell), _TEXT_WORDS[kind], key or kind)
    return value, value


def apply_sheet(session: JudgingSession, plan: SheetPlan) -> int:
    """Apply a plan without problems, all in one transaction; the number of changes."""
    if plan.problems:
        raise ValueError("a plan with problems cannot be applied")  # callers check first
    return session.apply([change.edit for change in plan.changes])
