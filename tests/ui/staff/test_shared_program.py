"""The staff app on a shared program: opening it, other officers' news, stale edits refused."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import select

from judgepanel.errors import ServerLoginError, StaleEditError
from judgepanel.model.staff import workspace as workspace_module
from judgepanel.model.staff.decide.awards import set_award
from judgepanel.model.staff.location import PasswordAnswer, locate, stored_password
from judgepanel.model.staff.schema.program import Application
from judgepanel.model.staff.transfer import copy_program
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.ui.main_window import MainWindow
from judgepanel.ui.staff.context import AWARDS
from judgepanel.ui.staff.shared_dialog import SharedAddress, SharedProgramDialog
from judgepanel.ui.staff.undo import change_award
from tests.ui.staff.conftest import wait_idle


@pytest.fixture
def shared_grants(demo: Path, postgres_url: str) -> Iterator[str]:
    """The demo's grants program moved to the test server; its address."""
    folder = StaffWorkspace.open(demo / "grants" / "program")
    try:
        copy_program(folder, postgres_url)
    finally:
        folder.close()
    yield postgres_url


def _with_password(url: str, password: str) -> str:
    return url.replace("postgres@", f"postgres:{password}@", 1)


def test_open_shared_program_keeps_the_address_never_the_password(
        shared_grants: str, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        ) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    asked: list[str] = []
    # The test server trusts its users: a password in the address is accepted and unused.
    window.ask_shared_address = lambda _p, _a: SharedAddress(shared_grants, "hunter2")
    window.ask_server_password = lambda _p, q: asked.append(q) or None
    window.open_shared()
    qtbot.waitUntil(lambda: window.staff_page is not None, timeout=20_000)
    page = window.staff_page
    assert page is not None and page.workspace.shared
    assert page.program_name and asked == []
    shown = locate(shared_grants).display
    assert window.recent_files() == [shown] and window.program_path == shown
    settings.sync()
    assert "hunter2" not in (tmp_path / "settings.ini").read_text()
    assert stored_password(locate(shared_grants)) is None  # not asked to keep it
    window.close_program()

    # A server that wants a password: asked, then kept in the keyring when ticked.
    real = workspace_module.connect

    def wants_right(location: Any, *, password: str | None = None, **kw: Any) -> Any:
        if password != "right":
            raise ServerLoginError("The server asks for the password of “postgres”.")
        return real(location, password=password, **kw)

    monkeypatch.setattr(workspace_module, "connect", wants_right)
    window.ask_server_password = lambda _p, q: asked.append(q) or PasswordAnswer("right", True)
    window.open_path(shown)  # from the recent list
    qtbot.waitUntil(lambda: window.staff_page is not None, timeout=20_000)
    assert asked == ["The server asks for the password of “postgres”."]
    assert stored_password(locate(shared_grants)) == "right"
    window.close_program()


def test_the_shared_program_dialog_adds_security_and_takes_the_password_out(
        qtbot: Any, tmp_path: Path) -> None:
    dialog = SharedProgramDialog()
    qtbot.addWidget(dialog)
    dialog.address.setText("postgresql://maria:s3cret@db.example.org/awards")
    dialog.security.setCurrentIndex(dialog.security.findData("verify-full"))
    dialog.ca_file.setText(str(tmp_path / "ca.crt"))
    dialog._accept_if_valid()
    answer = dialog.result_address
    assert answer is not None and answer.password == "s3cret"
    assert "s3cret" not in answer.address
    assert answer.address.startswith("postgresql://maria@db.example.org/awards?")
    query = locate(answer.address).url.query
    assert query["sslmode"] == "verify-full" and query["sslrootcert"] == str(tmp_path / "ca.crt")
    dialog.address.setText("mysql://maria@db/awards")
    dialog._accept_if_valid()
    assert "PostgreSQL server only" in dialog.error.text()


def test_other_officers_changes_show_up_and_a_stale_award_is_refused(
        shared_grants: str, make_page: Any, qtbot: Any) -> None:
    page, errors = make_page(StaffWorkspace.open(shared_grants, actor="ana"))
    board = page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    qtbot.waitUntil(lambda: page.ctx.seen_seq is not None, timeout=10_000)
    assert not page.news_label.isVisible()
    row = board.board().rows[0]  # type: ignore[union-attr]
    app_id, seen = row.application.id, row.application.version
    beatriz = StaffWorkspace.open(shared_grants, actor="beatriz")  # another computer
    try:
        with beatriz.session() as session:
            set_award(session, session.get_one(Application, app_id), Decimal("1000"),
                      "beatriz", expected_version=seen)
        page.ctx.look_for_news()
        qtbot.waitUntil(page.news_label.isVisible, timeout=10_000)
        assert f"beatriz set the award for {row.application.ref} to 1,000.00" in \
            page.news_label.text()
        wait_idle(qtbot, page.ctx)  # the board reloaded on its own
        qtbot.waitUntil(lambda: board.board().row(  # type: ignore[union-attr]
            row.application.ref).application.awarded == Decimal("1000.00"), timeout=10_000)

        # Ana's own change is not news to her.
        page.ctx.stop_watching()
        reloads: list[str] = []
        page.ctx.changed.connect(reloads.append)
        change_award(page.ctx, app_id, Decimal("1000"), Decimal("900"), "", "Award",
                     version=seen + 1)
        wait_idle(qtbot, page.ctx)
        assert not errors
        page.ctx.look_for_news()
        qtbot.wait(300)
        assert "to 1,000.00" in page.news_label.text()  # still Beatriz's news

        # An award made from the board before Beatriz's next change is refused, not lost.
        with beatriz.session() as session:
            set_award(session, session.get_one(Application, app_id), Decimal("500"),
                      "beatriz")
        reloads.clear()
        change_award(page.ctx, app_id, Decimal("900"), Decimal("800"), "", "Award",
                     version=seen + 2)
        wait_idle(qtbot, page.ctx)
        assert len(errors) == 1 and isinstance(errors[0], StaleEditError)
        assert errors[0].message.startswith("Another officer (beatriz) changed the award")
        assert "it is now 500.00" in errors[0].message and AWARDS in reloads
        # Undoing Ana's own change would overwrite Beatriz's later one: refused too.
        errors.clear()
        page.undo_action.trigger()
        wait_idle(qtbot, page.ctx)
        assert len(errors) == 1 and isinstance(errors[0], StaleEditError)
        with beatriz.session() as session:
            assert session.scalars(select(Application.awarded_amount).where(
                Application.id == app_id)).one() == Decimal("500.00")
    finally:
        beatriz.close()
