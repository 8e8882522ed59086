"""Migrations 0004 and 0007 drop redundant or unread indexes, both ways, on a merged
workspace.

Uses the ``demo`` fixture of tests/conftest.py (a program with merged results).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect

from judgepanel.model.staff import migrations
from tests.model.conftest import copied_demo, first_board

DROPPED = {"ix_scores_results_id", "ix_scores_application_id", "ix_reviews_results_id",
           "ix_declarations_results_id"}
DROPPED_0007 = {"ix_reviews_application_id", "ix_declarations_application_id",
                "ix_declarations_judge_id"}


def _indexes(engine: Engine) -> set[str]:
    inspector = inspect(engine)
    return {index["name"] for table in ("scores", "reviews", "declarations")
            for index in inspector.get_indexes(table) if index["name"]}


def test_migrations_0004_and_0007_drop_and_restore_the_indexes(demo: Path, tmp_path: Path) -> None:
    copy, engine = copied_demo(demo, tmp_path)
    before = first_board(copy)
    assert any(row[3] is not None for row in before)  # a mean
    try:
        assert not _indexes(engine) & (DROPPED | DROPPED_0007)
        kept = _indexes(engine)
        with engine.begin() as connection:
            command.downgrade(migrations.alembic_config(connection), "0006")
        assert _indexes(engine) == kept | DROPPED_0007
        with engine.begin() as connection:
            command.downgrade(migrations.alembic_config(connection), "0003")
        assert _indexes(engine) == kept | DROPPED_0007 | DROPPED
        migrations.upgrade(engine, "0004")
        assert _indexes(engine) == kept | DROPPED_0007
        migrations.upgrade(engine)
        assert _indexes(engine) == kept
        with engine.begin() as connection:
            assert migrations.current_revision(connection) == migrations.head_revision()
    finally:
        engine.dispose()
    assert first_board(copy) == before  # the rows were never touched
