"""Migration 0004 drops four redundant indexes, both ways, on a merged workspace.

Uses the ``demo`` fixture of tests/conftest.py (a program with merged results).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect

from judgepanel.model import audit, migrations
from judgepanel.model.db import DATABASE_NAME, make_engine
from judgepanel.model.entities import Round
from judgepanel.model.leaderboard import compute
from judgepanel.model.workspace import StaffWorkspace

DROPPED = {"ix_scores_results_id", "ix_scores_application_id", "ix_reviews_results_id",
           "ix_declarations_results_id"}


def _indexes(engine: Engine) -> set[str]:
    inspector = inspect(engine)
    return {index["name"] for table in ("scores", "reviews", "declarations")
            for index in inspector.get_indexes(table) if index["name"]}


def _board(folder: Path) -> list[tuple[str, int | None, float | None]]:
    workspace = StaffWorkspace.open(folder)
    try:
        with workspace.session() as session:
            assert audit.check(session) == []
            round_ = session.query(Round).order_by(Round.id).first()
            assert round_ is not None
            return [(r.application.ref, r.rank_raw, r.stats.mean)
                    for r in compute(session, round_).rows]
    finally:
        workspace.close()


def test_migration_0004_drops_and_restores_the_indexes(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "program"
    shutil.copytree(demo / "program", copy)
    before = _board(copy)
    assert any(mean is not None for _, _, mean in before)
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
    assert _board(copy) == before  # the rows were never touched
