"""Going on with a bundle on another computer, in the app: from a results file, or from
a work file when the work is not finished.

A results file opened in the app is recognised (and someone else's named for what it
is, the open bundle staying open); on a new computer, continuing from it brings the
whole bundle's work back. "Take my work to another computer…" works while things are
still missing, and writes a work file through the background runner; the history names
it a work file, not for the staff. On the other computer, opening the work file (or
choosing it with "Continue from my results file or work file…") brings the unfinished
work back. A work file opened while a program is open in the staff app is named for
what it is.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QProgressDialog

from judgepanel.formats.detect import AGE_MAGIC, WORK_FILE_IS_NOT_RESULTS
from judgepanel.formats.results.file import read_results, write_results
from judgepanel.model.judge.restore import OwnResults
from judgepanel.ui.judge.judge_page import JudgePage
from judgepanel.ui.judge.sheet_dialog import ChangesDialog
from judgepanel.ui.main_window import MainWindow
from judgepanel.ui.staff.results_inbox import ResultsInboxScreen
from tests.ui.judge.conftest import Program, make_window
from tests.ui.judge.test_judge_flow import (
    WAIT,
    complete,
    declare,
    open_bundle,
    page_of,
    score_all,
)
from tests.ui.opening import open_and_wait
from tests.ui.test_incoming import Asked


def carry_half(qtbot: Any, tmp_path: Path, page: JudgePage) -> tuple[Path, list[str]]:
    """A-1 scored, A-2 a conflict, A-3 not declared; then the button, as a judge would."""
    declare(page, "A-1", False)
    score_all(page, "A-1", 3)
    declare(page, "A-2", True, "I sit on its board")
    page.tabs.setCurrentWidget(page.submit)
    suggested: list[str] = []
    target = tmp_path / "carried.jpwork"

    def ask(_parent: Any, name: str) -> str:
        suggested.append(name)
        return str(target)

    page.sending.ask_work = ask
    assert not page.submit.export_button.isEnabled()  # things are missing ...
    assert page.submit.carry_button.isEnabled()  # ... and the work can still travel
    page.submit.carry_button.click()
    qtbot.waitUntil(lambda: page.submit.exports_model.rowCount() == 1, timeout=WAIT)
    return target, suggested


def test_the_button_saves_unfinished_work_in_a_work_file(qtbot, tmp_path: Path,
                                                         program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    target, suggested = carry_half(qtbot, tmp_path, page)
    assert target.is_file() and not (tmp_path / "out.jpresults").exists()
    assert Path(suggested[0]).name == ("Work – Mayors' Recognition 2026 – Ana Judge – "
                                       "v1.jpwork")
    model = page.submit.exports_model
    assert [model.data(model.index(0, c)) for c in (0, 2)] == [
        "1", "Work file (not for the staff)"]
    assert "for you alone" in page.submit.result.text()
    assert page.submit.headline.text() == "1 thing still missing"  # not "exported"
    assert page.submit.continue_button.text() == "Continue from my &results file or work file…"


def test_on_the_other_computer_the_work_file_brings_the_unfinished_work_back(
        qtbot, tmp_path: Path, program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    target, _ = carry_half(qtbot, tmp_path, page_of(window))
    scores = page_of(window).session.review("A-1").scores
    window.close()
    fresh = tmp_path / "laptop"
    fresh.mkdir()
    laptop = make_window(qtbot, fresh)
    laptop.judge.workspace_path = fresh / "judge.sqlite"
    laptop.judge.identity = program.judge
    asked: list[Any] = []
    laptop.judge.ask_continue = lambda _w, own: asked.append(own) or True
    laptop.judge.ask_bundle = lambda _w, _own: str(program.bundle)
    laptop.judge.error = lambda _p, _t, message: pytest.fail(message)
    titles: list[str] = []

    def accept(dialog: QDialog) -> int:
        assert isinstance(dialog, ChangesDialog)
        titles.append(dialog.windowTitle())
        lines = [dialog.lines.item(i).text() for i in range(dialog.lines.count())]
        assert lines == ["Declarations: 2 (1 conflict of interest)", "Reviews: 1",
                         "Not declared yet: 1 of 3 applications"]
        return int(QDialog.DialogCode.Accepted)

    laptop.judge.run_dialog = accept
    laptop.show()
    laptop.open_path(str(target))  # a double-click on the work file: straight to the judge
    qtbot.waitUntil(lambda: laptop.judge.page is not None, timeout=WAIT)
    page = page_of(laptop)
    # The work is here once the page says so (the record is written a moment before).
    qtbot.waitUntil(lambda: "work file (version 1) is here" in page.submit.result.text(),
                    timeout=WAIT)
    assert asked[0].work_file and titles == ["Continue from your work file"]
    session = page.session
    assert session.review("A-1").scores == scores
    assert [(p.declared, p.conflict) for p in session.progress()] == [
        (True, False), (True, True), (False, False)]
    (record,) = session.exports()
    assert record.restored and record.work_file
    assert "work file (version 1) is here" in page.submit.result.text()
    # The button on the Send results page takes a work file too (same file: no change).
    chosen: list[str] = []
    page.sending.ask_results = lambda _w, folder: chosen.append(folder) or str(target)
    qtbot.mouseClick(page.submit.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(titles) == 2, timeout=WAIT)
    assert session.exports() == [record]


def test_a_work_file_opened_with_a_program_open_is_named_and_never_merged(
        qtbot, tmp_path: Path, demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    merged: list[Any] = []
    monkeypatch.setattr(ResultsInboxScreen, "merge", lambda _self, paths: merged.append(paths))
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, str(demo / "program"))
    work = tmp_path / "Work – amara.jpwork"
    work.write_bytes(AGE_MAGIC + b"-> X25519 whatever\n")
    continued: list[str] = []
    monkeypatch.setattr(MainWindow, "continue_judging", lambda _self, p: continued.append(p))
    asked = window.choose = Asked(answer=None)
    window.open_path(str(work))
    (question,) = asked.questions
    assert question["title"] == "A judge's unfinished work"
    assert question["text"].startswith(WORK_FILE_IS_NOT_RESULTS)
    assert question["choices"] == [("continue", "It is mine: continue judging from it")]
    assert merged == [] and continued == []
    window.choose = Asked(answer="continue")
    window.open_path(str(work))
    assert continued == [str(work)] and merged == []


def test_a_preview_of_a_few_facts_is_as_tall_as_they_are(qtbot: Any) -> None:
    """Two lines (a continue preview) sat above 250 pixels of empty list; a sheet's many
    changes still get a list that grows with the dialog."""
    few = ChangesDialog("t", "intro", ["Declarations: 20", "Reviews: 4"], "&Continue")
    many = ChangesDialog("t", "intro", [f"line {n}" for n in range(40)], "&Apply")
    for dialog in (few, many):
        qtbot.addWidget(dialog)
        dialog.show()
    rows = few.lines.sizeHintForRow(0) + few.lines.sizeHintForRow(1)
    assert rows <= few.lines.height() <= rows + 2 * few.lines.frameWidth()
    assert few.height() < 300 <= many.height()


# --- from a results file -------------------------------------------------------------------


def test_opening_a_results_file_recognises_it_and_keeps_the_bundle_open(
        qtbot, tmp_path: Path, program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    complete(page, program)
    page.export()
    out = tmp_path / "out.jpresults"
    qtbot.waitUntil(lambda: out.is_file() and bool(page.session.exports()), timeout=WAIT)
    asked: list[OwnResults] = []
    window.judge.ask_continue = lambda _w, own: asked.append(own) or False
    offered: list[list[str]] = []

    def choose(_parent: Any, _title: str, _text: str, choices: Any, _details: str = "") -> str:
        offered.append([key for key, _label in choices])
        return "continue"

    window.choose = choose
    window.open_path(str(out))
    qtbot.waitUntil(lambda: bool(offered), timeout=WAIT)
    assert offered[0][0] == "continue"  # judging: "It is mine" comes first
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT)
    assert asked[0].content.bundle_id == program.bundle_id
    assert window.judge.page is page  # the open session was not closed
    # someone else's (here: only the staff can open it): named for what it is
    other = tmp_path / "other.jpresults"
    staff_only = read_results(out, [program.staff])
    write_results(other, staff_only.document, judge_key=program.judge.signing,
                  judge_public=program.judge.public_key,
                  staff_recipient=program.staff.recipient)
    errors = window.errors  # type: ignore[attr-defined]
    window.open_path(str(other))
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT)
    assert "is a JudgePanel results file" in errors[-1]
    assert "bundle" not in errors[-1].split(".")[0].lower()
    assert window.judge.page is page
    assert page.session.application("A-1")["title"]  # its bundle is still open and readable


def test_continue_from_my_results_file_on_a_new_computer(qtbot, tmp_path: Path,
                                                         program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    complete(page, program)
    page.export()
    out = tmp_path / "out.jpresults"
    qtbot.waitUntil(lambda: bool(page.session.exports()), timeout=WAIT)
    window.close()
    # a new computer: another data folder, the same identity
    fresh = tmp_path / "laptop"
    fresh.mkdir()
    again = make_window(qtbot, fresh)
    again.judge.workspace_path = fresh / "judge.sqlite"
    again.judge.identity = program.judge  # unlocked once this session
    again.judge.ask_continue = lambda _w, _own: True
    again.judge.ask_bundle = lambda _w, _own: str(program.bundle)
    again.judge.error = lambda _p, _t, message: pytest.fail(message)
    shown: list[ChangesDialog] = []

    def accept(dialog: QDialog) -> int:
        assert isinstance(dialog, ChangesDialog)
        shown.append(dialog)
        assert dialog.default_button() is dialog.apply_button  # nothing here to lose
        return int(QDialog.DialogCode.Accepted)

    again.judge.run_dialog = accept
    again.choose = lambda *_args, **_kw: "continue"  # "It is mine: continue judging from it"
    again.show()
    again.open_path(str(out))
    qtbot.waitUntil(lambda: again.judge.page is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: bool(again.judge.page.session.exports()), timeout=WAIT)
    restored = again.judge.page
    assert restored.session.problems() == [] and not restored.session.changed_since_export
    assert restored.session.exports()[0].restored
    assert restored.tabs.currentWidget() is restored.submit


def test_what_continuing_changes_is_counted_and_applied_off_the_gui_thread(
        qtbot, tmp_path: Path, program: Program) -> None:
    """A bundle of hundreds of applications takes a while to compare and to bring back:
    the GUI thread only asks and shows."""
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    complete(page, program)
    out = tmp_path / "out.jpresults"
    page.export()
    qtbot.waitUntil(lambda: bool(page.session.exports()), timeout=WAIT)
    session = page.session
    first = session.rubric.criteria[0]
    session.set_score("A-1", first.key, first.valid_scores()[0])  # differs from the file now
    threads: dict[str, threading.Thread] = {}

    def spy(name: str) -> Any:
        real = getattr(session, name)

        def call(*args: Any) -> Any:
            threads[name] = threading.current_thread()
            time.sleep(0.5)  # a big bundle, as far as the GUI can tell
            return real(*args)
        return call

    for name in ("differences_from", "continue_from"):
        setattr(session, name, spy(name))
    intros: list[str] = []

    def accept(dialog: QDialog) -> int:
        assert isinstance(dialog, ChangesDialog)
        intros.append(dialog.findChild(QLabel).text())
        assert dialog.default_button() is dialog.cancel  # an answer here would be replaced
        return int(QDialog.DialogCode.Accepted)

    page.sending.run_dialog = accept
    page.sending.ask_results = lambda _w, _folder: str(out)
    qtbot.mouseClick(page.submit.continue_button, Qt.MouseButton.LeftButton)

    def busy(label: str) -> bool:
        return any(d.isVisible() and d.labelText() == label
                   for d in page.findChildren(QProgressDialog))

    qtbot.waitUntil(lambda: busy("Comparing the file with your work here…"), timeout=WAIT)
    qtbot.waitUntil(lambda: busy("Bringing your work here…"), timeout=WAIT)
    qtbot.waitUntil(lambda: "is here" in page.submit.result.text(), timeout=WAIT)
    assert not any(d.isVisible() for d in page.findChildren(QProgressDialog))
    assert set(threads) == {"differences_from", "continue_from"}
    assert threading.main_thread() not in threads.values()
    assert intros and "and 1 answer differs: it will be replaced" in intros[0]
    assert session.problems() == [] and not session.changed_since_export
