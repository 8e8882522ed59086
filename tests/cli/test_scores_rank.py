"""`judgepanel scores rank TABLE`: any table of scores, ranked by the leaderboard's code."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from judgepanel.model.scoring.ranking import BASES
from judgepanel.model.staff.decide.leaderboard import compute
from judgepanel.model.staff.schema.program import Round
from tests.cli.test_staff_cli import as_json, jp
from tests.model.board_fixtures import build_board_program


def _write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize("basis", BASES)
def test_a_round_exported_as_a_table_ranks_as_its_leaderboard(
        tmp_path: Path, basis: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    bp = build_board_program(tmp_path)
    with bp.ws.session() as session:
        board = compute(session, session.get_one(Round, bp.round_id), basis=basis)  # type: ignore[arg-type]
    bp.ws.close()
    keys = board.rubric.keys
    rows: list[list[object]] = [["Application", "Judge", "Total", *keys]]
    rows += [[r.application.ref, f"judge {r.judge.id}", r.total, *(r.scores.get(k) for k in keys)]
             for r in board.reviews if r.counted]
    table = _write_csv(tmp_path / "scores.csv", rows)
    args = ["scores", "rank", table, "--basis", basis, "--json"]
    if board.rubric.tie_break:
        args += ["--tie-break", board.rubric.tie_break]
    assert jp(monkeypatch, *args) == 0
    out = as_json(capsys)
    assert out["basis"] == basis
    expected = [(r.application_id, r.rank, round(r.score, 4)) for r in board.ranking.rows]
    assert [(r["application"], r["rank"], r["score"]) for r in out["ranking"]] == expected
    # Applications the board lists without a review are not in the table at all.
    assert set(out["unranked"]) == set(board.ranking.unranked) - {
        r.application.ref for r in board.rows if r.stats.n == 0}


def test_xlsx_text_output_and_the_old_basis_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["application", "judge", "total", "impact"], ["A1", "J1", 80, 4],
                ["A1", "J2", 60, 3], ["A2", "J1", 70, None], ["A2", "J2", 50, 2],
                ["A3", "J3", 65, 3]):
        sheet.append(row)
    book.save(tmp_path / "scores.xlsx")
    assert jp(monkeypatch, "scores", "rank", tmp_path / "scores.xlsx", "--basis", "raw") == 0
    text = capsys.readouterr().out
    assert "5 reviews of 3 applications, ranked by the mean total (raw)" in text
    assert jp(monkeypatch, "scores", "rank", tmp_path / "scores.xlsx", "--basis",
              "normalised", "--json") == 0
    out = as_json(capsys)
    assert out["basis"] == "z"
    assert out["unranked"] == ["A3"]  # J3's one review gives no z-score
    assert [r["application"] for r in out["ranking"]] == ["A1", "A2"]
    assert out["ranking"][0]["criteria"] == {"impact": 3.5}


def test_bad_rows_are_named_by_row_number_and_nothing_is_ranked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    table = _write_csv(tmp_path / "bad.csv", [
        ["application", "judge", "total", "impact"], ["A1", "J1", 80, 4], ["A1", "J1", 70, 3],
        ["", "J2", "x", 1], ["A2", "J2", 101, "high"], ["A3", "J2", "nan", ""]])
    assert jp(monkeypatch, "scores", "rank", table, "--json") == 2
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and "nothing was ranked" in out["error"]
    assert out["rows"] == [
        {"row": 3, "problem": "J1 already scored A1 in row 2"},
        {"row": 4, "problem": "no application; the total “x” is not a number from 0 to 100"},
        {"row": 5, "problem": "the total “101” is not a number from 0 to 100; “high” in "
                              "impact is not a number"},
        {"row": 6, "problem": "the total “nan” is not a number from 0 to 100"}]


def test_a_table_without_the_needed_columns_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    table = _write_csv(tmp_path / "t.csv", [["application", "reviewer", "score"], ["A", "J", 5]])
    assert jp(monkeypatch, "scores", "rank", table) == 2
    assert "has no judge or total column" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        jp(monkeypatch, "scores", "rank", tmp_path / "t.csv", "--basis", "best")
    assert "“best” is not a ranking basis. Use raw, adjusted or z" in capsys.readouterr().err
