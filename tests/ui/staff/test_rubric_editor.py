"""The rubric editor and the round chooser: saved into the round shown, edits never
dropped without asking, nor overwritten when the round is reread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.staff.prepare.rounds import add_round, rubric_for_round, save_rubric
from judgepanel.model.staff.schema.program import Round
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.ui.staff.unsaved import DISCARD, SAVE, STAY
from tests.ui.staff.conftest import choose_round, shortlist, wait_idle


def _new_round(page: Any, name: str) -> int:
    """A round with a one-criterion rubric called ``name`` (round 1's bundles are out)."""
    with page.workspace.session() as session:
        round_ = add_round(session, page.workspace.program(session), name, "test")
        save_rubric(session, round_, Rubric.from_dict({
            "name": name, "criteria": [{"key": "impact", "title": "Impact"}]}), "test")
        round_id = round_.id
    page.ctx.changed.emit("program")  # the round chooser lists it
    return round_id


def _rubric_name(page: Any, round_id: int) -> str:
    with page.workspace.session() as session:
        return rubric_for_round(session, session.get_one(Round, round_id)).name


def test_no_rubric_is_saved_while_a_newly_chosen_round_is_still_read(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    """Until the new round's rubric arrives the editor shows the round before's: saved
    then, it went into the new round."""
    page, errors = make_page(demo / "program")
    editor = page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    before = editor.name_edit.text()
    final_id = _new_round(page, "Final")
    page.ctx.set_round(final_id)  # the editor starts reading the final round
    assert editor.name_edit.text() == before
    editor.save()
    assert "Still reading" in editor.status.text()
    wait_idle(qtbot, page.ctx)
    assert errors == []
    assert _rubric_name(page, final_id) == "Final"  # not the round before's rubric
    assert editor.name_edit.text() == "Final" and editor.status.text() == ""
    editor.name_edit.setText("Final, renamed")  # shown now: saved into that round
    editor.save()
    wait_idle(qtbot, page.ctx)
    assert errors == [] and editor.status.text() == "Saved." and not editor.unsaved
    assert _rubric_name(page, final_id) == "Final, renamed"


def test_edits_not_saved_are_saved_discarded_or_keep_the_round(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    second_id, third_id = _new_round(page, "Second"), _new_round(page, "Third")
    choose_round(page, second_id)
    editor = page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    asked: list[str] = []
    answer = [STAY]
    editor.ask_unsaved = lambda _parent, _title, _text, _leaving, name: (asked.append(name)
                                                                         or answer[0])
    choose_round(page, third_id)  # nothing edited: nothing asked
    wait_idle(qtbot, page.ctx)
    choose_round(page, second_id)
    wait_idle(qtbot, page.ctx)
    assert asked == [] and editor.name_edit.text() == "Second"

    # Cancel: the round stays, in the chooser too, and so do the edits.
    editor.name_edit.setText("Second, renamed")
    choose_round(page, third_id)
    assert asked == ["Second"]
    assert page.ctx.round_id == second_id and page.round_box.currentData() == second_id
    assert editor.name_edit.text() == "Second, renamed" and editor.unsaved

    # Save: into the round shown; the round chosen shows once it is saved.
    answer[0] = SAVE
    choose_round(page, third_id)
    wait_idle(qtbot, page.ctx)
    assert errors == []
    assert _rubric_name(page, second_id) == "Second, renamed"
    assert _rubric_name(page, third_id) == "Third"
    assert page.ctx.round_id == third_id and page.round_box.currentData() == third_id
    assert editor.name_edit.text() == "Third" and not editor.unsaved

    # Discard: the round chosen shows, the edits are gone.
    editor.name_edit.setText("Not kept")
    answer[0] = DISCARD
    choose_round(page, second_id)
    wait_idle(qtbot, page.ctx)
    assert asked == ["Second", "Second", "Third"]
    assert page.ctx.round_id == second_id and editor.name_edit.text() == "Second, renamed"
    assert _rubric_name(page, third_id) == "Third" and errors == []


def test_a_save_refused_keeps_the_round_and_the_edits(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    """Round 1's bundles are out, so its rubric cannot change: the person is told, and
    nothing they typed is lost."""
    page, errors = make_page(demo / "program")
    first_id = page.ctx.round_id
    final_id = _new_round(page, "Final")
    editor = page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    editor.ask_unsaved = lambda *_question: SAVE
    editor.name_edit.setText("Renamed too late")
    choose_round(page, final_id)
    wait_idle(qtbot, page.ctx)
    assert [e.path for e in errors] == ["rubric"] and "bundles" in errors[0].message
    assert page.ctx.round_id == first_id and page.round_box.currentData() == first_id
    assert editor.name_edit.text() == "Renamed too late" and editor.unsaved


def test_edits_not_saved_stay_when_the_round_is_reread_and_a_change_elsewhere_is_told(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    final_id = _new_round(page, "Final")
    choose_round(page, final_id)
    editor = page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    page.ctx.look_for_news()  # from here on, other officers' changes are news
    qtbot.waitUntil(lambda: page.ctx.seen_seq is not None, timeout=10_000)
    beatriz = StaffWorkspace.open(demo / "program", actor="beatriz")  # another computer

    def theirs(name: str) -> None:
        """Beatriz saves the final round's rubric; the app hears of it as it would."""
        with beatriz.session() as session:
            save_rubric(session, session.get_one(Round, final_id), Rubric.from_dict({
                "name": name, "criteria": [{"key": "impact", "title": "Impact"}]}),
                "beatriz")
        seen = page.ctx.seen_seq
        page.ctx.look_for_news()
        qtbot.waitUntil(lambda: page.ctx.seen_seq != seen, timeout=10_000)
        wait_idle(qtbot, page.ctx)  # the editor rereads the round
        assert "beatriz" in page.news_label.text()

    try:
        # Reread with nothing changed (any announcement rereads): the edits stay, silently.
        editor.name_edit.setText("Final, mine")
        page.ctx.changed.emit("*")
        wait_idle(qtbot, page.ctx)
        assert editor.name_edit.text() == "Final, mine" and editor.unsaved
        assert editor.elsewhere.isHidden()

        # Changed elsewhere: the edits stay, and the screen says so; saving replaces it.
        theirs("Final, theirs")
        assert editor.name_edit.text() == "Final, mine" and editor.unsaved
        assert not editor.elsewhere.isHidden()
        assert "“Final” was changed elsewhere" in editor.elsewhere_text.text()
        editor.save()
        wait_idle(qtbot, page.ctx)
        assert _rubric_name(page, final_id) == "Final, mine" and not editor.unsaved
        assert editor.elsewhere.isHidden() and editor.name_edit.text() == "Final, mine"

        # Or the person discards their edits and sees the other version.
        editor.name_edit.setText("Final, mine again")
        theirs("Final, theirs again")
        assert not editor.elsewhere.isHidden()
        editor.discard_edits()
        wait_idle(qtbot, page.ctx)
        assert editor.name_edit.text() == "Final, theirs again" and not editor.unsaved
        assert editor.elsewhere.isHidden() and errors == []
    finally:
        beatriz.close()


def test_undoing_the_shortlist_that_made_the_round_takes_its_edits_without_asking(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    """Ctrl+Z on a shortlist deletes the round it made: the edits to its rubric go with it
    (there is no round left to save them into, or to stay on), and the status line says so."""
    page, errors = make_page(demo / "program")
    first_id = page.ctx.round_id
    shortlist(qtbot, page, "Final", 3)
    editor = page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    asked: list[Any] = []
    editor.ask_unsaved = lambda *question: asked.append(question) or STAY
    editor.name_edit.setText("Final, not saved")
    page.undo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert asked == [] and errors == []
    assert page.ctx.round_id == first_id and page.round_box.currentData() == first_id
    assert editor.name_edit.text() == _rubric_name(page, first_id) and not editor.unsaved
    assert "“Final” was deleted" in editor.status.text()
