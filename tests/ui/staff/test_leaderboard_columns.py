"""Leaderboard layout: the money columns of a grants round and the panel's decision are
seen at 1280 pixels and at 1024, the judges' table fits 1024 whole (short headings, the
whole wording in their tooltips), and a round without a budget shows no empty money
columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from judgepanel.ui.staff.leaderboard.columns import TITLE_MIN, TITLE_WIDTH
from tests.ui.staff.conftest import wait_idle

SCORES = ("Adjusted", "Mean")
MONEY = ("Requested", "Awarded", "Funding")


def _titles(board: Any) -> list[str]:
    return [c.title for c in board.model.columns]


def test_grants_money_columns_follow_the_scores_and_fit_the_window(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "grants" / "program")
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    qtbot.wait(50)  # let the layout give the table its width
    assert not errors, [e.message for e in errors]
    assert board.board() is not None and board.board().funding is not None
    titles = _titles(board)
    last_score = max(titles.index(t) for t in SCORES)
    money = [titles.index(t) for t in MONEY]
    assert money == list(range(last_score + 1, last_score + 4))
    assert titles.index("Reviews") > money[-1] and titles.index("SD") > money[-1]
    view = board.table.view
    assert view.columnWidth(titles.index("Title")) <= TITLE_WIDTH
    width = view.viewport().width()
    assert page.width() == 1280 and width > 0
    decision = titles.index("Decision")
    assert decision == money[-1] + 1  # the panel's decision, seen beside the money
    for column in (*money, decision):
        assert not view.isColumnHidden(column), titles[column]
        right = view.columnViewportPosition(column) + view.columnWidth(column)
        assert view.columnViewportPosition(column) >= 0 and right <= width, \
            (titles[column], right, width)
    # The cells say what was decided: a status for every ranked application.
    funding = titles.index("Funding")
    statuses = {board.model.data(board.model.index(r, funding))
                for r in range(board.model.rowCount())}
    assert statuses and statuses <= {"funded", "partial", "unfunded"}


def test_a_round_without_a_budget_hides_the_empty_money_columns(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    shown = board.board()
    assert shown is not None and shown.funding is None
    assert all(r.application.requested is None for r in shown.rows)  # the demo's awards
    titles = _titles(board)
    view = board.table.view
    for name in MONEY:
        assert view.isColumnHidden(titles.index(name)), name
    for name in ("Title", *SCORES, "Reviews", "SD"):
        assert not view.isColumnHidden(titles.index(name)), name


def test_at_1024_pixels_the_decision_and_every_judge_column_show_without_scrolling(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "grants" / "program")
    page.resize(1024, 700)
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    qtbot.wait(50)
    assert not errors, [e.message for e in errors]
    titles = _titles(board)
    view = board.table.view
    width = view.viewport().width()
    assert page.width() == 1024 and width > 0
    for column in range(titles.index("Decision") + 1):
        right = view.columnViewportPosition(column) + view.columnWidth(column)
        assert not view.isColumnHidden(column) and right <= width, (titles[column], right)
    assert TITLE_MIN <= view.columnWidth(titles.index("Title")) <= TITLE_WIDTH
    judges = board.judges.view
    qtbot.waitUntil(lambda: board.judge_model.rowCount() > 0)
    assert judges.horizontalScrollBar().maximum() == 0
    assert judges.horizontalHeader().length() <= judges.viewport().width()
    # Short headings lose nothing: the whole wording is the heading's tooltip.
    for model in (board.model, board.judge_model):
        for section, column in enumerate(model.columns):
            tip = model.headerData(section, Qt.Orientation.Horizontal,
                                   Qt.ItemDataRole.ToolTipRole)
            assert len(column.title) <= 10, column.title
            assert tip or column.title in ("Reference", "Title", "Judge", "Assigned",
                                           "Missing", "Conflicted", "Mean", "Reviews"), column.title
    lenient = judge_tip(board, "Leniency")
    assert "+ kinder, − harsher" in lenient
    # Sorting on a column gives its heading room for the arrow, not clipped.
    mean = titles.index("Mean")
    view.sortByColumn(mean, Qt.SortOrder.DescendingOrder)
    header = view.horizontalHeader()
    assert header.sectionSize(mean) >= header.sectionSizeHint(mean)


def judge_tip(board: Any, title: str) -> str:
    model = board.judge_model
    section = [c.title for c in model.columns].index(title)
    return str(model.headerData(section, Qt.Orientation.Horizontal,
                                Qt.ItemDataRole.ToolTipRole))
