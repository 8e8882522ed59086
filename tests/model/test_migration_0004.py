"""Migration 0004 drops four redundant indexes, both ways, on a merged workspace.

Uses the ``demo`` fixture of tests/conftest.py (a program with merged results).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect

from judgepanel.model import migrations
from judgepanel.model.db import DATABASE_NAME, make_engine
from tests.model.conftest import first_board

DROPPED = {"ix_scores_results_id", "ix_scores_application_id", "ix_reviews_results_id",
           "ix_declarations_results_id"}


def _indexes(engine: Engine) -> set[str]:
    inspector = inspect(engine)
    return {index["name"] for table in ("scores", "reviews", "declarations")
            for index in inspector.get_indexes(table) if index["name"]}


def test_migration_0004_drops_and_restores_the_indexes(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "program"
    shutil.copytree(demo / "program", copy)
    before = first_board(copy)
    assert any(row[3] is not None for row in before)  # a mean
    engine = make_engine(f"sqlite:///{copy / DATABASE_NAME}")
    try:
        assert not _indexes(engine) & DROPPED
        kept = _indexes(engine)
        with engine.begin() as connection:
            command.downgrade(migrations.alembic_config(connection), "0003")
        assert _indexes(engine) == kept | DROPPED
        migrations.upgrade(engine, "0004")
        assert _indexes(engine) == kept
        with engine.begin() as connection:
            assert migrations.current_revision(connection) == "0004"
    finally:
        engine.dispose()
    assert first_board(copy) == before  # the rows were never touched
