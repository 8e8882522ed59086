"""The people and the bundle most judge-workspace tests share (a module may define its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from judgepanel.crypto.identity import Identity
from tests.model.judge.test_session import People, make_bundle


@pytest.fixture(scope="module")
def people() -> People:
    return People(Identity.generate("Maria Okafor", "judge"),
                  Identity.generate("Sam Staff", "staff"),
                  Identity.generate("Olu Other", "judge"))


@pytest.fixture
def bundle_path(tmp_path: Path, people: People) -> Path:
    return make_bundle(tmp_path / "maria.jpbundle", people)
