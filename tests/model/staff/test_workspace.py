"""Workspace creation, reopening, pragmas, migrations, sessions, attachments, rounds."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from judgepanel.errors import DamagedFileError, ValidationError, WorkspaceError
from judgepanel.model.rubric.comments import CommentRule
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.rubric.levels import Level
from judgepanel.model.staff import audit, migrations
from judgepanel.model.staff.attachments import FolderStore
from judgepanel.model.staff.prepare.categories import (
    RECOGNITION_COMPONENTS,
    add_category,
    category_key,
    find_category,
)
from judgepanel.model.staff.prepare.rounds import (
    add_round,
    rubric_for_round,
    save_rubric,
    set_blind_review,
)
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.base import Base
from judgepanel.model.staff.schema.program import Application, Attachment, Category, Judge, Program
from judgepanel.model.staff.schema.results import IssuedBundle
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.model.storage.engine import make_engine
from tests.model.conftest import ACTOR, count

# --- create / open -------------------------------------------------------------------


def test_create_then_reopen_keeps_the_program(workspace: StaffWorkspace, tmp_path: Path) -> None:
    folder = tmp_path / "program"
    assert (folder / "program.sqlite").is_file()
    assert workspace.folder == folder.resolve()
    assert workspace.attachments.root == folder.resolve() / "attachments"
    workspace.close()

    reopened = StaffWorkspace.open(folder, actor="someone")
    with reopened.session() as session:
        program = reopened.program(session)
        assert program.name == "Mayors' Recognition 2026"
        assert [c.name for c in program.categories] == list(RECOGNITION_COMPONENTS)
        assert [e.action for e in audit.events(session)] == ["workspace.created"]
        assert audit.events(session)[0].actor == ACTOR
    assert reopened.schema_revision() == migrations.head_revision()
    reopened.close()


def test_create_refuses_a_folder_that_already_has_a_workspace(
    workspace: StaffWorkspace, tmp_path: Path
) -> None:
    with pytest.raises(WorkspaceError, match="already a workspace"):
        StaffWorkspace.create(tmp_path / "program", "Another")
    with workspace.session() as session:  # the existing one is untouched
        assert count(session, Program) == 1


def test_create_needs_a_name(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="name"):
        StaffWorkspace.create(tmp_path / "x", "   ")
    assert not (tmp_path / "x" / "program.sqlite").exists()


def test_a_failed_create_leaves_no_database(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        StaffWorkspace.create(tmp_path / "x", "P", categories=("Youth", "youth"))
    assert not (tmp_path / "x" / "program.sqlite").exists()


def test_open_a_folder_without_a_database_says_so_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not a JudgePanel workspace"):
        StaffWorkspace.open(tmp_path)
    assert not (tmp_path / "program.sqlite").exists()


def test_open_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "program.sqlite").write_bytes(b"this is a spreadsheet, honest" * 100)
    with pytest.raises(WorkspaceError, match="could not be opened") as caught:
        StaffWorkspace.open(tmp_path)
    assert "not a database" in caught.value.detail


def test_open_an_sqlite_database_that_is_not_a_workspace(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "program.sqlite") as raw:
        raw.execute("CREATE TABLE notes (x TEXT)")
    with pytest.raises(WorkspaceError, match="not a JudgePanel workspace"):
        StaffWorkspace.open(tmp_path)


def test_a_newer_schema_is_refused_and_left_alone(workspace: StaffWorkspace,
                                                  tmp_path: Path) -> None:
    with workspace.session() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed9999'"))
    workspace.close()
    with pytest.raises(WorkspaceError, match="newer version of JudgePanel") as caught:
        StaffWorkspace.open(tmp_path / "program")
    assert "f00dfeed9999" in caught.value.detail
    with sqlite3.connect(tmp_path / "program" / "program.sqlite") as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("f00dfeed9999",)
        ]


def test_open_by_url(workspace: StaffWorkspace, tmp_path: Path) -> None:
    url = workspace.url
    workspace.close()
    reopened = StaffWorkspace.open(url)
    assert reopened.folder == (tmp_path / "program").resolve()
    with reopened.session() as session:
        assert reopened.program(session).name.startswith("Mayors")
    reopened.close()


# --- engine settings -------------------------------------------------------------------------


def test_sqlite_pragmas_are_set_on_every_connection(workspace: StaffWorkspace) -> None:
    for _ in range(2):  # a pooled connection and a fresh one
        with workspace.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        workspace.engine.dispose()


def test_foreign_keys_are_enforced(workspace: StaffWorkspace) -> None:
    with pytest.raises(IntegrityError), workspace.session() as session:
        session.add(Category(program_id=9999, key="x", name="X"))
        session.flush()


def test_ddl_is_transactional(tmp_path: Path) -> None:
    # pysqlite would autocommit CREATE TABLE; our BEGIN makes a failed migration vanish.
    engine = make_engine(f"sqlite:///{tmp_path / 't.sqlite'}")
    with pytest.raises(RuntimeError), engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE half (x INTEGER)")
        raise RuntimeError("migration failed half-way")
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_session_rolls_back_everything_on_error(workspace: StaffWorkspace) -> None:
    with pytest.raises(RuntimeError), workspace.session() as session:
        program = workspace.program(session)
        session.add(Application(program_id=program.id, ref="A-1", title="Kept?"))
        session.flush()
        workspace.record(session, "test.action", {"n": 1})
        raise RuntimeError("boom")
    with workspace.session() as session:
        assert count(session, Application) == 0
        assert count(session, AuditEvent) == 1


# --- schema -------------------------------------------------------------------------------


def _diff(engine_or_ws: StaffWorkspace) -> list[object]:
    with engine_or_ws.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "compare_server_default": True})
        return list(compare_metadata(context, Base.metadata))


def test_migrated_schema_matches_the_models(workspace: StaffWorkspace) -> None:
    assert _diff(workspace) == []


def test_migrated_in_memory_schema_matches_the_models(memory_workspace: StaffWorkspace) -> None:
    assert _diff(memory_workspace) == []
    assert memory_workspace.url == "sqlite://"
    with memory_workspace.session() as session:  # a second session sees the same database
        assert memory_workspace.program(session).name == "In-memory Grants"


def test_a_model_change_without_a_migration_is_noticed(workspace: StaffWorkspace) -> None:
    # The comparison itself must be able to fail.
    with workspace.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE judges ADD COLUMN shoe_size INTEGER")
    assert any("shoe_size" in repr(d) for d in _diff(workspace))


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    migrations.upgrade(engine)
    with engine.begin() as connection:
        command.downgrade(migrations.alembic_config(connection), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrations.upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


# --- portable types -----------------------------------------------------------------------


def test_money_and_times_round_trip_exactly(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        session.add(Application(program_id=program.id, ref="A-1", title="T",
                                requested_amount=Decimal("1234567890.10")))
    with workspace.session() as session:
        application = session.scalars(select(Application)).one()
        assert application.requested_amount == Decimal("1234567890.10")
        assert isinstance(application.requested_amount, Decimal)
        assert application.created_at.tzinfo is not None
        assert abs(application.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_naive_timestamps_are_refused(workspace: StaffWorkspace) -> None:
    with pytest.raises(Exception, match="timezone-aware"), workspace.session() as session:
        program = workspace.program(session)
        session.add(Application(program_id=program.id, ref="A-1", title="T",
                                created_at=dt.datetime(2026, 1, 1)))
        session.flush()


# --- categories --------------------------------------------------------------------------


def test_categories_are_found_by_name_or_key(workspace: StaffWorkspace) -> None:
    assert len(RECOGNITION_COMPONENTS) == 10
    assert category_key("Policing and hate-crime reporting") == "policing-and-hate-crime-reporting"
    with workspace.session() as session:
        program = workspace.program(session)
        found = find_category(session, program, "  POLICING and Hate Crime reporting ")
        assert found is not None and found.name == "Policing and hate-crime reporting"
        assert find_category(session, program, "Gardening") is None
        with pytest.raises(ValidationError, match="already a category"):
            add_category(session, program, "education")
        track = add_category(session, program, "Small grants", budget=Decimal("50000"))
        assert track.position == 10


# --- attachments store -------------------------------------------------------------------


def test_attachment_store_is_content_addressed_and_atomic(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "att")
    first = store.put_bytes(b"%PDF-1.7 plan")
    again = store.put_bytes(b"%PDF-1.7 plan")
    assert first == again and first.size == 13
    path = store.path_for(first.sha256)
    assert path == tmp_path / "att" / first.sha256[:2] / first.sha256[2:]
    assert store.read(first.sha256) == b"%PDF-1.7 plan"
    source = tmp_path / "big.bin"
    source.write_bytes(b"x" * (3 << 20))
    seen: list[int] = []
    stored = store.put_file(source, progress=lambda done, total, label: seen.append(done))
    assert store.verify(stored.sha256) and seen[-1] == 3 << 20
    assert sorted(store.digests()) == sorted([first.sha256, stored.sha256])
    assert not list((tmp_path / "att").glob(".incoming-*"))  # no temporary files left
    assert store.remove_unused({stored.sha256}) == 1
    assert not store.has(first.sha256)


def test_attachment_store_detects_damage_and_bad_digests(tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    stored = store.put_bytes(b"original")
    store.path_for(stored.sha256).write_bytes(b"changed!")
    assert not store.verify(stored.sha256)
    with pytest.raises(DamagedFileError, match="damaged"):
        store.read(stored.sha256)
    with pytest.raises(DamagedFileError, match="missing"):
        store.read("0" * 64)
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")


# --- rounds, rubrics, blind review -------------------------------------------------------


def _rubric() -> Rubric:
    return Rubric(
        name="Recognition 2026",
        tie_break="impact",
        criteria=(
            Criterion("impact", "Impact", guidance="What changed?", weight=3, min=1, max=5,
                      levels=(Level(1, "None"), Level(5, "Strong")),
                      comment=CommentRule("below", 3)),
            Criterion("novelty", "Novelty", min=0, max=10, step=0.5),
            Criterion("fit", "Fit with the compact", counts=False,
                      comment=CommentRule("always")),
        ),
    )


def test_rubric_round_trips_through_rows(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        round_ = add_round(session, workspace.program(session), "First round", ACTOR)
        assert round_.number == 1
        save_rubric(session, round_, _rubric(), ACTOR)
    with workspace.session() as session:
        round_ = workspace.program(session).rounds[0]
        assert rubric_for_round(session, round_) == _rubric()
        smaller = Rubric(name="Short", criteria=(Criterion("impact", "Impact"),))
        save_rubric(session, round_, smaller, ACTOR)  # replacing works
    with workspace.session() as session:
        round_ = workspace.program(session).rounds[0]
        assert rubric_for_round(session, round_) == smaller
        assert [e.action for e in audit.events(session, "rubric.")] == ["rubric.saved"] * 2


def test_rubric_cannot_change_after_bundles_went_out(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        round_ = add_round(session, program, "First round", ACTOR)
        with pytest.raises(ValidationError, match="no rubric yet"):
            rubric_for_round(session, round_)
        save_rubric(session, round_, _rubric(), ACTOR)
        judge = Judge(program_id=program.id, name="J", age_recipient="age1x",
                      minisign_public_key="RW", fingerprint="AAAA")
        session.add(judge)
        session.flush()
        session.add(IssuedBundle(round_id=round_.id, judge_id=judge.id, bundle_id="b-1",
                                 manifest_sha256="0" * 64))
        session.flush()
        with pytest.raises(ValidationError, match="already been sent"):
            save_rubric(session, round_, _rubric(), ACTOR)


def test_blind_review_hides_chosen_fields_and_attachments(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        round_ = add_round(session, program, "Blind round", ACTOR)
        application = Application(
            program_id=program.id, ref="REC-1", title="Safe Streets", organisation="City of X",
            city="X", contact_email="a@x.gov", requested_amount=Decimal("100"),
            fields={"summary": "We did things", "mayor": "Jane Doe"},
            categories=[program.categories[0]],
            attachments=[
                Attachment(name="plan.pdf", label="plan", sha256="a" * 64, size=1),
                Attachment(name="cv.pdf", label="cv", sha256="b" * 64, size=1),
                Attachment(name="photo.jpg", label="plan", sha256="c" * 64, size=1,
                           withheld=True),
            ],
        )
        session.add(application)
        session.flush()
        full = round_.visible_fields(application)
        assert full["organisation"] == "City of X" and full["mayor"] == "Jane Doe"
        assert full["categories"] == ["Public leadership"]
        assert full["requested_amount"] == "100.00"
        assert "contact_email" not in full
        set_blind_review(session, round_, ACTOR, hidden_fields=["organisation", "city", "mayor",
                                                                "ref"],
                         hidden_attachment_labels=["cv"])
        assert round_.is_blind
        blind = round_.visible_fields(application)
        assert blind == {"ref": "REC-1", "title": "Safe Streets", "summary": "We did things",
                         "requested_amount": "100.00", "categories": ["Public leadership"]}
        shown = [a.name for a in application.attachments if round_.shows_attachment(a)]
        assert shown == ["plan.pdf"]


# --- PostgreSQL (opt-in) -------------------------------------------------------------------

def test_the_same_code_runs_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    ws = StaffWorkspace.create(postgres_url, "Shared program", categories=("Youth",),
                               actor=ACTOR)
    try:
        assert _diff(ws) == []
        with ws.session() as session:
            program = ws.program(session)
            session.add(Application(program_id=program.id, ref="A-1", title="T",
                                    requested_amount=Decimal("1234567890.10")))
            round_ = add_round(session, program, "First round", ACTOR)
            save_rubric(session, round_, _rubric(), ACTOR)
        with ws.session() as session:
            application = session.scalars(select(Application)).one()
            assert application.requested_amount == Decimal("1234567890.10")
            assert application.created_at.tzinfo is not None
            assert rubric_for_round(session, ws.program(session).rounds[0]) == _rubric()
            assert audit.check(session) == []
            session.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed9999'"))
    finally:
        ws.close()
    with pytest.raises(WorkspaceError, match="newer version"):
        StaffWorkspace.open(postgres_url)


def test_json_columns_notice_edits_in_place(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        program.settings["disagreement_range"] = 2
        session.add(Application(program_id=program.id, ref="A-1", title="T", fields={"a": "1"}))
    with workspace.session() as session:
        application = session.scalars(select(Application)).one()
        application.fields["b"] = "2"
    with workspace.session() as session:
        assert workspace.program(session).settings == {"disagreement_range": 2}
        assert session.scalars(select(Application)).one().fields == {"a": "1", "b": "2"}
