"""Schema revision 2: a revision-1 workspace with data in the old places, upgraded and back.

Revision 1 kept a shortlisted round's applications in the program settings and
what a bundle held only in its ``bundle.issued`` audit entry. The database here
is built at revision 1 with the tables as they were then (plain SQL for the
table that changed), then opened by the app, which upgrades it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select

from judgepanel.errors import WorkspaceError
from judgepanel.model.staff import audit, migrations
from judgepanel.model.staff.bundles.issued import all_issued_applications, issued_applications
from judgepanel.model.staff.prepare.rounds import round_applications
from judgepanel.model.staff.schema.base import Base
from judgepanel.model.staff.schema.program import Application, Judge, Program, Round
from judgepanel.model.staff.workspace import StaffWorkspace, sqlite_url
from judgepanel.model.storage.engine import make_engine, session_factory
from tests.model.conftest import ACTOR

OLD_ISSUED = sa.table("issued_bundles", *(sa.column(c) for c in (
    "id", "round_id", "judge_id", "bundle_id", "manifest_sha256", "file_name", "created_at",
    "superseded")), sa.column("recipients", sa.JSON))


OLD_APPLICATIONS = sa.table("applications", *(sa.column(c) for c in (
    "id", "program_id", "ref", "title", "organisation", "city", "contact_name",
    "contact_email", "source", "created_at")), sa.column("fields", sa.JSON))


def _refs(apps: list[Application]) -> list[str]:
    return [a.ref for a in apps]


def _revision_1_workspace(folder: Path) -> dict[str, Any]:
    """A revision-1 program: 5 applications, rounds 1-3, two bundles; returns its ids."""
    folder.mkdir()
    engine = make_engine(sqlite_url(folder))
    migrations.upgrade(engine, "0001")
    with session_factory(engine).begin() as session:
        program = Program(name="Old program", settings={"disagreement_range": 25})
        session.add(program)
        session.flush()
        # Plain SQL: today's Application has columns revision 1 lacked (0009's version).
        for i in range(1, 6):
            session.execute(OLD_APPLICATIONS.insert().values(
                program_id=program.id, ref=f"A{i}", title=f"App {i}", organisation="",
                city="", contact_name="", contact_email="", fields={}, source="",
                created_at="2026-01-01 00:00:00"))
        judge = Judge(program_id=program.id, name="J", age_recipient="age1x",
                      minisign_public_key="RW", fingerprint="AAAA")
        rounds = [Round(program_id=program.id, number=n, name=f"Round {n}", hidden_fields=[],
                        hidden_attachment_labels=[]) for n in (1, 2, 3)]
        session.add_all([judge, *rounds])
        session.flush()
        a1, a2, a3, a4, a5 = session.scalars(sa.select(OLD_APPLICATIONS.c.id)
                                             .order_by(OLD_APPLICATIONS.c.id))
        r1, r2, r3 = (r.id for r in rounds)
        audit.append(session, ACTOR, "workspace.created", {"program": "Old program"})
        # Round 2 was shortlisted (A1, A3; 9999 is an application since deleted); A4 was
        # then assigned in it by hand, and the old code counted it as a member too.
        program.settings = {"disagreement_range": 25,
                            "round_applications": {str(r2): [a1, a3, 9999]}}
        session.execute(sa.text("INSERT INTO assignments (round_id, judge_id, application_id, "
                                "created_at) VALUES (:r, :j, :a, '2026-01-01 00:00:00')"),
                        {"r": r2, "j": judge.id, "a": a4})
        # Round 3 was added by hand, without a settings entry: it held every application.
        for row_id, round_id, bundle_id, held in (
                (1, r1, "R1-J-aaa", [["A2", a2], ["A5", a5]]),
                (2, r2, "R2-J-bbb", [["A1", a1], ["A4", a4]]),
                (3, r1, "R1-J-lost", None)):  # its audit entry is missing
            session.execute(OLD_ISSUED.insert().values(
                id=row_id, round_id=round_id, judge_id=judge.id, bundle_id=bundle_id,
                manifest_sha256="0" * 64, recipients=["age1x"], file_name="",
                created_at="2026-01-02 00:00:00", superseded=False))
            if held is not None:
                audit.append(session, ACTOR, "bundle.issued",
                             {"bundle_id": bundle_id, "judge": judge.id, "applications": held})
        ids = {"apps": [a1, a2, a3, a4, a5], "rounds": [r1, r2, r3]}
    engine.dispose()
    return ids


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


@pytest.fixture
def old_folder(tmp_path: Path) -> Path:
    return tmp_path / "old"


def test_upgrading_moves_round_members_and_bundle_contents(old_folder: Path) -> None:
    ids = _revision_1_workspace(old_folder)
    a1, a2, _, a4, a5 = ids["apps"]
    r1, r2, r3 = ids["rounds"]
    with StaffWorkspace.open(old_folder, actor="upgrader") as ws:
        assert ws.schema_revision() == migrations.head_revision()
        assert _diff(ws.engine) == []
        with ws.session() as session:
            program = ws.program(session)
            assert program.settings == {"disagreement_range": 25}  # the old entry is gone
            first, second, third = (session.get_one(Round, r) for r in (r1, r2, r3))
            assert _refs(round_applications(session, first)) == ["A1", "A2", "A3", "A4", "A5"]
            assert first.applications == []  # by rule, not by rows
            assert _refs(round_applications(session, second)) == ["A1", "A3", "A4"]
            assert _refs(second.applications) == ["A1", "A3", "A4"]
            assert _refs(round_applications(session, third)) == ["A1", "A2", "A3", "A4", "A5"]
            assert issued_applications(session, "R1-J-aaa") == {"A2": a2, "A5": a5}
            assert issued_applications(session, "R2-J-bbb") == {"A1": a1, "A4": a4}
            assert set(all_issued_applications(session)) == {"R1-J-aaa", "R2-J-bbb"}
            with pytest.raises(WorkspaceError, match="Rebuild the judge's bundle"):
                issued_applications(session, "R1-J-lost")
            # The audit log was not rewritten: still intact, plus the upgrade entry.
            assert audit.check(session) == []
            assert len(audit.events(session, "bundle.issued")) == 2
            last = audit.events(session)[-1]
            upgraded = {"from": "0001", "to": migrations.head_revision()}
            assert (last.action, last.details) == ("workspace.upgraded", upgraded)


def test_downgrading_puts_the_data_back_where_revision_1_reads_it(old_folder: Path) -> None:
    ids = _revision_1_workspace(old_folder)
    a1, a2, a3, a4, a5 = ids["apps"]
    _, r2, r3 = ids["rounds"]
    StaffWorkspace.open(old_folder).close()  # upgrade
    engine = make_engine(sqlite_url(old_folder))
    try:
        with engine.begin() as connection:
            command.downgrade(migrations.alembic_config(connection), "0001")
        tables = inspect(engine)
        assert "round_applications" not in tables.get_table_names()
        assert "applications" not in {c["name"] for c in tables.get_columns("issued_bundles")}
        with engine.connect() as connection:
            settings = connection.scalar(sa.text("SELECT settings FROM programs"))
        assert sa.JSON().result_processor(engine.dialect, None)(settings) == {
            "disagreement_range": 25,
            "round_applications": {str(r2): [a1, a3, a4], str(r3): [a1, a2, a3, a4, a5]}}
        migrations.upgrade(engine)  # and up again: the same rows
        with session_factory(engine)() as session:
            second = session.get_one(Round, r2)
            assert _refs(round_applications(session, second)) == ["A1", "A3", "A4"]
            assert issued_applications(session, "R1-J-aaa") == {"A2": a2, "A5": a5}
            assert session.scalar(select(Program.settings)) == {"disagreement_range": 25}
    finally:
        engine.dispose()


def test_a_fresh_workspace_downgrades_and_upgrades_cleanly(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    try:
        migrations.upgrade(engine)
        with engine.begin() as connection:
            command.downgrade(migrations.alembic_config(connection), "0001")
        assert _diff(engine) != []  # revision 1 lacks what the models now have
        migrations.upgrade(engine)
        assert _diff(engine) == []
    finally:
        engine.dispose()
