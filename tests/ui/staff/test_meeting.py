"""The panel meeting screen: discussion order, reviews side by side, decisions by keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QSettings, Qt

from judgepanel.model.staff.decide.decisions import load_decisions
from judgepanel.model.staff.decide.meeting import TOP
from judgepanel.model.staff.decide.shortlist import shortlist_into_new_round
from judgepanel.model.staff.schema.program import Round
from judgepanel.ui.main_window import MainWindow
from judgepanel.ui.staff.unsaved import DISCARD, SAVE, STAY
from tests.ui.opening import open_and_wait
from tests.ui.staff.conftest import choose_round, shortlist, wait_idle


def _decisions(page: Any, round_id: int | None = None) -> dict[str, Any]:
    """The decisions recorded in ``round_id`` (the round shown when None)."""
    with page.workspace.session() as session:
        round_ = session.get_one(Round, round_id or page.ctx.round_id)
        return dict(load_decisions(session, round_))


def _final_round(page: Any) -> int:
    """The next round, made from the top 3 of the round shown: its first applications are
    in both rounds."""
    with page.workspace.session() as session:
        made = shortlist_into_new_round(session, session.get_one(Round, page.ctx.round_id),
                                        "Final", "test", top=3)
        final_id = made.round.id
    page.ctx.changed.emit("program")  # the round chooser lists it
    return final_id


def test_a_meeting_decides_by_keyboard_and_undo_takes_it_back(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    meeting = page.show_screen("meeting")
    form = meeting.decision
    wait_idle(qtbot, page.ctx)
    agenda = meeting.meeting
    assert agenda is not None and agenda.items
    total = len(agenda.items)
    first = agenda.items[0]
    assert first.group == TOP and first.rank == 1
    assert meeting.progress.text() == f"<b>0 of {total} decided</b>"
    assert meeting.place.text().startswith(f"Application 1 of {total}")
    # Reviews side by side: one column per judge who reviewed it, lettered.
    assert meeting.reviews.columnCount() == len(first.reviews) + 1 > 1
    assert meeting.reviews.horizontalHeaderItem(1).text().startswith("Judge ")
    assert meeting.reviews.item(0, 0).text() == agenda.criteria[0][1]
    assert meeting.reviews.rowCount() == len(agenda.criteria) + 2
    assert [o.name for o in agenda.outcomes][0] == "winner"

    page.activateWindow()
    meeting.reviews.setFocus()
    qtbot.waitUntil(meeting.reviews.hasFocus)
    qtbot.keyClick(meeting.reviews, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert form.outcome.hasFocus()
    form.outcome.setCurrentIndex(form.outcome.findData("winner"))
    form.reason.setPlainText("Clearest evidence of impact")
    qtbot.keyClick(form.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, page.ctx)
    assert errors == []
    assert meeting.position == 1  # saved, and on to the next
    decided = _decisions(page)
    assert (decided[first.ref].outcome, decided[first.ref].reason) == (
        "winner", "Clearest evidence of impact")
    assert meeting.progress.text() == f"<b>1 of {total} decided</b>"

    # A decision needs a reason: nothing saved, the screen says why.
    second = meeting.item()
    form.outcome.setCurrentIndex(form.outcome.findData("finalist"))
    form.reason.setPlainText("  ")
    meeting.save()
    wait_idle(qtbot, page.ctx)
    assert "reason" in form.problem.text() and second.ref not in _decisions(page)
    assert not form.problem.isHidden()

    asked: list[Any] = []
    meeting.ask_unsaved = lambda *question: asked.append(question) or DISCARD
    meeting.reviews.setFocus()
    qtbot.keyClick(meeting.reviews, Qt.Key.Key_PageUp, Qt.KeyboardModifier.AltModifier)
    assert meeting.position == 1  # Alt+PageUp is not a meeting key: still here
    assert asked == []
    qtbot.keyClick(meeting.reviews, Qt.Key.Key_PageDown)  # the decision not saved: asked
    assert meeting.position == 2 and len(asked) == 1
    qtbot.keyClick(meeting.reviews, Qt.Key.Key_PageUp)
    qtbot.keyClick(meeting.reviews, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert meeting.position == 0 and form.reason.toPlainText() == (
        "Clearest evidence of impact")
    assert len(asked) == 1  # nothing typed since: nothing more asked
    page.undo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert first.ref not in _decisions(page)
    assert meeting.progress.text() == f"<b>0 of {total} decided</b>"


def test_conflicted_judges_are_marked_and_full_window_comes_back(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, _errors = make_page(demo / "program")
    meeting = page.show_screen("meeting")
    wait_idle(qtbot, page.ctx)
    agenda = meeting.meeting
    assert agenda is not None
    with_conflict = next((i for i, item in enumerate(agenda.items) if item.conflicted), None)
    if with_conflict is not None:
        meeting.go(with_conflict)
        assert meeting.absent.text().startswith("Not taking part (conflict of interest): Judge ")
    groups = [item.group for item in agenda.items]
    assert groups == sorted(groups, key=["top", "disagreement", "rest", "unscored"].index)
    meeting.set_full_window(True)
    assert meeting.body.isWindow() and meeting.full_button.isChecked()
    qtbot.keyClick(meeting.body, Qt.Key.Key_Escape)
    assert not meeting.body.isWindow() and not meeting.full_button.isChecked()
    assert meeting.body.parent() is meeting


def test_nothing_is_decided_while_a_newly_chosen_round_is_still_read(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    """Until the new round's agenda arrives the screen still shows the round before:
    a decision made then would land in the new round about what the old one showed."""
    from judgepanel.model.rubric.definition import Rubric
    from judgepanel.model.staff.prepare.rounds import add_round, save_rubric

    page, errors = make_page(demo / "program")
    meeting = page.show_screen("meeting")
    form = meeting.decision
    wait_idle(qtbot, page.ctx)
    shown = meeting.item()
    assert shown is not None
    with page.workspace.session() as session:
        final = add_round(session, page.workspace.program(session), "Final", "test")
        save_rubric(session, final, Rubric.from_dict({
            "name": "Final", "criteria": [{"key": "impact", "title": "Impact"}]}), "test")
        final_id = final.id
    first_id = page.ctx.round_id
    page.ctx.changed.emit("program")
    page.ctx.set_round(final_id)  # the meeting starts reading the final round
    assert meeting.meeting is not None and meeting.meeting.round_id == first_id
    form.outcome.setCurrentIndex(form.outcome.findData("winner"))
    form.reason.setPlainText("Decided on what the round before showed")
    meeting.save()
    assert "Still reading" in form.problem.text()
    wait_idle(qtbot, page.ctx)
    assert errors == []
    assert _decisions(page) == {}  # the final round: nothing decided
    page.ctx.set_round(first_id)
    wait_idle(qtbot, page.ctx)
    assert shown.ref not in _decisions(page)
    assert meeting.meeting is not None and meeting.meeting.round_id == first_id
    assert form.problem.isHidden()


def test_the_meeting_fits_a_1024_pixel_window(demo: Path, qtbot: Any, tmp_path: Path) -> None:
    """Its row of controls (progress, place, Top first, Previous, Next, Full window) made
    the window 1,091-1,128 px wide at 1024 x 700. Now the controls go to a line of their
    own when the window is narrow, and back beside the progress when it is wide."""
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    open_and_wait(qtbot, window, str(demo / "program"))
    page = window.staff_page
    assert page is not None
    meeting = page.show_screen("meeting")
    wait_idle(qtbot, page.ctx)
    assert meeting.item() is not None

    def line(widget: Any) -> int:  # the middle of the widget, in the meeting's coordinates
        return widget.mapTo(meeting.body, QPoint(0, widget.height() // 2)).y()

    qtbot.wait(50)
    assert window.minimumSizeHint().width() <= 1024
    assert window.width() == 1024
    assert line(meeting.next_button) > line(meeting.progress) + meeting.progress.height()
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: abs(line(meeting.next_button) - line(meeting.progress)) <= 2)
    window.close_program()


def test_a_decision_typed_and_not_saved_is_saved_discarded_or_keeps_the_round(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    meeting = page.show_screen("meeting")
    form = meeting.decision
    wait_idle(qtbot, page.ctx)
    first_id, final_id = page.ctx.round_id, _final_round(page)
    wait_idle(qtbot, page.ctx)
    ref, first_name = meeting.item().ref, meeting.meeting.round_name  # in both rounds
    asked: list[str] = []
    answer = [STAY]
    meeting.ask_unsaved = lambda _parent, _title, text, _leaving, _round: (asked.append(text)
                                                                       or answer[0])

    # Nothing typed, or a choice put back as it was: nothing asked.
    form.outcome.setCurrentIndex(form.outcome.findData("winner"))
    form.outcome.setCurrentIndex(0)
    choose_round(page, final_id)
    wait_idle(qtbot, page.ctx)
    choose_round(page, first_id)
    wait_idle(qtbot, page.ctx)
    assert asked == [] and meeting.item().ref == ref

    # Cancel: the round stays, in the chooser too, and so does the decision typed.
    form.outcome.setCurrentIndex(form.outcome.findData("winner"))
    form.reason.setPlainText("Typed, not saved")
    choose_round(page, final_id)
    assert len(asked) == 1 and ref in asked[0] and f"“{first_name}”" in asked[0]
    assert page.ctx.round_id == first_id and page.round_box.currentData() == first_id
    assert form.reason.toPlainText() == "Typed, not saved"

    # Discard: the round chosen shows; the typing is gone, not carried over to the same
    # application there.
    answer[0] = DISCARD
    choose_round(page, final_id)
    wait_idle(qtbot, page.ctx)
    assert page.ctx.round_id == final_id and meeting.meeting.round_id == final_id
    assert meeting.item().ref == ref
    assert form.reason.toPlainText() == "" and form.outcome.currentData() is None
    assert _decisions(page, first_id) == {}

    # Save: into the round it was typed in; the round chosen shows once it is saved.
    choose_round(page, first_id)  # nothing typed in the final round: nothing asked
    wait_idle(qtbot, page.ctx)
    form.outcome.setCurrentIndex(form.outcome.findData("finalist"))
    form.reason.setPlainText("Kept for the record")
    answer[0] = SAVE
    choose_round(page, final_id)
    wait_idle(qtbot, page.ctx)
    assert len(asked) == 3 and errors == []
    decided = _decisions(page, first_id)[ref]
    assert (decided.outcome, decided.reason) == ("finalist", "Kept for the record")
    assert _decisions(page, final_id) == {}
    assert page.ctx.round_id == final_id and page.round_box.currentData() == final_id
    assert meeting.meeting.round_id == final_id and form.reason.toPlainText() == ""


def test_a_decision_that_cannot_be_saved_keeps_the_round_and_shows_why(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    """Asked from another screen, Save on a decision without a reason saves nothing: the
    round stays, and the meeting shows, saying what is missing."""
    page, errors = make_page(demo / "program")
    meeting = page.show_screen("meeting")
    wait_idle(qtbot, page.ctx)
    first_id, final_id = page.ctx.round_id, _final_round(page)
    meeting.decision.outcome.setCurrentIndex(meeting.decision.outcome.findData("winner"))
    meeting.ask_unsaved = lambda *_question: SAVE
    page.show_screen("applications")
    wait_idle(qtbot, page.ctx)
    choose_round(page, final_id)
    wait_idle(qtbot, page.ctx)
    assert page.ctx.round_id == first_id and page.round_box.currentData() == first_id
    assert page.stack.currentWidget() is meeting
    assert "reason" in meeting.decision.problem.text()
    assert not meeting.decision.problem.isHidden()
    assert _decisions(page, first_id) == {} and errors == []


def test_undoing_the_shortlist_that_made_the_round_takes_its_typed_decision_unasked(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    """Ctrl+Z on a shortlist deletes the round it made: a decision typed there goes with
    it, without a question about a round that is gone, and the meeting says so."""
    page, errors = make_page(demo / "program")
    meeting = page.show_screen("meeting")
    form = meeting.decision
    wait_idle(qtbot, page.ctx)
    first_id = page.ctx.round_id
    shortlist(qtbot, page, "Final", 3)
    asked: list[Any] = []
    meeting.ask_unsaved = lambda *question: asked.append(question) or STAY
    form.outcome.setCurrentIndex(form.outcome.findData("winner"))
    form.reason.setPlainText("Typed in the final round, not saved")
    page.undo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert asked == [] and errors == []
    assert page.ctx.round_id == first_id and meeting.meeting.round_id == first_id
    assert form.reason.toPlainText() == "" and not form.problem.isHidden()
    assert "“Final” was deleted" in form.problem.text()
