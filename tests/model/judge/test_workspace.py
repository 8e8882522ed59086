"""The judge workspace file: creation, versioning, refusals, durability, the audit chain."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from judgepanel.clock import utcnow
from judgepanel.errors import WorkspaceError
from judgepanel.model.judge.schema import (
    BundleRow,
    DeclarationEvent,
    DeclarationRow,
    JudgeAuditEvent,
    ScoreRow,
    snapshot,
)
from judgepanel.model.judge.workspace import DATABASE_NAME, SCHEMA_VERSION, JudgeWorkspace
from judgepanel.model.storage import hash_chain

FINGERPRINT = "K7QF-3MZD-WX2P-9HTR"


def manifest(bundle_id: str = "B-0001") -> dict[str, object]:
    """Just the manifest fields the workspace stores."""
    return {
        "bundle_id": bundle_id, "program": {"id": "P-1", "name": "Recognition"},
        "round": {"id": "R-1", "name": "First round"}, "due": "2026-04-01",
        "judge": {"name": "Maria Okafor", "fingerprint": FINGERPRINT},
        "staff": {"name": "Program Office", "fingerprint": "STAF-FSTA-FFST-AFFS",
                  "minisign_public_key": "RWQ-not-checked-here", "age_recipient": "age1-x"},
    }


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    return tmp_path / "judge.sqlite"


def _fill(ws: JudgeWorkspace, n: int = 4) -> None:
    for i in range(n):
        with ws.transaction() as s:
            ws.record(s, FINGERPRINT, "test.step", {"i": i, "note": "café", "x": [1, 2.5]})


def test_default_location_is_the_data_home(judgepanel_home: Path) -> None:
    with JudgeWorkspace.open() as ws:
        assert ws.path == judgepanel_home / DATABASE_NAME
        assert ws.path.is_file()
        assert ws.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(judgepanel_home / DATABASE_NAME) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT value FROM judge_meta WHERE key='schema_version'"
                           ).fetchone() == (str(SCHEMA_VERSION),)


def test_reopening_keeps_what_was_committed(ws_path: Path) -> None:
    ws = JudgeWorkspace.open(ws_path)
    row_id = ws.register_bundle(manifest(), "ab" * 32, Path("/bundles/maria.jpbundle"))
    with ws.transaction() as s:
        s.add(ScoreRow(bundle_row_id=row_id, application_id="A-1", criterion_key="impact",
                       value=3.5, comment="Good"))
    ws.close()
    with JudgeWorkspace.open(ws_path) as again:
        with again.read() as s:
            score = s.scalars(select(ScoreRow)).one()
            assert (score.value, score.comment) == (3.5, "Good")
        [bundle] = again.bundles()
        assert (bundle.bundle_id, bundle.program_name, bundle.due) == (
            "B-0001", "Recognition", "2026-04-01")
        # The same bundle again is found, not duplicated; its new location is kept.
        assert again.register_bundle(manifest(), "ab" * 32, Path("/moved/m.jpbundle")) == row_id
        assert [b.path for b in again.bundles()] == [str(Path("/moved/m.jpbundle"))]


def test_same_bundle_id_with_another_manifest_is_refused(ws_path: Path) -> None:
    with JudgeWorkspace.open(ws_path) as ws:
        ws.register_bundle(manifest(), "ab" * 32, Path("a.jpbundle"))
        with pytest.raises(WorkspaceError, match="different bundle with the same name"):
            ws.register_bundle(manifest(), "cd" * 32, Path("b.jpbundle"))
        assert [b.manifest_sha256 for b in ws.bundles()] == ["ab" * 32]


def test_a_failed_change_leaves_nothing(ws_path: Path) -> None:
    with JudgeWorkspace.open(ws_path) as ws:
        row_id = ws.register_bundle(manifest(), "ab" * 32, Path("a.jpbundle"))
        with pytest.raises(RuntimeError), ws.transaction() as s:
            s.add(DeclarationRow(bundle_row_id=row_id, application_id="A-1", conflict=False,
                                 reason="", declared_at=utcnow()))
            ws.record(s, FINGERPRINT, "declaration.set", {"application": "A-1"})
            raise RuntimeError("crash in the middle")
        with ws.read() as s:
            assert s.scalars(select(DeclarationRow)).all() == []
        assert [e.action for e in ws.audit_events()] == ["staff_key.pinned", "bundle.opened"]


def test_a_newer_workspace_is_refused_and_left_alone(ws_path: Path) -> None:
    JudgeWorkspace.open(ws_path).close()
    with sqlite3.connect(ws_path) as raw:
        raw.execute("UPDATE judge_meta SET value=? WHERE key='schema_version'",
                    (str(SCHEMA_VERSION + 1),))
    before = hashlib.sha256(ws_path.read_bytes()).hexdigest()
    with pytest.raises(WorkspaceError, match="newer version") as caught:
        JudgeWorkspace.open(ws_path)
    assert caught.value.path == str(ws_path)
    assert hashlib.sha256(ws_path.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("version", ["", "one", "0", "-1"])
def test_a_damaged_version_row_is_refused(ws_path: Path, version: str) -> None:
    JudgeWorkspace.open(ws_path).close()
    with sqlite3.connect(ws_path) as raw:
        raw.execute("UPDATE judge_meta SET value=? WHERE key='schema_version'", (version,))
    with pytest.raises(WorkspaceError, match="not a JudgePanel judge workspace"):
        JudgeWorkspace.open(ws_path)


def test_another_database_is_refused_untouched(ws_path: Path) -> None:
    with sqlite3.connect(ws_path) as raw:
        raw.execute("CREATE TABLE contacts (name TEXT)")
    with pytest.raises(WorkspaceError, match="not a JudgePanel judge workspace"):
        JudgeWorkspace.open(ws_path)
    with sqlite3.connect(ws_path) as raw:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["contacts"]


def test_a_file_that_is_not_a_database_is_refused(ws_path: Path) -> None:
    ws_path.write_bytes(b"this is my shopping list, not a database" * 100)
    with pytest.raises(WorkspaceError, match="not a JudgePanel judge workspace") as caught:
        JudgeWorkspace.open(ws_path)
    assert caught.value.detail


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError):
        JudgeWorkspace.open(tmp_path)


# --- the audit chain ------------------------------------------------------------------


def test_the_chain_uses_the_staff_logs_hash(ws_path: Path) -> None:
    with JudgeWorkspace.open(ws_path) as ws:
        _fill(ws)
        events = ws.audit_events()
        assert [e.seq for e in events] == [1, 2, 3, 4]
        assert events[0].prev_hash == hash_chain.GENESIS
        for before, after in zip(events, events[1:], strict=False):
            assert after.prev_hash == before.hash
        first = events[0]
        payload = {"seq": 1, "at": first.at.isoformat(timespec="microseconds"),
                   "actor": FINGERPRINT, "action": "test.step", "details": first.details,
                   "prev": "0" * 64}
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False).encode()
        assert first.hash == hashlib.sha256(canonical).hexdigest()
        assert ws.check_audit() == []
        assert ws.audit_head() == (4, events[-1].hash)
        assert [e.seq for e in ws.audit_events("test.")] == [1, 2, 3, 4]


def test_a_changed_entry_is_found(ws_path: Path) -> None:
    with JudgeWorkspace.open(ws_path) as ws:
        _fill(ws)
    with sqlite3.connect(ws_path) as raw:
        raw.execute("UPDATE judge_audit SET details=? WHERE seq=2", ('{"i": 99}',))
    with JudgeWorkspace.open(ws_path) as ws:
        assert [(b.seq, "changed" in b.problem) for b in ws.check_audit()] == [(2, True)]


def test_a_removed_entry_and_a_cut_tail_are_found(ws_path: Path) -> None:
    with JudgeWorkspace.open(ws_path) as ws:
        _fill(ws)
        anchor = ws.audit_head()
    with sqlite3.connect(ws_path) as raw:
        raw.execute("DELETE FROM judge_audit WHERE seq IN (2, 4)")
    with JudgeWorkspace.open(ws_path) as ws:
        problems = ws.check_audit(anchor)
        assert [b.seq for b in problems] == [3, 4]
        assert "missing" in problems[0].problem


def test_the_orm_cannot_edit_or_delete_history(ws_path: Path) -> None:
    with JudgeWorkspace.open(ws_path) as ws:
        row_id = ws.register_bundle(manifest(), "ab" * 32, Path("a.jpbundle"))
        with ws.transaction() as s:
            s.add(DeclarationEvent(bundle_row_id=row_id, application_id="A-1", conflict=True,
                                   reason="My sister", declared_at=utcnow()))
        with pytest.raises(WorkspaceError, match="only grow"), ws.transaction() as s:
            s.scalars(select(DeclarationEvent)).one().reason = "Nothing really"
        with pytest.raises(WorkspaceError, match="only grow"), ws.transaction() as s:
            s.scalars(select(JudgeAuditEvent)).first().action = "edited"  # type: ignore[union-attr]
        for entity in (JudgeAuditEvent, DeclarationEvent):
            with pytest.raises(WorkspaceError, match="only grow"), ws.transaction() as s:
                s.delete(s.scalars(select(entity)).first())
        with ws.read() as s:
            assert s.scalars(select(DeclarationEvent)).one().reason == "My sister"
        assert ws.check_audit() == []


def test_snapshot_reads_one_bundle_or_one_application(ws_path: Path) -> None:
    with JudgeWorkspace.open(ws_path) as ws:
        first = ws.register_bundle(manifest("B-1"), "ab" * 32, Path("a.jpbundle"))
        second = ws.register_bundle(manifest("B-2"), "cd" * 32, Path("b.jpbundle"))
        with ws.transaction() as s:
            for row_id in (first, second):
                for app in ("A-1", "A-2"):
                    s.add(ScoreRow(bundle_row_id=row_id, application_id=app,
                                   criterion_key="impact", value=row_id))
        with ws.read() as s:
            whole = snapshot(s, first)
            assert sorted(whole.scores) == ["A-1", "A-2"]
            assert {r.value for app in whole.scores.values() for r in app.values()} == {first}
            one = snapshot(s, second, "A-2")
            assert list(one.scores) == ["A-2"] and one.scores["A-2"]["impact"].value == second
        assert [b.bundle_id for b in ws.bundles()] == ["B-2", "B-1"]
        assert isinstance(ws.bundles()[0], BundleRow)
