"""Leaderboard edits: partial awards move the funding line (and undo), shortlists per category."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from judgepanel.model.staff.prepare.rounds import round_applications
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.program import Application, Round
from judgepanel.ui.staff.award_dialog import AwardDialog, parse_amount
from judgepanel.ui.staff.shortlist_dialog import ShortlistChoice, ShortlistDialog
from tests.ui.staff.conftest import wait_idle


def _awarded(page: Any, ref: str) -> Decimal | None:
    with page.workspace.session() as session:
        app = session.scalars(select(Application).where(Application.ref == ref)).one()
        return app.awarded_amount


def test_a_partial_award_moves_the_funding_line_and_can_be_undone(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "grants" / "program")
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    before = board.board()
    assert before is not None and before.funding is not None
    assert board.award_button.isEnabled()
    top = before.rows[0]
    assert top.application.requested is not None
    half = (top.application.requested / 2).quantize(Decimal("0.01"))
    remaining_before = before.funding.remaining

    board.table.view.selectRow(0)
    board.ask_award = lambda _p, row: (half, "half: the budget is tight")
    board.edit_award()
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    assert _awarded(page, top.application.ref) == half
    after = board.board()
    assert after is not None and after.funding is not None
    shown = after.row(top.application.ref)
    assert shown is not None and shown.funding is not None
    assert shown.funding.awarded == half and shown.funding.overridden
    assert after.funding.total_awarded != before.funding.total_awarded
    assert "Budget" in board.headline.text()
    text = board.headline.text()
    assert f"{after.funding.remaining:,.2f}" in text
    assert after.funding.remaining != remaining_before or after.funding.line_at != \
        before.funding.line_at

    page.undo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert _awarded(page, top.application.ref) is None
    restored = board.board()
    assert restored is not None and restored.funding is not None
    assert restored.funding.total_awarded == before.funding.total_awarded
    page.redo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert _awarded(page, top.application.ref) == half
    with page.workspace.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert actions.count("award.set") == 3  # set, undone, redone: the log keeps all three


def test_an_award_above_the_request_is_refused_and_not_undoable(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "grants" / "program")
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    row = board.board().rows[0]
    board.table.view.selectRow(0)
    asked: list[Any] = []

    def ask(_p: Any, _row: Any, again: Any = None) -> Any:
        asked.append(again)
        return (row.application.requested + 1, "too much") if again is None else None

    board.ask_award = ask
    board.edit_award()
    wait_idle(qtbot, page.ctx)
    # Refused by the workspace: the dialog comes back with what was typed and why.
    assert asked[0] is None and asked[1] is not None
    assert asked[1][1] == "too much" and "more than it requested" in asked[1][2]
    assert "more than it requested" in board.status.text()
    assert _awarded(page, row.application.ref) is None
    assert not page.ctx.undo_stack.canUndo() and not errors


def test_awards_are_hidden_outside_grants_rounds(demo: Path, make_page: Any,
                                                 qtbot: Any) -> None:
    page, _errors = make_page(demo / "program")
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    assert board.board().funding is None
    assert not board.award_button.isEnabled() and not board.award_button.isVisible()


def test_award_dialog_reads_exact_amounts(qtbot: Any, demo: Path, make_page: Any) -> None:
    assert parse_amount("12,500.50") == Decimal("12500.50")
    assert parse_amount("  ") is None
    for bad in ("abc", "1e", "nan", "inf"):
        try:
            parse_amount(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")
    page, _errors = make_page(demo / "grants" / "program")
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    dialog = AwardDialog(board.board().rows[0])
    qtbot.addWidget(dialog)
    dialog.amount.setText("not money")
    dialog._accept_if_valid()
    assert dialog.result() == 0 and "Type an amount" in dialog.error.text()
    dialog.amount.setText("1,000.10")
    dialog.note.setText(" partial ")
    dialog._accept_if_valid()
    assert dialog.result() == AwardDialog.DialogCode.Accepted
    assert dialog.value() == (Decimal("1000.10"), "partial")


def test_shortlist_per_category_takes_the_top_of_each(demo: Path, make_page: Any,
                                                      qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    boards = board.boards
    assert boards is not None and len(boards.by_category) >= 2
    expected: set[str] = set()
    for cat in boards.by_category.values():
        ranked = [r for r in cat.rows if r.rank_raw is not None]
        expected.update(r.application.ref for r in ranked if r.rank_raw == 1)
    overall_top = {r.application.ref for r in boards.overall.rows if r.rank_raw == 1}
    assert expected != overall_top, "the test needs categories whose leaders differ"

    board.ask_shortlist = lambda _p, _c, _plan: ShortlistChoice("Finalists", 1, None, True)
    board._ask_shortlist()
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    assert page.round_box.count() == 2
    with page.workspace.session() as session:
        new = session.get(Round, page.ctx.round_id)
        assert new is not None and new.name == "Finalists"
        refs = {a.ref for a in round_applications(session, new)}
    assert refs == expected


def test_shortlist_dialog_offers_every_category(qtbot: Any) -> None:
    dialog = ShortlistDialog("Education")
    qtbot.addWidget(dialog)
    assert dialog.choice() == ShortlistChoice("Final round", 10, None, False)
    dialog.by_score.setChecked(True)
    dialog.score_spin.setValue(70)
    dialog.per_category_box.setChecked(True)
    assert dialog.choice() == ShortlistChoice("Final round", None, 70.0, True)
