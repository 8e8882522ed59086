"""Fixtures for the staff-workspace tests: a fresh workspace and small helpers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from judgepanel.model.staff import audit
from judgepanel.model.staff.decide.leaderboard import compute
from judgepanel.model.staff.location import DATABASE_NAME
from judgepanel.model.staff.prepare.categories import RECOGNITION_COMPONENTS
from judgepanel.model.staff.schema.program import Round
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.model.storage.engine import make_engine

ACTOR = "tester"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[StaffWorkspace]:
    ws = StaffWorkspace.create(
        tmp_path / "program", "Mayors' Recognition 2026",
        categories=RECOGNITION_COMPONENTS, actor=ACTOR,
    )
    yield ws
    ws.close()


@pytest.fixture
def memory_workspace(tmp_path: Path) -> Iterator[StaffWorkspace]:
    ws = StaffWorkspace.create(
        "sqlite://", "In-memory Grants", categories=("Youth", "Housing"),
        attachments=tmp_path / "blobs", actor=ACTOR,
    )
    yield ws
    ws.close()


def copied_demo(demo: Path, tmp_path: Path) -> tuple[Path, Engine]:
    """The demo's workspace copied into ``tmp_path``, and an engine on the copy's database
    (not connected yet; the caller disposes it): what a migration test changes."""
    folder = tmp_path / "program"
    shutil.copytree(demo / "program", folder)
    return folder, make_engine(f"sqlite:///{folder / DATABASE_NAME}")


def first_board(folder: Path) -> list[tuple[Any, ...]]:
    """Opens (so upgrades) the workspace in ``folder``, checks its audit chain, and returns
    what its first round's leaderboard says of each application, for comparing."""
    workspace = StaffWorkspace.open(folder)
    try:
        with workspace.session() as session:
            assert audit.check(session) == []
            round_ = session.query(Round).order_by(Round.id).first()
            assert round_ is not None
            return [(r.application.ref, r.rank_raw, r.stats.n, r.stats.mean, r.stats.z_mean,
                     sorted(r.stats.criterion_means.items()))
                    for r in compute(session, round_).rows]
    finally:
        workspace.close()


def count(session: Session, entity: type) -> int:
    return session.scalar(select(func.count()).select_from(entity)) or 0


@dataclass(frozen=True)
class StandInCard:
    """Just the fields enrolment reads (for cases a real, self-signed card cannot express)."""

    name: str
    age_recipient: str
    minisign_public_key: str
    fingerprint: str
    role: str = "judge"
