"""Moving a program in and out of a server: exact copies, checked, all or nothing; upgrades."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text

from judgepanel.errors import DamagedFileError, WorkspaceError
from judgepanel.model.staff import audit, migrations
from judgepanel.model.staff.attachments import DatabaseStore, FolderStore
from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.decide.leaderboard import compute
from judgepanel.model.staff.location import connect, locate
from judgepanel.model.staff.prepare.importing.workflow import import_file
from judgepanel.model.staff.results.merging import merge_results
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.program import Application, Attachment, Round
from judgepanel.model.staff.transfer import copy_program, counts
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.model.storage.engine import make_engine
from tests.model.flows import (
    ACTOR,
    Flow,
    complete_results,
    make_flow,
    open_bundle,
    write_judge_results,
)


def _judged(tmp_path: Path) -> Flow:
    """The test program in a folder, with bundles built and every judge's results merged."""
    flow = make_flow(tmp_path / "source")
    built = build_bundles(flow.workspace, flow.round_id, flow.staff, tmp_path / "bundles")
    paths = []
    for bundle in built:
        with open_bundle(flow, bundle) as opened:
            document = complete_results(opened)
        paths.append(write_judge_results(flow, tmp_path / f"{bundle.judge_id}.jpresults",
                                         document, flow.identity_of(bundle.judge_id)))
    assert all(row.accepted for row in merge_results(flow.workspace, paths, flow.staff).rows)
    return flow


def _picture(workspace: StaffWorkspace) -> tuple[object, ...]:
    with workspace.session() as session:
        round_ = session.scalars(select(Round).order_by(Round.id)).first()
        assert round_ is not None
        board = [(r.application.ref, r.rank_raw, r.stats.mean) for r in
                 compute(session, round_).rows]
        digests = sorted(session.scalars(select(Attachment.sha256)))
        files = {d: workspace.attachments.read(d) for d in digests}
        chain = [(e.seq, e.hash) for e in audit.events(session)]
    return board, files, chain


def test_a_program_moves_to_a_server_and_back_unchanged(postgres_url: str,
                                                        tmp_path: Path) -> None:
    flow = _judged(tmp_path)
    source = flow.workspace
    before = _picture(source)
    rows_before = counts(source)
    moved_in = copy_program(source, postgres_url, actor="maria")
    assert moved_in.rows == rows_before and moved_in.attachments == len(before[1])
    shared = StaffWorkspace.open(postgres_url, actor="maria")
    try:
        assert isinstance(shared.attachments, DatabaseStore)
        board, files, chain = _picture(shared)
        assert (board, files) == before[:2]
        assert chain[:len(before[2])] == before[2]  # the same entries, hashes and all
        with shared.session() as session:
            last = audit.events(session)[-1]
            assert last.action == "workspace.copied_in" and audit.check(session) == []
            assert last.details["from"] == str((tmp_path / "source" / "program").resolve())
            assert last.details["head"] == list(before[2][-1])
        # Ids go on from where the copy's rows end (PostgreSQL's counters were moved on).
        sheet = tmp_path / "late.csv"
        sheet.write_text("ref,title\nLATE-1,A late entry\n")
        import_file(shared, sheet)
        moved_out = copy_program(shared, tmp_path / "archive")
    finally:
        shared.close()
    archived = StaffWorkspace.open(tmp_path / "archive")
    try:
        assert isinstance(archived.attachments, FolderStore)
        board, files, chain = _picture(archived)
        assert files == before[1] and moved_out.rows == counts(archived) | {
            "audit_events": moved_out.rows["audit_events"]}
        with archived.session() as session:
            assert audit.check(session, moved_out.audit_head) == []
            refs = set(session.scalars(select(Application.ref)))
            assert "LATE-1" in refs and len(refs) == 7
    finally:
        archived.close()
    with source.session() as session:  # the source says where its copy went
        out = audit.events(session, "workspace.copied_out")
        assert [e.details["to"] for e in out] == [
            postgres_url.replace("postgresql+psycopg://", "postgresql://")]
    source.close()


def test_a_copy_goes_only_into_an_empty_place(postgres_url: str, tmp_path: Path) -> None:
    flow = make_flow(tmp_path / "source", assign=False)
    try:
        (tmp_path / "full").mkdir()
        (tmp_path / "full" / "notes.txt").write_text("mine")
        with pytest.raises(WorkspaceError, match="already something in this folder"):
            copy_program(flow.workspace, tmp_path / "full")
        assert (tmp_path / "full" / "notes.txt").read_text() == "mine"
        with pytest.raises(WorkspaceError, match="somewhere else"):
            copy_program(flow.workspace, tmp_path / "source" / "program")
        copy_program(flow.workspace, postgres_url)
        with pytest.raises(WorkspaceError, match="already holds data"):
            copy_program(flow.workspace, postgres_url)
    finally:
        flow.workspace.close()


def test_a_damaged_source_leaves_no_copy_behind(postgres_url: str, tmp_path: Path) -> None:
    flow = make_flow(tmp_path / "source", assign=False)
    store = flow.workspace.attachments
    assert isinstance(store, FolderStore)
    victim = next(iter(store.digests()))
    store.path_for(victim).write_bytes(b"not what was imported")
    try:
        with pytest.raises(DamagedFileError, match="so the copy was not made"):
            copy_program(flow.workspace, tmp_path / "copy")
        assert not (tmp_path / "copy").exists()
        with pytest.raises(DamagedFileError):
            copy_program(flow.workspace, postgres_url)
        engine = make_engine(postgres_url)
        try:
            with engine.connect() as connection:  # the database is as empty as before
                assert connection.scalar(text(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema = 'public'")) == 0
        finally:
            engine.dispose()
        with flow.workspace.session() as session:
            assert audit.events(session, "workspace.copied") == []
    finally:
        flow.workspace.close()


def test_a_shared_database_is_upgraded_only_on_request(postgres_url: str) -> None:
    workspace = StaffWorkspace.create(postgres_url, "Shared", actor=ACTOR)
    workspace.close()
    engine = make_engine(postgres_url)
    try:
        with engine.begin() as connection:
            command.downgrade(migrations.alembic_config(connection), "0007")
    finally:
        engine.dispose()
    with pytest.raises(WorkspaceError, match="needs an upgrade first") as refused:
        StaffWorkspace.open(postgres_url)
    assert "judgepanel staff upgrade" in refused.value.message
    officer = connect(locate(postgres_url))  # an officer who still has it open
    with officer.connect(), pytest.raises(WorkspaceError, match="still open on 1 connection"):
        StaffWorkspace.upgrade(postgres_url, actor="admin")
    officer.dispose()
    assert StaffWorkspace.upgrade(postgres_url, actor="admin") == (
        "0007", migrations.head_revision())
    assert StaffWorkspace.upgrade(postgres_url) == (migrations.head_revision(),) * 2
    with StaffWorkspace.open(postgres_url) as opened, opened.session() as session:
        upgrades = audit.events(session, "workspace.upgraded")
        assert [(e.actor, e.details["from"]) for e in upgrades] == [("admin", "0007")]
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 2
