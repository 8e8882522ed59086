"""A StaffPage to drive over the demo program (``demo`` fixture: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from judgepanel.errors import JudgePanelError
from judgepanel.model.scoring.ranking import DEFAULT_BASIS
from judgepanel.ui.staff.context import StaffContext
from judgepanel.ui.staff.page import StaffPage
from judgepanel.ui.staff.undo import ShortlistRule, shortlist_round
from judgepanel.ui.tasks import TaskRunner


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


class Errors(list[JudgePanelError]):
    """Errors the page would have shown in a message box."""

    def record(self, _parent: Any, error: JudgePanelError) -> None:
        self.append(error)


def prepared(page: StaffPage) -> Errors:
    errors = Errors()
    page.ctx.show_error = errors.record
    return errors


@pytest.fixture
def make_page(qtbot: Any, settings: QSettings) -> Iterator[Any]:
    pages: list[StaffPage] = []

    def make(path: Path) -> tuple[StaffPage, Errors]:
        page = StaffPage(path, TaskRunner(), settings)
        qtbot.addWidget(page)
        errors = prepared(page)
        page.resize(1280, 800)
        page.show()
        pages.append(page)
        return page, errors

    yield make
    for page in pages:
        page.shutdown()


def wait_idle(qtbot: Any, ctx: StaffContext, timeout: int = 20_000) -> None:
    """Let every background task started so far deliver its result."""
    qtbot.waitUntil(lambda: ctx.busy == 0, timeout=timeout)


def choose_round(page: StaffPage, round_id: int) -> None:
    """Choose a round as the person does: in the toolbar's round chooser."""
    page.round_box.setCurrentIndex(page.round_box.findData(round_id))


def shortlist(qtbot: Any, page: StaffPage, name: str, top: int) -> int:
    """Shortlist the top of the round shown into a new round, as the leaderboard does (Ctrl+Z
    deletes it again); the new round, which shows, by id."""
    source = page.ctx.round_id
    assert source is not None
    shortlist_round(page.ctx, ShortlistRule(source, name, top, None, DEFAULT_BASIS, None,
                                            False, ()), f"Shortlist into {name}",
                    lambda _selected, _warnings: None)
    wait_idle(qtbot, page.ctx)
    assert page.ctx.round_id not in (None, source)
    return page.ctx.round_id
