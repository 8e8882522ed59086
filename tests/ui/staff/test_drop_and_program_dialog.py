"""Real drag and drop (QMimeData, QDropEvent) onto the judges and results screens,
and the new-program dialog filled in and accepted."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from judgepanel.model.staff.schema.program import Category, Judge, Program, Round
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.ui.staff.program_wizard import ProgramDialog
from tests.ui.staff.conftest import wait_idle


def _mime(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _drag_enter(widget: QWidget, mime: QMimeData) -> bool:
    # PySide6 marks the QPoint constructor of QDragEnterEvent deprecated; it is the one
    # there is. Silenced here, so that every test dragging through this helper is quiet.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Function.*QDragEnterEvent", DeprecationWarning)
        event = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    event.ignore()
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def _drop(widget: QWidget, mime: QMimeData) -> bool:
    """Enter, then drop, as a real drag does (Qt delivers no drop without the enter)."""
    _drag_enter(widget, mime)
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    event.ignore()
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def test_dropping_cards_enrolls_judges(demo: Path, make_page: Any, qtbot: Any,
                                       tmp_path: Path) -> None:
    workspace = StaffWorkspace.create(tmp_path / "program", "Drop Test", actor="test")
    workspace.close()
    page, errors = make_page(tmp_path / "program")
    screen = page.show_screen("judges")
    wait_idle(qtbot, page.ctx)
    assert screen.acceptDrops()
    cards = sorted(p for p in (demo / "cards").glob("*.jpcard") if p.stem != "staff")[:3]
    text_only = QMimeData()
    text_only.setText("just words")
    assert not _drag_enter(screen, text_only)
    assert _drag_enter(screen, _mime(cards))
    assert _drop(screen, _mime(cards))
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    assert screen.model.rowCount() == 3
    with page.workspace.session() as session:
        assert len(list(session.scalars(select(Judge)))) == 3
    assert "Enrolled" in screen.messages.text()
    # A dropped file that is not a card is refused by name; nothing is enrolled from it.
    junk = tmp_path / "notes.jpcard"
    junk.write_text("not a card", encoding="utf-8")
    assert _drop(screen, _mime([junk]))
    wait_idle(qtbot, page.ctx)
    assert errors and errors[-1].message.startswith("notes.jpcard:")
    assert screen.model.rowCount() == 3


def test_dropping_results_files_merges_them(demo: Path, make_page: Any, qtbot: Any,
                                            tmp_path: Path) -> None:
    page, errors = make_page(demo / "program")
    page.ctx.ask_identity_file = lambda _p: demo / "keys" / "staff.identity"
    inbox = page.show_screen("results")
    wait_idle(qtbot, page.ctx)
    assert inbox.acceptDrops()
    files = sorted((demo / "results").glob("*.jpresults"))
    assert files
    damaged = tmp_path / "damaged.jpresults"
    raw = bytearray(files[0].read_bytes())
    raw[len(raw) // 2] ^= 0x01
    damaged.write_bytes(bytes(raw))
    dropped = [*files, damaged]
    assert _drag_enter(inbox, _mime(dropped))
    assert _drop(inbox, _mime(dropped))
    wait_idle(qtbot, page.ctx, timeout=60_000)
    assert not errors, [e.message for e in errors]
    outcome = {Path(r.path).name: r for r in inbox.batch_model.rows}
    assert set(outcome) == {p.name for p in dropped}
    assert outcome["damaged.jpresults"].status == "refused"
    assert all(outcome[p.name].reason == "replay" for p in files)  # the demo merged them
    assert "0 of" in inbox.summary.text()


def test_a_drop_without_local_files_does_nothing(demo: Path, make_page: Any,
                                                 qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    inbox = page.show_screen("results")
    wait_idle(qtbot, page.ctx)
    remote = QMimeData()
    remote.setUrls([QUrl("https://example.org/x.jpresults")])
    assert not _drop(inbox, remote)
    assert page.ctx.busy == 0 and inbox.batch_model.rowCount() == 0 and not errors


def test_program_dialog_creates_the_program(qtbot: Any, tmp_path: Path) -> None:
    dialog = ProgramDialog()
    qtbot.addWidget(dialog)
    dialog.name.setText("City Grants 2027")
    dialog.description.setText("Small grants")
    dialog.components.setChecked(False)
    dialog.categories.setPlainText("Youth\n\nArts\n")
    dialog.round_name.setText("Long list")
    dialog.has_due.setChecked(True)
    dialog.budget.setText("250,000")
    dialog.currency.setText("eur")
    dialog.staff.setCurrentIndex(dialog.staff.findData(None))
    dialog.new_staff.setText("Grace Officer")

    dialog.make_program()  # no folder yet: refused on the form, nothing created
    assert dialog.result() == 0 and "folder" in dialog.error.text().lower()
    dialog.budget.setText("a lot")
    dialog.folder.setText(str(tmp_path / "grants"))
    dialog.make_program()
    assert dialog.result() == 0 and "not an amount" in dialog.error.text()
    assert not (tmp_path / "grants").exists()

    dialog.budget.setText("250,000")
    dialog.make_program()
    assert not dialog.progress.isHidden() or dialog.result() == ProgramDialog.DialogCode.Accepted
    qtbot.waitUntil(lambda: dialog.result() != 0 or bool(dialog.error.text()), timeout=20_000)
    assert dialog.result() == ProgramDialog.DialogCode.Accepted, dialog.error.text()
    assert dialog.created == tmp_path / "grants"
    workspace = StaffWorkspace.open(dialog.created)
    try:
        with workspace.session() as session:
            program = session.scalars(select(Program)).one()
            assert program.name == "City Grants 2027" and program.currency == "EUR"
            assert program.staff_age_recipient.startswith("age1")
            assert [c.name for c in session.scalars(select(Category))] == ["Youth", "Arts"]
            round_ = session.scalars(select(Round)).one()
            assert round_.name == "Long list" and round_.budget == 250000
            assert round_.due_at is not None
    finally:
        workspace.close()
    # The new staff identity is on this computer (the test keyring) and offered next time.
    again = ProgramDialog()
    qtbot.addWidget(again)
    assert any("Grace Officer" in again.staff.itemText(i) for i in range(again.staff.count()))
    shutil.rmtree(tmp_path / "grants")


def test_program_dialog_creates_off_the_gui_thread_and_reports_failures(
        qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from judgepanel.ui.staff import program_wizard

    threads: list[str] = []
    real = program_wizard.create_program

    def recording(spec: Any) -> Path:
        threads.append(threading.current_thread().name)
        return real(spec)

    monkeypatch.setattr(program_wizard, "create_program", recording)
    StaffWorkspace.create(tmp_path / "taken", "Someone else's program").close()
    before = sorted(p.name for p in (tmp_path / "taken").iterdir())
    dialog = ProgramDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("City Grants 2027")
    dialog.staff.setCurrentIndex(dialog.staff.findData(None))
    dialog.new_staff.setText("Grace Officer")
    dialog.folder.setText(str(tmp_path / "taken"))
    dialog.make_program()
    ok = dialog.buttons.button(program_wizard.QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and not dialog.progress.isHidden()
    dialog.reject()  # Esc while creating: ignored
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=20_000)
    assert "already a workspace" in dialog.error.text(), dialog.error.text()
    assert ok.isEnabled() and dialog.progress.isHidden() and dialog.result() == 0
    assert threads and threads[0] != threading.main_thread().name
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == before
