"""`judgepanel judge …`: show, declare, a score sheet round trip (CSV and XLSX), export."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from judgepanel import cli
from judgepanel.formats.identity_file import read_identity_file
from judgepanel.formats.results.file import read_results
from judgepanel.model.staff.results.merging import merge_results
from judgepanel.model.staff.workspace import StaffWorkspace

SLUG = "amara-okafor"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = cli.main(list(argv))
    out = capsys.readouterr().out
    return code, (json.loads(out) if "--json" in argv else {"text": out})


@pytest.fixture
def judge(demo: Path, tmp_path: Path) -> list[str]:
    """The common arguments: the demo judge's bundle, identity and a fresh workspace."""
    return [str(demo / "bundles" / f"{SLUG}.jpbundle"),
            "--identity-file", str(demo / "keys" / f"{SLUG}.identity"),
            "--workspace", str(tmp_path / "judge.sqlite")]


def sub(step: str, judge: list[str], *more: str) -> list[str]:
    return ["judge", step, *judge, *more]


def test_show_says_what_the_bundle_is_and_where_each_application_stands(
        capsys: pytest.CaptureFixture[str], judge: list[str], demo: Path) -> None:
    code, data = run(capsys, *sub("show", judge, "--json"))
    assert code == 0 and data["ok"]
    staff = read_identity_file(demo / "keys" / "staff.identity")
    assert data["staff_fingerprint"] == staff.fingerprint
    assert data["applications"] and {a["state"] for a in data["applications"]} == {
        "not declared"}
    code, text = run(capsys, *sub("show", judge))
    assert staff.fingerprint in text["text"] and "still missing" in text["text"]


def test_declare_conflicts_none_and_unable(capsys: pytest.CaptureFixture[str],
                                          judge: list[str]) -> None:
    _, shown = run(capsys, *sub("show", judge, "--json"))
    refs = [a["ref"] for a in shown["applications"]]
    code, data = run(capsys, *sub("declare", judge, "--conflict", refs[0], "--reason",
                                  "I advise them", "--none", "--unable", refs[1],
                                  "--reason", "Outside my field", "--json"))
    assert code == 0
    states = {a["ref"]: a for a in data["applications"]}
    assert states[refs[0]]["state"] == "conflict of interest"
    assert states[refs[1]]["state"] == "unable to review"
    assert states[refs[1]]["unable_reason"] == "Outside my field"
    assert all(a["declared"] for a in data["applications"])
    code, data = run(capsys, *sub("declare", judge, "--conflict", refs[0], "--json"))
    assert code == 2 and not data["ok"] and "--reason" in data["error"]
    code, data = run(capsys, *sub("declare", judge, "--unable", "NOPE", "--reason", "x",
                                  "--json"))
    assert code == 2 and "NOPE" in data["error"]


def _fill(rows: list[list[Any]], value: Any = 4) -> list[list[Any]]:
    """Every score cell of a declared, scorable row given ``value`` (a comment each)."""
    header, help_row = rows[0], rows[1]
    for row in rows[2:]:
        if not str(row[2]).startswith("To score"):
            continue
        for i, name in enumerate(header):
            if str(name).startswith("Score:"):  # the help row starts "1 to 5"
                top = float(str(help_row[i]).split(" to ")[1].split()[0].rstrip("."))
                row[i] = min(value, int(top))
            elif str(name).startswith("Comment for the panel:"):
                row[i] = "Clear evidence of impact."
            elif str(name).startswith("Feedback for the applicant:"):
                row[i] = "Your evidence of impact is clear."
    return rows


