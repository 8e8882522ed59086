"""Unlocking or creating an identity, and the Qt models' contracts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt

from judgepanel.formats.card import read_card
from judgepanel.formats.keystore import IdentityStore
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.ui.judge.application_view import document_html
from judgepanel.ui.judge.models import ExportsModel, OverviewModel, ProblemsModel
from judgepanel.ui.judge.unlock import UnlockDialog
from judgepanel.ui.tasks import TaskRunner
from tests.ui.judge.conftest import Program

WAIT = 10_000


def test_first_run_creates_an_identity_and_saves_its_card(qtbot, tmp_path: Path) -> None:
    store = IdentityStore(tmp_path / "ids", work_factor=10)
    card_file = tmp_path / "me.jpcard"
    dialog = UnlockDialog(store, TaskRunner(), ask_path=lambda _p, _s: str(card_file))
    qtbot.addWidget(dialog)
    assert dialog.pages.currentWidget() is dialog.create_page
    dialog.create_identity()
    assert "type your name" in dialog.error.text()
    dialog.name.setText("Zoë Judge")
    dialog.create_identity()
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.card_page, timeout=WAIT)
    assert dialog.identity is not None
    assert dialog.card_fingerprint.text() == dialog.identity.fingerprint
    dialog.save_card()
    card = read_card(card_file)
    assert card.name == "Zoë Judge" and card.fingerprint == dialog.identity.fingerprint
    assert store.secret_location(card.fingerprint) == "keyring"


def test_a_passphrase_identity_says_when_the_passphrase_is_wrong(qtbot, tmp_path: Path) -> None:
    store = IdentityStore(tmp_path / "ids", work_factor=10)
    made = store.create("Ana Judge", "judge", passphrase="correct horse")
    dialog = UnlockDialog(store, TaskRunner())
    qtbot.addWidget(dialog)
    assert dialog.pages.currentWidget() is dialog.choose_page
    assert not dialog.passphrase.isHidden()
    dialog.passphrase.setText("wrong")
    dialog.unlock()
    qtbot.waitUntil(lambda: "Wrong passphrase" in dialog.error.text(), timeout=WAIT)
    assert dialog.identity is None
    dialog.passphrase.setText("correct horse")
    dialog.unlock()
    qtbot.waitUntil(lambda: dialog.identity is not None, timeout=WAIT)
    assert dialog.identity == made


def test_application_text_never_becomes_markup() -> None:
    html = document_html({"title": "T", "story": "<img src='http://evil/x.png'>&<script>"})
    assert "<img" not in html and "<script>" not in html
    assert "&lt;img src=&#x27;http://evil/x.png&#x27;&gt;&amp;&lt;script&gt;" in html


def test_models_are_well_behaved(qtmodeltester, tmp_path: Path, program: Program) -> None:
    with JudgeWorkspace.open(tmp_path / "j.sqlite") as workspace, \
            JudgingSession.open(program.bundle, [program.judge], workspace) as session:
        session.declare("A-1", False)
        session.declare("A-2", True, "family")
        session.set_score("A-1", "impact", 4)
        overview = OverviewModel(session.applications)
        overview.set_progress(session.progress())
        qtmodeltester.check(overview)
        problems = ProblemsModel()
        problems.set_problems(session.problems())
        qtmodeltester.check(problems)
        assert problems.rowCount() > 0
        exports = ExportsModel()
        qtmodeltester.check(exports)
        assert overview.data(overview.index(1, OverviewModel.DECLARATION)) == "Conflict"
        assert overview.data(overview.index(0, OverviewModel.PROGRESS)) == "1 / 6"
        assert overview.data(overview.index(2, OverviewModel.DECLARATION)) == "Not declared yet"


def test_applications_that_share_a_title_are_told_apart_by_reference(
        tmp_path: Path, program: Program) -> None:
    """The export's list names "A-2 “…” — give a score": the judge's list must show A-2."""
    with JudgeWorkspace.open(tmp_path / "j.sqlite") as workspace, \
            JudgingSession.open(program.bundle, [program.judge], workspace) as session:
        first, second, *rest = session.applications
        twins = [first, dataclasses.replace(second, title=f" {first.title.upper()} "), *rest]
        overview = OverviewModel(twins)
        shown = [overview.data(overview.index(row, OverviewModel.TITLE))
                 for row in range(overview.rowCount())]
        assert shown[:2] == [f"{first.title} ({first.id})",
                             f" {first.title.upper()}  ({second.id})"]
        assert shown[2:] == [s.title for s in rest]
        tip = overview.data(overview.index(2, OverviewModel.TITLE), Qt.ItemDataRole.ToolTipRole)
        assert tip == f"{rest[0].id} · Not declared yet"
