"""Moving to another application in the meeting with a decision typed and not saved: the
officer is asked (Save, Discard, Cancel); Ctrl+Enter saves and moves on unasked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from judgepanel.model.staff.decide.decisions import load_decisions
from judgepanel.model.staff.schema.program import Round
from judgepanel.ui.staff.unsaved import APPLICATION, DISCARD, SAVE, STAY
from tests.ui.staff.conftest import wait_idle


def _decisions(page: Any) -> dict[str, Any]:
    with page.workspace.session() as session:
        return dict(load_decisions(session, session.get_one(Round, page.ctx.round_id)))


def _meeting(demo: Path, make_page: Any, qtbot: Any) -> tuple[Any, Any, Any, Any]:
    """The page, its errors, the meeting shown on the demo's first round, its form."""
    page, errors = make_page(demo / "program")
    meeting = page.show_screen("meeting")
    wait_idle(qtbot, page.ctx)
    return page, errors, meeting, meeting.decision


def _press(qtbot: Any, page: Any, widget: Any, key: Qt.Key,
           modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press ``key`` in ``widget`` as the officer does: the window active, focus there."""
    page.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    qtbot.keyClick(widget, key, modifier)


def _type(form: Any, outcome: str, reason: str) -> None:
    form.outcome.setCurrentIndex(form.outcome.findData(outcome))
    form.reason.setPlainText(reason)


def test_moving_on_asks_to_save_discard_or_stay_with_the_decision_typed(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors, meeting, form = _meeting(demo, make_page, qtbot)
    refs = [item.ref for item in meeting.meeting.items]
    asked: list[tuple[str, str, str]] = []
    answer = [STAY]
    meeting.ask_unsaved = lambda _parent, _title, text, leaving, place: (
        asked.append((text, leaving, place)) or answer[0])

    # Nothing typed, or typed and put back: nothing asked.
    meeting.next_button.click()
    form.outcome.setCurrentIndex(form.outcome.findData("winner"))
    form.outcome.setCurrentIndex(0)
    meeting.previous_button.click()
    assert asked == [] and meeting.position == 0

    # Cancel: the application stays, and so does what was typed.
    _type(form, "winner", "Typed, not saved")
    meeting.next_button.click()
    assert len(asked) == 1 and refs[0] in asked[0][0]
    assert asked[0][1:] == (APPLICATION, refs[0])
    assert meeting.position == 0 and meeting.item().ref == refs[0]
    assert form.reason.toPlainText() == "Typed, not saved"
    assert form.outcome.currentData() == "winner"
    meeting.next_button.click()  # still not saved: asked again
    assert len(asked) == 2 and meeting.position == 0

    # Discard: the next application shows; going back, nothing was kept or saved.
    answer[0] = DISCARD
    meeting.next_button.click()
    assert len(asked) == 3 and meeting.position == 1 and meeting.item().ref == refs[1]
    assert form.reason.toPlainText() == "" and form.outcome.currentData() is None
    meeting.previous_button.click()  # nothing typed on the second: nothing asked
    assert len(asked) == 3 and meeting.position == 0
    assert form.reason.toPlainText() == "" and _decisions(page) == {}

    # Save: recorded for the application it was typed for, then the one chosen shows.
    _type(form, "finalist", "Kept for the record")
    answer[0] = SAVE
    meeting.next_button.click()
    wait_idle(qtbot, page.ctx)
    assert len(asked) == 4 and errors == []
    decided = _decisions(page)
    assert list(decided) == [refs[0]]
    assert (decided[refs[0]].outcome, decided[refs[0]].reason) == (
        "finalist", "Kept for the record")
    assert meeting.item().ref == refs[1] and form.reason.toPlainText() == ""
    meeting.previous_button.click()  # saved: nothing asked
    assert len(asked) == 4 and form.reason.toPlainText() == "Kept for the record"

    # Save without a reason: nothing saved, the application stays and says why.
    _type(form, "winner", "")
    meeting.next_button.click()
    wait_idle(qtbot, page.ctx)
    assert len(asked) == 5 and meeting.position == 0
    assert "reason" in form.problem.text() and not form.problem.isHidden()
    assert form.outcome.currentData() == "winner"
    assert _decisions(page)[refs[0]].outcome == "finalist"


def test_the_keys_and_top_first_keep_a_decision_typed(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    """Page Down asks as Next does; on the last application there is nowhere to go and
    nothing is dropped; a new "Top first" reorders the agenda and keeps the typing."""
    page, errors, meeting, form = _meeting(demo, make_page, qtbot)
    asked: list[Any] = []
    meeting.ask_unsaved = lambda *question: asked.append(question) or STAY
    _type(form, "winner", "Typed, not saved")
    _press(qtbot, page, meeting.reviews, Qt.Key.Key_PageDown)
    assert len(asked) == 1 and meeting.position == 0
    assert form.reason.toPlainText() == "Typed, not saved"

    ref = meeting.item().ref
    meeting.top_box.setValue(2)
    meeting.top_box.editingFinished.emit()
    wait_idle(qtbot, page.ctx)
    assert meeting.item().ref == ref and form.reason.toPlainText() == "Typed, not saved"

    meeting.ask_unsaved = lambda *question: asked.append(question) or DISCARD
    last = len(meeting.meeting.items) - 1
    meeting.go(last)
    _type(form, "winner", "Typed on the last one")
    meeting.next_button.click()  # disabled on the last: nothing happens
    meeting.go(last + 1)
    assert len(asked) == 2 and meeting.position == last
    assert form.reason.toPlainText() == "Typed on the last one" and errors == []


def test_ctrl_enter_saves_and_moves_on_without_asking(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors, meeting, form = _meeting(demo, make_page, qtbot)
    first = meeting.item().ref
    asked: list[Any] = []
    meeting.ask_unsaved = lambda *question: asked.append(question) or STAY
    _type(form, "winner", "Clearest evidence of impact")
    _press(qtbot, page, form.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert meeting.position == 1  # on at once, while the decision is being saved
    wait_idle(qtbot, page.ctx)
    assert asked == [] and errors == [] and meeting.position == 1
    assert _decisions(page)[first].reason == "Clearest evidence of impact"
