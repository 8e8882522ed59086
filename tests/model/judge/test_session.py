"""The judge's workflow end to end: open, declare, read, score, check, export. (Reopening
and a killed process: test_session_durability.py.)"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from judgepanel.clock import stamp
from judgepanel.crypto.identity import Identity
from judgepanel.errors import (
    FileFormatError,
    IdentityError,
    JudgePanelError,
    ValidationError,
    WorkspaceError,
    WrongKeyError,
)
from judgepanel.formats.bundle_write import BundleApplication, BundleHeader, write_bundle
from judgepanel.formats.results.file import read_results
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.model.rubric.comments import CommentRule
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric

ROOT = Path(__file__).resolve().parents[3]
APPS = ("A-1", "A-2", "A-3")
RUBRIC = Rubric("Recognition 2026", (
    Criterion("impact", "Impact on the community", weight=2,
              comment=CommentRule("below", 3)),
    Criterion("reach", "Reach", min=0, max=10, step=0.5, comment=CommentRule("always")),
    Criterion("advice", "Would you visit it?", min=1, max=3, counts=False),
))
NOTE = "PRIVATE-NOTE: the mayor is a friend of my cousin"


@dataclass(frozen=True)
class People:
    judge: Identity
    staff: Identity
    other: Identity


def header(people: People, *, rubric: dict[str, Any] | None = None,
           title_suffix: str = "") -> BundleHeader:
    return BundleHeader(
        program={"id": "P-2026", "name": "Mayors' Recognition 2026"},
        round={"id": "R-1", "name": "First round"},
        bundle_id="B-0001",
        judge={"name": people.judge.name, "fingerprint": people.judge.fingerprint},
        staff={"name": people.staff.name, "fingerprint": people.staff.fingerprint,
               "age_recipient": people.staff.recipient.to_string()},
        created=stamp(), due="2026-04-01",
        rubric=rubric if rubric is not None else RUBRIC.to_dict(),
        applications=[{"id": a, "title": f"Initiative {a}{title_suffix}", "city": "Lyon"}
                      for a in APPS],
    )


def make_bundle(dst: Path, people: People, **kwargs: Any) -> Path:
    apps = [BundleApplication(a, {"id": a, "summary": f"What {a} did"},
                              [("plan.txt", f"plan of {a}".encode())] if a == "A-1" else [])
            for a in APPS]
    write_bundle(dst, header(people, **kwargs), apps,
                 recipients=[people.judge.recipient, people.staff.recipient],
                 staff_key=people.staff.signing)
    return dst


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[JudgeWorkspace]:
    ws = JudgeWorkspace.open(tmp_path / "judge.sqlite")
    yield ws
    ws.close()


@pytest.fixture
def session(bundle_path: Path, people: People, workspace: JudgeWorkspace
            ) -> Iterator[JudgingSession]:
    with JudgingSession.open(bundle_path, people.judge, workspace,
                             trusted_staff_keys=[people.staff.public_key]) as opened:
        yield opened


def complete(session: JudgingSession, app_id: str, impact: float = 4) -> None:
    session.declare(app_id, False)
    session.set_score(app_id, "impact", impact)
    session.set_score(app_id, "reach", 7.5)
    session.set_comment(app_id, "reach", f"Reaches many in {app_id}")
    session.set_score(app_id, "advice", 2)
    if impact < 3:
        session.set_comment(app_id, "impact", "Thin evidence")


# --- opening ---------------------------------------------------------------------------


def test_opening_shows_the_bundle(session: JudgingSession, people: People,
                                  workspace: JudgeWorkspace) -> None:
    info = session.info
    assert (info.bundle_id, info.program_name, info.round_name, info.due) == (
        "B-0001", "Mayors' Recognition 2026", "First round", "2026-04-01")
    assert info.judge_fingerprint == people.judge.fingerprint
    assert info.staff_fingerprint == people.staff.fingerprint
    assert [a.id for a in session.applications] == list(APPS)
    assert session.applications[0].title == "Initiative A-1"
    assert session.applications[0].city == "Lyon"
    assert session.rubric == RUBRIC
    assert [b.bundle_id for b in workspace.bundles()] == ["B-0001"]
    assert session.position().application_id is None
    assert session.exports() == [] and not session.changed_since_export


def test_a_bundle_for_someone_else_is_refused(bundle_path: Path, people: People,
                                              workspace: JudgeWorkspace) -> None:
    with pytest.raises(WrongKeyError, match="another judge"):
        JudgingSession.open(bundle_path, people.other, workspace)
    # The staff key opens the file, but this is the judge's workflow.
    with pytest.raises(IdentityError, match="made for another judge"):
        JudgingSession.open(bundle_path, [people.staff], workspace)
    assert workspace.bundles() == []


def test_a_bundle_from_someone_else_than_our_staff_is_refused(
        bundle_path: Path, people: People, workspace: JudgeWorkspace) -> None:
    with pytest.raises(JudgePanelError, match="not signed by your program's staff"):
        JudgingSession.open(bundle_path, people.judge, workspace,
                            trusted_staff_keys=[people.other.public_key])


def test_an_unusable_rubric_is_refused(tmp_path: Path, people: People,
                                       workspace: JudgeWorkspace) -> None:
    bad = make_bundle(tmp_path / "bad.jpbundle", people,
                      rubric={"name": "R", "criteria": [{"key": "x", "title": "X", "wieght": 2}]})
    with pytest.raises(FileFormatError, match="rubric"):
        JudgingSession.open(bad, people.judge, workspace)
    assert workspace.bundles() == []


def test_the_same_bundle_id_with_other_content_is_refused(
        tmp_path: Path, people: People, workspace: JudgeWorkspace,
        session: JudgingSession) -> None:
    complete(session, "A-1")
    other = make_bundle(tmp_path / "other.jpbundle", people, title_suffix=" (edited)")
    with pytest.raises(WorkspaceError, match="different bundle"):
        JudgingSession.open(other, people.judge, workspace)
    assert session.review("A-1").scores["impact"] == 4


# --- declarations and reading -------------------------------------------------------------


def test_content_opens_only_after_declaring(session: JudgingSession) -> None:
    assert not session.can_read("A-1")
    for attempt in (lambda: session.application("A-1"),
                    lambda: session.attachment_names("A-1"),
                    lambda: session.attachment("A-1", "plan.txt")):
        with pytest.raises(ValidationError, match="First declare"):
            attempt()
    with pytest.raises(ValidationError, match="First declare"):
        session.set_score("A-1", "impact", 3)
    session.declare("A-1", False)
    assert session.can_read("A-1")
    assert session.application("A-1") == {"id": "A-1", "summary": "What A-1 did"}
    assert session.attachment_names("A-1") == ["plan.txt"]
    assert session.attachment("A-1", "plan.txt") == b"plan of A-1"
    with pytest.raises(ValidationError, match="no attachment"):
        session.attachment("A-1", "other.pdf")
    with pytest.raises(ValidationError, match="no application"):
        session.declare("A-9", False)


def test_a_conflict_needs_a_reason(session: JudgingSession) -> None:
    for reason in ("", "   \n"):
        with pytest.raises(ValidationError, match="why") as caught:
            session.declare("A-2", True, reason)
        assert caught.value.path == "reason"
    assert session.declaration("A-2") is None
    declared = session.declare("A-2", True, "  I advise this organisation ")
    assert (declared.conflict, declared.reason) == (True, "I advise this organisation")


def test_a_conflict_locks_reading_and_scoring(session: JudgingSession) -> None:
    session.declare("A-2", True, "My sister runs it")
    assert not session.can_read("A-2")
    with pytest.raises(ValidationError, match="conflict of interest"):
        session.application("A-2")
    for attempt in (lambda: session.set_score("A-2", "impact", 3),
                    lambda: session.set_comment("A-2", "impact", "x"),
                    lambda: session.set_overall_comment("A-2", "x"),
                    lambda: session.set_confidence("A-2", 3)):
        with pytest.raises(ValidationError, match="cannot score"):
            attempt()
    session.set_private_note("A-2", "remember to tell staff")  # the judge's own note
    assert session.review("A-2").private_note == "remember to tell staff"
    assert session.problems()[0].application_id == "A-1"  # a conflict blocks nothing


def test_a_conflict_after_scoring_keeps_the_scores_aside(session: JudgingSession) -> None:
    complete(session, "A-1")
    session.declare("A-1", True, "I just learnt I know them")
    kept = session.review("A-1")
    assert kept.scores["impact"] == 4 and kept.declaration is not None
    assert all(p.application_id != "A-1" for p in session.problems())
    session.declare("A-1", False, "")
    assert session.review("A-1").scores == {"impact": 4, "reach": 7.5, "advice": 2}


def test_every_declaration_change_is_recorded(session: JudgingSession,
                                              workspace: JudgeWorkspace) -> None:
    session.declare("A-3", False)
    session.declare("A-3", True, "Former employer")
    session.declare("A-3", True, "Former employer")  # the same answer again: no new entry
    session.declare("A-3", False, "Checked: it was another branch")
    history = session.declaration_history("A-3")
    assert [(d.conflict, d.reason) for d in history] == [
        (False, ""), (True, "Former employer"), (False, "Checked: it was another branch")]
    assert history[0].declared_at <= history[-1].declared_at
    current = session.declaration("A-3")
    assert current is not None and current.reason == "Checked: it was another branch"
    actions = [e.action for e in workspace.audit_events("declaration.")]
    assert actions == ["declaration.set"] * 3
    assert workspace.check_audit() == []


# --- scoring ----------------------------------------------------------------------------


def test_scores_must_be_on_the_scale(session: JudgingSession) -> None:
    session.declare("A-1", False)
    for key, value in (("impact", 6), ("impact", 2.5), ("reach", 7.25), ("impact", True),
                       ("impact", "3"), ("impact", float("nan"))):
        with pytest.raises(ValidationError) as caught:
            session.set_score("A-1", key, value)  # type: ignore[arg-type]
        assert caught.value.path == key
    with pytest.raises(ValidationError, match="no criterion"):
        session.set_score("A-1", "beauty", 3)
    session.set_score("A-1", "reach", 9.5)
    session.set_score("A-1", "impact", 1)
    assert session.review("A-1").scores == {"impact": 1, "reach": 9.5, "advice": None}
    session.set_score("A-1", "impact", None)
    assert session.review("A-1").scores["impact"] is None


def test_text_is_checked_when_typed(session: JudgingSession) -> None:
    session.declare("A-1", False)
    with pytest.raises(ValidationError, match=r"U\+0007 \(BELL\) at character 5"):
        session.set_comment("A-1", "impact", "bell\x07")
    with pytest.raises(ValidationError, match=r"U\+202E \(RIGHT-TO-LEFT OVERRIDE\)"):
        session.set_comment("A-1", "impact", "exe.\u202efdp")
    with pytest.raises(ValidationError, match="too long"):
        session.set_overall_comment("A-1", "x" * 100_001)
    session.set_comment("A-1", "impact", "Line one\nLine two\twith a tab")
    assert session.review("A-1").comments["impact"] == "Line one\nLine two\twith a tab"
    session.set_comment("A-1", "impact", "Pasted\u2028from\r\nWord\x0bhere")  # breaks: LF
    assert session.review("A-1").comments["impact"] == "Pasted\nfrom\nWord\nhere"


def test_confidence_by_number_or_name(session: JudgingSession) -> None:
    session.declare("A-1", False)
    session.set_confidence("A-1", 5)
    assert session.review("A-1").confidence == 5
    session.set_confidence("A-1", " Moderate ")
    assert session.review("A-1").confidence == 3
    for bad in (0, 6, True, 2.0, "sure"):
        with pytest.raises(ValidationError, match="Confidence"):
            session.set_confidence("A-1", bad)  # type: ignore[arg-type]
    session.set_confidence("A-1", None)
    assert session.review("A-1").confidence is None


def test_problems_name_every_blocker(session: JudgingSession) -> None:
    assert [(p.application_id, p.kind) for p in session.problems()] == [
        (a, "undeclared") for a in APPS]
    session.declare("A-1", False)
    session.declare("A-2", True, "Conflict")
    session.declare("A-3", False)
    session.set_score("A-1", "impact", 2)  # below 3: needs a comment
    session.set_score("A-1", "reach", 5)   # always needs one
    session.set_score("A-1", "advice", 3)
    a1 = [(p.criterion, p.kind) for p in session.problems() if p.application_id == "A-1"]
    assert a1 == [("impact", "comment_required"), ("reach", "comment_required")]
    a3 = [(p.criterion, p.kind) for p in session.problems() if p.application_id == "A-3"]
    assert a3 == [("impact", "missing_score"), ("reach", "missing_score"),
                  ("reach", "comment_required"), ("advice", "missing_score")]
    assert "Initiative A-3" in session.problems()[-1].message
    session.set_comment("A-1", "impact", "   ")  # blank does not count
    assert len([p for p in session.problems() if p.application_id == "A-1"]) == 2
    session.set_comment("A-1", "impact", "Weak evidence")
    session.set_comment("A-1", "reach", "Half the city")
    assert session.review("A-1").problems == []
    complete(session, "A-3")
    assert session.problems() == []


def test_review_totals_and_progress(session: JudgingSession) -> None:
    complete(session, "A-1", impact=4)
    session.declare("A-2", True, "Conflict")
    session.declare("A-3", False)
    session.set_score("A-3", "impact", 5)
    review = session.review("A-1")
    # impact 4 on 1..5 -> 75, weight 2; reach 7.5 on 0..10 -> 75; advice does not count.
    assert review.total == pytest.approx(75.0)
    assert session.review("A-3").total is None  # a partial total would look like a low score
    progress = {p.application_id: p for p in session.progress()}
    first = progress["A-1"]
    assert (first.scored, first.criteria, first.complete) == (3, 3, True)
    assert progress["A-2"].conflict and progress["A-2"].complete
    assert (progress["A-3"].declared, progress["A-3"].scored, progress["A-3"].complete) == (
        True, 1, False)


def test_position_is_remembered(session: JudgingSession) -> None:
    session.set_position("A-2", "read")
    assert (session.position().application_id, session.position().view) == ("A-2", "read")
    with pytest.raises(ValidationError):
        session.set_position("A-9")
    session.set_position(None)
    assert session.position().application_id is None


# --- export ---------------------------------------------------------------------------


def test_the_whole_flow_exports_signed_results(tmp_path: Path, session: JudgingSession,
                                               people: People,
                                               workspace: JudgeWorkspace) -> None:
    dst = tmp_path / "maria-1.jpresults"
    session.declare("A-2", False)
    session.set_score("A-2", "impact", 5)  # scored, then a conflict turns up
    session.declare("A-2", True, "My sister joined their board")
    with pytest.raises(ValidationError, match="cannot be exported yet") as refused:
        session.export(dst, people.judge)
    assert "Initiative A-1" in refused.value.detail
    assert not dst.exists() and session.exports() == []

    complete(session, "A-1", impact=2)
    complete(session, "A-3")
    session.set_overall_comment("A-1", "Promising, needs evidence.")
    session.set_confidence("A-1", "high")
    session.set_private_note("A-1", NOTE)
    record = session.export(dst, people.judge)

    assert record.sequence == 1 and record.path == dst
    assert record.sha256 == hashlib.sha256(dst.read_bytes()).hexdigest()
    results = read_results(dst, [people.staff])
    results.verify_signature(people.judge.public_key)
    document = results.document
    assert (document["bundle_id"], document["sequence"]) == ("B-0001", 1)
    assert document["manifest_sha256"] == session.info.manifest_sha256
    assert document["judge"] == {"name": people.judge.name,
                                 "fingerprint": people.judge.fingerprint}
    assert [(d["application_id"], d["conflict"], d["reason"])
            for d in document["declarations"]] == [
        ("A-1", False, ""), ("A-2", True, "My sister joined their board"), ("A-3", False, "")]
    assert [r["application_id"] for r in document["reviews"]] == ["A-1", "A-3"]
    first = document["reviews"][0]
    assert first["scores"] == [
        {"criterion": "impact", "score": 2, "comment": "Thin evidence", "feedback": ""},
        {"criterion": "reach", "score": 7.5, "comment": "Reaches many in A-1",
         "feedback": ""},
        {"criterion": "advice", "score": 2, "comment": "", "feedback": ""}]
    assert (first["overall_comment"], first["confidence"]) == ("Promising, needs evidence.", 4)
    assert document["reviews"][1]["confidence"] is None
    assert b"PRIVATE-NOTE" not in results.results_json
    assert [e.sequence for e in session.exports()] == [1]
    assert not session.changed_since_export

    # After an export: changes are allowed, flagged, and the next export is sequence 2.
    session.set_private_note("A-3", "private notes do not count as changes")
    assert not session.changed_since_export
    session.set_score("A-3", "impact", 2)
    assert session.changed_since_export
    assert [p.kind for p in session.problems()] == ["comment_required"]
    session.set_comment("A-3", "impact", "On reflection, weaker")
    second = session.export(tmp_path / "maria-2.jpresults", people.judge)
    assert second.sequence == 2 and not session.changed_since_export
    again = read_results(second.path, [people.staff])
    again.verify_signature(people.judge.public_key)
    assert again.sequence == 2
    assert "seq=2" in again.signature.splitlines()[2]
    assert again.document["reviews"][1]["scores"][0] == {
        "criterion": "impact", "score": 2, "comment": "On reflection, weaker", "feedback": ""}
    assert [e.sequence for e in session.exports()] == [1, 2]
    assert [e.details["sequence"] for e in workspace.audit_events("results.")] == [1, 2]
    assert workspace.check_audit() == []


def test_only_the_bundles_judge_can_sign(tmp_path: Path, session: JudgingSession,
                                         people: People) -> None:
    for app_id in APPS:
        complete(session, app_id)
    for signer in (people.other, people.staff):
        with pytest.raises(IdentityError, match="Choose your own identity"):
            session.export(tmp_path / "x.jpresults", signer)
    assert not (tmp_path / "x.jpresults").exists() and session.exports() == []


def test_a_failed_export_never_reuses_its_sequence(tmp_path: Path, session: JudgingSession,
                                                   people: People, bundle_path: Path) -> None:
    for app_id in APPS:
        complete(session, app_id)
    with pytest.raises(ValidationError, match="this one is your bundle"):
        session.export(bundle_path, people.judge)
    with pytest.raises(JudgePanelError, match="could not be saved"):
        session.export(tmp_path / "no-such-folder" / "r.jpresults", people.judge)
    assert session.exports() == []
    record = session.export(tmp_path / "r.jpresults", people.judge)
    assert record.sequence == 2  # 1 was handed to the failed attempt
    assert read_results(record.path, [people.staff]).sequence == 2
