"""The staff app as the program officer found it (issue 15): import dialog, shortlist
preview and undo, funding line, columns after switching rounds, locale, natural sort,
recent programs, bundles folder, the past due date, and the round at a glance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QLocale, QSettings, Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import func, select

from judgepanel.model.staff.prepare.rounds import round_applications
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.program import Application, Assignment, Round
from judgepanel.model.staff.settings import EXPORTS_CONTACT_DETAILS, setting_value
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.ui.staff.award_dialog import AwardDialog, parse_amount
from judgepanel.ui.staff.import_wizard import ImportDialog
from judgepanel.ui.staff.shortlist_dialog import ShortlistChoice, ShortlistDialog
from judgepanel.ui.staff.table_model import Column, RowsModel, RowsTable, text_of
from tests.ui.opening import open_and_wait
from tests.ui.staff.conftest import wait_idle


@pytest.fixture
def german() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    yield
    QLocale.setDefault(before)


def opened(make_page: Any, qtbot: Any, folder: Path, key: str) -> tuple[Any, Any, Any]:
    """(page, errors, screen): the program in ``folder`` with screen ``key`` loaded."""
    page, errors = make_page(folder)
    screen = page.show_screen(key)
    wait_idle(qtbot, page.ctx)
    return page, errors, screen


def _count(page: Any, entity: Any) -> int:
    with page.workspace.session() as session:
        return int(session.scalar(select(func.count()).select_from(entity)) or 0)


# --- the import dialog --------------------------------------------------------------------


def test_import_dialog_labels_typed_path_references_and_duplicates(
        make_page: Any, qtbot: Any, tmp_path: Path) -> None:
    StaffWorkspace.create(tmp_path / "program", "Import Test", actor="test").close()
    page, errors = make_page(tmp_path / "program")
    sheet = tmp_path / "apps.csv"
    sheet.write_text("Title,Organisation,Email\nSafe Streets,City A,a@a.org\n"
                     "Open Doors,City B,b@b.org\n", encoding="utf-8")
    dialog = ImportDialog(page.ctx, page)
    qtbot.addWidget(dialog)
    dialog.show()
    # Every label with a mnemonic names its field, so no "&" is ever shown as typed.
    for label in dialog.findChildren(QLabel):
        if "&" in label.text() and not label.text().startswith("<"):
            assert label.buddy() is not None, label.text()
    # The path can be typed.
    assert not dialog.file_edit.isReadOnly()
    dialog.file_edit.setText(str(sheet))
    dialog.file_edit.returnPressed.emit()
    wait_idle(qtbot, page.ctx)
    assert dialog.path == sheet and dialog.headers == ("Title", "Organisation", "Email")
    # No reference column: said, in the warning colour.
    assert "No column holds references" in dialog.refs_note.text()
    assert "color" in dialog.refs_note.styleSheet()
    dialog.check()
    wait_idle(qtbot, page.ctx)
    dialog.do_import()
    wait_idle(qtbot, page.ctx)
    assert _count(page, Application) == 2
    # The same sheet again: refused as duplicates, unless asked for.
    again = ImportDialog(page.ctx, page)
    qtbot.addWidget(again)
    again.load(sheet)
    wait_idle(qtbot, page.ctx)
    again.check()
    wait_idle(qtbot, page.ctx)
    assert again.report is not None and again.report.duplicate_rows == [2, 3]
    assert "repeat applications already in the program" in again.status.text()
    again.do_import()
    wait_idle(qtbot, page.ctx)
    assert _count(page, Application) == 2
    again.allow_duplicates.setChecked(True)
    again.check()
    wait_idle(qtbot, page.ctx)
    assert again.report is not None and again.report.ok
    again.do_import()
    wait_idle(qtbot, page.ctx)
    assert _count(page, Application) == 4
    assert not errors, [e.message for e in errors]


# --- shortlist preview and undo -------------------------------------------------------------


def test_shortlist_preview_lets_a_tie_be_left_out_and_undo_deletes_the_round(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors, board = opened(make_page, qtbot, demo / "program", "leaderboard")
    seen: list[Any] = []

    def ask(_parent: Any, category: Any, plan: Any) -> ShortlistChoice:
        dialog = ShortlistDialog(category)
        qtbot.addWidget(dialog)
        dialog.request_plan = lambda choice: plan(choice, dialog.show_plan, dialog.show_problem)
        dialog.top_spin.setValue(3)
        dialog.ask_plan()
        wait_idle(qtbot, page.ctx)
        assert dialog.plan is not None and dialog.preview.count() >= 3
        seen.append(dialog.plan)
        # Untick the last application shown: the preview says it is left out.
        last = dialog.preview.item(dialog.preview.count() - 1)
        last.setCheckState(Qt.CheckState.Unchecked)
        assert "Left out" in dialog.counts.text()
        assert dialog.create_button.isEnabled()
        return dialog.choice()

    board.ask_shortlist = ask
    board._ask_shortlist()
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    plan = seen[0]
    left_out = plan.entries[-1].ref
    with page.workspace.session() as session:
        new = session.get(Round, page.ctx.round_id)
        assert new is not None and new.number == 2
        refs = {a.ref for a in round_applications(session, new)}
    assert left_out not in refs and len(refs) == len(plan.entries) - 1
    assert page.round_box.count() == 2
    # Ctrl+Z deletes the round again, and shows the round it came from.
    page.undo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert _count(page, Round) == 1 and page.round_box.count() == 1
    page.redo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert _count(page, Round) == 2 and page.round_box.count() == 2
    assert not errors, [e.message for e in errors]


def test_shortlist_dialog_marks_ties() -> None:
    from judgepanel.model.staff.decide.shortlist import ShortlistEntry, ShortlistPlan

    dialog = ShortlistDialog(None)
    entries = (ShortlistEntry("A", "Alpha", 1, 90.0, False, False),
               ShortlistEntry("B", "Beta", 2, 80.0, True, False),
               ShortlistEntry("C", "Gamma", 2, 80.0, True, False))
    dialog.show_plan(ShortlistPlan(1, "raw", 2, None, None, False, ("A", "B", "C"), {},
                                   ("B", "C"), (), ("A tie at the cut-off …",), entries))
    assert "tied at the cut-off" in dialog.preview.item(1).text()
    assert "2 are tied at the cut-off (B, C)" in dialog.counts.text()
    assert "3 applications go through" in dialog.counts.text()
    dialog.preview.item(2).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.choice().exclude == ("C",)
    assert "2 applications go through" in dialog.counts.text()


# --- leaderboard: award refusals, funding line, columns -------------------------------------


def test_award_dialog_keeps_the_amount_and_says_why(demo: Path, make_page: Any,
                                                    qtbot: Any) -> None:
    page, _errors, board = opened(make_page, qtbot, demo / "grants" / "program", "leaderboard")
    row = board.board().rows[0]
    too_much = text_of((row.application.requested or Decimal(0)) + 1)
    dialog = AwardDialog(row, amount=too_much, note="the panel agreed")
    qtbot.addWidget(dialog)
    dialog._accept_if_valid()
    assert dialog.result() == 0 and "more than it requested" in dialog.error.text()
    assert dialog.amount.text() == too_much and dialog.note.text() == "the panel agreed"


def test_the_funding_line_is_drawn_where_the_budget_runs_out(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, _errors, board = opened(make_page, qtbot, demo / "grants" / "program", "leaderboard")
    funding = board.board().funding
    assert funding is not None and funding.line_at is not None
    row = board.funding_line.row_of_line()
    assert row is not None and board._ref_at(row) == funding.line_at
    assert board._ref_at(row - 1) != funding.line_at
    # Sorted by title, the line would mean nothing: it is not drawn.
    titles = [c.title for c in board.model.columns]
    board.table.view.sortByColumn(titles.index("Title"), Qt.SortOrder.AscendingOrder)
    assert board.funding_line.row_of_line() is None
    assert "dashed line" in board.headline.text()


def test_columns_are_refitted_after_switching_rounds(demo: Path, make_page: Any,
                                                     qtbot: Any) -> None:
    page, errors, board = opened(make_page, qtbot, demo / "grants" / "program", "leaderboard")
    first = page.ctx.round_id
    board.shortlist("Second call", top=3, threshold=None)  # a round without a budget
    wait_idle(qtbot, page.ctx)
    titles = [c.title for c in board.model.columns]
    view = board.table.view
    assert view.isColumnHidden(titles.index("Funding"))
    page.ctx.set_round(first)
    wait_idle(qtbot, page.ctx)
    qtbot.wait(20)
    metrics = view.fontMetrics()
    for name in ("Awarded", "Funding", "Requested"):
        column = titles.index(name)
        assert not view.isColumnHidden(column)
        assert view.columnWidth(column) >= metrics.horizontalAdvance(name), name
    assert not errors, [e.message for e in errors]


# --- locale, sorting, recent files ------------------------------------------------------------


def test_numbers_money_and_dates_follow_the_locale(german: None) -> None:
    assert text_of(Decimal("8000")) == "8.000,00"
    assert text_of(12345.678) == "12.345,7"
    assert text_of(dt.date(2027, 1, 6)) == "06.01.2027"
    moment = dt.datetime(2027, 1, 6, 17, 5, tzinfo=dt.UTC).astimezone()
    assert text_of(moment).startswith("06.01.2027")
    assert parse_amount("12.500") == Decimal("12500")
    assert parse_amount("12.500,50") == Decimal("12500.50")
    assert parse_amount("0.500") == Decimal("0.500")  # no group of thousands starts with 0


def test_the_c_locale_shows_iso_dates() -> None:
    before = QLocale()
    QLocale.setDefault(QLocale.c())
    try:
        assert text_of(dt.date(2027, 1, 6)) == "2027-01-06"
    finally:
        QLocale.setDefault(before)


def test_titles_sort_naturally_and_equal_rows_keep_their_order(qtbot: Any) -> None:
    model: RowsModel[tuple[str, int]] = RowsModel([Column("Title", lambda r: r[0]),
                                                   Column("Group", lambda r: r[1])])
    table = RowsTable(model, "Titles")
    qtbot.addWidget(table)
    table.set_rows([("project 19", 1), ("Project 3", 1), ("project 100", 2), ("Éclair 2", 2)])
    table.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    shown = [table.proxy.index(r, 0).data() for r in range(4)]
    assert shown == ["Éclair 2", "Project 3", "project 19", "project 100"]
    table.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    again = [table.proxy.index(r, 0).data() for r in range(4)]
    assert again[:2] == ["Project 3", "project 19"]  # the title order, kept within a group


def test_recent_programs_are_kept_as_absolute_paths(qtbot: Any, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from judgepanel.ui.main_window import MainWindow

    StaffWorkspace.create(tmp_path / "my-program", "Recent", actor="test").close()
    monkeypatch.chdir(tmp_path)
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    open_and_wait(qtbot, window, "my-program")  # as typed on a command line, relative to here
    assert window.staff_page is not None
    assert window.recent_files()[0] == str(tmp_path / "my-program")
    window.close_program()


# --- bundles, assignment, the wizard -----------------------------------------------------------


def test_bundles_show_their_folder_and_outdated_state(demo: Path, make_page: Any,
                                                      qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    page.ctx.ask_identity_file = lambda _parent: demo / "keys" / "staff.identity"
    bundles = page.show_screen("bundles")
    wait_idle(qtbot, page.ctx)
    out = demo / "outbox"
    bundles.folder.setText(str(out))
    judge = bundles.model.rows[0].judge_id
    bundles.build([judge])
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    # Another session of the screen shows the folder the bundles were written to.
    bundles.folder.setText("/somewhere/else")
    bundles.folder_chosen = False
    bundles.refresh()
    wait_idle(qtbot, page.ctx)
    assert bundles.folder.text() == str(out.resolve())
    # The judge loses an application: their bundle is outdated, and rebuilding is offered.
    with page.workspace.session() as session:
        row = session.scalars(select(Assignment).where(Assignment.judge_id == judge)).first()
        assert row is not None
        session.delete(row)
    page.ctx.changed.emit("assignments")
    wait_idle(qtbot, page.ctx)
    outdated = [b for b in bundles.model.rows if b.outdated]
    assert [b.judge_id for b in outdated] == [judge]
    assert bundles.outdated_button.isEnabled() and "outdated" in bundles.summary.text()
    bundles.rebuild_outdated()
    wait_idle(qtbot, page.ctx)
    assert not any(b.outdated for b in bundles.model.rows)


def test_automatic_assignment_shows_its_plan_and_a_cancel_writes_nothing(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors, screen = opened(make_page, qtbot, demo / "program", "assignment")
    before = _count(page, Assignment)
    shown: list[tuple[str, bool]] = []
    screen.confirm_plan = lambda _p, text, short: shown.append((text, short)) or False
    screen.per_application.setValue(7)  # more judges than the demo has
    screen.run_auto()
    wait_idle(qtbot, page.ctx)
    assert shown and shown[0][1] and "would stay short" in shown[0][0]
    assert _count(page, Assignment) == before
    assert screen.summary.text() == "Nothing was assigned."
    # Coverage counts reviews that can count: a judge who declared a conflict is not one.
    from judgepanel.model.staff.prepare import conflicts
    from judgepanel.model.staff.schema.program import Judge

    matrix = screen.model.matrix
    judge_id, app_id = sorted(matrix.assigned)[0]
    row = [a for a, _r, _t in matrix.applications].index(app_id)
    column = len(matrix.judges)
    counted_before, _assigned = matrix.coverage()[app_id]
    with page.workspace.session() as session:
        conflicts.declare(session, session.get_one(Judge, judge_id),
                          session.get_one(Application, app_id), "My sister's project",
                          "test", source=conflicts.DECLARED)
    page.ctx.changed.emit("conflicts")
    wait_idle(qtbot, page.ctx)
    cell = screen.model.index(row, column)
    assert cell.data() == f"{counted_before - 1}/7"
    assert "cannot count" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert not errors, [e.message for e in errors]


def test_the_wizard_warns_of_a_past_due_date(qtbot: Any) -> None:
    from judgepanel.ui.staff.program_wizard import ProgramDialog

    dialog = ProgramDialog()
    qtbot.addWidget(dialog)
    dialog.has_due.setChecked(True)
    dialog.due.setDate(QDate.currentDate().addDays(-3))
    assert "already passed" in dialog.due_warning.text()
    dialog.due.setDate(QDate.currentDate().addDays(30))
    assert dialog.due_warning.text() == ""
    assert "yyyy" in dialog.due.displayFormat()


# --- the round at a glance ----------------------------------------------------------------


def test_the_dashboard_links_each_line_to_its_screen(demo: Path, make_page: Any,
                                                     qtbot: Any) -> None:
    page, errors, screen = opened(make_page, qtbot, demo / "program", "overview")
    d = screen.dashboard
    assert d is not None and len(d.judges) == 6
    assert all(j.results == "accepted" for j in d.judges)
    assert d.next_step.code == "meeting"  # every review in, nothing decided yet
    assert "Go to Panel meeting" in screen.next_button.text()
    screen.next_button.click()
    assert page.stack.currentWidget() is page.screens["meeting"]
    page.show_screen("overview")
    screen.lines.linkActivated.emit("bundles")
    assert page.stack.currentWidget() is page.screens["bundles"]
    page.show_screen("overview")
    screen.table.view.activated.emit(screen.table.proxy.index(0, 4))  # the Results column
    assert page.stack.currentWidget() is page.screens["results"]
    # The export option is the program's setting, audited.
    page.show_screen("overview")
    wait_idle(qtbot, page.ctx)
    screen.contacts.setChecked(True)
    wait_idle(qtbot, page.ctx)
    with page.workspace.session() as session:
        assert setting_value(page.workspace.program(session), EXPORTS_CONTACT_DETAILS)
    assert not errors, [e.message for e in errors]


def test_the_dashboard_edits_and_deletes_a_later_round(demo: Path, make_page: Any,
                                                       qtbot: Any) -> None:
    from judgepanel.ui.staff.round_dialog import RoundDialog

    page, errors, board = opened(make_page, qtbot, demo / "program", "leaderboard")
    board.shortlist("Final round", top=3, threshold=None)
    wait_idle(qtbot, page.ctx)
    screen = page.show_screen("overview")
    wait_idle(qtbot, page.ctx)
    assert screen.dashboard.round.number == 2
    assert screen.edit_button.isEnabled() and screen.delete_button.isEnabled()
    assert screen.dashboard.next_step.code == "assign"
    # Take one application out of the round, then undo.
    dialog = RoundDialog(page.ctx, page.ctx.round_id, page)
    qtbot.addWidget(dialog)
    wait_idle(qtbot, page.ctx)
    held = dialog.model.rowCount()
    dialog.table.view.selectRow(0)
    dialog.take_out_selected()
    wait_idle(qtbot, page.ctx)
    assert "Took" in dialog.status.text()
    with page.workspace.session() as session:
        new = session.get(Round, page.ctx.round_id)
        assert new is not None and len(round_applications(session, new)) == held - 1
    page.undo_action.trigger()
    wait_idle(qtbot, page.ctx)
    with page.workspace.session() as session:
        new = session.get(Round, page.ctx.round_id)
        assert new is not None and len(round_applications(session, new)) == held
    # Delete the round (after saying yes); the first round is shown again.
    screen.confirm = lambda *_a: True
    screen.delete_round()
    wait_idle(qtbot, page.ctx)
    assert _count(page, Round) == 1 and page.round_box.count() == 1
    with page.workspace.session() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"round.application_removed", "round.deleted"} <= actions
    assert not errors, [e.message for e in errors]
