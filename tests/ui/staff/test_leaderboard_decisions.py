"""The leaderboard's Decision column and the drill-down's two texts (issue #18 follow-up).

The column shows the panel's decision (outcome, the reason as its tooltip), read with
the board in the background and read again when decisions change. The drill-down shows
each judge's comments for the panel beside their feedback for the applicant, labelled.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox

from judgepanel.model.staff.decide import decisions
from judgepanel.model.staff.decide.decisions import clear_decision, set_decision
from judgepanel.model.staff.results.feedback import applicant_feedback
from judgepanel.model.staff.schema.program import Application, Round
from judgepanel.ui.staff.context import DECISIONS
from judgepanel.ui.staff.leaderboard.reviews import ReviewsDialog
from tests.ui.staff.conftest import wait_idle

TOOLTIP = Qt.ItemDataRole.ToolTipRole


def _cell(board: Any, ref: str, title: str, role: Any = Qt.ItemDataRole.DisplayRole) -> Any:
    refs = [r.application.ref for r in board.model.rows]
    column = [c.title for c in board.model.columns].index(title)
    return board.model.data(board.model.index(refs.index(ref), column), role)


def _decide(page: Any, qtbot: Any, ref: str, outcome: str | None, reason: str = "") -> None:
    """A decision made (or cleared) through the model, announced as the app announces it."""
    round_id = page.ctx.round_id

    def change(session: Any) -> None:
        round_ = session.get_one(Round, round_id)
        app = next(a for a in round_.program.applications if a.ref == ref)
        assert isinstance(app, Application)
        if outcome is None:
            clear_decision(session, round_, app, "Test officer")
        else:
            set_decision(session, round_, app, outcome, reason, "Test officer")

    page.ctx.write(change, lambda _r: None, topic=DECISIONS)
    wait_idle(qtbot, page.ctx)


def test_the_decision_column_shows_the_outcome_with_its_reason_and_follows_changes(
        demo: Path, make_page: Any, qtbot: Any, monkeypatch: Any) -> None:
    threads: list[threading.Thread] = []
    original = decisions.load_decisions

    def spy(session: Any, round_: Any) -> Any:
        threads.append(threading.current_thread())
        return original(session, round_)

    monkeypatch.setattr(decisions, "load_decisions", spy)
    page, errors = make_page(demo / "program")
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    first, second = (r.application.ref for r in board.model.rows[:2])
    assert _cell(board, first, "Decision") == "" and _cell(board, first, "Decision",
                                                           TOOLTIP) in (None, "")
    assert threads and threading.main_thread() not in threads  # read with the board

    _decide(page, qtbot, first, "winner", "Clearest evidence of impact")
    assert not errors, [e.message for e in errors]
    assert _cell(board, first, "Decision") == "winner"
    assert _cell(board, first, "Decision", TOOLTIP) == "Clearest evidence of impact"
    assert _cell(board, second, "Decision") == ""

    # Changed, and then cleared: the column follows each change.
    _decide(page, qtbot, first, "finalist", "Strong, but the winner went further")
    assert _cell(board, first, "Decision") == "finalist"
    assert _cell(board, first, "Decision", TOOLTIP) == "Strong, but the winner went further"
    _decide(page, qtbot, first, None)
    assert _cell(board, first, "Decision") == ""
    assert not errors, [e.message for e in errors]
    assert threading.main_thread() not in threads


def _texts(dialog: ReviewsDialog) -> tuple[str, str]:
    return dialog.panel_text.toPlainText(), dialog.applicant_text.toPlainText()


def test_the_drill_down_shows_panel_comments_beside_applicant_feedback(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    board.table.view.selectRow(0)
    board.open_reviews()
    wait_idle(qtbot, page.ctx)  # the feedback is read in the background first
    assert not errors, [e.message for e in errors]
    dialog = board.dialog
    assert isinstance(dialog, ReviewsDialog)
    qtbot.addWidget(dialog)
    titles = {box.title() for box in dialog.findChildren(QGroupBox)}
    assert titles == {"For the panel", "For the applicant"}
    assert dialog.panel_text.accessibleName() == "For the panel"
    assert dialog.applicant_text.accessibleName() == "For the applicant"

    reviews = dialog.model.rows
    assert len(reviews) >= 2
    with page.workspace.session() as session:
        expected = applicant_feedback(session, reviews, legacy=False)
    seen = []
    for row in range(len(reviews)):
        dialog.table.view.selectRow(row)
        review = dialog.table.current_row()
        panel, applicant = _texts(dialog)
        per_criterion, overall = expected[(review.results_id, review.application.id)]
        assert review.overall_comment and review.overall_comment in panel
        for text in review.comments.values():
            assert text in panel
        assert overall and overall in applicant  # the demo's judges wrote feedback
        for text in per_criterion.values():
            assert text in applicant
        assert review.overall_comment not in applicant and overall not in panel
        seen.append((panel, applicant))
    assert len(set(seen)) == len(reviews)  # each judge's own texts, as selected
    assert any(review.comments for review in reviews)  # per criterion too
    overall_column = [c.title for c in dialog.model.columns].index(
        "Overall feedback (for the applicant)")
    first = dialog.model.rows[0]
    assert dialog.model.data(dialog.model.index(0, overall_column)) == expected[
        (first.results_id, first.application.id)][1]


def test_asking_twice_for_the_reviews_opens_one_dialog(demo: Path, make_page: Any,
                                                       qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    board.table.view.selectRow(0)
    board.open_reviews()
    board.open_reviews()  # Enter pressed again before the first read came back
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    dialogs = [d for d in board.findChildren(ReviewsDialog) if d.isVisible()]
    assert len(dialogs) == 1 and dialogs[0] is board.dialog
    board.dialog.close()
