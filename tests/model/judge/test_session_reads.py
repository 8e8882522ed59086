"""What the judge app reads from a session in bulk or in the background: the whole-bundle
check before judging starts, all scores in one query, one application's progress, and
attachments decrypted on a worker thread while applications are read on another."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from judgepanel.errors import DamagedFileError
from judgepanel.formats.bundle_write import BundleApplication, write_bundle
from judgepanel.model.judge.bundle_readers import VERIFY_LABEL
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import JudgeWorkspace
from tests.model.judge.test_session import APPS, People, complete, header

BIG = 300_000


def big_bundle(dst: Path, people: People, video: bytes) -> Path:
    """A bundle whose middle is one large attachment (several age chunks of 64 KiB)."""
    apps = [BundleApplication("A-1", {"id": "A-1", "summary": "first"},
                              [("video.bin", video), ("plan.txt", b"the plan")]),
            BundleApplication("A-2", {"id": "A-2", "summary": "second"}),
            BundleApplication("A-3", {"id": "A-3", "summary": "third"})]
    write_bundle(dst, header(people), apps,
                 recipients=[people.judge.recipient, people.staff.recipient],
                 staff_key=people.staff.signing)
    return dst


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[JudgeWorkspace]:
    ws = JudgeWorkspace.open(tmp_path / "judge.sqlite")
    yield ws
    ws.close()


@pytest.fixture
def video() -> bytes:
    return os.urandom(BIG)


def test_verify_reports_members_and_ends_complete(tmp_path: Path, people: People,
                                                  workspace: JudgeWorkspace,
                                                  video: bytes) -> None:
    path = big_bundle(tmp_path / "b.jpbundle", people, video)
    seen: list[tuple[int, int, str]] = []
    with JudgingSession.open(path, people.judge, workspace) as session:
        session.verify(lambda done, total, label: seen.append((done, total, label)))
        members = len(session.manifest["members"])
    assert members == 5  # three application.json, two attachments
    assert seen[0] == (0, members, VERIFY_LABEL)
    assert seen[-1] == (members, members, VERIFY_LABEL)
    dones = [d for d, _t, _l in seen]
    assert dones == sorted(set(dones))  # forward only, one report per member
    assert len(seen) <= members + 1


def test_a_damaged_member_is_refused_by_verify_although_opening_passed(
        tmp_path: Path, people: People, workspace: JudgeWorkspace, video: bytes) -> None:
    path = big_bundle(tmp_path / "b.jpbundle", people, video)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1  # inside the large attachment, far from manifest and directory
    path.write_bytes(bytes(data))
    # Opening reads little, so it passes; the whole-bundle check finds the damage.
    with JudgingSession.open(path, people.judge, workspace) as session, \
            pytest.raises(DamagedFileError) as info:
        session.verify()
    assert info.value.message == ("The bundle is damaged or was changed after the staff "
                                  "signed it. Ask the program staff to send it again.")


def test_a_member_whose_hash_differs_from_the_manifest_is_refused(
        tmp_path: Path, people: People, workspace: JudgeWorkspace, video: bytes) -> None:
    path = big_bundle(tmp_path / "b.jpbundle", people, video)
    with JudgingSession.open(path, people.judge, workspace) as session:
        member = session.manifest["members"][-1]
        member["sha256"] = "0" * 64  # as if the signed manifest named other content
        with pytest.raises(DamagedFileError, match="send it again") as info:
            session.verify()
    assert member["path"] in (info.value.detail or "")


def test_scores_come_in_one_query_and_leave_out_conflicts(
        tmp_path: Path, people: People, workspace: JudgeWorkspace, video: bytes) -> None:
    path = big_bundle(tmp_path / "b.jpbundle", people, video)
    with JudgingSession.open(path, people.judge, workspace) as session:
        complete(session, "A-1", impact=4)
        session.declare("A-2", False)
        session.set_score("A-2", "reach", 3.5)
        session.set_score("A-2", "impact", 2)
        session.set_score("A-2", "impact", None)  # cleared: not a score
        complete(session, "A-3", impact=5)
        session.declare("A-3", True, "My cousin runs it")  # kept, but does not count
        statements: list[str] = []
        event.listen(workspace.engine, "before_cursor_execute",
                     lambda *args: statements.append(args[2]))
        scores = session.scores()
        assert [s for s in statements if s.lstrip().upper().startswith("SELECT")] == statements[-1:]
        assert scores == {"A-1": {"impact": 4.0, "reach": 7.5, "advice": 2.0},
                          "A-2": {"reach": 3.5}}


def test_progress_of_one_application_matches_the_whole_list(
        tmp_path: Path, people: People, workspace: JudgeWorkspace, video: bytes) -> None:
    path = big_bundle(tmp_path / "b.jpbundle", people, video)
    with JudgingSession.open(path, people.judge, workspace) as session:
        complete(session, "A-1", impact=4)
        session.declare("A-2", True, "Former employer")
        session.declare("A-3", False)
        session.set_score("A-3", "impact", 1)
        whole = session.progress()
        for app_id, expected in zip(APPS, whole, strict=True):
            assert session.progress(app_id) == expected
        one = session.progress("A-3")
        assert (one.declared, one.conflict, one.scored, one.complete) == (True, False, 1, False)
        assert session.progress("A-1").complete and session.progress("A-1").total is not None
        assert session.progress("A-2").conflict


def test_attachments_decrypt_on_a_worker_while_applications_are_read(
        tmp_path: Path, people: People, workspace: JudgeWorkspace, video: bytes) -> None:
    """Two threads on one seekable file would interleave their reads; each has its own."""
    path = big_bundle(tmp_path / "b.jpbundle", people, video)
    with JudgingSession.open(path, people.judge, workspace) as session:
        for app_id in APPS:
            session.declare(app_id, False)
        errors: list[BaseException] = []
        got: list[bytes] = []

        def worker() -> None:
            try:
                for _ in range(6):
                    got.append(session.attachment("A-1", "video.bin"))
            except BaseException as error:  # reported below
                errors.append(error)

        thread = threading.Thread(target=worker)
        thread.start()
        summaries = []
        while thread.is_alive():
            summaries.extend(session.application(a)["summary"] for a in APPS)
        thread.join()
        assert not errors
        assert got == [video] * 6
        assert set(summaries) <= {"first", "second", "third"} and summaries


def test_a_bundle_replaced_on_disk_is_not_read_for_attachments(
        tmp_path: Path, people: People, workspace: JudgeWorkspace, video: bytes) -> None:
    path = big_bundle(tmp_path / "b.jpbundle", people, video)
    with JudgingSession.open(path, people.judge, workspace) as session:
        session.declare("A-1", False)
        big_bundle(path, people, b"other bytes")  # a new file with another manifest
        with pytest.raises(DamagedFileError, match="changed on disk"):
            session.attachment("A-1", "video.bin")
