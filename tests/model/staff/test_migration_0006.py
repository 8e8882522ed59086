"""Migration 0006 (scores keyed by their review), both ways, and 16 KiB pages for new files.

The SQLite tests use the ``demo`` fixture of tests/conftest.py (a program with merged
results); the PostgreSQL one runs the same round trip on a small program written through
the ORM (opt-in locally, required in CI: see tests/model/conftest.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, text
from sqlalchemy.exc import IntegrityError

from judgepanel.errors import ConcurrentChangeError, WorkspaceError
from judgepanel.model.staff import migrations
from judgepanel.model.staff.location import DATABASE_NAME
from judgepanel.model.staff.prepare import rounds
from judgepanel.model.staff.schema.base import Base
from judgepanel.model.staff.schema.program import Application, Judge
from judgepanel.model.staff.schema.results import IssuedBundle, ReceivedResults, Review, Score
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.model.storage.engine import make_engine
from tests.model.conftest import ACTOR, copied_demo, first_board

ScoreRows = list[tuple[int, int, str, float, str]]
OLD_FOREIGN = {("fk_scores_results_id_received_results", ("results_id",), "received_results"),
               ("fk_scores_application_id_applications", ("application_id",), "applications")}
NEW_FOREIGN = {("fk_scores_results_id_reviews", ("results_id", "application_id"), "reviews")}


def _scores(engine: Engine) -> ScoreRows:
    """Every score as plain values, readable in either shape of the table."""
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT results_id, application_id, criterion_key, value, comment FROM scores"))
        return sorted((r, a, k, v, c) for r, a, k, v, c in rows)


def _shape(engine: Engine) -> dict[str, Any]:
    inspector = inspect(engine)
    return {
        "columns": sorted(c["name"] for c in inspector.get_columns("scores")),
        "pk": (inspector.get_pk_constraint("scores")["name"],
               inspector.get_pk_constraint("scores")["constrained_columns"]),
        "fks": {(fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys("scores")},
        "uniques": {u["name"] for u in inspector.get_unique_constraints("scores")},
    }


OLD_SHAPE = {
    "columns": ["application_id", "comment", "criterion_key", "id", "results_id", "value"],
    "pk": ("pk_scores", ["id"]),
    "fks": OLD_FOREIGN,
    "uniques": {"uq_scores_results_id_application_id_criterion_key"},
}
NEW_SHAPE = {  # at the head: 0006's keys, and the feedback column of 0011
    "columns": ["application_id", "comment", "criterion_key", "feedback", "results_id",
                "value"],
    "pk": ("pk_scores", ["results_id", "application_id", "criterion_key"]),
    "fks": NEW_FOREIGN,
    "uniques": set(),
}


def _differences(engine: Engine) -> list[object]:
    """What separates the database from the entities (nothing, at head)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def _downgrade(engine: Engine, target: str) -> None:
    with engine.begin() as connection:
        command.downgrade(migrations.alembic_config(connection), target)


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return migrations.current_revision(connection)


