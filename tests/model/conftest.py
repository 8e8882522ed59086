"""Fixtures for the staff-workspace tests: a fresh workspace and small helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from judgepanel.model.categories import RECOGNITION_COMPONENTS
from judgepanel.model.workspace import StaffWorkspace

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
