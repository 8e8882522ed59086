"""Issue 14, the judge's path in the field: each item a volunteer judge ran into, driven
as a judge would (keyboard first), under the offscreen platform."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from judgepanel.crypto.identity import Identity
from judgepanel.formats.identity_file import read_identity_file
from judgepanel.formats.keystore import IdentityStore
from judgepanel.formats.results.file import read_results
from judgepanel.ui import appearance
from judgepanel.ui.judge.exporting import export_file_name
from judgepanel.ui.judge.my_identity import ExportIdentityDialog, MyIdentityDialog
from judgepanel.ui.judge.opening import ask_to_continue
from judgepanel.ui.judge.sheet_dialog import ChangesDialog
from judgepanel.ui.judge.unable_dialog import UnableDialog
from judgepanel.ui.judge.unlock import UnlockDialog
from judgepanel.ui.tasks import TaskRunner
from tests.ui.judge.conftest import Program, build_bundle, make_window
from tests.ui.judge.test_judge_flow import (
    WAIT,
    complete,
    declare,
    open_bundle,
    page_of,
    score_all,
)

# --- 2. a first start without a bundle: My identity -----------------------------------------


def test_my_identity_from_the_menu_with_no_bundle(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    titles = [a.text() for a in window.menuBar().actions()]
    assert "My &identity" in titles and "&View" in titles
    assert window.identity_action.text() == "My &identity…"
    assert window.start_page.identity_button.accessibleName() == "My identity"
    store = IdentityStore(tmp_path / "ids", work_factor=10)
    saved = tmp_path / "docs"
    saved.mkdir()
    runner = TaskRunner()

    def drive(dialog: QDialog) -> int:  # the unlock dialog's create page, by keyboard
        assert isinstance(dialog, UnlockDialog)
        assert dialog.windowTitle() == "Create your identity"  # not "Unlock" (item 11)
        assert dialog.default_button() is dialog.create_button
        dialog.name.setText("Ana Judge")
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)  # Enter creates (item 3)
        qtbot.waitUntil(lambda: dialog.identity is not None, timeout=WAIT)
        assert dialog.windowTitle() == "Your identity is ready"
        assert dialog.default_button() is dialog.done_button
        return 1

    dialog = MyIdentityDialog(store, runner, window, run_dialog=drive,
                              ask_card=lambda _w, suggested: str(saved / Path(suggested).name),
                              ask_backup=lambda _w, s: str(tmp_path / "backup"))
    qtbot.addWidget(dialog)
    assert dialog.pages.currentWidget() is dialog.none_page
    assert dialog.default_button() is dialog.create_button
    dialog.create_identity()
    assert dialog.pages.currentWidget() is dialog.show_page
    card = dialog.card_panel.card
    assert card is not None and card.name == "Ana Judge"
    assert dialog.card_panel.fingerprint.text() == card.fingerprint
    assert dialog.card_panel.fingerprint.font().pointSizeF() > dialog.font().pointSizeF()
    assert dialog.default_button() is dialog.card_panel.save_button
    dialog.card_panel.save()
    written = saved / "ana-judge-card.jpcard"
    assert written.is_file() and str(written) in dialog.card_panel.status.text()
    dialog.card_panel.copy()
    assert card.fingerprint in QGuiApplication.clipboard().text()
    assert "clipboard" in dialog.card_panel.status.text()

    exported: list[ExportIdentityDialog] = []

    def backup(export: QDialog) -> int:
        assert isinstance(export, ExportIdentityDialog)
        exported.append(export)
        assert export.default_button() is export.export_button
        export.new.first.setText("abc")
        export.export()
        assert "too short" in export.error.text()  # item 3: a minimum strength
        export.new.first.setText("velvet harbour pencil")
        export.new.repeat.setText("velvet harbour pencil")
        export.export()
        qtbot.waitUntil(lambda: export.written is not None, timeout=WAIT)
        return 1

    dialog.run_dialog = backup
    dialog.export_file()
    file = tmp_path / "backup.identity.age"
    assert file.is_file() and str(file) in dialog.message.text()
    assert read_identity_file(file, passphrase="velvet harbour pencil").fingerprint == \
        card.fingerprint
    runner.close(WAIT)


# --- 3. Enter and focus ---------------------------------------------------------------------


def test_after_a_wrong_passphrase_focus_is_on_the_passphrase(qtbot, tmp_path: Path) -> None:
    store = IdentityStore(tmp_path / "ids", work_factor=10)
    store.create("Ana Judge", "judge", passphrase="lantern orchard ribbon")
    runner = TaskRunner()
    dialog = UnlockDialog(store, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Unlock your identity"
    assert dialog.default_button() is dialog.unlock_button
    dialog.passphrase.setText("wrong")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Wrong passphrase" in dialog.error.text(), timeout=WAIT)
    assert QApplication.focusWidget() is dialog.passphrase  # not "Create a new identity…"
    assert dialog.passphrase.selectedText() == "wrong"
    assert dialog.default_button() is dialog.unlock_button
    runner.close(WAIT)


def test_a_weak_passphrase_is_refused_with_a_plain_hint(qtbot, tmp_path: Path) -> None:
    from keyring.backends import fail

    store = IdentityStore(tmp_path / "ids", backend=fail.Keyring(), work_factor=10)
    runner = TaskRunner()
    dialog = UnlockDialog(store, runner)
    qtbot.addWidget(dialog)
    dialog.name.setText("Ana Judge")
    dialog.new_passphrase.first.setText("abc")  # a 3-character one was accepted before
    dialog.create_identity()
    assert "too short" in dialog.error.text() and store.list() == []
    assert "at least 10" in dialog.new_passphrase.hint.text()
    dialog.new_passphrase.first.setText("password1234")
    assert "easy to guess" in dialog.new_passphrase.hint.text()
    dialog.new_passphrase.first.setText("lantern orchard ribbon")
    dialog.new_passphrase.repeat.setText("lantern orchard ribbon")
    assert "Strong enough" in dialog.new_passphrase.hint.text()
    dialog.create_identity()
    qtbot.waitUntil(lambda: dialog.identity is not None, timeout=WAIT)
    runner.close(WAIT)


def test_every_dialog_presses_the_right_button_on_enter(qtbot, tmp_path: Path) -> None:
    """The default button of each dialog matches what the person is doing there."""
    store = IdentityStore(tmp_path / "ids", work_factor=10)
    store.create("Ana Judge", "judge")
    runner = TaskRunner()
    unlock = UnlockDialog(store, runner)
    qtbot.addWidget(unlock)
    expected = {unlock.choose_page: unlock.unlock_button,
                unlock.create_page: unlock.create_button,
                unlock.card_page: unlock.done_button,
                unlock.import_page: unlock.import_button}
    for page, button in expected.items():
        unlock.pages.setCurrentWidget(page)
        assert unlock.default_button() is button, page
        others = [b for b in page.findChildren(type(button)) if b is not button]
        assert not any(b.isDefault() or b.autoDefault() for b in others)
    mine = MyIdentityDialog(store, runner)
    qtbot.addWidget(mine)
    assert mine.default_button() is mine.card_panel.save_button
    unable = UnableDialog("Youth Voices Radio")
    qtbot.addWidget(unable)
    assert unable.default_button() is unable.save and not unable.save.isEnabled()
    unable.reason.setText("Outside my field")
    assert unable.save.isEnabled()
    own = SimpleNamespace(  # what the "Your results file" box reads of an OwnResults
        path=tmp_path / "x.jpresults", created=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        work_file=False, content=SimpleNamespace(program=SimpleNamespace(name="P"),
                                round=SimpleNamespace(name="R"), sequence=2))

    def press_enter() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press_enter)
            return
        assert box.defaultButton() is not None
        assert "Continue" in box.defaultButton().text()
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, press_enter)
    assert ask_to_continue(mine, own) is True  # type: ignore[arg-type]
    apply = ChangesDialog("t", "i", ["a"], "&Apply")
    keep = ChangesDialog("t", "i", ["a"], "&Replace", default_apply=False)
    info = ChangesDialog("t", "i", [], None)
    for dialog in (apply, keep, info):
        qtbot.addWidget(dialog)
    assert apply.default_button() is apply.apply_button
    assert keep.default_button() is keep.cancel  # replacing work here is not the default
    assert info.default_button() is info.cancel
    runner.close(WAIT)


# --- 4. focus follows the application; 7. declarations by keyboard --------------------------


def test_declarations_by_keyboard_then_the_next_step(qtbot, tmp_path: Path,
                                                     program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    window.judge.show_judging()
    window.activateWindow()
    declarations = page.declarations
    assert "&conflict" in declarations.conflict.text()  # Alt+C, not the Help menu's Alt+H
    assert "&H" not in declarations.conflict.text()
    for app_id in program.app_ids:
        page._select_in(declarations.list, app_id)
        assert declarations.reference.text() == app_id  # titles can repeat; references not
        declarations.no_conflict.setFocus()
        qtbot.keyClick(declarations.no_conflict, Qt.Key.Key_Return)  # Enter on the choice
        assert page.session.declaration(app_id) is not None
    assert declarations.done_box.isVisibleTo(declarations)
    assert "Now read and score" in declarations.done_text.text()
    qtbot.keyClick(declarations.next_step, Qt.Key.Key_Return)
    assert page.tabs.currentWidget() is page.reading
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.panel.editors[0].score,
                    timeout=WAIT)
    assert page.app_view.subtitle.text().split(" · ")[0] == page.current


def test_the_next_application_starts_at_its_first_unscored_criterion(
        qtbot, tmp_path: Path, program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    window.judge.show_judging()
    window.activateWindow()
    for app_id in program.app_ids:
        declare(page, app_id, False)
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-2")
    page.session.set_score("A-2", "impact", 3)
    page.session.set_score("A-2", "participation", 3)
    page._select_in(page.app_list, "A-1")
    page.panel.note.setFocus()  # the judge ended in Private notes
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.panel.note, timeout=WAIT)
    qtbot.keyClick(page.panel.note, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert page.current == "A-2"
    third = page.panel.editors[2]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is third.score, timeout=WAIT)
    assert third.property("current") is True  # the row being scored is marked
    qtbot.keyClick(third.score, Qt.Key.Key_4)  # goes to the score, not into the notes
    assert page.session.review("A-2").scores["innovation"] == 4
    assert page.session.review("A-2").private_note == ""
    qtbot.keyClick(third.score, Qt.Key.Key_7)  # not on a 1-5 scale: a gentle sign
    assert page.panel.notice.isVisibleTo(page.panel)
    assert "7 is not a score" in page.panel.notice.text()
    assert page.session.review("A-2").scores["innovation"] == 4
    qtbot.keyClick(third.score, Qt.Key.Key_Home, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is page.panel.editors[0].score


def test_a_required_comment_stops_looking_missing_once_given(qtbot, tmp_path: Path,
                                                             program: Program) -> None:
    from judgepanel.ui.judge.look import warning

    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    declare(page, "A-1", False)
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-1")
    editor = next(e for e in page.panel.editors
                  if any(e.criterion.comment.requires_comment(v)
                         for v in e.criterion.valid_scores()))
    low = next(v for v in editor.criterion.valid_scores()
               if editor.criterion.comment.requires_comment(v))
    editor.score._choose(low)
    assert warning(editor) in editor.comment_label.text()
    editor.comment.setPlainText("The evidence is thin.")
    assert warning(editor) not in editor.comment_label.text()
    assert "✓" in editor.comment_label.text()


# --- 8. unable to review --------------------------------------------------------------------


def test_unable_to_review_from_the_scoring_panel(qtbot, tmp_path: Path,
                                                 program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    declare(page, "A-1", False)
    score_all(page, "A-1")
    declare(page, "A-2", False)
    declare(page, "A-3", False)
    score_all(page, "A-3")
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-2")
    page.ask_reason = lambda _w, title: f"Outside my field ({title})"
    page.panel.unable_button.click()
    assert page.session.review("A-2").unable_reason.startswith("Outside my field")
    assert page.panel.unable_box.isVisibleTo(page.panel) and not page.panel.form.isEnabled()
    assert page.session.problems() == []  # it counts as done
    page.export()
    qtbot.waitUntil(lambda: bool(page.session.exports()), timeout=WAIT)
    content = read_results(tmp_path / "out.jpresults", [program.staff]).content
    assert [u.application_id for u in content.unable_to_review] == ["A-2"]
    page.panel.unable_undo.click()
    assert not page.session.review("A-2").unable and page.session.problems()


# --- 9. layout ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_the_scoring_panel_fits_without_sideways_scrolling(qtbot, tmp_path: Path,
                                                           program: Program,
                                                           size: tuple[int, int]) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    window.resize(*size)
    page = page_of(window)
    window.judge.show_judging()
    declare(page, "A-1", False)
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-1")
    qtbot.waitUntil(lambda: page.panel.viewport().width() > 0, timeout=WAIT)
    QApplication.processEvents()
    panel = page.panel
    assert panel.horizontalScrollBar().maximum() == 0 or panel.horizontalScrollBarPolicy() \
        == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert panel.widget().width() <= panel.viewport().width()
    for editor in panel.editors:
        last = editor.score.buttons[-1] if editor.score.buttons else editor.score
        right = last.mapTo(panel.viewport(), last.rect().topRight()).x()
        assert right <= panel.viewport().width(), (editor.criterion.key, size)
    page.app_view.open_attachment("budget.pdf")
    qtbot.waitUntil(lambda: not page.app_view.is_loading(), timeout=WAIT)
    sizes = page.app_view.splitter.sizes()
    assert sizes[1] >= sum(sizes) * 0.6  # the reading pane keeps a usable height


def test_splitter_sizes_are_remembered(qtbot, tmp_path: Path, program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    page.reading.setSizes([150, 600, 500])
    page.reading.splitterMoved.emit(150, 1)
    kept = page.reading.sizes()
    window.close()
    again = open_bundle(qtbot, tmp_path / "again", program, settings_dir=tmp_path)
    assert page_of(again).reading.sizes() == kept


# --- 10. appearance -------------------------------------------------------------------------


def test_light_dark_and_system_from_the_menu(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    actions = {a.data(): a for a in window.appearance_group.actions()}
    assert set(actions) == {"system", "light", "dark"}
    assert actions["system"].isChecked()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    try:
        actions["dark"].trigger()
        assert app.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.5
        assert window.settings.value(appearance.APPEARANCE_KEY) == "dark"
        actions["light"].trigger()
        assert app.palette().color(QPalette.ColorRole.Window).lightnessF() > 0.5
        assert appearance.chosen(QSettings(window.settings.fileName(),
                                           QSettings.Format.IniFormat)) == "light"
    finally:
        app.setPalette(before)


# --- 11. smaller things ---------------------------------------------------------------------


def test_export_name_folder_and_score_sheet_choice_are_remembered(qtbot, tmp_path: Path,
                                                                  program: Program) -> None:
    assert export_file_name("Mayors' Recognition 2026", "Ana Judge", 2) == (
        "Results – Mayors' Recognition 2026 – Ana Judge – v2.jpresults")
    assert "/" not in export_file_name("A/B: C?", "D", 1)
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    complete(page, program)
    suggested = Path(page.suggested_export_path())
    assert suggested.name == "Results – Mayors' Recognition 2026 – Ana Judge – v1.jpresults"
    folder = tmp_path / "sent"
    folder.mkdir()
    page.sending.ask_path = lambda _w, s: str(folder / Path(s).name)
    page.submit.with_sheet.setChecked(True)
    page.export(True)
    qtbot.waitUntil(lambda: "Exported version 1" in page.submit.result.text(), timeout=WAIT)
    assert page.suggested_export_path() == str(
        folder / "Results – Mayors' Recognition 2026 – Ana Judge – v2.jpresults")
    assert "Exported version 1" in page.submit.result.text()
    page.session.set_score("A-1", "impact", 1)  # a change after the export ...
    page.session.set_comment("A-1", "impact", "Thin")
    page.refresh_submit()
    assert page.submit.result.text() == ""  # ... leaves no stale "send this file"
    window.close()
    again = open_bundle(qtbot, tmp_path / "2", program, settings_dir=tmp_path)
    assert page_of(again).submit.with_sheet.isChecked()


def test_unscored_rows_sort_last_by_total_both_ways(qtbot, tmp_path: Path,
                                                   program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    declare(page, "A-1", False)
    score_all(page, "A-1", 5)
    declare(page, "A-3", False)
    score_all(page, "A-3", 2)
    page.refresh_overview()
    proxy = page.overview.proxy
    from judgepanel.ui.judge.models import APP_ID_ROLE, OverviewModel

    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        page.overview.table.sortByColumn(OverviewModel.TOTAL, order)
        ids = [proxy.index(r, 0).data(APP_ID_ROLE) for r in range(proxy.rowCount())]
        assert ids[-1] == "A-2", (order, ids)  # unscored: last either way


def test_the_staff_fingerprint_is_reachable_after_continue(qtbot, tmp_path: Path,
                                                           program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    window.judge.show_judging()
    page = page_of(window)
    page.details_button.click()
    info = window.judge.info_page
    assert info is not None and window.pages.currentWidget() is info
    assert info.fingerprint.text() == program.staff.fingerprint
    assert info.continue_button.text() == "&Back to judging"
    qtbot.keyClick(info.continue_button, Qt.Key.Key_Space)
    assert window.pages.currentWidget() is page


def test_the_passphrase_is_asked_once_per_session(qtbot, tmp_path: Path,
                                                  program: Program) -> None:
    window = make_window(qtbot, tmp_path)
    asked: list[int] = []

    def unlock(*_args: Any) -> Identity:
        asked.append(1)
        return program.judge

    window.judge.unlock = unlock
    window.judge.error = lambda _p, _t, message: pytest.fail(message)
    window.show()
    window.judge.open_bundle(str(program.bundle))
    qtbot.waitUntil(lambda: window.judge.page is not None, timeout=WAIT)
    second = build_bundle(tmp_path / "..", program.judge, program.staff, bundle_id="B-ui-9")
    window.judge.open_bundle(str(second))
    qtbot.waitUntil(lambda: window.judge.page is not None
                    and window.judge.page.session.info.bundle_id == "B-ui-9", timeout=WAIT)
    assert asked == [1]


# --- the score sheet in the app -------------------------------------------------------------


def test_export_and_import_a_score_sheet_with_a_preview(qtbot, tmp_path: Path,
                                                       program: Program) -> None:
    import openpyxl

    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    for app_id in program.app_ids:
        declare(page, app_id, False)
    sheet = tmp_path / "sheet.xlsx"
    page.sending.ask_sheet = lambda _w, _s: str(sheet)
    page._export_sheet()
    qtbot.waitUntil(lambda: str(sheet) in page.submit.result.text(), timeout=WAIT)
    book = openpyxl.load_workbook(sheet)
    scores = book["Scores"]
    header = [c.value for c in scores[1]]
    for row in range(3, 3 + len(program.app_ids)):
        for column, name in enumerate(header, start=1):
            if str(name).startswith("Score:"):
                scores.cell(row, column, 1 if "compendium" in str(name) else 4)
            elif str(name).startswith("Comment for the panel:"):
                scores.cell(row, column, "Solid evidence.")
    book.save(sheet)
    previews: list[ChangesDialog] = []

    def apply(dialog: QDialog) -> int:
        assert isinstance(dialog, ChangesDialog)
        previews.append(dialog)
        assert dialog.default_button() is dialog.apply_button
        return int(QDialog.DialogCode.Accepted)

    page.sending.ask_sheet_file = lambda _w, _f: str(sheet)
    page.sending.run_dialog = apply
    page._import_sheet()
    qtbot.waitUntil(lambda: bool(previews), timeout=WAIT)
    assert previews[0].lines.count() > 0
    qtbot.waitUntil(lambda: "saved" in page.submit.result.text(), timeout=WAIT)
    assert page.session.problems() == []
