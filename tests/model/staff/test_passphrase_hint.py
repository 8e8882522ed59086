"""Passphrase hints live in the workspace (``issued_bundles.set_passphrase_hint``, migration 0005).

Uses the ``demo`` fixture of tests/conftest.py for the migration; bundles of its own otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from judgepanel.crypto.passphrase import new_passphrase
from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit, migrations
from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.bundles.issued import (
    HINT_ACTION,
    MAX_HINT,
    check_passphrase_hint,
    set_passphrase_hint,
)
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.results import IssuedBundle
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.conftest import copied_demo
from tests.model.flows import ACTOR, Flow, make_flow


@pytest.fixture
def built(tmp_path: Path) -> Iterator[tuple[Flow, str, str]]:
    """A flow whose first judge got a passphrase bundle: (flow, that bundle's id, another's)."""
    flow = make_flow(tmp_path)
    first = next(iter(flow.judge_ids.values()))
    bundles = build_bundles(flow.workspace, flow.round_id, flow.staff, tmp_path / "bundles",
                            passphrases={first: new_passphrase()}, scrypt_work_factor=10)
    with_passphrase = next(b.bundle_id for b in bundles if b.judge_id == first)
    other = next(b.bundle_id for b in bundles if b.judge_id != first)
    yield flow, with_passphrase, other
    flow.workspace.close()


def _issued(session: object, bundle_id: str) -> IssuedBundle:
    return session.scalars(select(IssuedBundle).where(  # type: ignore[attr-defined, no-any-return]
        IssuedBundle.bundle_id == bundle_id)).one()


def test_a_hint_is_kept_tidied_and_audited_without_its_text(
        built: tuple[Flow, str, str]) -> None:
    flow, bundle_id, _ = built
    with flow.workspace.session() as session:
        set_passphrase_hint(session, _issued(session, bundle_id), "  read out   to Amara\n",
                            ACTOR)
        set_passphrase_hint(session, _issued(session, bundle_id), "read out to Amara", ACTOR)
    with flow.workspace.session() as session:
        assert _issued(session, bundle_id).passphrase_hint == "read out to Amara"
        entries = [e for e in audit.events(session) if e.action == HINT_ACTION]
        assert len(entries) == 1  # the same hint again records nothing
        assert "Amara" not in str(entries[0].details) and entries[0].details["hint_set"]
        set_passphrase_hint(session, _issued(session, bundle_id), "", ACTOR)
        assert _issued(session, bundle_id).passphrase_hint is None
        assert audit.check(session) == []


@pytest.mark.parametrize("hint", [
    new_passphrase(), new_passphrase().lower(), new_passphrase().replace("-", " "),
    new_passphrase().replace("-", ""), f"called her, it was {new_passphrase()}.",
    "x" * (MAX_HINT + 1),
])
def test_hints_that_hold_a_passphrase_or_run_on_are_refused(
        built: tuple[Flow, str, str], hint: str) -> None:
    flow, bundle_id, _ = built
    with pytest.raises(ValidationError):
        check_passphrase_hint(hint)
    with flow.workspace.session() as session, pytest.raises(ValidationError):
        set_passphrase_hint(session, _issued(session, bundle_id), hint, ACTOR)
    with flow.workspace.session() as session:
        assert _issued(session, bundle_id).passphrase_hint is None
        assert not list(session.scalars(select(AuditEvent).where(
            AuditEvent.action == HINT_ACTION)))


@pytest.mark.parametrize("hint", ["read out by phone on Monday", "Amara, 3 May 2026, 10:30",
                                  "sent by SMS to +1 555 0100", "given in person — ABCD-EFGH"])
def test_ordinary_hints_pass(hint: str) -> None:
    assert check_passphrase_hint(hint) == hint


def test_a_key_bundle_has_no_passphrase_hint(built: tuple[Flow, str, str]) -> None:
    flow, _, other = built
    with flow.workspace.session() as session, pytest.raises(ValidationError, match="Only a bundle"):
        set_passphrase_hint(session, _issued(session, other), "by phone", ACTOR)


def test_migration_0005_adds_and_drops_the_hint(demo: Path, tmp_path: Path) -> None:
    copy, engine = copied_demo(demo, tmp_path)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE issued_bundles SET passphrase_hint = 'by phone'"))
            count = connection.execute(text("SELECT count(*) FROM issued_bundles")).scalar()
            command.downgrade(migrations.alembic_config(connection), "0004")
        columns = {c["name"] for c in inspect(engine).get_columns("issued_bundles")}
        assert "passphrase_hint" not in columns and "sent_at" in columns
        with engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM issued_bundles")).scalar() \
                == count
        migrations.upgrade(engine, "0005")
        with engine.begin() as connection:
            assert migrations.current_revision(connection) == "0005"
            assert connection.execute(text(
                "SELECT count(*) FROM issued_bundles WHERE passphrase_hint IS NULL")).scalar() \
                == count
    finally:
        engine.dispose()
    StaffWorkspace.open(copy).close()  # the app opens the migrated workspace