def test_a_csv_score_sheet_round_trip_then_export(capsys: pytest.CaptureFixture[str],
                                                  judge: list[str], tmp_path: Path,
                                                  demo: Path) -> None:
    run(capsys, *sub("declare", judge, "--none"))
    sheet = tmp_path / "scores.csv"
    assert run(capsys, *sub("sheet", judge, "--out", str(sheet)))[0] == 0
    rows: list[list[Any]] = list(csv.reader(sheet.read_text("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["Reference", "Title", "Status"] and rows[1][0] == "What to write"
    assert any("=" in cell for cell in rows[1])  # level descriptors are in the sheet
    with sheet.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(_fill(rows, 3))
    code, check = run(capsys, *sub("score", judge, str(sheet), "--check", "--json"))
    assert code == 0 and check["changes"] and check["applied"] == 0
    assert any("→ 3" in change for change in check["changes"])
    _, shown = run(capsys, *sub("show", judge, "--json"))
    assert all(a["scored"] == 0 for a in shown["applications"])  # --check changed nothing
    code, applied = run(capsys, *sub("score", judge, str(sheet), "--json"))
    assert code == 0 and applied["applied"] == len(check["changes"])
    assert applied["missing"] == 0
    out = tmp_path / "amara.jpresults"
    pdf = tmp_path / "amara.pdf"
    code, exported = run(capsys, *sub("export", judge, "--out", str(out), "--score-sheet",
                                      str(pdf), "--json"))
    assert code == 0 and pdf.stat().st_size > 1000 and len(exported["export_id"]) == 32
    staff = read_identity_file(demo / "keys" / "staff.identity")
    results = read_results(out, [staff])
    assert results.sequence == 1 and results.export_id == exported["export_id"]
    # Both texts of the sheet travel, each in its own field (results format 3).
    first = results.content.reviews[0].scores[0]
    assert (first.comment, first.feedback) == ("Clear evidence of impact.",
                                               "Your evidence of impact is clear.")
    # A second computer's first export, next to the demo's merged one: held, not "repeat".
    workspace = StaffWorkspace.open(demo / "program")
    try:
        row = merge_results(workspace, [out], staff).rows[0]
    finally:
        workspace.close()
    assert (row.status, row.reason) == ("held", "diverged"), row.message


def test_bad_cells_are_named_by_row_and_column_and_nothing_is_applied(
        capsys: pytest.CaptureFixture[str], judge: list[str], tmp_path: Path) -> None:
    _, shown = run(capsys, *sub("show", judge, "--json"))
    first = shown["applications"][0]["ref"]
    run(capsys, *sub("declare", judge, "--conflict", first, "--reason", "Mine", "--none"))
    sheet = tmp_path / "scores.xlsx"
    run(capsys, *sub("sheet", judge, "--out", str(sheet)))
    book = openpyxl.load_workbook(sheet)
    assert book.sheetnames == ["Scores", "Rubric"]
    page = book["Scores"]
    rows = [list(r) for r in page.iter_rows(values_only=True)]
    filled = _fill(rows, 4)
    filled[2][3] = 4  # a score for the conflicted application (row 3)
    filled[3][3] = 11  # off the scale
    filled.append(["NOPE", "", "", 4])
    for r, row in enumerate(filled, start=1):
        for c, value in enumerate(row, start=1):
            page.cell(r, c, value)
    book.save(sheet)
    code, refused = run(capsys, *sub("score", judge, str(sheet), "--json"))
    assert code == 2 and not refused["ok"]
    problems = {(p["row"], p["problem"].split("”")[0].strip("“")) for p in refused["rows"]}
    header = rows[0][3]
    assert (3, header) in problems and (4, header) in problems
    assert any(p["row"] == len(filled) and "NOPE" in p["problem"] for p in refused["rows"])
    _, after = run(capsys, *sub("show", judge, "--json"))
    assert all(a["scored"] == 0 for a in after["applications"])  # nothing half applied


def test_what_is_missing_is_listed_by_reference_and_export_refuses_with_the_list(
        capsys: pytest.CaptureFixture[str], judge: list[str], tmp_path: Path) -> None:
    _, shown = run(capsys, *sub("show", judge, "--json"))
    refs = [a["ref"] for a in shown["applications"]]
    assert shown["missing"] == len(refs) == len(shown["missing_items"])
    assert [item.split(" ", 1)[0] for item in shown["missing_items"]] == refs
    code, text = run(capsys, *sub("show", judge))
    lines = text["text"].splitlines()
    head = lines.index(f"{len(refs)} things are still missing before you can export:")
    assert [line.split()[0] for line in lines[head + 1:]] == refs
    assert "declare whether you have a conflict of interest" in lines[head + 1]
    # Declared but not scored: one line per criterion of the one application left.
    run(capsys, *sub("declare", judge, "--none"))
    for ref in refs[1:]:
        run(capsys, *sub("declare", judge, "--unable", ref, "--reason", "Away"))
    out = tmp_path / "early.jpresults"
    code = cli.main(sub("export", judge, "--out", str(out)))
    err = capsys.readouterr().err.splitlines()
    assert code == 2 and not out.exists()
    assert err[0].startswith("judgepanel: The results cannot be exported yet: ")
    assert err[0].endswith("things are still missing:")
    items = [line for line in err[1:] if line.startswith("  ")]
    assert items and all(line.split()[0] == refs[0] for line in items)
    assert "give a score" in items[0] and err[-1].startswith("Complete them")


def test_score_counts_in_words(capsys: pytest.CaptureFixture[str], judge: list[str],
                               tmp_path: Path) -> None:
    run(capsys, *sub("declare", judge, "--none"))
    sheet = tmp_path / "one.csv"
    run(capsys, *sub("sheet", judge, "--out", str(sheet)))
    rows: list[list[Any]] = list(csv.reader(sheet.read_text("utf-8-sig").splitlines()))
    column = next(i for i, name in enumerate(rows[0]) if name.startswith("Score:"))
    rows[2][column] = "3"
    rows[3][column] = "9"  # off the scale
    with sheet.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    code = cli.main(sub("score", judge, str(sheet)))
    assert code == 2 and "has 1 cell that cannot be used" in capsys.readouterr().err
    rows[3][column] = ""
    with sheet.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    code, text = run(capsys, *sub("score", judge, str(sheet), "--check"))
    assert code == 0 and text["text"].startswith("Would change 1 value (nothing was changed")
    assert "still missing (before this sheet):" in text["text"]
