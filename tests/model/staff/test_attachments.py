"""Attachments in the database of a shared program: content-addressed chunks, streamed.

The folder store's own tests are in test_workspace.py; this is the same interface on
PostgreSQL, where the rows ride in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from judgepanel.errors import DamagedFileError
from judgepanel.model.staff.attachments import CHUNK, DatabaseStore
from judgepanel.model.staff.schema.program import AttachmentChunk
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.conftest import ACTOR


@pytest.fixture
def shared(postgres_url: str) -> Iterator[StaffWorkspace]:
    workspace = StaffWorkspace.create(postgres_url, "Shared program", actor=ACTOR)
    yield workspace
    workspace.close()


def _chunks(workspace: StaffWorkspace) -> list[tuple[str, int, int]]:
    with workspace.engine.connect() as connection:
        return list(connection.execute(select(
            AttachmentChunk.sha256, AttachmentChunk.position,
            func.length(AttachmentChunk.data)).order_by(AttachmentChunk.sha256,
                                                        AttachmentChunk.position)))


def test_a_shared_program_keeps_attachments_in_its_database(
        shared: StaffWorkspace, tmp_path: Path) -> None:
    store = shared.attachments
    assert isinstance(store, DatabaseStore)
    big = tmp_path / "video.bin"
    data = bytes(range(256)) * (14 * 1024 + 7)  # 3.5 MiB and a bit: four chunks
    big.write_bytes(data)
    seen: list[int] = []
    with shared.session() as session:
        stored = store.put_file(big, lambda done, total, _label: seen.append(done),
                                session=session)
        again = store.put_bytes(data, session=session)  # the same bytes: stored once
        empty = store.put_bytes(b"", session=session)
    assert stored == again and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data) and seen[-1] == len(data)
    rows = _chunks(shared)
    assert [(p, n) for s, p, n in rows if s == stored.sha256] == [
        (0, CHUNK), (1, CHUNK), (2, CHUNK), (3, len(data) - 3 * CHUNK)]
    assert (empty.sha256, 0, 0) in rows and not any(s.startswith("tmp-") for s, _, _ in rows)
    assert store.has(stored.sha256) and store.verify(stored.sha256)
    assert store.read(empty.sha256) == b""
    assert sorted(store.digests()) == sorted([stored.sha256, empty.sha256])
    with store.open(stored.sha256) as handle:  # streamed, front to back
        assert handle.read(10) == data[:10]
        assert hashlib.sha256(data[:10] + handle.read()).hexdigest() == stored.sha256
    assert store.remove_unused({stored.sha256}) == 1 and not store.has(empty.sha256)


def test_reading_fetches_one_chunk_at_a_time(shared: StaffWorkspace,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    store = shared.attachments
    assert isinstance(store, DatabaseStore)
    data = b"x" * (5 * CHUNK)
    stored = store.put_bytes(data)  # its own transaction
    fetched: list[int] = []
    chunk = store.chunk
    monkeypatch.setattr(store, "chunk", lambda sha, pos: fetched.append(pos) or chunk(sha, pos))
    with store.open(stored.sha256) as handle:
        handle.read(100)
        assert fetched == [0]  # 1 MiB held, not 5
        while handle.read(CHUNK):
            assert len(fetched) <= 6
    assert fetched == [0, 1, 2, 3, 4, 5]


def test_a_rolled_back_step_leaves_no_attachment(shared: StaffWorkspace) -> None:
    store = shared.attachments
    with pytest.raises(RuntimeError), shared.session() as session:
        store.put_bytes(b"%PDF-1.7 never imported", session=session)
        raise RuntimeError("the import is refused")
    assert _chunks(shared) == []


def test_damage_and_absence_are_found(shared: StaffWorkspace) -> None:
    store = shared.attachments
    stored = store.put_bytes(b"original" * 1000)
    with shared.engine.begin() as connection:
        connection.execute(text("UPDATE attachment_chunks SET data = :d WHERE sha256 = :s"),
                           {"d": b"changed!" * 1000, "s": stored.sha256})
    assert not store.verify(stored.sha256)
    with pytest.raises(DamagedFileError, match="damaged"):
        store.read(stored.sha256)
    with pytest.raises(DamagedFileError, match="missing from the shared program's database"):
        store.read("0" * 64)
    with pytest.raises(ValueError):
        store.open("../../etc/passwd")


def test_two_officers_storing_the_same_file_at_once_keep_one_copy(
        shared: StaffWorkspace) -> None:
    store = shared.attachments
    data = b"the same letter of support\n" * 40_000
    written, commit = threading.Event(), threading.Event()
    results = []

    def first() -> None:
        with shared.session() as session:
            results.append(store.put_bytes(data, session=session))
            written.set()
            commit.wait(timeout=10)  # the second officer's copy arrives meanwhile

    def second() -> None:
        written.wait(timeout=10)
        with shared.session() as session:  # waits for the first to commit, then drops its own
            results.append(store.put_bytes(data, session=session))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    written.wait(timeout=10)
    threads[1].join(timeout=0.5)
    assert threads[1].is_alive()  # held back by the first officer's uncommitted copy
    commit.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 2 and results[0] == results[1]
    rows = _chunks(shared)
    assert {s for s, _, _ in rows} == {results[0].sha256}
    assert len(rows) == -(-len(data) // CHUNK)  # one set of chunks, not two
    assert store.verify(results[0].sha256)
