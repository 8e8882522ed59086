"""Judges' details and withdrawal (with undo); bundles: shared "sent" ticks, passphrases."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from judgepanel.crypto.age_keys import ScryptIdentity
from judgepanel.crypto.passphrase import PASSPHRASE_ALPHABET, new_passphrase
from judgepanel.errors import WrongKeyError
from judgepanel.formats.bundle import Bundle
from judgepanel.model.staff.bundles.issued import PASSPHRASE_RECIPIENT
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.program import Judge
from judgepanel.model.staff.schema.results import IssuedBundle
from judgepanel.ui.staff.judges import JudgeDetailsDialog, details_of
from judgepanel.ui.staff.page import StaffPage
from judgepanel.ui.staff.passphrases import (
    ChooseJudgesDialog,
    IssuedPassphrase,
    PassphrasesDialog,
)
from judgepanel.ui.staff.undo import JudgeDetails
from judgepanel.ui.tasks import TaskRunner
from tests.ui.staff.conftest import prepared, wait_idle


def _judge(page: Any, judge_id: int) -> Judge:
    with page.workspace.session() as session:
        judge = session.get(Judge, judge_id)
        assert judge is not None
        session.expunge(judge)
        return judge


def test_editing_a_judges_details_is_saved_and_undone(demo: Path, make_page: Any,
                                                      qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    screen = page.show_screen("judges")
    wait_idle(qtbot, page.ctx)
    screen.table.view.selectRow(0)
    before = screen.table.current_row()
    assert before is not None
    wanted = JudgeDetails("new@Example.ORG", "  Civic   Trust ", "Springfield",
                          ("Springfield Council", "Civic Trust"))
    screen.ask_details = lambda _p, _j: wanted
    screen.edit_details()
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    saved = next(j for j in screen.model.rows if j.id == before.id)
    assert saved.email == "new@example.org"  # the model's cleaning, not the screen's
    assert saved.organisation == "Civic Trust" and saved.city == "Springfield"
    assert set(saved.affiliations) == {"Springfield Council", "Civic Trust"}
    assert screen.table.current_row().id == before.id, "the selection survives the reload"

    page.undo_action.trigger()
    wait_idle(qtbot, page.ctx)
    restored = next(j for j in screen.model.rows if j.id == before.id)
    assert details_of(restored) == details_of(before)
    page.redo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert next(j for j in screen.model.rows if j.id == before.id).city == "Springfield"

    # Cancelling, or changing nothing, leaves no undo step behind.
    steps = page.ctx.undo_stack.count()
    screen.ask_details = lambda _p, _j: None
    screen.edit_details()
    screen.ask_details = lambda _p, j: details_of(j)
    screen.edit_details()
    wait_idle(qtbot, page.ctx)
    assert page.ctx.undo_stack.count() == steps


def test_withdrawing_and_reactivating_a_judge(demo: Path, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(demo / "program")
    screen = page.show_screen("judges")
    wait_idle(qtbot, page.ctx)
    screen.table.view.selectRow(1)
    judge = screen.table.current_row()
    assert judge.active and screen.active_button.text() == "&Withdraw"
    screen.toggle_active()
    wait_idle(qtbot, page.ctx)
    assert not _judge(page, judge.id).active
    assert screen.active_button.text() == "&Reactivate"
    assignment = page.show_screen("assignment")
    wait_idle(qtbot, page.ctx)
    assert judge.id not in [j for j, _n in assignment.model.matrix.judges]
    page.undo_action.trigger()
    wait_idle(qtbot, page.ctx)
    assert _judge(page, judge.id).active
    page.show_screen("judges")
    wait_idle(qtbot, page.ctx)
    screen.table.view.selectRow(1)
    screen.toggle_active()
    wait_idle(qtbot, page.ctx)
    screen.toggle_active()  # now "Reactivate"
    wait_idle(qtbot, page.ctx)
    assert _judge(page, judge.id).active
    assert not errors, [e.message for e in errors]


def test_judge_details_dialog_reads_its_fields(qtbot: Any, demo: Path, make_page: Any) -> None:
    page, _errors = make_page(demo / "program")
    screen = page.show_screen("judges")
    wait_idle(qtbot, page.ctx)
    row = screen.model.rows[0]
    dialog = JudgeDetailsDialog(row)
    qtbot.addWidget(dialog)
    assert dialog.details() == details_of(row)
    dialog.city.setText(" Tulsa ")
    dialog.affiliations.setPlainText("A\n\n  B  \n")
    assert dialog.details().city == "Tulsa"
    assert dialog.details().affiliations == ("A", "B")


def test_sent_ticks_live_in_the_workspace_for_every_officer(
        demo: Path, make_page: Any, qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    page, errors = make_page(demo / "program")
    screen = page.show_screen("bundles")
    wait_idle(qtbot, page.ctx)
    assert screen.model.rowCount() == 6
    screen.table.view.selectRow(0)
    chosen = screen.table.selected_rows()[0]
    assert chosen.sent_at is None
    screen.toggle_sent()
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    ticked = next(b for b in screen.model.rows if b.id == chosen.id)
    assert ticked.sent_at is not None

    # A second officer (another computer: other settings) sees the same tick.
    other_settings = QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat)
    other = StaffPage(demo / "program", TaskRunner(), other_settings)
    qtbot.addWidget(other)
    prepared(other)
    other.show()
    try:
        theirs = other.show_screen("bundles")
        wait_idle(qtbot, other.ctx)
        assert next(b for b in theirs.model.rows if b.id == chosen.id).sent_at is not None
    finally:
        other.shutdown()

    # Ticking again when all selected are sent takes the tick back; each change is audited.
    screen.table.view.selectRow([b.id for b in screen.model.rows].index(chosen.id))
    screen.toggle_sent()
    wait_idle(qtbot, page.ctx)
    assert next(b for b in screen.model.rows if b.id == chosen.id).sent_at is None
    with page.workspace.session() as session:
        sent = [e.details["sent"] for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action == "bundle.sent"))]
    assert sent == [True, False]


def test_passphrase_bundles_show_the_passphrase_once_and_keep_only_the_hint(
        demo: Path, make_page: Any, qtbot: Any, tmp_path: Path) -> None:
    page, errors = make_page(demo / "program")
    page.ctx.ask_identity_file = lambda _p: demo / "keys" / "staff.identity"
    screen = page.show_screen("bundles")
    wait_idle(qtbot, page.ctx)
    screen.folder.setText(str(tmp_path / "out"))
    screen.scrypt_work_factor = 10
    target_id, target_name = screen.judges[0]
    offered: list[Any] = []
    screen.choose_judges = lambda _p, judges, _pre: offered.extend(judges) or [target_id]
    shown: list[IssuedPassphrase] = []

    def show(_parent: Any, issued: Any) -> dict[str, str]:
        shown.extend(issued)
        return {issued[0].bundle_id: "read out by phone on Monday"}

    screen.show_passphrases = show
    screen.ask_passphrase_bundles()
    wait_idle(qtbot, page.ctx, timeout=60_000)
    assert not errors, [e.message for e in errors]
    assert (target_id, target_name) in offered
    assert len(shown) == 1 and shown[0].judge_id == target_id
    secret = shown[0].passphrase
    path = tmp_path / "out" / Path(shown[0].file_name)
    with Bundle.open(path, [ScryptIdentity(secret)]) as bundle:
        assert bundle.application_ids()
    try:
        Bundle.open(path, [ScryptIdentity(new_passphrase())])
    except WrongKeyError:
        pass
    else:
        raise AssertionError("another passphrase opened the bundle")

    row = next(b for b in screen.model.rows if b.bundle_id == shown[0].bundle_id)
    assert row.passphrase
    column = [c.title for c in screen.model.columns].index("Passphrase hint")
    index = screen.model.index(screen.model.rows.index(row), column)
    assert screen.model.data(index) == "read out by phone on Monday"
    # The passphrase is nowhere: not in the workspace, not in the settings. The hint is
    # in the workspace, for every officer sharing the program.
    with page.workspace.session() as session:
        issued = session.scalars(select(IssuedBundle).where(
            IssuedBundle.bundle_id == row.bundle_id)).one()
        assert issued.recipients == [PASSPHRASE_RECIPIENT]
        assert issued.passphrase_hint == "read out by phone on Monday"
        assert all(secret not in str(e.details) for e in session.scalars(select(AuditEvent)))
    database = b"".join(p.read_bytes() for p in (demo / "program").glob("*.sqlite*"))
    assert secret.encode() not in database
    page.ctx.settings.sync()
    settings_file = Path(page.ctx.settings.fileName())
    assert secret not in settings_file.read_text(encoding="utf-8")
    assert "read out by phone" not in settings_file.read_text(encoding="utf-8")

    # Editing the hint later: a passphrase is refused and asked again, saying why.
    asked: list[tuple[str, str]] = []
    answers = iter([secret, "given in person on Tuesday"])

    def ask(_parent: Any, judge: str, current: str, problem: str) -> str | None:
        asked.append((current, problem))
        return next(answers)

    screen.ask_hint = ask
    source = screen.model.index(screen.model.rows.index(row), 0)
    screen.table.view.selectRow(screen.table.proxy.mapFromSource(source).row())
    screen.edit_hint()
    wait_idle(qtbot, page.ctx)
    assert asked[0] == ("read out by phone on Monday", "")
    assert "passphrase itself" in asked[1][1]
    row = next(b for b in screen.model.rows if b.bundle_id == row.bundle_id)
    assert row.passphrase_hint == "given in person on Tuesday"
    assert not errors, [e.message for e in errors]
    with page.workspace.session() as session:
        assert all(secret not in str(e.details) for e in session.scalars(select(AuditEvent)))
        assert secret not in str(list(session.execute(select(IssuedBundle.passphrase_hint))))


def test_passphrases_are_strong_and_readable() -> None:
    many = {new_passphrase() for _ in range(200)}
    assert len(many) == 200
    for phrase in list(many)[:20]:
        groups = phrase.split("-")
        assert len(groups) == 6 and all(len(g) == 4 for g in groups)
        assert set("".join(groups)) <= set(PASSPHRASE_ALPHABET)
    assert not set("01ILO") & set(PASSPHRASE_ALPHABET) and len(PASSPHRASE_ALPHABET) == 31


def test_passphrase_dialog_copies_keeps_hints_and_forgets(qtbot: Any) -> None:
    issued = [IssuedPassphrase(1, "Amara", "b-1", "amara.jpbundle", "AAAA-BBBB"),
              IssuedPassphrase(2, "José", "b-2", "jose.jpbundle", "CCCC-DDDD")]
    dialog = PassphrasesDialog(issued)
    qtbot.addWidget(dialog)
    assert [f.text() for f in dialog.fields] == ["AAAA-BBBB", "CCCC-DDDD"]
    dialog.copy("CCCC-DDDD")
    assert QApplication.clipboard().text() == "CCCC-DDDD"
    dialog.hints[0].setText("  by phone  ")
    assert dialog.hint_texts() == {"b-1": "by phone"}
    dialog.accept()
    assert [f.text() for f in dialog.fields] == ["", ""]
    assert all(not i.passphrase for i in dialog.issued)
    assert QApplication.clipboard().text() != "CCCC-DDDD"


def test_a_hint_left_in_the_settings_shows_until_one_is_saved(
        demo: Path, make_page: Any, qtbot: Any) -> None:
    from judgepanel.model.staff.bundles.issued import BundleListing
    from judgepanel.ui.staff.bundles import HINT_KEY

    page, errors = make_page(demo / "program")
    screen = page.show_screen("bundles")
    wait_idle(qtbot, page.ctx)
    row = BundleListing(1, "b-old", 1, "Amara", "a.jpbundle", None, None, None,  # type: ignore[arg-type]
                    False, True, 3, "")
    page.ctx.settings.setValue(HINT_KEY.format(bundle_id="b-old"), "by phone (old version)")
    assert screen.hint_of(row) == "by phone (old version)"
    assert screen.hint_of(replace(row, passphrase_hint="in person")) == "in person"
    assert not errors


def test_passphrase_dialog_will_not_keep_the_passphrase_as_a_hint(qtbot: Any) -> None:
    secret = new_passphrase()
    dialog = PassphrasesDialog([IssuedPassphrase(1, "Amara", "b-1", "a.jpbundle", secret)])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.hints[0].setText(f"told her {secret.lower().replace('-', ' ')}")
    dialog.accept()
    assert dialog.isVisible() and dialog.result() == 0
    assert "Amara" in dialog.error.text() and "passphrase itself" in dialog.error.text()
    dialog.hints[0].setText("read out by phone on Monday")
    dialog.accept()
    assert dialog.result() == PassphrasesDialog.DialogCode.Accepted
    assert dialog.hint_texts() == {"b-1": "read out by phone on Monday"}


def test_choose_judges_dialog_returns_the_ticked(qtbot: Any) -> None:
    dialog = ChooseJudgesDialog([(1, "Amara"), (2, "José"), (3, "Zoé")], preselected=[2])
    qtbot.addWidget(dialog)
    assert dialog.chosen() == [2]
    from PySide6.QtCore import Qt

    dialog.list.item(2).setCheckState(Qt.CheckState.Checked)
    assert dialog.chosen() == [2, 3]
