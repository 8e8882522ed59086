"""Closing the window, or opening another program in its place, with work not saved in the
rubric editor or the meeting: the officer is asked first (Save, Discard, Cancel). Save
closes once the work is saved, never before; a save refused closes nothing and says why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.staff.decide.decisions import load_decisions
from judgepanel.model.staff.prepare.rounds import add_round, rubric_for_round, save_rubric
from judgepanel.model.staff.schema.program import Round
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.ui.main_window import MainWindow
from judgepanel.ui.staff.unsaved import CLOSE, DISCARD, SAVE, STAY
from tests.ui.opening import TIMEOUT_MS, open_and_wait
from tests.ui.staff.conftest import Errors, prepared, wait_idle


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Iterator[MainWindow]:
    shown = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(shown)
    shown.resize(1024, 700)
    shown.show()
    yield shown
    shown.close_program()  # whatever a test left open (close_program asks nothing)


def _open(qtbot: Any, window: MainWindow, demo: Path) -> tuple[Any, Errors]:
    open_and_wait(qtbot, window, str(demo / "program"))
    page = window.staff_page
    assert page is not None
    return page, prepared(page)


class Asked(list[tuple[str, str]]):
    """The questions a screen asked (what leaves the work, where Cancel stays), answered
    with ``answer``."""

    def __init__(self, answer: str) -> None:
        super().__init__()
        self.answer = answer

    def __call__(self, _parent: Any, _title: str, _text: str, leaving: str,
                 place: str) -> str:
        self.append((leaving, place))
        return self.answer


def _closed(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.staff_page is None and not window.isVisible(),
                    timeout=TIMEOUT_MS)


def _decisions(demo: Path) -> dict[str, tuple[str, str]]:
    """The first round's decisions, read again once the program is closed."""
    workspace = StaffWorkspace.open(demo / "program")
    try:
        with workspace.session() as session:
            round_ = session.query(Round).order_by(Round.id).first()
            assert round_ is not None
            return {ref: (d.outcome, d.reason)
                    for ref, d in load_decisions(session, round_).items()}
    finally:
        workspace.close()


def _meeting_typed(qtbot: Any, page: Any, answer: str, reason: str) -> tuple[Any, Asked]:
    """The meeting, a decision typed on its first application and not saved."""
    meeting = page.show_screen("meeting")
    wait_idle(qtbot, page.ctx)
    form = meeting.decision
    form.outcome.setCurrentIndex(form.outcome.findData("winner"))
    form.reason.setPlainText(reason)
    asked = meeting.ask_unsaved = Asked(answer)
    return meeting, asked


@pytest.mark.parametrize("answer", [STAY, DISCARD, SAVE])
def test_closing_with_a_decision_not_saved_asks_first(
        demo: Path, window: MainWindow, qtbot: Any, answer: str) -> None:
    page, errors = _open(qtbot, window, demo)
    meeting, asked = _meeting_typed(qtbot, page, answer, "Decided as the window closed")
    ref, round_name = meeting.item().ref, meeting.meeting.round_name
    page.show_screen("overview")
    window.close()
    assert asked == [(CLOSE, round_name)]
    # Discard closes at once; Save not before the decision is saved.
    assert (window.staff_page is None) == (answer == DISCARD)
    if answer == STAY:
        wait_idle(qtbot, page.ctx)
        assert window.isVisible() and window.staff_page is page
        assert meeting.decision.reason.toPlainText() == "Decided as the window closed"
        return
    _closed(qtbot, window)
    assert errors == [] and len(asked) == 1
    expected = {ref: ("winner", "Decided as the window closed")} if answer == SAVE else {}
    assert _decisions(demo) == expected


def test_a_decision_that_cannot_be_saved_keeps_the_window_open_and_shows_why(
        demo: Path, window: MainWindow, qtbot: Any) -> None:
    page, errors = _open(qtbot, window, demo)
    meeting, asked = _meeting_typed(qtbot, page, SAVE, "")
    page.show_screen("overview")
    window.close()
    wait_idle(qtbot, page.ctx)
    qtbot.wait(100)
    assert window.isVisible() and window.staff_page is page and len(asked) == 1
    assert page.stack.currentWidget() is meeting
    assert "reason" in meeting.decision.problem.text()
    assert not meeting.decision.problem.isHidden() and errors == []


def _new_round(page: Any) -> int:
    """A round whose rubric may change (the first round's bundles are out)."""
    with page.workspace.session() as session:
        round_ = add_round(session, page.workspace.program(session), "Final", "test")
        save_rubric(session, round_, Rubric.from_dict({
            "name": "Final", "criteria": [{"key": "impact", "title": "Impact"}]}), "test")
        round_id = round_.id
    page.ctx.changed.emit("program")
    return round_id


def _rubric_name(demo: Path, round_id: int) -> str:
    workspace = StaffWorkspace.open(demo / "program")
    try:
        with workspace.session() as session:
            return rubric_for_round(session, session.get_one(Round, round_id)).name
    finally:
        workspace.close()


