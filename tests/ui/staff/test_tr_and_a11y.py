"""Every word on the staff screens goes through tr(), every control has a name, and the
keyboard alone reaches each screen's controls.

The rule for "words": a marking translator wraps every translated text in ⟦ ⟧; a visible
text passes when, once the marked parts, HTML markup and the workspace's own data (names,
titles, references, fingerprints, …) are taken out, no letter is left.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from sqlalchemy import select

from judgepanel.model.staff.schema.program import Application, Category, Judge, Program, Round
from judgepanel.ui.staff.bundles import BundlesScreen
from judgepanel.ui.staff.page import StaffPage
from judgepanel.ui.staff.rubric_editor.preview import preview_html
from judgepanel.ui.staff.rubric_editor.screen import RubricScreen
from tests.ui.staff.conftest import wait_idle

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox,
               QPlainTextEdit, QTextEdit)
# Parts of a composite control (a table's headers and corner, a spin box's editor, a combo
# box's popup): the control itself carries the name and the focus.
COMPOSITES = (QAbstractItemView, QComboBox, QAbstractSpinBox)


class Marking(QTranslator):
    """Wraps every translated text in ⟦ ⟧, so untranslated words stand out."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str:
        return f"⟦{source}⟧"

    def isEmpty(self) -> bool:  # noqa: N802 (Qt override)
        return False


@pytest.fixture
def marking() -> Iterator[Marking]:
    translator = Marking()
    QCoreApplication.installTranslator(translator)
    try:
        yield translator
    finally:
        QCoreApplication.removeTranslator(translator)


def workspace_data(page: StaffPage) -> list[str]:
    """Texts that come from the workspace, longest first (so a title goes before a word)."""
    with page.workspace.session() as session:
        values: set[str] = set()
        for program in session.scalars(select(Program)):
            values |= {program.name, program.description}
        values |= set(session.scalars(select(Category.name)))
        values |= set(session.scalars(select(Round.name)))
        for judge in session.scalars(select(Judge)):
            values |= {judge.name, judge.fingerprint, judge.organisation, judge.city}
            values |= set(judge.name.split()[:1])  # the assignment grid shows first names
        for app in session.scalars(select(Application)):
            values |= {app.ref, app.title, app.organisation, app.city}
    rubric, bundles = page.screens["rubric"], page.screens["bundles"]
    assert isinstance(rubric, RubricScreen) and isinstance(bundles, BundlesScreen)
    for criterion in rubric.model.criteria:
        values |= {criterion["key"], criterion["title"]}
    values |= {bundles.folder.text()}
    return sorted((v for v in values if v and v.strip()), key=len, reverse=True)


def unmarked(text: str, data: list[str]) -> str:
    """What is left of a text once translated parts, markup and workspace data are gone."""
    rest = re.sub(r"⟦.*?⟧", " ", text, flags=re.DOTALL)
    rest = html.unescape(re.sub(r"<[^>]*>", " ", rest))
    for value in data:
        rest = rest.replace(value, " ")
    return " ".join(rest.split()) if any(ch.isalpha() for ch in rest) else ""


def inside_composite(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, COMPOSITES):
            return True
        parent = parent.parentWidget()
    return False


