"""A small demo program (built once, copied per test) and a StaffPage to drive it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from judgepanel.errors import JudgePanelError
from judgepanel.model.demo import build_demo
from judgepanel.ui.staff import StaffPage
from judgepanel.ui.staff.context import StaffContext
from judgepanel.ui.tasks import TaskRunner


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-master") / "demo"
    build_demo(folder, applications=8, grants=6)
    return folder


@pytest.fixture
def demo(demo_master: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(demo_master, target)
    return target


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
