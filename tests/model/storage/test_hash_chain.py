"""The hash-chained audit log: intact chains pass, every kind of tampering is found."""

from __future__ import annotations

import hashlib
import json
import logging
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from judgepanel.errors import ValidationError, WorkspaceError
from judgepanel.model.staff import audit
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.model.storage import hash_chain
from tests.model.conftest import ACTOR


def _fill(ws: StaffWorkspace, n: int = 5) -> None:
    with ws.session() as session:
        for i in range(n):
            audit.append(session, ACTOR, "test.step", {"i": i, "note": "café", "x": [1, 2.5]})


def _problems(ws: StaffWorkspace, anchor: tuple[int, str] | None = None) -> list[str]:
    with ws.session() as session:
        return [str(b) for b in audit.check(session, anchor)]


def test_an_untouched_chain_checks_out(workspace: StaffWorkspace) -> None:
    _fill(workspace)
    with workspace.session() as session:
        entries = audit.events(session)
        assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
        assert entries[0].prev_hash == hash_chain.GENESIS
        for before, after in zip(entries, entries[1:], strict=False):
            assert after.prev_hash == before.hash
        assert audit.head(session) == (6, entries[-1].hash)
        assert [e.seq for e in audit.events(session, "test.")] == [2, 3, 4, 5, 6]
    assert _problems(workspace) == []


