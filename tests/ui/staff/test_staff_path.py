"""The whole staff path through the screens, on demo-like data.

Create a program, import a spreadsheet with a bad row (shown, nothing written
until asked), enroll judges, screen and decide conflicts (with undo), assign
(with undo), build bundles in the background, take in results including a
tampered and a replayed file, read the leaderboard and export it.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from judgepanel.formats.identity_file import read_identity_file
from judgepanel.model.demo.build import recognition_rubric, simulate_judge
from judgepanel.model.demo.content import JUDGES
from judgepanel.model.staff.prepare.categories import RECOGNITION_COMPONENTS
from judgepanel.model.staff.schema.program import Application, Assignment, Conflict
from judgepanel.model.staff.schema.results import IssuedBundle
from judgepanel.ui.staff.import_wizard import ImportDialog
from judgepanel.ui.staff.judges import details_of
from judgepanel.ui.staff.program_wizard import ProgramSpec, create_program
from tests.ui.staff.conftest import wait_idle


def _count(page: Any, what: Any) -> int:
    with page.workspace.session() as session:
        return int(session.scalar(select(func.count()).select_from(what)) or 0)


def _spreadsheet_with_a_bad_row(demo: Path, tmp: Path) -> Path:
    source = demo / "source" / "recognition" / "recognition-applications.csv"
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    bad = list(rows[1])
    bad[0], bad[6] = "REC-BAD-1", "not-an-email"
    out = tmp / "applications.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([*rows, bad])
    return out


def test_the_whole_staff_path(demo: Path, make_page: Any, qtbot: Any, tmp_path: Path) -> None:
    # --- create a program (a new staff identity goes to the keyring) ---------------------
    folder = create_program(ProgramSpec(
        folder=tmp_path / "program", name="Test Awards", categories=RECOGNITION_COMPONENTS,
        round_name="First round", new_staff_name="Test Staff"))
    page, errors = make_page(folder)
    assert page.round_box.count() == 1

    # --- rubric -----------------------------------------------------------------------
    rubric = page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    data = recognition_rubric().to_dict()
    rubric.name_edit.setText(data["name"])
    rubric.model.set_criteria(data["criteria"])
    rubric.tie_edit.setText(data.get("tie_break", ""))
    rubric.save()
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]

    # --- import: the bad row is listed and nothing is written until asked --------------
    sheet = _spreadsheet_with_a_bad_row(demo, tmp_path)
    page.show_screen("applications")
    dialog = ImportDialog(page.ctx, page)
    qtbot.addWidget(dialog)
    dialog.load(sheet)
    wait_idle(qtbot, page.ctx)
    assert dialog.combos["title"].currentData() == "Initiative"
    dialog.folder_edit.setText(str(demo / "source" / "recognition" / "attachments"))
    dialog.check()
    wait_idle(qtbot, page.ctx)
    assert dialog.report is not None and dialog.report.bad_rows == [10]
    assert dialog.problem_model.rowCount() == 1
    assert "not an email" in dialog.problem_model.data(dialog.problem_model.index(0, 2))
    assert _count(page, Application) == 0
    dialog.do_import()  # refused: bad rows and "good rows only" not ticked
    wait_idle(qtbot, page.ctx)
    assert "Nothing was imported" in dialog.status.text()
    assert _count(page, Application) == 0
    dialog.good_only.setChecked(True)
    dialog.do_import()
    wait_idle(qtbot, page.ctx)
    assert dialog.outcome is not None and len(dialog.outcome.refs) == 8
    assert _count(page, Application) == 8
    applications = page.screens["applications"]
    wait_idle(qtbot, page.ctx)
    assert applications.model.rowCount() == 8
    applications.table.search.setText("REC-2026-001")
    assert applications.table.proxy.rowCount() == 1
    applications.table.view.setCurrentIndex(applications.table.proxy.index(0, 0))
    assert ".pdf" in applications.detail.toPlainText()

    # --- judges --------------------------------------------------------------------------
    judges = page.show_screen("judges")
    judges.enroll(sorted(p for p in (demo / "cards").glob("*.jpcard") if p.stem != "staff"))
    wait_idle(qtbot, page.ctx)
    assert judges.model.rowCount() == 6
    assert all(len(r.fingerprint) > 10 for r in judges.model.rows)
    judges.ask_details = lambda _p, j: replace(details_of(j), affiliations=(
        "City of Atlanta", "Columbia Human Rights Commission"))
    judges.table.view.selectRow(0)
    judges.edit_details()
    wait_idle(qtbot, page.ctx)
    assert "City of Atlanta" in judges.model.rows[0].affiliations

    # --- conflicts: screen, dismiss one (and undo), confirm the rest ---------------------
    conflicts = page.show_screen("conflicts")
    conflicts.run_screening()
    wait_idle(qtbot, page.ctx)
    assert conflicts.model.rowCount() >= 1, "the affiliation names an applicant"
    conflicts.table.view.selectRow(0)
    page.ctx.ask_text = lambda *_a: "Different department; checked by phone."
    conflicts.dismiss_selected()
    wait_idle(qtbot, page.ctx)
    assert conflicts.model.rows[0].status == "dismissed"
    assert page.ctx.undo_stack.canUndo()
    page.undo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert conflicts.model.rows[0].status == "open"
    conflicts.table.view.selectAll()
    conflicts.confirm_selected()
    wait_idle(qtbot, page.ctx)
    assert {c.status for c in conflicts.model.rows} == {"confirmed"}

    # --- assignment: automatic, then one cell by hand with undo ----------------------------
    assignment = page.show_screen("assignment")
    shown: list[str] = []
    assignment.confirm_plan = lambda _p, text, short: shown.append(text) or not short
    assignment.run_auto()
    wait_idle(qtbot, page.ctx)
    assert shown and shown[0].startswith("24 assignments to add")  # the plan came first
    assert _count(page, Assignment) == 24
    model = assignment.model
    matrix = model.matrix
    assert matrix is not None and not (matrix.assigned & matrix.blocked)
    cell = next(model.index(r, c) for r in range(model.rowCount())
                for c in range(len(matrix.judges))
                if model.data(model.index(r, c), Qt.ItemDataRole.CheckStateRole)
                == Qt.CheckState.Unchecked)
    model.setData(cell, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    wait_idle(qtbot, page.ctx)
    assert _count(page, Assignment) == 25
    page.undo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert _count(page, Assignment) == 24
    page.redo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert _count(page, Assignment) == 25
    page.undo_action.trigger()
    wait_idle(qtbot, page.ctx)
    blocked = next(iter(model.matrix.blocked))
    bi = model.index([a for a, _r, _t in model.matrix.applications].index(blocked[1]),
                     [j for j, _n in model.matrix.judges].index(blocked[0]))
    assert not model.flags(bi) & Qt.ItemFlag.ItemIsUserCheckable
    assert not errors, [e.message for e in errors]

    # --- bundles in the background -----------------------------------------------------------
    bundles = page.show_screen("bundles")
    out = tmp_path / "bundles"
    bundles.folder.setText(str(out))
    bundles.build()
    wait_idle(qtbot, page.ctx, timeout=60_000)
    assert not errors, [e.message for e in errors]
    assert len(bundles.built) == 6 and all(b.path.is_file() for b in bundles.built)
    assert bundles.model.rowCount() == 6
    bundles.table.view.selectRow(0)
    bundles.toggle_sent()
    wait_idle(qtbot, page.ctx)
    assert _count(page, select(IssuedBundle).where(IssuedBundle.sent_at.is_not(None))
                  .subquery()) == 1

    # --- the judges do their work (the demo's simulated judges) ----------------------------
    by_name = {b.judge_name: b.path for b in bundles.built}
    results = []
    for judge in JUDGES:
        results.append(simulate_judge(
            by_name[judge.name], read_identity_file(demo / "keys" / f"{judge.slug}.identity"),
            judge, workspace_path=tmp_path / "judges" / f"{judge.slug}.sqlite",
            out=tmp_path / "results" / f"{judge.slug}.jpresults",
            quality={}, seed=1)[0])
    tampered = tmp_path / "results" / "tampered.jpresults"
    raw = bytearray(results[0].read_bytes())
    raw[len(raw) // 2] ^= 0x01
    tampered.write_bytes(bytes(raw))

    # --- results inbox: good files, a tampered one, then a replay -------------------------------
    inbox = page.show_screen("results")
    inbox.merge([*results[1:], tampered])
    wait_idle(qtbot, page.ctx, timeout=60_000)
    batch = {Path(r.path).name: r for r in inbox.batch_model.rows}
    assert batch["tampered.jpresults"].status == "refused"
    assert "damaged" in batch["tampered.jpresults"].message
    assert sum(r.accepted for r in batch.values()) == 5
    inbox.merge([results[0], results[1]])
    wait_idle(qtbot, page.ctx)
    second = {Path(r.path).name: r for r in inbox.batch_model.rows}
    assert second[results[0].name].accepted
    assert second[results[1].name].reason == "replay"
    replay_row = [i for i, r in enumerate(inbox.batch_model.rows) if r.reason == "replay"][0]
    assert "replay" in inbox.batch_model.data(inbox.batch_model.index(replay_row, 3))
    assert inbox.history_model.rowCount() == 8  # a replay changes nothing, so is not stored
    assert not errors, [e.message for e in errors]

    # --- leaderboard, drill-down, export --------------------------------------------------------
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    assert board.model.rowCount() == 8
    assert board.board().rows[0].rank_raw == 1
    qtbot.waitUntil(lambda: board.judge_model.rowCount() == 6)  # filled one turn later
    board.export(tmp_path / "scores.xlsx", "xlsx")
    board.export(tmp_path / "csv", "csv")
    wait_idle(qtbot, page.ctx)
    assert (tmp_path / "scores.xlsx").stat().st_size > 0
    assert list((tmp_path / "csv").glob("*.csv"))
    board.report("ranking", tmp_path / "ranking.pdf")
    wait_idle(qtbot, page.ctx, timeout=60_000)
    assert (tmp_path / "ranking.pdf").read_bytes().startswith(b"%PDF")
    board.shortlist("Final round", top=3, threshold=None)
    wait_idle(qtbot, page.ctx)
    assert page.round_box.count() == 2 and page.ctx.round_id == page.round_box.itemData(1)
    assert not errors, [e.message for e in errors]

    # --- the audit chain holds --------------------------------------------------------------
    audit = page.show_screen("audit")
    audit.check_chain()
    wait_idle(qtbot, page.ctx)
    assert audit.broken == []
    with page.workspace.session() as session:
        assert session.scalar(select(func.count()).select_from(Conflict)) >= 1
