"""Two texts per review in the judge's scoring panel (issue #18): every box says who will
read it, is reachable by keyboard with an accessible name, fits 1024 x 700 in light and
dark, and missing required feedback shows in the missing-items list like a comment."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from judgepanel.ui import appearance
from judgepanel.ui.judge.judge_page import JudgePage
from judgepanel.ui.judge.look import muted
from tests.ui.judge.conftest import RUBRIC, Program, build_bundle
from tests.ui.judge.test_judge_flow import WAIT, declare, open_bundle, page_of

PANEL_ONLY = "For the panel only: never shown to the applicant"
FOR_APPLICANT = "For the applicant: may be sent to them"
STRICT = RUBRIC.read_text(encoding="utf-8").replace(
    'key = "impact"', 'key = "impact"\napplicant_feedback = { below = 3 }').replace(
    'tie_break = "impact"', 'tie_break = "impact"\noverall_feedback = "required"')


def _page(qtbot, tmp_path: Path, program: Program) -> JudgePage:  # type: ignore[no-untyped-def]
    strict = build_bundle(tmp_path, program.judge, program.staff, bundle_id="B-ui-fb",
                          rubric_toml=STRICT)
    window = open_bundle(qtbot, tmp_path, Program(strict, program.judge, program.staff,
                                                  "B-ui-fb", program.app_ids))
    page = page_of(window)
    window.judge.show_judging()
    window.activateWindow()
    declare(page, "A-1", False)
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-1")
    return page


def test_each_box_says_who_will_read_it(qtbot, tmp_path: Path, program: Program) -> None:
    page = _page(qtbot, tmp_path, program)
    editor = page.panel.editor("impact")
    assert PANEL_ONLY in editor.comment_label.text()
    assert FOR_APPLICANT in editor.feedback_label.text()
    assert PANEL_ONLY not in editor.feedback_label.text()
    assert editor.comment.accessibleName() == "Comment for the panel on “Impact on the community”"
    assert editor.feedback.accessibleName() == (
        "Feedback for the applicant on “Impact on the community”")
    assert editor.feedback.accessibleDescription().startswith(FOR_APPLICANT)
    assert editor.comment_label.buddy() is editor.comment
    assert editor.feedback_label.buddy() is editor.feedback
    panel = page.panel
    assert PANEL_ONLY in panel.overall_box.label.text()
    assert FOR_APPLICANT in panel.overall_feedback_box.label.text()
    assert "(required)" in panel.overall_feedback_box.label.text()  # the rubric asks for it
    assert panel.overall_feedback.accessibleName() == "Overall feedback for the applicant"


def test_the_keyboard_reaches_both_texts_and_they_are_saved_apart(
        qtbot, tmp_path: Path, program: Program) -> None:
    page = _page(qtbot, tmp_path, program)
    editor = page.panel.editor("impact")
    editor.comment.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.comment, timeout=WAIT)
    qtbot.keyClicks(editor.comment, "Thin evidence, panel only.")
    qtbot.keyClick(editor.comment, Qt.Key.Key_Tab)  # Tab leaves the box: the next one
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.feedback, timeout=WAIT)
    qtbot.keyClicks(editor.feedback, "Show us who benefits.")
    page.panel.overall_feedback.setPlainText("A promising start.")
    page.autosaver.flush()
    review = page.session.review("A-1")
    assert review.comments["impact"] == "Thin evidence, panel only."
    assert review.feedback["impact"] == "Show us who benefits."
    assert review.overall_feedback == "A promising start." and review.overall_comment == ""


def test_missing_required_feedback_is_listed_and_leads_to_its_box(
        qtbot, tmp_path: Path, program: Program) -> None:
    page = _page(qtbot, tmp_path, program)
    for editor in page.panel.editors:
        top = editor.criterion.valid_scores()[-1]
        editor.score._choose(2 if editor.criterion.key == "impact" else min(4, top))
        if editor.comment_required():
            editor.comment.setPlainText("For the panel: little evidence.")
    page.autosaver.flush()
    impact = page.panel.editor("impact")
    assert "(required)" in impact.feedback_label.text()
    page.tabs.setCurrentWidget(page.submit)
    page.refresh_submit()
    model = page.submit.problems_model
    messages = [model.problem(row).message for row in range(model.rowCount())]
    assert any("Impact on the community" in m and "feedback for the applicant is required "
               "for scores below 3" in m for m in messages)
    assert any("overall feedback for the applicant is required" in m for m in messages)
    row = next(r for r, m in enumerate(messages) if "feedback for the applicant is required "
               "for scores below 3" in m)
    page.go_to(model.problem(row).application_id, model.problem(row).criterion)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is impact.feedback, timeout=WAIT)
    overall = next(r for r, m in enumerate(messages) if "overall feedback" in m)
    page.go_to(model.problem(overall).application_id, model.problem(overall).criterion)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.panel.overall_feedback,
                    timeout=WAIT)
    impact.feedback.setPlainText("Tell us more about who benefits.")
    page.panel.overall_feedback.setPlainText("Thank you.")
    page.autosaver.flush()
    assert [p.kind for p in page.session.problems() if p.application_id == "A-1"] == []


def test_the_boxes_fit_1024_by_700_in_light_and_dark(qtbot, tmp_path: Path,
                                                     program: Program) -> None:
    page = _page(qtbot, tmp_path, program)
    window = page.window()
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=WAIT)
    assert page.panel.isVisible()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    seen = []
    for scheme in ("light", "dark"):
        appearance.apply(app, scheme)
        qtbot.wait(50)
        editor = page.panel.editor("impact")
        viewport = page.panel.viewport().width()
        for box in (editor.comment, editor.feedback, page.panel.overall_feedback):
            assert 0 < box.width() <= viewport
        label = editor.feedback_label.text()
        # The "who reads it" line is drawn in the palette's muted colour: recoloured.
        assert FOR_APPLICANT in label and muted(editor) in label
        assert muted(page.panel) in page.panel.overall_feedback_box.label.text()
        seen.append(muted(editor))
    assert seen[0] != seen[1]
    appearance.apply(app, "light")
