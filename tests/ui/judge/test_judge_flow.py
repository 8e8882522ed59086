"""The judge's path through the app, driven as a judge would: open, declare, score, send."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from judgepanel.crypto.identity import Identity
from judgepanel.formats.results.file import read_results
from judgepanel.ui.judge.judge_page import JudgePage
from judgepanel.ui.main_window import MainWindow
from tests.ui.judge.conftest import Program, build_bundle, make_window

WAIT = 10_000


def open_bundle(qtbot, tmp_path: Path, program: Program, *, identity: Identity | None = None,
                settings_dir: Path | None = None) -> MainWindow:
    window = make_window(qtbot, settings_dir or tmp_path)
    errors: list[str] = []
    window.judge.error = lambda _parent, _title, message: errors.append(message)
    window.judge.ask_path = lambda _parent, suggested: str(tmp_path / "out.jpresults")
    window.show()
    qtbot.waitExposed(window)
    window.judge.open_with(str(program.bundle), identity or program.judge)
    qtbot.waitUntil(lambda: window.judge.page is not None or bool(errors), timeout=WAIT)
    window.errors = errors  # type: ignore[attr-defined]
    return window


def page_of(window: MainWindow) -> JudgePage:
    assert window.judge.page is not None
    return window.judge.page


def declare(page: JudgePage, app_id: str, conflict: bool, reason: str = "") -> None:
    page.tabs.setCurrentWidget(page.declarations)
    page._select_in(page.declarations.list, app_id)
    (page.declarations.conflict if conflict else page.declarations.no_conflict).setChecked(True)
    page.declarations.reason.setText(reason)
    page.declarations.save()


def score_all(page: JudgePage, app_id: str, value: float = 4) -> None:
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, app_id)
    for editor in page.panel.editors:
        top = editor.criterion.valid_scores()[-1]
        editor.score._choose(min(value, top))
        if editor.comment_required():
            editor.comment.setPlainText("Because the evidence is convincing.")
    page.autosaver.flush()


def complete(page: JudgePage, program: Program) -> None:
    for app_id in program.app_ids:
        declare(page, app_id, False)
        score_all(page, app_id)


def test_bundle_facts_come_first_with_the_staff_fingerprint(qtbot, tmp_path: Path,
                                                            program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    info = window.judge.info_page
    assert info is not None and window.pages.currentWidget() is info
    assert info.fingerprint.text() == program.staff.fingerprint
    assert info.first_key.isVisibleTo(info)  # the first bundle: the key is pinned now
    assert info.program.text() == "Mayors' Recognition 2026"
    assert info.judge.text() == "Ana Judge"
    assert info.due.text().startswith("2026-04-01")
    assert window.windowTitle() == "Mayors' Recognition 2026 — First round — Ana Judge"
    qtbot.keyClick(info.continue_button, Qt.Key.Key_Space)
    page = page_of(window)
    assert window.pages.currentWidget() is page
    assert page.tabs.currentWidget() is page.declarations


def test_a_bundle_for_another_judge_is_refused_in_plain_words(qtbot, tmp_path: Path,
                                                              program: Program) -> None:
    stranger = Identity.generate("Someone Else", "judge")
    window = open_bundle(qtbot, tmp_path, program, identity=stranger)
    assert window.judge.page is None
    assert "made for another judge" in window.errors[0]  # type: ignore[attr-defined]


def test_content_stays_closed_until_declared_and_a_conflict_locks_scoring(
        qtbot, tmp_path: Path, program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-1")
    assert not page.panel.form.isEnabled()
    assert "Declare first" in page.app_view.fields.toPlainText()
    assert "Hate incidents" not in page.app_view.fields.toPlainText()

    declare(page, "A-2", True, "")  # a conflict needs a reason
    assert "why you have a conflict" in page.declarations.status.text()
    assert page.session.declaration("A-2") is None
    declare(page, "A-2", True, "I advise this council")
    assert page.session.declaration("A-2").conflict
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-2")
    assert page.current == "A-2"
    assert not page.panel.form.isEnabled()
    assert "conflict of interest" in page.app_view.fields.toPlainText()

    declare(page, "A-1", False)
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-1")
    assert page.panel.form.isEnabled()
    text = page.app_view.fields.toPlainText()
    assert "Hate incidents rose in Springfield." in text
    assert "<script>" in text  # shown as text, never run as markup
    assert "<script>" not in page.app_view.fields.toHtml().replace("&lt;script&gt;", "")


def test_score_with_the_keyboard(qtbot, tmp_path: Path, program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    window.judge.show_judging()
    for app_id in program.app_ids:
        declare(page, app_id, False)
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-1")
    window.activateWindow()
    page.panel.focus_criterion(0)
    first = page.panel.editors[0].score
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first, timeout=WAIT)
    qtbot.keyClick(first, Qt.Key.Key_4)
    assert page.session.review("A-1").scores["impact"] == 4
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    second = page.panel.editors[1].score
    assert QApplication.focusWidget() is second
    qtbot.keyClick(second, Qt.Key.Key_2)
    qtbot.keyClick(second, Qt.Key.Key_Right)  # 2 -> 3
    assert page.session.review("A-1").scores["participation"] == 3
    assert "Saved" in page.saved_label.text()
    qtbot.keyClick(second, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert page.current == "A-2"
    qtbot.keyClick(QApplication.focusWidget() or page, Qt.Key.Key_Left,
                   Qt.KeyboardModifier.AltModifier)
    assert page.current == "A-1"
    assert page.panel.values()["impact"] == 4


def test_autosave_survives_a_restart(qtbot, tmp_path: Path, program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    declare(page, "A-1", False)
    declare(page, "A-3", False)
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-3")
    page.panel.editors[0].score._choose(2.0)
    comment = page.panel.editors[0].comment
    comment.setFocus()
    qtbot.keyClicks(comment, "Only one event so far")
    page.panel.note.setPlainText("ask about the budget")
    qtbot.waitUntil(lambda: "Saved" in page.saved_label.text()
                    and not page.autosaver.has_pending(), timeout=WAIT)
    window.close()

    again = open_bundle(qtbot, tmp_path / "second", program, settings_dir=tmp_path)
    page2 = page_of(again)
    assert again.pages.currentWidget() is page2  # not the first time: straight back to work
    assert page2.current == "A-3"
    assert page2.tabs.currentWidget() is page2.reading
    assert page2.panel.values()["impact"] == 2
    assert page2.panel.editors[0].comment.toPlainText() == "Only one event so far"
    assert page2.panel.note.toPlainText() == "ask about the budget"


def test_submit_check_links_to_each_problem_then_exports(qtbot, tmp_path: Path,
                                                         program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    declare(page, "A-1", False)
    declare(page, "A-2", True, "My sister runs it")
    page.tabs.setCurrentWidget(page.submit)
    model = page.submit.problems_model
    assert not page.submit.export_button.isEnabled()
    messages = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert any("Youth Voices Radio" in m and "conflict" in m for m in messages)
    assert any("Impact on the community" in m for m in messages)
    # The first scoring problem leads to its application and criterion.
    row = next(r for r, m in enumerate(messages) if "Innovation" in m)
    page.submit.problems.activated.emit(model.index(row, 0))
    assert page.tabs.currentWidget() is page.reading and page.current == "A-1"
    assert page.panel.current_index() == 2
    # The undeclared one leads to the declarations.
    page.tabs.setCurrentWidget(page.submit)
    row = next(r for r in range(model.rowCount()) if model.problem(r).application_id == "A-3")
    page.submit.problems.activated.emit(model.index(row, 0))
    assert page.tabs.currentWidget() is page.declarations
    assert page.declarations.current_app() == "A-3"

    declare(page, "A-3", False)
    score_all(page, "A-1", 4)
    page.panel.note.setPlainText("secret-note-xyz")
    score_all(page, "A-3", 2)
    page.tabs.setCurrentWidget(page.submit)
    assert model.rowCount() == 0 and page.submit.export_button.isEnabled()
    page.submit.export_button.click()
    qtbot.waitUntil(lambda: page.submit.exports_model.rowCount() == 1, timeout=WAIT)
    out = tmp_path / "out.jpresults"
    results = read_results(out, [program.staff])
    results.verify_signature(program.judge.public_key)
    assert results.sequence == 1
    reviewed = {r["application_id"] for r in results.document["reviews"]}
    assert reviewed == {"A-1", "A-3"}
    assert "secret-note-xyz" not in json.dumps(results.document)  # private notes stay here

    # A later change is allowed and makes version 2.
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-1")
    page.panel.editors[2].score._choose(5.0)
    page.tabs.setCurrentWidget(page.submit)
    assert "changed things" in page.submit.explain.text()
    page.submit.export_button.click()
    qtbot.waitUntil(lambda: page.submit.exports_model.rowCount() == 2, timeout=WAIT)
    assert read_results(out, [program.staff]).sequence == 2
    assert "version 2" in page.submit.result.text()


def test_overview_is_sortable_and_charts_the_judges_scores(qtbot, tmp_path: Path,
                                                           program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    for app_id in program.app_ids:
        declare(page, app_id, False)
    score_all(page, "A-1", 4)
    score_all(page, "A-3", 2)
    page.tabs.setCurrentWidget(page.overview)
    table = page.overview.table
    table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    proxy = page.overview.proxy
    first = proxy.index(0, 0).data()
    assert first == "Neighbours Against Hate"
    assert proxy.index(0, 4).data() == "75.0"
    counts = page.overview.chart.counts
    assert counts["impact"][4.0] == 1 and counts["impact"][2.0] == 1
    assert "3 declared" in page.overview.summary.text()


def test_attachments_show_inline_from_memory(qtbot, tmp_path: Path, program: Program) -> None:
    import PySide6.QtPdf  # noqa: F401  (a dependency: a missing module must fail here)
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    declare(page, "A-1", False)
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-1")
    view = page.app_view
    view.open_attachment("budget.pdf")
    qtbot.waitUntil(lambda: view.viewer.currentWidget() is view.pdf, timeout=WAIT)
    assert view.pdf is not None and view.pdf.document.pageCount() == 1
    view.open_attachment("photo.png")
    qtbot.waitUntil(lambda: view.viewer.currentWidget() is view.image_scroll, timeout=WAIT)
    assert not view.image.pixmap().isNull()
    before = set(tmp_path.rglob("*"))
    view.open_attachment("budget.pdf")
    qtbot.waitUntil(lambda: view.viewer.currentWidget() is view.pdf, timeout=WAIT)
    assert set(tmp_path.rglob("*")) == before  # nothing decrypted lands on disk


def test_a_large_bundle_opens_and_switches(qtbot, tmp_path: Path, people) -> None:
    judge, staff = people
    path = build_bundle(tmp_path, judge, staff, count=60, bundle_id="B-big")
    program = Program(path, judge, staff, "B-big", [f"A-{i + 1}" for i in range(60)])
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    page.tabs.setCurrentWidget(page.reading)
    for _ in range(5):
        page.step_application(1)
    assert page.current == "A-6"


def test_opening_a_path_routes_through_unlock(qtbot, tmp_path: Path, program: Program) -> None:
    """What `judgepanel open FILE`, the recent list and drag and drop all call."""
    window = make_window(qtbot, tmp_path)
    asked: list[object] = []
    window.judge.unlock = lambda _parent, _store, _runner, opening: (
        asked.append(opening) or program.judge)
    window.open_path(str(program.bundle))
    qtbot.waitUntil(lambda: window.judge.page is not None, timeout=WAIT)
    assert asked == [str(program.bundle)]  # an identity file is looked for beside it
    assert window.recent_files()[0] == str(program.bundle)