@pytest.mark.parametrize("answer", [STAY, DISCARD, SAVE])
def test_closing_with_rubric_edits_not_saved_asks_first(
        demo: Path, window: MainWindow, qtbot: Any, answer: str) -> None:
    page, errors = _open(qtbot, window, demo)
    final_id = _new_round(page)
    page.ctx.set_round(final_id)
    editor = page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    editor.name_edit.setText("Final, renamed")
    asked = editor.ask_unsaved = Asked(answer)
    window.close()
    assert asked == [(CLOSE, "Final")]
    assert (window.staff_page is None) == (answer == DISCARD)
    if answer == STAY:
        wait_idle(qtbot, page.ctx)
        assert window.isVisible() and editor.unsaved
        assert editor.name_edit.text() == "Final, renamed"
        return
    _closed(qtbot, window)
    assert errors == []
    assert _rubric_name(demo, final_id) == ("Final, renamed" if answer == SAVE else "Final")


def test_rubric_edits_that_cannot_be_saved_keep_the_window_open(
        demo: Path, window: MainWindow, qtbot: Any) -> None:
    """The first round's bundles are out, so its rubric cannot change: the editor shows,
    with why, and the window stays open with the edits."""
    page, errors = _open(qtbot, window, demo)
    editor = page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    editor.name_edit.setText("Renamed too late")
    editor.ask_unsaved = Asked(SAVE)
    page.show_screen("overview")
    window.close()
    wait_idle(qtbot, page.ctx)
    assert window.isVisible() and window.staff_page is page
    assert [e.path for e in errors] == ["rubric"] and "bundles" in errors[0].message
    assert page.stack.currentWidget() is editor and editor.unsaved


def test_both_unsaved_are_asked_in_turn_and_nothing_unsaved_asks_nothing(
        demo: Path, window: MainWindow, qtbot: Any) -> None:
    page, errors = _open(qtbot, window, demo)
    final_id = _new_round(page)
    page.ctx.set_round(final_id)
    editor = page.show_screen("rubric")
    meeting = page.show_screen("meeting")
    wait_idle(qtbot, page.ctx)
    editor_asked = editor.ask_unsaved = Asked(STAY)
    meeting_asked = meeting.ask_unsaved = Asked(STAY)
    window.close()  # both screens built, nothing typed: closed at once
    assert editor_asked == [] and meeting_asked == []
    assert window.staff_page is None and not window.isVisible() and errors == []


def test_opening_another_program_asks_first(
        demo: Path, window: MainWindow, qtbot: Any) -> None:
    page, errors = _open(qtbot, window, demo)
    meeting, asked = _meeting_typed(qtbot, page, STAY, "Typed, not saved")
    window.open_path(str(demo / "program"))  # the recent list and the File menu do so
    assert asked == [(CLOSE, meeting.meeting.round_name)]
    qtbot.wait(200)
    assert window.staff_page is page and window.statusBar().currentMessage() == ""
    asked.answer = DISCARD
    open_and_wait(qtbot, window, str(demo / "program"))
    assert len(asked) == 2 and window.staff_page is not page and errors == []


def test_closing_again_while_the_save_is_on_its_way_asks_nothing_more(
        demo: Path, window: MainWindow, qtbot: Any) -> None:
    page, errors = _open(qtbot, window, demo)
    meeting, asked = _meeting_typed(qtbot, page, SAVE, "Saved as the window closed")
    ref = meeting.item().ref
    window.close()
    assert page.ctx.busy and window.staff_page is page  # the save is on its way
    window.close()  # impatient: the same save is waited for, not asked about again
    assert len(asked) == 1
    _closed(qtbot, window)
    assert errors == [] and len(asked) == 1
    assert _decisions(demo) == {ref: ("winner", "Saved as the window closed")}


def test_a_save_refused_on_its_way_does_not_swallow_the_next_close(
        demo: Path, window: MainWindow, qtbot: Any) -> None:
    page, errors = _open(qtbot, window, demo)
    editor = page.show_screen("rubric")  # the first round's bundles are out: refused
    wait_idle(qtbot, page.ctx)
    editor.name_edit.setText("Renamed too late")
    asked = editor.ask_unsaved = Asked(SAVE)
    window.close()
    wait_idle(qtbot, page.ctx)
    assert window.isVisible() and len(asked) == 1 and len(errors) == 1
    asked.answer = DISCARD
    window.close()
    assert len(asked) == 2
    _closed(qtbot, window)


def test_a_program_goes_to_the_recent_files_only_once_it_opens(
        demo: Path, window: MainWindow, qtbot: Any) -> None:
    page, errors = _open(qtbot, window, demo)
    assert window.recent_files() == [str(demo / "program")]
    grants = str(demo / "grants" / "program")
    meeting, asked = _meeting_typed(qtbot, page, STAY, "Typed, not saved")
    window.open_path(grants)  # Cancel: the program open stays, the other is not opened
    qtbot.wait(200)
    assert len(asked) == 1 and window.staff_page is page
    assert window.recent_files() == [str(demo / "program")]
    asked.answer = DISCARD
    open_and_wait(qtbot, window, grants)
    assert window.program_path == grants and errors == []
    assert window.recent_files() == [grants, str(demo / "program")]
