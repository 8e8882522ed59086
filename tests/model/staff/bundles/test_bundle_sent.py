"""The "sent" tick in the model: ``bundling.mark_sent`` and migration 0003 both ways.

Uses the ``demo`` fixture of tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect, select, text

from judgepanel.model.staff import audit, migrations
from judgepanel.model.staff.bundles.issued import mark_sent
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.results import IssuedBundle
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.conftest import copied_demo


def test_mark_sent_records_once_and_can_be_taken_back(demo: Path) -> None:
    workspace = StaffWorkspace.open(demo / "program")
    try:
        with workspace.session() as session:
            issued = session.scalars(select(IssuedBundle).order_by(IssuedBundle.id)).first()
            assert issued is not None and issued.sent_at is None
            mark_sent(session, issued, "officer", True)
            first = issued.sent_at
            assert first is not None and first.tzinfo is not None
            mark_sent(session, issued, "officer", True)  # already sent: nothing changes
            assert issued.sent_at == first
            bundle_id = issued.bundle_id
        with workspace.session() as session:
            issued = session.scalars(select(IssuedBundle).where(
                IssuedBundle.bundle_id == bundle_id)).one()
            assert issued.sent_at == first
            mark_sent(session, issued, "officer", False)
            assert issued.sent_at is None
            mark_sent(session, issued, "officer", False)
        with workspace.session() as session:
            events = list(session.scalars(select(AuditEvent).where(
                AuditEvent.action == "bundle.sent")))
            assert [(e.actor, e.details["bundle_id"], e.details["sent"]) for e in events] == [
                ("officer", bundle_id, True), ("officer", bundle_id, False)]
            assert audit.check(session) == []
    finally:
        workspace.close()


def test_migration_0003_adds_and_drops_sent_at(demo: Path, tmp_path: Path) -> None:
    copy, engine = copied_demo(demo, tmp_path)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE issued_bundles SET sent_at = '2026-01-02 03:04:05'"))
            count = connection.execute(text("SELECT count(*) FROM issued_bundles")).scalar()
            assert count and count > 0
            command.downgrade(migrations.alembic_config(connection), "0002")
        columns = {c["name"] for c in inspect(engine).get_columns("issued_bundles")}
        assert "sent_at" not in columns and "applications" in columns
        with engine.begin() as connection:
            assert migrations.current_revision(connection) == "0002"
            # The rest of the row survives the downgrade.
            assert connection.execute(text("SELECT count(*) FROM issued_bundles")).scalar() \
                == count
        migrations.upgrade(engine, "0003")
        columns = {c["name"] for c in inspect(engine).get_columns("issued_bundles")}
        assert "sent_at" in columns
        with engine.begin() as connection:
            assert migrations.current_revision(connection) == "0003"
            assert connection.execute(text(
                "SELECT count(*) FROM issued_bundles WHERE sent_at IS NOT NULL")).scalar() == 0
    finally:
        engine.dispose()
    reopened = StaffWorkspace.open(copy)  # the app opens the migrated workspace
    reopened.close()