def test_the_hash_follows_the_documented_formula(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        first = audit.events(session)[0]
        payload = {
            "seq": 1,
            "at": first.at.isoformat(timespec="microseconds"),
            "actor": ACTOR,
            "action": "workspace.created",
            "details": first.details,
            "prev": "0" * 64,
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False).encode()
        assert first.hash == hashlib.sha256(canonical).hexdigest()
        assert first.at.isoformat().endswith("+00:00")


def test_a_changed_entry_is_found(workspace: StaffWorkspace) -> None:
    _fill(workspace)
    with workspace.session() as session:
        session.execute(text("UPDATE audit_events SET details = :d WHERE seq = 3"),
                        {"d": json.dumps({"i": 99})})
    assert _problems(workspace) == [
        "Audit entry 3: its contents were changed after it was written."
    ]


def test_a_changed_actor_or_time_is_found(workspace: StaffWorkspace) -> None:
    _fill(workspace)
    with workspace.session() as session:
        session.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"))
        session.execute(text("UPDATE audit_events SET at = '2020-01-01 00:00:00.000000' "
                             "WHERE seq = 4"))
    problems = _problems(workspace)
    assert [p.split(":")[0] for p in problems] == ["Audit entry 2", "Audit entry 4"]


def test_a_rehashed_forgery_breaks_the_next_link(workspace: StaffWorkspace) -> None:
    _fill(workspace)
    with workspace.session() as session:
        row = session.execute(text("SELECT at, prev_hash FROM audit_events WHERE seq = 3")).one()
        forged = hash_chain.entry_hash(3, audit.events(session)[2].at, ACTOR, "test.step",
                                  {"i": 42}, row.prev_hash)
        session.execute(text("UPDATE audit_events SET details = :d, hash = :h WHERE seq = 3"),
                        {"d": json.dumps({"i": 42}), "h": forged})
    assert _problems(workspace) == [
        "Audit entry 4: it does not follow the entry before it."
    ]


def test_a_deleted_entry_is_found(workspace: StaffWorkspace) -> None:
    _fill(workspace)
    with workspace.session() as session:
        session.execute(text("DELETE FROM audit_events WHERE seq IN (3, 4)"))
    assert _problems(workspace) == ["Audit entry 5: entries before it are missing (3–4)."]


def test_a_cut_off_tail_is_found_with_an_anchor(workspace: StaffWorkspace) -> None:
    _fill(workspace)
    with workspace.session() as session:
        anchor = audit.head(session)
        assert anchor is not None
    assert _problems(workspace, anchor) == []
    with workspace.session() as session:
        session.execute(text("DELETE FROM audit_events WHERE seq = 6"))
    assert _problems(workspace) == []  # the chain alone cannot tell ...
    assert _problems(workspace, anchor) == [  # ... the recorded head can
        "Audit entry 6: it was recorded earlier but is no longer in the log."
    ]
    assert _problems(workspace, (5, "f" * 64)) == [
        "Audit entry 5: it differs from the copy recorded earlier."
    ]


def test_entries_cannot_be_changed_or_deleted_through_the_orm(
    workspace: StaffWorkspace,
) -> None:
    with pytest.raises(WorkspaceError, match="can only grow"), workspace.session() as session:
        entry = audit.events(session)[0]
        entry.actor = "mallory"
        session.flush()
    with pytest.raises(WorkspaceError, match="can only grow"), workspace.session() as session:
        session.delete(audit.events(session)[0])
        session.flush()
    assert _problems(workspace) == []


def test_the_chain_cannot_fork(workspace: StaffWorkspace) -> None:
    # A second writer appending after the same entry is refused by the database.
    with pytest.raises(IntegrityError), workspace.session() as session:
        first = audit.events(session)[0]
        at = first.at
        session.add(AuditEvent(seq=99, at=at, actor="other", action="x", details={},
                               prev_hash=first.prev_hash, hash="e" * 64))
        session.flush()


def test_details_must_be_json_data(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        with pytest.raises(ValidationError):
            audit.append(session, ACTOR, "bad", {"when": {1, 2}})
        with pytest.raises(ValidationError):
            audit.append(session, ACTOR, "bad", {"score": float("nan")})
        event = audit.append(session, ACTOR, "ok", {"t": (1, 2)})
        assert event.details == {"t": [1, 2]}  # stored exactly as hashed
    assert _problems(workspace) == []


# --- staged at commit, retried on a lost race ---------------------------------------------


def test_staff_entries_join_the_chain_when_the_step_commits(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        staged = audit.append(session, ACTOR, "test.staged", {"n": 1})
        assert staged.seq is None  # not in the chain yet: the head is not held
        assert audit.events(session, "test.staged")[0] is staged  # reading writes it first
        assert staged.seq == 2
        later = audit.append(session, ACTOR, "test.staged", {"n": 2})
    assert later.seq == 3
    with pytest.raises(RuntimeError), workspace.session() as session:
        audit.append(session, ACTOR, "test.rolled_back")
        raise RuntimeError("the step fails")
    with workspace.session() as session:
        assert [e.action for e in audit.events(session)][-2:] == ["test.staged", "test.staged"]
        assert audit.check(session) == []
    assert {2, 3} <= workspace.written_seqs


def test_a_writer_that_loses_the_race_chains_after_the_winner(
        postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    ws = StaffWorkspace.create(postgres_url, "Shared", actor=ACTOR)
    try:
        inserted, finish = threading.Event(), threading.Event()

        def winner() -> None:
            with ws.session() as session:
                audit.append(session, "winner", "test.first")
                audit.head(session)  # chained now: the head is held until commit
                inserted.set()
                finish.wait(timeout=10)

        def loser() -> None:
            inserted.wait(timeout=10)
            with ws.session() as session:
                audit.append(session, "loser", "test.second")  # same place: waits, retries

        threads = [threading.Thread(target=winner), threading.Thread(target=loser)]
        with caplog.at_level(logging.INFO, logger="judgepanel.model.storage.hash_chain"):
            for thread in threads:
                thread.start()
            inserted.wait(timeout=10)
            threads[1].join(timeout=0.5)
            assert threads[1].is_alive()  # blocked on the winner's entry at seq 2
            finish.set()
            for thread in threads:
                thread.join(timeout=30)
        assert any("another writer appended first" in r.message for r in caplog.records)
        with ws.session() as session:
            entries = audit.events(session)
            assert [(e.seq, e.actor) for e in entries[1:]] == [(2, "winner"), (3, "loser")]
            assert audit.check(session) == []
    finally:
        ws.close()
