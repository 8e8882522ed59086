"""Every staff screen opens on the demo program and its Qt models are well behaved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from judgepanel.formats.identity_file import read_identity_file
from judgepanel.ui.staff.table_model import RowsModel
from tests.ui.staff.conftest import wait_idle


def test_every_screen_shows_the_demo_and_models_pass_the_tester(
        demo: Path, make_page: Any, qtbot: Any, qtmodeltester: Any) -> None:
    page, errors = make_page(demo / "program")
    wait_idle(qtbot, page.ctx)
    expected = {"applications": 8, "judges": 6, "leaderboard": 8}
    for key, screen in page.screens.items():
        page.show_screen(key)
        wait_idle(qtbot, page.ctx)
        assert page.stack.currentWidget() is screen
        models = [m for m in screen.findChildren(RowsModel)]
        for model in models:
            qtmodeltester.check(model)
        if key in expected:
            assert screen.model.rowCount() == expected[key], key
    assert not errors, [e.message for e in errors]

    overview = page.screens["overview"]
    assert overview.dashboard is not None
    assert overview.dashboard.applications == 8
    assert sum(j.results == "accepted" for j in overview.dashboard.judges) == 6

    assignment = page.screens["assignment"]
    qtmodeltester.check(assignment.model)
    assert assignment.model.rowCount() == 8 and assignment.model.columnCount() == 7
    assert sum(assignment.model.loads().values()) == 24
    grid, matrix = assignment.model, assignment.model.matrix
    coverage = matrix.coverage()
    for row, (app_id, ref, _title) in enumerate(matrix.applications):
        counted, _assigned = coverage[app_id]
        assert grid.data(grid.index(row, len(matrix.judges))) == f"{counted}/3"
        for column, (judge_id, name) in enumerate(matrix.judges):
            pair, cell = (judge_id, app_id), grid.index(row, column)
            assigned = pair in matrix.assigned
            assert grid.data(cell, Qt.ItemDataRole.FontRole) is None  # a role it leaves to Qt
            words = grid.data(cell, Qt.ItemDataRole.AccessibleTextRole)
            assert words == f"{name}, {ref}: {'assigned' if assigned else 'not assigned'}"
            if pair in matrix.blocked:
                assert grid.data(cell) == "✕"
            if pair not in matrix.blocked or assigned:
                assert grid.data(cell, Qt.ItemDataRole.CheckStateRole) == (
                    Qt.CheckState.Checked if assigned else Qt.CheckState.Unchecked)

    rubric = page.screens["rubric"]
    qtmodeltester.check(rubric.model)
    assert rubric.rubric is not None and rubric.rubric.name
    assert "%" in rubric.model.data(rubric.model.index(0, 3))

    board = page.screens["leaderboard"]
    assert [r.rank_raw for r in board.board().rows][:3] == [1, 2, 3]
    board.table.view.setCurrentIndex(board.table.proxy.index(0, 0))
    board.open_reviews()
    qtbot.waitUntil(lambda: board.dialog is not None)  # after its feedback is read
    qtmodeltester.check(board.dialog.model)
    assert board.dialog.model.rowCount() >= 2  # each application has three judges

    audit = page.screens["audit"]
    audit.check_chain()
    wait_idle(qtbot, page.ctx)
    assert audit.broken == []
    assert "intact" in audit.result.text()
    assert not errors


def test_rubric_editor_shows_the_rule_broken_and_saves_a_valid_rubric(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    from judgepanel.model.staff.prepare.rounds import add_round, rubric_for_round
    from judgepanel.model.staff.schema.program import Round

    page, errors = make_page(demo / "program")
    with page.workspace.session() as session:  # bundles are out for round 1: use a new round
        new = add_round(session, page.workspace.program(session), "Final", "test")
        new_id = new.id
    page.ctx.changed.emit("program")
    page.ctx.set_round(new_id)
    rubric = page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    model = rubric.model
    model.setData(model.index(0, 2), "0")  # weight 0 is not allowed
    assert rubric.rubric is None
    assert "weight" in rubric.preview.toPlainText().lower()
    model.setData(model.index(0, 2), "2")
    rubric.add_criterion()
    model.setData(model.index(1, 1), "Reach")
    model.setData(model.index(1, 8), "below 3")
    model.setData(model.index(0, 9), "always")  # feedback for the applicant required
    rubric.overall_feedback.setCurrentIndex(rubric.overall_feedback.findData("required"))
    assert rubric.rubric is not None
    preview = rubric.preview.toPlainText()
    assert "Feedback for the applicant is required" in preview
    assert "Every review needs overall feedback for the applicant" in preview
    assert "67%" in model.data(model.index(0, 3)) and "33%" in model.data(model.index(1, 3))
    rubric.save()
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    with page.workspace.session() as session:
        saved = rubric_for_round(session, session.get(Round, new_id))
    assert [c.title for c in saved.criteria] == ["Impact", "Reach"]
    assert saved.criteria[1].comment.when == "below"
    assert saved.criteria[0].applicant_feedback.when == "always"
    assert saved.criteria[1].applicant_feedback.when == "never"
    assert saved.overall_feedback_required


def test_rubric_editor_keeps_the_feedback_rules_it_was_given(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    from judgepanel.model.rubric.definition import Rubric
    from judgepanel.model.staff.prepare.rounds import add_round, rubric_for_round, save_rubric
    from judgepanel.model.staff.schema.program import Round

    page, errors = make_page(demo / "program")
    with page.workspace.session() as session:
        new = add_round(session, page.workspace.program(session), "Final", "test")
        save_rubric(session, new, Rubric.from_dict({
            "name": "Strict", "overall_feedback": "required", "criteria": [
                {"key": "impact", "title": "Impact", "applicant_feedback": {"below": 3}}]}),
            "test")
        new_id = new.id
    page.ctx.changed.emit("program")
    page.ctx.set_round(new_id)
    rubric = page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    assert rubric.overall_feedback.currentData() == "required"
    assert rubric.model.data(rubric.model.index(0, 9)) == "below 3"
    rubric.name_edit.setText("Strict, renamed")  # an unrelated edit, then save
    rubric.save()
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    with page.workspace.session() as session:
        saved = rubric_for_round(session, session.get(Round, new_id))
    assert saved.name == "Strict, renamed" and saved.overall_feedback_required
    assert saved.criteria[0].applicant_feedback.when == "below"


def test_a_wrong_staff_identity_is_refused(demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    page.ctx.ask_identity_file = lambda _parent: demo / "keys" / "amara-okafor.identity"
    assert page.ctx.staff_identity() is None
    assert errors and "not the staff identity" in errors[-1].message
    page.ctx.ask_identity_file = lambda _parent: demo / "keys" / "staff.identity"
    identity = page.ctx.staff_identity()
    assert identity is not None
    assert identity.fingerprint == read_identity_file(demo / "keys" / "staff.identity").fingerprint


def test_a_screen_is_built_when_it_is_first_shown(demo: Path, make_page: Any,
                                                  qtbot: Any) -> None:
    """Opening a program builds the first screen only (building all eleven held the GUI
    thread 28-56 ms); each other screen is built the first time it is asked for, in
    its place in the sidebar's order."""
    from judgepanel.ui.staff.page import SCREENS
    from judgepanel.ui.staff.screen import Screen

    page, errors = make_page(demo / "program")

    def built() -> list[str]:
        return sorted(type(w).__name__ for w in page.stack.findChildren(Screen))

    assert built() == ["OverviewScreen"]
    assert page.stack.count() == len(SCREENS) == page.sidebar.count() == len(page.screens)
    assert "judges" in page.screens and "nonsense" not in page.screens
    assert built() == ["OverviewScreen"]  # asking whether it is there builds nothing
    judges = page.show_screen("judges")
    assert built() == ["JudgesScreen", "OverviewScreen"]
    assert page.stack.currentWidget() is judges and judges.isVisible()
    wait_idle(qtbot, page.ctx)
    assert judges.model.rowCount() == 6  # it loaded its rows when shown
    page.sidebar.setCurrentRow(5)  # what Ctrl+6 and a click on the sidebar do
    assert type(page.stack.currentWidget()).__name__ == "AssignmentScreen"
    for row, (key, kind) in enumerate(SCREENS):
        screen = page.screens[key]
        assert isinstance(screen, kind) and page.stack.indexOf(screen) == row
        assert page.sidebar.item(row).text() == screen.title == kind.translated_title()
    assert len(built()) == len(SCREENS)
    assert not errors, [e.message for e in errors]