def visible_texts(top: QWidget, page: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every word a person can see on ``top``."""
    for label in top.findChildren(QLabel):
        if label.isVisibleTo(page):
            yield "label", label.text()
    for button in top.findChildren(QAbstractButton):
        if button.isVisibleTo(page) and not inside_composite(button, top):
            yield "button", button.text()
    for box in top.findChildren(QGroupBox):
        if box.isVisibleTo(page):
            yield "group", box.title()
    for edit in top.findChildren(QLineEdit) + top.findChildren(QPlainTextEdit):
        if edit.isVisibleTo(page):
            yield "placeholder", edit.placeholderText()
    for combo in top.findChildren(QComboBox):
        if combo.isVisibleTo(page):
            for i in range(combo.count()):
                yield "choice", combo.itemText(i)
    for view in top.findChildren(QAbstractItemView):
        model = view.model()
        if not view.isVisibleTo(page) or inside_composite(view, top) or model is None:
            continue
        header = getattr(view, "horizontalHeader", None)
        if header is not None and not header().isHidden():
            for section in range(model.columnCount()):
                title = model.headerData(section, Qt.Orientation.Horizontal)
                yield "column", "" if title is None else str(title)


def interactive(top: QWidget, page: QWidget) -> list[QWidget]:
    return [w for w in top.findChildren(QWidget) if isinstance(w, INTERACTIVE)
            and w.isVisibleTo(page) and not inside_composite(w, top)]


def nameless(widget: QWidget, buddies: set[int]) -> bool:
    """True when a screen reader would have nothing to call this control."""
    own = widget.accessibleName() or (
        widget.text().replace("&", "") if isinstance(widget, QAbstractButton) else "")
    if not own.strip() and id(widget) not in buddies:
        return True
    face = QAccessible.queryAccessibleInterface(widget)
    return face is None or not face.text(QAccessible.Text.Name).strip()


def buddies_of(top: QWidget) -> set[int]:
    return {id(label.buddy()) for label in top.findChildren(QLabel)
            if label.buddy() is not None and label.text().strip()}


def open_demo(demo: Path, make_page: Any, qtbot: Any) -> Any:
    page, errors = make_page(demo / "program")
    wait_idle(qtbot, page.ctx)
    return page, errors


def test_every_word_on_the_staff_screens_goes_through_tr(
        demo: Path, make_page: Any, qtbot: Any, marking: Marking) -> None:
    page, errors = open_demo(demo, make_page, qtbot)
    page.show_screen("rubric")  # the rubric's criteria count as data
    wait_idle(qtbot, page.ctx)
    data = workspace_data(page)
    found: set[tuple[str, str, str]] = set()
    seen = 0
    for key, screen in page.screens.items():
        page.show_screen(key)
        wait_idle(qtbot, page.ctx)
        for where, text in visible_texts(screen, page):
            seen += bool(text)
            if rest := unmarked(text, data):
                found.add((key, where, rest))
    for where, text in visible_texts(page.toolbar, page):
        if rest := unmarked(text, data):
            found.add(("toolbar", where, rest))
    for row in range(page.sidebar.count()):
        if rest := unmarked(page.sidebar.item(row).text(), data):
            found.add(("sidebar", "item", rest))
    for action in (page.undo_action, page.redo_action):
        if rest := unmarked(action.text(), data):
            found.add(("toolbar", "action", rest))
    assert seen > 100  # the walk really looked at the screens
    assert not found, "\n".join(map(str, sorted(found)))
    assert not errors, [e.message for e in errors]


def test_the_rule_catches_a_plain_string(demo: Path, make_page: Any, qtbot: Any,
                                         marking: Marking) -> None:
    """The check above can fail: an English word slipped in is found, data is not."""
    page, _errors = open_demo(demo, make_page, qtbot)
    data = workspace_data(page)
    screen = page.show_screen("judges")
    wait_idle(qtbot, page.ctx)
    stray = QLabel("Not translated", screen)
    screen.layout_.addWidget(stray)
    names = QLabel(f"<b>{data[-1]}</b> · {QCoreApplication.translate('staff', 'Judge')}",
                   screen)
    screen.layout_.addWidget(names)
    stray.show()
    names.show()
    texts = dict(((t, w) for w, t in visible_texts(screen, page)))
    assert unmarked(stray.text(), data) == "Not translated" and stray.text() in texts
    assert unmarked(names.text(), data) == ""


def test_the_rubric_preview_is_translated(demo: Path, make_page: Any, qtbot: Any,
                                          marking: Marking) -> None:
    page, _errors = open_demo(demo, make_page, qtbot)
    rubric_screen = page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    rubric = rubric_screen.rubric
    assert rubric is not None
    text = preview_html(rubric)
    for words in ("% of the total", "Ties are broken by"):
        assert re.search(rf"⟦[^⟧]*{words}[^⟧]*⟧", text), words
    assert rubric_screen.levels.placeholderText().startswith("⟦")


def test_every_control_has_a_name_and_takes_keyboard_focus(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = open_demo(demo, make_page, qtbot)
    problems: list[str] = []
    checked = 0
    for key, screen in page.screens.items():
        page.show_screen(key)
        wait_idle(qtbot, page.ctx)
        buddies = buddies_of(screen)
        for widget in interactive(screen, page):
            checked += 1
            what = f"{key}: {type(widget).__name__} {widget.accessibleName()!r}"
            if nameless(widget, buddies):
                problems.append(f"{what} has no accessible name")
            if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                problems.append(f"{what} cannot take focus with Tab")
    toolbar = [page.round_box, page.sidebar]
    for widget in toolbar:
        if nameless(widget, buddies_of(page)):
            problems.append(f"{type(widget).__name__} has no accessible name")
    assert checked > 40
    assert not problems, "\n".join(problems)
    assert not errors


def test_a_nameless_control_is_caught(demo: Path, make_page: Any, qtbot: Any) -> None:
    page, _errors = open_demo(demo, make_page, qtbot)
    screen = page.show_screen("audit")
    edit, named = QLineEdit(screen), QLineEdit(screen)
    label = QLabel("&Where:", screen)
    label.setBuddy(named)
    for widget in (edit, named, label):
        screen.layout_.addWidget(widget)
        widget.show()
    assert edit in interactive(screen, page)
    assert nameless(edit, buddies_of(screen))
    assert not nameless(named, buddies_of(screen))


def tab_walk(page: StaffPage, qtbot: Any, key: str) -> tuple[list[QWidget], list[QWidget]]:
    """Choose a screen from the sidebar with the arrow keys, then press Tab until the focus
    comes back to the sidebar; returns the widgets the focus went through, and the
    screen's controls that were enabled when the walk began (focus on a table selects a
    row, which may enable buttons already passed)."""
    page.activateWindow()
    page.sidebar.setFocus()
    qtbot.waitUntil(lambda: page.sidebar.hasFocus())
    QTest.keyClick(page.sidebar, Qt.Key.Key_Home)
    for _ in range(list(page.screens).index(key)):
        QTest.keyClick(page.sidebar, Qt.Key.Key_Down)
    assert page.stack.currentWidget() is page.screens[key]
    wait_idle(qtbot, page.ctx)
    enabled = [w for w in interactive(page.screens[key], page) if w.isEnabled()]
    visited: list[QWidget] = []
    for _ in range(80):
        focus = QApplication.focusWidget()
        assert focus is not None
        QTest.keyClick(focus, Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        if focus is page.sidebar:
            break
        assert focus is not None
        visited.append(focus)
    else:
        pytest.fail(f"Tab never came back to the sidebar on {key}")
    return visited, enabled


def reached(widget: QWidget, visited: list[QWidget]) -> bool:
    return any(w is widget or widget.isAncestorOf(w) for w in visited)


def test_tab_from_the_sidebar_reaches_the_leaderboard_table_and_buttons(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, _errors = open_demo(demo, make_page, qtbot)
    visited, _enabled = tab_walk(page, qtbot, "leaderboard")
    board = page.screens["leaderboard"]
    for widget in (board.category, board.basis, board.shortlist_button, board.export_button,
                   board.report_kind, board.report_button, board.table.search,
                   board.table.view, board.judges.view):
        assert reached(widget, visited), widget.accessibleName() or widget.text()
    # The table comes after its search box, and the buttons before the table.
    order = [w for w in visited if w in (board.shortlist_button, board.table.search,
                                         board.table.view)]
    assert order == [board.shortlist_button, board.table.search, board.table.view]
    # Enter on a focused ranking row opens its reviews, still without a mouse.
    board.table.view.setFocus()
    board.table.view.setCurrentIndex(board.table.proxy.index(0, 0))
    QTest.keyClick(board.table.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: board.dialog is not None)  # after its feedback is read
    assert board.dialog.isVisible()
    board.dialog.close()


def test_tab_from_the_sidebar_reaches_the_bundles_table_and_buttons(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    page, _errors = open_demo(demo, make_page, qtbot)
    visited, _enabled = tab_walk(page, qtbot, "bundles")
    bundles = page.screens["bundles"]
    for widget in (bundles.folder, bundles.build_button, bundles.rebuild_button,
                   bundles.passphrase_button, bundles.sent_button, bundles.table.view):
        assert reached(widget, visited), widget.accessibleName() or widget.text()


def test_tab_reaches_every_control_on_every_screen(demo: Path, make_page: Any,
                                                    qtbot: Any) -> None:
    page, _errors = open_demo(demo, make_page, qtbot)
    missed: list[str] = []
    walked = 0
    for key in page.screens:
        visited, enabled = tab_walk(page, qtbot, key)
        walked += len(enabled)
        for widget in enabled:
            if not reached(widget, visited):
                missed.append(f"{key}: {type(widget).__name__} {widget.accessibleName()!r}")
    assert walked > 30
    assert not missed, "\n".join(missed)


def test_the_staff_dialogs_are_translated_and_named(demo: Path, make_page: Any, qtbot: Any,
                                                    marking: Marking) -> None:
    from judgepanel.ui.staff.award_dialog import AwardDialog
    from judgepanel.ui.staff.import_wizard import ImportDialog
    from judgepanel.ui.staff.judges import JudgeDetailsDialog, JudgesScreen
    from judgepanel.ui.staff.leaderboard.reviews import ReviewsDialog
    from judgepanel.ui.staff.leaderboard.screen import LeaderboardScreen
    from judgepanel.ui.staff.passphrases import (
        ChooseJudgesDialog,
        IssuedPassphrase,
        PassphrasesDialog,
    )
    from judgepanel.ui.staff.program_wizard import ProgramDialog
    from judgepanel.ui.staff.shortlist_dialog import ShortlistDialog

    page, _errors = open_demo(demo, make_page, qtbot)
    page.show_screen("rubric")
    wait_idle(qtbot, page.ctx)
    data = workspace_data(page)
    board_screen, judges = page.show_screen("leaderboard"), page.screens["judges"]
    wait_idle(qtbot, page.ctx)
    page.show_screen("judges")
    wait_idle(qtbot, page.ctx)
    assert isinstance(board_screen, LeaderboardScreen) and isinstance(judges, JudgesScreen)
    board = board_screen.board()
    assert board is not None
    judge = judges.model.rows[0]
    issued = [IssuedPassphrase(1, judge.name, "B-1", "b.jpbundle", "correct horse battery")]
    dialogs = [AwardDialog(board.rows[0], "USD"), ShortlistDialog("Youth"),
               ShortlistDialog(None), ChooseJudgesDialog([(1, judge.name)], [1]),
               PassphrasesDialog(issued), ImportDialog(page.ctx), ProgramDialog(),
               JudgeDetailsDialog(judge), ReviewsDialog(board, board.rows[0], {})]
    found: list[str] = []
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        what = type(dialog).__name__
        if rest := unmarked(dialog.windowTitle(), data):
            found.append(f"{what} title: {rest}")
        for where, text in visible_texts(dialog, dialog):
            if (rest := unmarked(text, data)) and rest not in ("correct horse battery",
                                                               "Youth"):
                found.append(f"{what} {where}: {rest}")
        buddies = buddies_of(dialog)
        for widget in interactive(dialog, dialog):
            if nameless(widget, buddies):
                found.append(f"{what}: nameless {type(widget).__name__}")
            if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                found.append(f"{what}: {type(widget).__name__} cannot take focus")
        dialog.close()
    assert not found, "\n".join(found)
