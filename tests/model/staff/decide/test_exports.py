"""CSV and XLSX exports, read back with csv and openpyxl (data: board_fixtures.py)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from judgepanel.model.staff.decide import exports
from judgepanel.model.staff.decide.exports import export_csv, export_xlsx
from judgepanel.model.staff.schema.program import Round
from judgepanel.model.staff.settings import FEEDBACK_LEGACY_COMMENTS, set_setting
from tests.model.board_fixtures import BoardProgram, build_board_program

SCORE_HEADERS = [
    "Application", "Title", "Categories", "Judge", "Judge no.", "Results sequence", "Counts",
    "Total (0-100)", "impact: score", "impact: comment for the panel",
    "impact: feedback for the applicant", "feasibility: score",
    "feasibility: comment for the panel", "feasibility: feedback for the applicant",
    "advice: score", "advice: comment for the panel", "advice: feedback for the applicant",
    "Overall comment for the panel", "Overall feedback for the applicant", "Confidence",
]
RANKING_HEADERS = [
    "Rank", "Raw rank", "Adjusted rank", "z rank", "Application", "Title", "Organisation",
    "Categories", "Reviews", "Mean", "Median", "SD", "Min", "Max", "Adjusted", "Adjusted SE",
    "z (0-100)", "Mean z", "impact: mean", "feasibility: mean", "advice: mean", "Disagreement",
    "Reviewed by", "Missing", "Conflicted", "Requested", "Awarded", "Funding", "Decision",
    "Decision reason",
]


@pytest.fixture
def bp(tmp_path: Path) -> Iterator[BoardProgram]:
    program = build_board_program(tmp_path)
    yield program
    program.ws.close()


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _export_csv(bp: BoardProgram, folder: Path, **kwargs: Any) -> list[Path]:
    with bp.ws.session() as session:
        kwargs.setdefault("basis", "raw")  # the fixture's hand-computed table is the raw one
        return export_csv(session, session.get_one(Round, bp.round_id), folder, **kwargs)


def _export_xlsx(bp: BoardProgram, path: Path) -> Path:
    with bp.ws.session() as session:
        return export_xlsx(session, session.get_one(Round, bp.round_id), path, basis="raw")


def test_csv_files_hold_every_raw_score_with_comments(bp: BoardProgram, tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = _export_csv(bp, out)
    assert [p.name for p in paths] == [
        "round-1-summary.csv", "round-1-scores.csv", "round-1-rankings.csv",
        "round-1-rankings-youth.csv", "round-1-rankings-housing.csv", "round-1-judges.csv"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no temp left
    with (out / "round-1-scores.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == SCORE_HEADERS
    rows = _csv(out / "round-1-scores.csv")
    # Ana 6 (A07 excluded but listed), Ben 5, Dev 4 (A03 declared: no scores), Chloé none.
    assert len(rows) == 15
    assert [(r["Application"], r["Judge"]) for r in rows[:4]] == [
        ("A01", "Ana Ruiz"), ("A01", "Ben Okafor"), ("A01", "Dev Patel"), ("A02", "Ana Ruiz")]
    by = {(r["Application"], r["Judge"]): r for r in rows}
    ben_a02 = by[("A02", "Ben Okafor")]  # seq 2 only
    assert (ben_a02["Results sequence"], ben_a02["impact: score"], ben_a02["Total (0-100)"],
            ben_a02["Counts"]) == ("2", "3", "50.0000", "yes")
    ben_a03 = by[("A03", "Ben Okafor")]
    assert (ben_a03["feasibility: score"], ben_a03["feasibility: comment for the panel"]) == (
        "1", "Plan is thin, but the need is real")
    assert by[("A07", "Ana Ruiz")]["Counts"] == "no: conflict of interest confirmed by staff"
    assert by[("A04", "Ana Ruiz")]["Categories"] == "Youth; Housing"
    # A comment that a spreadsheet would run as a formula is defused.
    assert by[("A04", "Ana Ruiz")]["feasibility: comment for the panel"].startswith("'=HYPERLINK(")
    assert by[("A01", "Dev Patel")]["Overall comment for the panel"] == "J4 on A01"
    assert ("A03", "Dev Patel") not in by


def test_csv_rankings_overall_and_per_category(bp: BoardProgram, tmp_path: Path) -> None:
    _export_csv(bp, tmp_path, stem="final")
    with (tmp_path / "final-rankings.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == RANKING_HEADERS
    overall = _csv(tmp_path / "final-rankings.csv")
    assert [(r["Rank"], r["Application"]) for r in overall] == [
        ("1", "A01"), ("2", "A05"), ("3", "A03"), ("4", "A02"), ("5", "A04"), ("6", "A07"),
        ("6", "A08"), ("8", "A06")]
    a01 = overall[0]
    assert (a01["Reviews"], a01["Mean"], a01["Median"], a01["Min"], a01["Max"]) == (
        "3", "91.6667", "100.0000", "75.0000", "100.0000")
    assert (a01["Requested"], a01["Awarded"], a01["Funding"]) == ("40000.00", "40000.00",
                                                                 "funded")
    by = {r["Application"]: r for r in overall}
    assert by["A04"]["Disagreement"].startswith("scores range over 50.0 points")
    assert by["A04"]["Missing"] == "Chloé Martin"
    assert by["A03"]["Conflicted"] == "Dev Patel"
    assert by["A02"]["Funding"] == "unfunded" and by["A02"]["Awarded"] == "0.00"
    housing = _csv(tmp_path / "final-rankings-housing.csv")
    assert [(r["Rank"], r["Application"], r["Funding"]) for r in housing] == [
        ("1", "A05", "funded"), ("2", "A04", "funded"), ("3", "A07", "unfunded"),
        ("3", "A08", "unfunded"), ("5", "A06", "unfunded")]
    youth = _csv(tmp_path / "final-rankings-youth.csv")
    assert [r["Funding"] for r in youth] == ["", "", "", ""]  # no Youth budget
    judges = _csv(tmp_path / "final-judges.csv")
    assert [(j["Judge"], j["Reviews counted"], j["Leniency"], j["Missing"]) for j in judges] == [
        ("Ana Ruiz", "5", "-9.3750", "0"), ("Ben Okafor", "5", "-12.5000", "0"),
        ("Chloé Martin", "0", "", "4"), ("Dev Patel", "4", "29.1667", "0")]
    summary = {r["Item"]: r["Value"] for r in _csv(tmp_path / "final-summary.csv")}
    assert summary["Round"] == "1: First round"
    assert summary["Tie-break criterion"] == "impact"
    assert summary["Krippendorff's alpha, Housing"] == f"{4 / 19:.4f}"
    assert summary["Budget of the round"] == "100000.00"
    assert (summary["Reviews counted"], summary["Reviews excluded"],
            summary["Reviews missing"]) == ("14", "1", "4")
    assert summary["Undecided conflict"].startswith("Ben Okafor / A05")


def test_two_exports_of_the_same_data_are_identical(bp: BoardProgram, tmp_path: Path) -> None:
    first = _export_csv(bp, tmp_path / "a")
    second = _export_csv(bp, tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        if "summary" not in a.name:  # the summary carries the export time
            assert a.read_bytes() == b.read_bytes(), a.name


def test_xlsx_holds_the_same_tables_with_typed_cells(bp: BoardProgram, tmp_path: Path) -> None:
    path = _export_xlsx(bp, tmp_path / "round.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Scores", "Rankings", "Rank Youth", "Rank Housing",
                               "Judges"]
    scores = list(book["Scores"].iter_rows(values_only=True))
    assert list(scores[0]) == SCORE_HEADERS and len(scores) == 16
    by = {(r[0], r[3]): r for r in scores[1:]}
    ben_a02 = by[("A02", "Ben Okafor")]
    assert (ben_a02[5], ben_a02[7], ben_a02[8]) == (2, 50.0, 3)
    # The formula-looking comment is stored as text, unchanged.
    sheet = book["Scores"]
    cells = [c for row in sheet.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert len(cells) == 1 and cells[0].data_type == "s"
    rankings = list(book["Rankings"].iter_rows(values_only=True))
    assert list(rankings[0]) == RANKING_HEADERS
    assert rankings[1][:5] == (1, 1, 1, 1, "A01")
    assert rankings[1][9] == pytest.approx(275 / 3)
    assert rankings[1][25] == 40000  # requested, a number
    housing = list(book["Rank Housing"].iter_rows(values_only=True))
    assert [r[4] for r in housing[1:]] == ["A05", "A04", "A07", "A08", "A06"]
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True)}
    assert summary["Krippendorff's alpha, Housing"] == pytest.approx(4 / 19)


def test_a_failed_csv_export_leaves_nothing_half_written(
        bp: BoardProgram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "round-1-scores.csv"
    old.write_text("previous export\n", encoding="utf-8")
    real = exports._csv_bytes
    calls = {"n": 0}

    def failing(table: exports.Table) -> bytes:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(table)

    monkeypatch.setattr(exports, "_csv_bytes", failing)
    with pytest.raises(OSError, match="disk full"):
        _export_csv(bp, tmp_path)
    assert old.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".", "round"))] == [
        "round-1-scores.csv"]


def test_a_failed_xlsx_export_keeps_the_previous_file(
        bp: BoardProgram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "round.xlsx"
    path.write_bytes(b"previous")

    def failing(self: Workbook, filename: str) -> None:
        Path(filename).write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", failing)
    with pytest.raises(OSError):
        _export_xlsx(bp, path)
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.suffix in (".part", ".xlsx")] == [
        "round.xlsx"]


def test_sheet_titles_are_valid_and_unique() -> None:
    used: set[str] = {"rankings"}
    assert exports._sheet_title("Rank Youth/Children [under 18]: arts?", used) == (
        "Rank Youth-Children -under 18--")
    assert exports._sheet_title("Rank Youth/Children [under 18]: sport", used) == (
        "Rank Youth-Children -under (2)")
    assert exports._sheet_title("Rankings", used) == "Rankings (2)"


def test_the_adjusted_basis_its_model_and_its_warnings_are_exported(
        bp: BoardProgram, tmp_path: Path) -> None:
    with bp.ws.session() as session:
        export_csv(session, session.get_one(Round, bp.round_id), tmp_path)  # default basis
    summary = {r["Item"]: r["Value"] for r in _csv(tmp_path / "round-1-summary.csv")}
    assert summary["Ranked on"] == "score adjusted for judge leniency"
    assert summary["Reviews per judge"].startswith("median ")
    assert "z-scores need about 20 per judge" in summary["Warning (z)"]
    assert float(summary["Judge leniency model: SD of review noise"]) > 0
    rankings = _csv(tmp_path / "round-1-rankings.csv")
    assert [r["Rank"] for r in rankings] == [r["Adjusted rank"] for r in rankings]
    ranked = [r for r in rankings if r["Adjusted"]]
    assert [float(r["Adjusted"]) for r in ranked] == sorted(
        (float(r["Adjusted"]) for r in ranked), reverse=True)
    assert all(float(r["Adjusted SE"]) > 0 for r in ranked)
    judges = [r for r in _csv(tmp_path / "round-1-judges.csv") if r["Reviews counted"] != "0"]
    assert judges and all(r["Offset (model)"] and r["Offset SE"] for r in judges)


def test_exports_neutralise_bidi_controls_and_line_separators(tmp_path: Path) -> None:
    """Names and comments reach an export under the text policy (issue #16): an
    override cannot reorder a cell, a separator is a plain line break, a control goes."""
    table = exports.Table(
        "Scores", "scores", ("Judge", "Comment"), ("text", "text"),
        (("Maria \u202egnp.exe", "one\u2028two\u2029three\r\nfour"),
         ("\u2066=cmd\u2069", "bell\x07 and escape\x1b[2J")))
    (csv_path,) = exports.write_csv_files([table], tmp_path, "round")
    rows = list(csv.reader(csv_path.open(encoding="utf-8-sig", newline="")))
    assert rows[1:] == [["Maria gnp.exe", "one\ntwo\nthree\nfour"],
                        ["'=cmd", "bell and escape[2J"]]
    book = load_workbook(exports.write_xlsx([table], tmp_path / "round.xlsx"))
    values = list(book["Scores"].iter_rows(values_only=True))
    assert values[1:] == [("Maria gnp.exe", "one\ntwo\nthree\nfour"),
                          ("=cmd", "bell and escape[2J")]


def test_feedback_columns_hold_only_what_may_reach_applicants(bp: BoardProgram,
                                                              tmp_path: Path) -> None:
    """The fixture's files predate results format 3: their comments are the panel's, so
    the feedback columns stay empty until the program lets older comments through."""
    rows = _csv(_export_csv(bp, tmp_path / "plain")[1])
    ben_a03 = next(r for r in rows if (r["Application"], r["Judge"]) == ("A03", "Ben Okafor"))
    assert ben_a03["feasibility: comment for the panel"] == "Plan is thin, but the need is real"
    assert all(r[k] == "" for r in rows for k in r if "for the applicant" in k)
    with bp.ws.session() as session:
        program = session.get_one(Round, bp.round_id).program
        set_setting(session, program, FEEDBACK_LEGACY_COMMENTS, True, "tester")
    rows = _csv(_export_csv(bp, tmp_path / "legacy")[1])
    ben_a03 = next(r for r in rows if (r["Application"], r["Judge"]) == ("A03", "Ben Okafor"))
    assert ben_a03["feasibility: feedback for the applicant"] == (
        "Plan is thin, but the need is real")
    assert ben_a03["Overall feedback for the applicant"] == ben_a03[
        "Overall comment for the panel"] != ""


def test_rankings_carry_the_panels_decision_and_reason(bp: BoardProgram,
                                                        tmp_path: Path) -> None:
    from judgepanel.model.staff.decide.decisions import set_decision
    from judgepanel.model.staff.schema.program import Application

    with bp.ws.session() as session:
        round_ = session.get_one(Round, bp.round_id)
        set_decision(session, round_, session.get_one(Application, bp.apps["A06"]), "funded",
                     "=Only one for the estate", "tester", amount=8000)
    paths = _export_csv(bp, tmp_path / "out")
    rows = {r["Application"]: r for r in _csv(paths[2])}
    assert (rows["A06"]["Decision"], rows["A06"]["Decision reason"]) == (
        "funded", "'=Only one for the estate")  # formula-escaped like every text
    assert rows["A06"]["Awarded"] == "8000.00"
    assert (rows["A01"]["Decision"], rows["A01"]["Decision reason"]) == ("", "")
    housing = {r["Application"]: r for r in _csv(paths[4])}
    assert housing["A06"]["Decision"] == "funded"