def _scores_sql(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        return str(connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'scores'").fetchone()[0])


def _page_size(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("PRAGMA page_size").fetchone()[0])


# --- SQLite, on the merged demo program ------------------------------------------------------


def test_the_scores_survive_a_downgrade_and_the_upgrade_back(demo: Path, tmp_path: Path) -> None:
    folder, engine = copied_demo(demo, tmp_path)
    db = folder / DATABASE_NAME
    before_board = first_board(folder)
    assert sum(row[2] for row in before_board) > 0
    try:
        before = _scores(engine)
        assert len(before) > 50 and any(comment for *_, comment in before)
        assert _shape(engine) == NEW_SHAPE
        assert "WITHOUT ROWID" in _scores_sql(db)

        _downgrade(engine, "0005")
        assert _revision(engine) == "0005"
        assert _shape(engine) == OLD_SHAPE
        assert "WITHOUT ROWID" not in _scores_sql(db)
        assert _scores(engine) == before
        with engine.begin() as connection:
            ids = sorted(connection.scalars(text("SELECT id FROM scores")))
            assert ids == list(range(1, len(before) + 1))  # numbered afresh
            # The old app inserts without an id: the column numbers new rows again.
            connection.execute(text(
                "INSERT INTO scores (results_id, application_id, criterion_key, value, comment)"
                " SELECT results_id, application_id, 'extra', 1.0, '' FROM scores LIMIT 1"))
            assert connection.scalar(text("SELECT max(id) FROM scores")) == len(before) + 1
            connection.execute(text("DELETE FROM scores WHERE criterion_key = 'extra'"))
    finally:
        engine.dispose()

    assert first_board(folder) == before_board  # opening upgrades it again
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert _revision(engine) == migrations.head_revision()
        assert _shape(engine) == NEW_SHAPE
        assert "WITHOUT ROWID" in _scores_sql(db)
        assert _scores(engine) == before
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_a_score_without_its_review_stops_the_upgrade(demo: Path, tmp_path: Path) -> None:
    folder, engine = copied_demo(demo, tmp_path)
    try:
        _downgrade(engine, "0005")
        with engine.begin() as connection:
            results_id = connection.scalar(text("SELECT min(results_id) FROM reviews"))
            unreviewed = connection.scalar(text(
                "SELECT min(id) FROM applications WHERE id NOT IN"
                " (SELECT application_id FROM reviews WHERE results_id = :r)"), {"r": results_id})
            assert unreviewed is not None
            connection.execute(text(  # the old keys allow it: file and application exist
                "INSERT INTO scores (results_id, application_id, criterion_key, value, comment)"
                " VALUES (:r, :a, 'impact', 3, 'stray')"), {"r": results_id, "a": unreviewed})
        kept = _scores(engine)
        with pytest.raises(WorkspaceError, match="scores that belong to no review") as info:
            StaffWorkspace.open(folder)
        assert "1 row(s) of scores" in info.value.detail
        assert "Nothing was changed" in info.value.message
        assert _revision(engine) == "0005"  # the whole upgrade was rolled back
        assert _shape(engine) == OLD_SHAPE
        assert _scores(engine) == kept
    finally:
        engine.dispose()


# --- A new workspace -----------------------------------------------------------------------


def _seed(workspace: StaffWorkspace) -> dict[str, int]:
    """One judge's accepted file: reviews and scores of A1 and A2; A3 has no review."""
    with workspace.session() as session:
        program = workspace.program(session)
        round_ = rounds.add_round(session, program, "First round", ACTOR)
        apps = [Application(program_id=program.id, ref=f"A{n}", title=f"Project {n}")
                for n in (1, 2, 3)]
        judge = Judge(program_id=program.id, name="Ana", age_recipient="age1ana",
                      minisign_public_key="RWana", fingerprint="fp-ana")
        session.add_all([*apps, judge])
        session.flush()
        bundle = IssuedBundle(round_id=round_.id, judge_id=judge.id, bundle_id="b-ana",
                              manifest_sha256="0" * 64)
        session.add(bundle)
        session.flush()
        results = ReceivedResults(issued_bundle_id=bundle.id, judge_id=judge.id, raw=b"raw",
                                  raw_sha256="a" * 64, sequence=1, status="accepted")
        session.add(results)
        session.flush()
        for app, (impact, reach) in zip(apps[:2], ((4.0, 2.5), (1.0, 5.0)), strict=True):
            # Scores first: the flush still writes the review before them.
            session.add_all([
                Score(results_id=results.id, application_id=app.id, criterion_key="impact",
                      value=impact, comment=f"impact of {app.ref}"),
                Score(results_id=results.id, application_id=app.id, criterion_key="reach",
                      value=reach),
                Review(results_id=results.id, application_id=app.id, overall_comment="ok"),
            ])
        return {"results": results.id, "unreviewed": apps[2].id, "reviewed": apps[0].id}


def _refuses_a_score_without_review(workspace: StaffWorkspace, ids: dict[str, int]) -> None:
    with pytest.raises(IntegrityError), workspace.session() as session:
        session.add(Score(results_id=ids["results"], application_id=ids["unreviewed"],
                          criterion_key="impact", value=3.0))
    # ... and no duplicate (on a shared program a duplicate key is worded as a collision
    # with another officer's step: ConcurrentChangeError, from the IntegrityError)
    with pytest.raises((IntegrityError, ConcurrentChangeError)) as refused, \
            workspace.session() as session:
        session.execute(insert(Score).values(
            results_id=ids["results"], application_id=ids["reviewed"],
            criterion_key="impact", value=3.0, comment=""))
    assert isinstance(refused.value, IntegrityError) or isinstance(refused.value.__cause__,
                                                                   IntegrityError)


def test_a_new_workspace_has_16k_pages_and_scores_need_their_review(tmp_path: Path) -> None:
    workspace = StaffWorkspace.create(tmp_path / "program", "Pages", actor=ACTOR)
    try:
        ids = _seed(workspace)
        _refuses_a_score_without_review(workspace, ids)
        with workspace.session() as session:
            results = session.get_one(ReceivedResults, ids["results"])
            assert sorted((s.application.ref, s.criterion_key) for s in results.scores) == [
                ("A1", "impact"), ("A1", "reach"), ("A2", "impact"), ("A2", "reach")]
            assert {s.results.id for s in results.scores} == {ids["results"]}
            assert {s.review.overall_comment for s in results.scores} == {"ok"}
    finally:
        workspace.close()
    db = tmp_path / "program" / DATABASE_NAME
    assert _page_size(db) == 16384
    assert "WITHOUT ROWID" in _scores_sql(db)


def test_an_existing_database_keeps_its_page_size(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as raw:  # made before 16 KiB pages: 4 KiB
        raw.execute("CREATE TABLE t (x)")
    raw.close()
    assert _page_size(db) == 4096
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
            assert connection.scalar(text("PRAGMA page_size")) == 4096
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
    finally:
        engine.dispose()
    assert _page_size(db) == 4096


# --- PostgreSQL ------------------------------------------------------------------------------


def test_migration_0006_both_ways_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    workspace = StaffWorkspace.create(postgres_url, "Shared", actor=ACTOR)
    try:
        ids = _seed(workspace)
        _refuses_a_score_without_review(workspace, ids)
    finally:
        workspace.close()
    engine = make_engine(postgres_url)
    try:
        before = _scores(engine)
        assert len(before) == 4
        assert _shape(engine) == NEW_SHAPE
        _downgrade(engine, "0005")
        assert _shape(engine) == OLD_SHAPE
        assert _scores(engine) == before
        with engine.begin() as connection:
            assert sorted(connection.scalars(text("SELECT id FROM scores"))) == [1, 2, 3, 4]
            connection.execute(text(  # a stray score, allowed by the old keys
                "INSERT INTO scores (results_id, application_id, criterion_key, value, comment)"
                " VALUES (:r, :a, 'impact', 3, '')"),
                {"r": ids["results"], "a": ids["unreviewed"]})
            assert connection.scalar(text("SELECT max(id) FROM scores")) == 5
        with pytest.raises(WorkspaceError, match="scores that belong to no review"):
            migrations.upgrade(engine)
        assert _revision(engine) == "0005" and _shape(engine) == OLD_SHAPE
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM scores WHERE id = 5"))
        migrations.upgrade(engine)
        assert _revision(engine) == migrations.head_revision()
        assert _shape(engine) == NEW_SHAPE
        assert _scores(engine) == before
        assert _differences(engine) == []
    finally:
        engine.dispose()
