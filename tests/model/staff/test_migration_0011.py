"""Migration 0011 (feedback for the applicant at staff), both ways, on a merged workspace.

Uses the ``demo`` fixture of tests/conftest.py: its judges wrote feedback (results
format 3), so downgrading drops real texts and upgrading brings the columns back empty.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect, text

from judgepanel.model.staff import migrations
from tests.model.conftest import copied_demo, first_board

ADDED = {("scores", "feedback"), ("reviews", "overall_feedback"),
         ("received_results", "format_version"), ("criteria", "feedback_when"),
         ("criteria", "feedback_threshold"), ("rubrics", "overall_feedback_required")}


def _columns(engine: Engine) -> set[tuple[str, str]]:
    inspector = inspect(engine)
    return {(table, column["name"]) for table in {t for t, _ in ADDED}
            for column in inspector.get_columns(table)}


def test_migration_0011_adds_and_drops_the_feedback_columns(demo: Path, tmp_path: Path) -> None:
    copy, engine = copied_demo(demo, tmp_path)
    before = first_board(copy)
    try:
        assert _columns(engine) >= ADDED
        with engine.connect() as connection:
            written = connection.scalar(text("SELECT count(*) FROM scores WHERE feedback != ''"))
            versions = set(connection.scalars(text(
                "SELECT DISTINCT format_version FROM received_results "
                "WHERE status = 'accepted'")))
        assert written and versions == {3}  # the demo's judges wrote feedback
        with engine.begin() as connection:
            command.downgrade(migrations.alembic_config(connection), "0010")
        assert not ADDED & _columns(engine)
        migrations.upgrade(engine)
        assert _columns(engine) >= ADDED
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM scores WHERE feedback != ''")) \
                == 0
            assert connection.scalar(text(
                "SELECT count(*) FROM received_results WHERE format_version IS NOT NULL")) == 0
            assert set(connection.scalars(text("SELECT DISTINCT feedback_when FROM criteria"))) \
                == {"never"}
    finally:
        engine.dispose()
    assert first_board(copy) == before  # scores and comments were never touched
