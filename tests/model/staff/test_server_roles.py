"""The users and rights docs/shared-workspace.md sets up: enough for every step, no more.

An owner creates the program (tables, upgrades); officers log in as themselves with
rights to read and change rows but not the schema, and not to change or delete an
audit entry: the database itself keeps the log append-only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from judgepanel.model.staff import audit
from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.decide.awards import set_award
from judgepanel.model.staff.prepare.importing.workflow import import_file
from judgepanel.model.staff.results.merging import merge_results
from judgepanel.model.staff.schema.program import Application
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.flows import complete_results, make_flow, open_bundle, write_judge_results

# What docs/shared-workspace.md tells the owner to run once the program exists.
GRANTS = """
GRANT USAGE ON SCHEMA public TO {officers};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {officers};
REVOKE UPDATE, DELETE ON audit_events FROM {officers};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {officers};
"""


@pytest.fixture
def roles(postgres_url: str) -> Iterator[tuple[str, str, str]]:
    """(the owner's address, an officer's address, the officers' role) on the test
    database."""
    tag = uuid.uuid4().hex[:8]
    owner, officers, maria = f"jp_owner_{tag}", f"jp_officers_{tag}", f"jp_maria_{tag}"
    url = make_url(postgres_url)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {owner} LOGIN"))
        connection.execute(text(f"CREATE ROLE {officers} NOLOGIN"))
        connection.execute(text(f"CREATE ROLE {maria} LOGIN IN ROLE {officers}"))
        connection.execute(text(f"ALTER DATABASE {url.database} OWNER TO {owner}"))
    try:
        yield (url.set(username=owner).render_as_string(hide_password=False),
               url.set(username=maria).render_as_string(hide_password=False),
               officers)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"REASSIGN OWNED BY {owner} TO CURRENT_USER"))
            for role in (owner, officers, maria):
                connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"ALTER DATABASE {url.database} OWNER TO CURRENT_USER"))
        with create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT"
                           ).connect() as other:
            for role in (maria, officers, owner):
                other.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


def test_an_officer_with_the_documented_rights_can_do_every_step(
        roles: tuple[str, str, str], tmp_path: Path) -> None:
    owner_url, maria_url, officers = roles
    flow = make_flow(tmp_path, url=owner_url)  # the owner creates the program
    with flow.workspace.engine.begin() as connection:
        for statement in GRANTS.format(officers=officers).strip().splitlines():
            connection.execute(text(statement))
    flow.workspace.close()
    maria = StaffWorkspace.open(maria_url, actor="maria")
    try:
        sheet = tmp_path / "late.csv"
        (tmp_path / "files").mkdir()
        (tmp_path / "files" / "plan.pdf").write_bytes(b"%PDF-1.7 the plan\n" * 1000)
        sheet.write_text("ref,title,attachments\nLATE-1,A late entry,plan.pdf\n")
        import_file(maria, sheet, attachments_dir=tmp_path / "files")
        with maria.session() as session:
            set_award(session, session.get_one(Application, flow.app_ids["REC-002"]),
                      Decimal("5000"), "maria")
        flow.workspace = maria
        built = build_bundles(maria, flow.round_id, flow.staff, tmp_path / "bundles")
        with open_bundle(flow, built[0]) as opened:
            document = complete_results(opened)
        path = write_judge_results(flow, tmp_path / "r.jpresults", document,
                                   flow.identity_of(built[0].judge_id))
        assert merge_results(maria, [path], flow.staff).rows[0].accepted
        with pytest.raises(ProgrammingError, match="permission denied"), \
                maria.engine.begin() as connection:
            connection.execute(text("UPDATE audit_events SET actor = 'mallory'"))
        with pytest.raises(ProgrammingError, match="must be owner"), \
                maria.engine.begin() as connection:
            connection.execute(text("DROP TABLE scores"))
        with maria.session() as session:
            assert audit.check(session) == []
    finally:
        maria.close()
