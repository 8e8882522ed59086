"""Merging results files: every refusal, nothing changed by a refused file, replacement."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from judgepanel.crypto.identity import Identity
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.model.staff import audit
from judgepanel.model.staff.bundles.building import BuiltBundle, build_bundles
from judgepanel.model.staff.results.checks import REASONS
from judgepanel.model.staff.results.merging import MergeReport, merge_results
from judgepanel.model.staff.schema.program import Assignment, Conflict
from judgepanel.model.staff.schema.results import (
    Declaration,
    IssuedBundle,
    ReceivedResults,
    Review,
    Score,
)
from tests.model.flows import Flow, complete_results, make_flow, open_bundle, write_judge_results

MARIA, KWAME, SOFIA, AHMED = "Maria López", "Kwame Mensah", "Sofia Rossi", "Ahmed Haddad"
Edit = Callable[[dict[str, Any]], None]


@dataclass
class Issued:
    flow: Flow
    bundles: dict[str, BuiltBundle]  # judge name -> bundle
    files: Path

    def results(self, name: str, *, sequence: int = 1, edit: Edit | None = None,
                signer: Identity | None = None, staff: Identity | None = None,
                conflicts: dict[str, str] | None = None, bundle: BuiltBundle | None = None,
                file: str | None = None, score: Any = None) -> Path:
        """A results file for ``name``'s bundle, as their app would write it (then edited)."""
        built = bundle or self.bundles[name]
        kwargs = {"score": score} if score is not None else {}
        with open_bundle(self.flow, built) as opened:
            document = complete_results(opened, sequence=sequence, conflicts=conflicts,
                                        **kwargs)
        if edit is not None:
            edit(document)
        path = self.files / (file or f"{name.split()[0].lower()}-{sequence}.jpresults")
        return write_judge_results(self.flow, path, document,
                                   signer or self.flow.judges[name], staff=staff)

    def merge(self, *paths: Path, progress: Any = None) -> MergeReport:
        kwargs = {"progress": progress} if progress is not None else {}
        return merge_results(self.flow.workspace, paths, self.flow.staff, **kwargs)


@pytest.fixture
def issued(tmp_path: Path) -> Iterator[Issued]:
    yield from issued_program(tmp_path)


def issued_program(tmp_path: Path) -> Iterator[Issued]:
    """A program whose round 1 bundles are built, and a folder for results files."""
    flow = make_flow(tmp_path)
    built = build_bundles(flow.workspace, flow.round_id, flow.staff, tmp_path / "bundles")
    files = tmp_path / "results"
    files.mkdir()
    yield Issued(flow, {b.judge_name: b for b in built}, files)
    flow.workspace.close()


def state(flow: Flow) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a merge may change, except the record of refused files."""
    with flow.workspace.session() as session:
        return {
            "scores": sorted((s.results_id, s.application_id, s.criterion_key, s.value,
                              s.comment) for s in session.scalars(select(Score))),
            "reviews": sorted((r.results_id, r.application_id, r.overall_comment, r.confidence)
                              for r in session.scalars(select(Review))),
            "declarations": sorted((d.results_id, d.judge_id, d.application_id, d.conflict,
                                    d.reason) for d in session.scalars(select(Declaration))),
            "conflicts": sorted((c.id, c.judge_id, c.application_id, c.source, c.status,
                                 tuple(c.reasons)) for c in session.scalars(select(Conflict))),
            "results": sorted((r.id, r.status, r.sequence, r.judge_id)
                              for r in session.scalars(select(ReceivedResults))
                              if r.status != "refused"),
            "bundles": sorted((b.bundle_id, b.superseded)
                              for b in session.scalars(select(IssuedBundle))),
            "assignments": sorted((a.judge_id, a.application_id)
                                  for a in session.scalars(select(Assignment))),
        }


def received(flow: Flow, results_id: int | None) -> ReceivedResults:
    with flow.workspace.session() as session:
        row = session.get(ReceivedResults, results_id)
        assert row is not None
        session.expunge(row)
        return row


# --- acceptance ----------------------------------------------------------------------------


def test_complete_results_from_every_judge_are_accepted(issued: Issued) -> None:
    paths = [issued.results(name) for name in issued.bundles]
    report = issued.merge(*paths)
    assert [r.status for r in report.rows] == ["accepted"] * 4
    assert [r.path for r in report.rows] == paths
    assert {r.judge for r in report.rows} == set(issued.bundles)
    assert report.summary() == "4 results files accepted, 0 refused (of 4)."
    with issued.flow.workspace.session() as session:
        assert len(session.scalars(select(Review)).all()) == 12
        assert len(session.scalars(select(Score)).all()) == 12 * 4
        assert len(session.scalars(select(Declaration)).all()) == 12
        rows = session.scalars(select(ReceivedResults)).all()
        assert all(r.status == "accepted" and r.sequence == 1 for r in rows)
        by_file = {r.file_name: r for r in rows}
        for path in paths:
            row = by_file[path.name]
            assert row.raw == path.read_bytes()  # the signed file, kept verbatim
            judge = row.judge
            assert judge is not None and row.signer == judge.minisign_public_key
        assert len(audit.events(session, "results.accepted")) == 4
        assert audit.check(session) == []
    # The scores are what the judge gave, per application and criterion.
    maria = issued.bundles[MARIA]
    with open_bundle(issued.flow, maria) as opened:
        expected = complete_results(opened)
    with issued.flow.workspace.session() as session:
        got = {(s.application.ref, s.criterion_key): (s.value, s.comment)
               for s in session.scalars(select(Score).join(Score.results).where(
                   ReceivedResults.judge_id == maria.judge_id))}
    assert got == {(r["application_id"], s["criterion"]): (s["score"], s["comment"])
                   for r in expected["reviews"] for s in r["scores"]}


def test_a_declared_conflict_is_recorded_once(issued: Issued) -> None:
    maria = issued.bundles[MARIA]
    first_app = maria.applications[0]
    path = issued.results(MARIA, conflicts={first_app: "I advise this organisation"})
    assert issued.merge(path).rows[0].accepted
    with issued.flow.workspace.session() as session:
        declaration = session.scalars(select(Declaration).where(
            Declaration.conflict.is_(True))).one()
        assert declaration.application.ref == first_app
        assert declaration.reason == "I advise this organisation"
        conflict = session.scalars(select(Conflict)).one()
        assert (conflict.judge_id, conflict.application_id) == (
            maria.judge_id, declaration.application_id)
        assert (conflict.source, conflict.status) == ("declared", "confirmed")
        assert conflict.reasons == ["I advise this organisation"]
        assert not session.scalars(select(Review).where(
            Review.application_id == declaration.application_id)).all()
        events = len(audit.events(session, "conflict."))
    again = issued.results(MARIA, sequence=2, conflicts={first_app: "I advise this organisation"})
    assert issued.merge(again).rows[0].accepted
    with issued.flow.workspace.session() as session:
        assert len(session.scalars(select(Conflict)).all()) == 1
        assert len(audit.events(session, "conflict.")) == events


# --- refusals ------------------------------------------------------------------------------


def drop_score(document: dict[str, Any]) -> None:
    review = document["reviews"][0]
    review["scores"] = [s for s in review["scores"] if s["criterion"] != "partnership"]


def low_score_without_comment(document: dict[str, Any]) -> None:
    impact = document["reviews"][0]["scores"][0]
    assert impact["criterion"] == "impact"
    impact["score"], impact["comment"] = 2, " "


def undeclared(document: dict[str, Any]) -> None:
    dropped = document["declarations"].pop()["application_id"]
    document["reviews"] = [r for r in document["reviews"] if r["application_id"] != dropped]


def extra_criterion(document: dict[str, Any]) -> None:
    document["reviews"][1]["scores"].append({"criterion": "budget", "score": 3, "comment": ""})


def missing_criterion(document: dict[str, Any]) -> None:
    for review in document["reviews"]:
        review["scores"] = [s for s in review["scores"] if s["criterion"] != "presentation"]


def foreign_application(document: dict[str, Any]) -> None:
    document["declarations"].append({"application_id": "REC-999", "conflict": True,
                                     "reason": "Not mine", "declared_at": "2026-01-01T00:00:00Z"})


def off_scale(document: dict[str, Any]) -> None:
    document["reviews"][0]["scores"][2]["score"] = 7.25  # innovation: steps of 0.5


def unknown_bundle(document: dict[str, Any]) -> None:
    document["bundle_id"] = "R1-J1-0000000000"


def other_manifest(document: dict[str, Any]) -> None:
    document["manifest_sha256"] = "0" * 64


CONTENT_CASES: dict[str, tuple[Edit, str, str]] = {
    "missing score": (drop_score, "incomplete", "Partnerships"),
    "missing required comment": (low_score_without_comment, "incomplete",
                                 "a comment for the panel is required for scores below 3"),
    "undeclared application": (undeclared, "incomplete", "no conflict-of-interest declaration"),
    "extra criterion": (extra_criterion, "criteria_mismatch", "budget"),
    "missing criterion": (missing_criterion, "criteria_mismatch", "presentation"),
    "application not assigned": (foreign_application, "not_assigned", "REC-999"),
    "score off the scale": (off_scale, "invalid_score", "7.25"),
    "bundle never issued": (unknown_bundle, "unknown_bundle", "never issued"),
    "manifest hash differs": (other_manifest, "manifest_mismatch", "different copy"),
}


def assert_refused_changing_nothing(issued: Issued, path: Path, code: str,
                                    words: str = "") -> None:
    baseline = issued.merge(issued.results(KWAME))  # so "nothing changed" is not trivially true
    assert baseline.rows[0].accepted
    before = state(issued.flow)
    with issued.flow.workspace.session() as session:
        refused_events = len(audit.events(session, "results.refused"))
    (row,) = issued.merge(path).rows
    assert (row.status, row.reason) == ("refused", code), row.message
    assert row.message.startswith(REASONS[code]) or code == "not_results"
    assert words in row.message
    assert state(issued.flow) == before
    record = received(issued.flow, row.results_id)
    raw = path.read_bytes() if path.exists() else b""
    assert (record.status, record.refusal_reason, record.raw) == ("refused", code, raw)
    assert record.refusal_message == row.message
    with issued.flow.workspace.session() as session:
        events = audit.events(session, "results.refused")
        assert len(events) == refused_events + 1 and events[-1].details["reason"] == code


@pytest.mark.parametrize("case", CONTENT_CASES)
def test_content_refusals(issued: Issued, case: str) -> None:
    edit, code, words = CONTENT_CASES[case]
    path = issued.results(MARIA, edit=edit)
    assert_refused_changing_nothing(issued, path, code, words)


def test_a_file_for_another_staff_key_is_refused(issued: Issued) -> None:
    path = issued.results(MARIA, staff=Identity.generate("Other Program", "staff"))
    assert_refused_changing_nothing(issued, path, "wrong_key")


def test_a_signature_by_another_key_is_refused_even_with_that_key_inside(issued: Issued
                                                                         ) -> None:
    impostor = Identity.generate(MARIA, "judge")  # same name, own keys; judge.pub = its key
    path = issued.results(MARIA, signer=impostor)
    assert_refused_changing_nothing(issued, path, "bad_signature")
    (row,) = [r for r in issued.merge(path).rows]
    assert row.judge is None and row.sequence is None  # nothing unauthenticated is shown
    record = received(issued.flow, row.results_id)
    assert record.judge_id is None and record.issued_bundle_id is None and record.signer == ""


def test_results_for_a_bundle_issued_to_another_judge_are_refused(issued: Issued) -> None:
    kwame = issued.flow.judges[KWAME]

    def as_kwame(document: dict[str, Any]) -> None:
        document["judge"] = {"name": kwame.name, "fingerprint": kwame.fingerprint}

    path = issued.results(MARIA, signer=kwame, edit=as_kwame)
    assert_refused_changing_nothing(issued, path, "wrong_judge", "signed by Kwame Mensah")


def test_results_naming_another_judge_are_refused(issued: Issued) -> None:
    def names_sofia(document: dict[str, Any]) -> None:
        document["judge"]["fingerprint"] = issued.flow.judges[SOFIA].fingerprint

    path = issued.results(MARIA, edit=names_sofia)
    assert_refused_changing_nothing(issued, path, "wrong_judge")


def test_a_replay_and_an_older_export_are_refused_with_distinct_messages(issued: Issued
                                                                          ) -> None:
    second = issued.results(MARIA, sequence=2)
    assert issued.merge(second).rows[0].accepted
    replay = issued.merge(second).rows[0]
    older = issued.merge(issued.results(MARIA, sequence=1)).rows[0]
    assert (replay.reason, older.reason) == ("replay", "older")
    assert replay.message != older.message
    assert "already merged" in replay.message and "export 2 was merged" in older.message
    assert (replay.judge, replay.sequence, older.sequence) == (MARIA, 2, 1)


def test_another_file_with_the_same_version_1_sequence_is_held_not_called_a_replay(
        issued: Issued) -> None:
    """Issue 14: a judge on a new computer exported "sequence 1" again with other content;
    staff were told "already merged (same export)". Now it waits for their choice."""
    assert issued.merge(issued.results(MARIA, sequence=2)).rows[0].accepted
    before = state(issued.flow)
    again = issued.merge(issued.results(MARIA, sequence=2, file="again")).rows[0]
    assert (again.status, again.reason) == ("held", "diverged")
    assert "compare the two" in again.message
    after = state(issued.flow)
    assert {k: v for k, v in after.items() if k != "results"} == {
        k: v for k, v in before.items() if k != "results"}


def test_results_for_a_superseded_bundle_are_refused(issued: Issued) -> None:
    old = issued.bundles[MARIA]
    (new,) = build_bundles(issued.flow.workspace, issued.flow.round_id, issued.flow.staff,
                           issued.files.parent / "bundles", judges=[old.judge_id])
    stale = issued.results(MARIA, bundle=old, file="stale")
    assert_refused_changing_nothing(issued, stale, "superseded", "newer")
    assert issued.merge(issued.results(MARIA, bundle=new, file="fresh")).rows[0].accepted


def test_files_that_are_not_results_are_refused(issued: Issued) -> None:
    good = issued.results(MARIA)
    damaged = issued.files / "damaged.jpresults"
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 1
    damaged.write_bytes(bytes(data))
    report = issued.merge(damaged, issued.bundles[SOFIA].path, issued.files / "missing.jpresults")
    assert [r.reason for r in report.rows] == ["damaged", "not_results", "unreadable"]
    assert "judging bundle, not a results file" in report.rows[1].message
    assert_refused_changing_nothing(issued, damaged, "damaged")


# --- batches and replacement ----------------------------------------------------------------


def test_a_mixed_batch_lands_the_good_files(issued: Issued) -> None:
    good = [issued.results(name) for name in (MARIA, SOFIA, AHMED)]
    bad = [issued.results(KWAME, edit=drop_score),
           issued.results(MARIA, staff=Identity.generate("Other", "staff"), file="x")]
    report = issued.merge(bad[0], good[0], bad[1], good[1], good[2])
    assert [r.status for r in report.rows] == ["refused", "accepted", "refused", "accepted",
                                               "accepted"]
    assert len(report.accepted) == 3 and len(report.refused) == 2
    with issued.flow.workspace.session() as session:
        judges = {r.judge.name for r in session.scalars(select(ReceivedResults).where(
            ReceivedResults.status == "accepted")) if r.judge is not None}
        assert judges == {MARIA, SOFIA, AHMED}
        assert len(session.scalars(select(Review)).all()) == 9
        assert len(session.scalars(select(ReceivedResults)).all()) == 5


def scores_of(issued: Issued, name: str) -> dict[tuple[str, str], float]:
    with issued.flow.workspace.session() as session:
        return {(s.application.ref, s.criterion_key): s.value
                for s in session.scalars(select(Score).join(Score.results).where(
                    ReceivedResults.judge_id == issued.flow.judge_ids[name]))}


def lowest(app_id: str, criterion: Any) -> float:
    return float(criterion.min) + (0 if criterion.key != "impact" else 2)


def test_a_newer_export_replaces_the_judges_scores(issued: Issued) -> None:
    first = issued.merge(issued.results(MARIA)).rows[0]
    before = scores_of(issued, MARIA)
    second = issued.merge(issued.results(MARIA, sequence=3, score=lowest)).rows[0]
    assert second.accepted
    after = scores_of(issued, MARIA)
    assert after != before and set(after.values()) == {0.0, 1.0, 3.0}
    assert len(after) == 3 * 4
    old = received(issued.flow, first.results_id)
    assert old.status == "replaced" and old.raw  # the file itself is kept
    with issued.flow.workspace.session() as session:
        assert not session.scalars(select(Declaration).where(
            Declaration.results_id == first.results_id)).all()
        (event,) = [e for e in audit.events(session, "results.accepted")
                    if e.details["results"] == second.results_id]
        assert event.details["replaced"] == [first.results_id]


def test_the_order_of_files_in_a_batch_does_not_matter(issued: Issued) -> None:
    first = issued.results(MARIA, sequence=1)
    second = issued.results(MARIA, sequence=2, score=lowest)
    report = issued.merge(second, first)
    assert [r.path for r in report.rows] == [second, first]
    assert report.rows[0].accepted
    assert "replaced by export 2" in report.rows[1].message
    with issued.flow.workspace.session() as session:
        statuses = {r.sequence: r.status for r in session.scalars(select(ReceivedResults))}
    assert statuses == {1: "replaced", 2: "accepted"}
    assert set(scores_of(issued, MARIA).values()) == {0.0, 1.0, 3.0}


def test_the_same_export_twice_in_one_batch_is_a_replay(issued: Issued) -> None:
    path = issued.results(MARIA)
    twin = issued.files / "copy.jpresults"
    twin.write_bytes(path.read_bytes())
    report = issued.merge(twin, path, issued.results(SOFIA))
    assert [r.status for r in report.rows] == ["accepted", "refused", "accepted"]
    assert report.rows[1].reason == "replay"  # equal files: the first one chosen wins
    assert len(scores_of(issued, MARIA)) == 3 * 4
    with issued.flow.workspace.session() as session:
        statuses = sorted((r.file_name, r.status, r.refusal_reason)
                          for r in session.scalars(select(ReceivedResults)))
    assert statuses == [("copy.jpresults", "accepted", None),
                        ("maria-1.jpresults", "refused", "replay"),
                        ("sofia-1.jpresults", "accepted", None)]


def test_results_of_a_rebuilt_bundle_replace_those_of_the_old_one(issued: Issued) -> None:
    old = issued.bundles[MARIA]
    first = issued.merge(issued.results(MARIA)).rows[0]
    (new,) = build_bundles(issued.flow.workspace, issued.flow.round_id, issued.flow.staff,
                           issued.files.parent / "bundles", judges=[old.judge_id])
    report = issued.merge(issued.results(MARIA, bundle=new, score=lowest, file="new"))
    assert report.rows[0].accepted
    assert received(issued.flow, first.results_id).status == "replaced"
    assert set(scores_of(issued, MARIA).values()) == {0.0, 1.0, 3.0}


def test_the_judges_own_workflow_round_trips(issued: Issued, tmp_path: Path) -> None:
    """End to end: the judge-side JudgingSession exports, the staff merge accepts."""
    built = issued.bundles[SOFIA]
    identity = issued.flow.judges[SOFIA]
    workspace = JudgeWorkspace.open(tmp_path / "judge.sqlite")
    given: dict[tuple[str, str], float] = {}
    with JudgingSession.open(built.path, identity, workspace,
                             trusted_staff_keys=[issued.flow.staff.public_key]) as judging:
        conflicted = judging.applications[-1].id
        for summary in judging.applications:
            judging.declare(summary.id, summary.id == conflicted,
                            "My sister runs it" if summary.id == conflicted else "")
            if summary.id == conflicted:
                continue
            for criterion in judging.rubric.criteria:
                value = criterion.valid_scores()[1]
                judging.set_score(summary.id, criterion.key, value)
                judging.set_comment(summary.id, criterion.key, "Seen in the budget.")
                given[(summary.id, criterion.key)] = value
        record = judging.export(tmp_path / "sofia.jpresults", identity)
    report = issued.merge(record.path)
    assert report.rows[0].accepted, report.rows[0].message
    assert scores_of(issued, SOFIA) == given
    with issued.flow.workspace.session() as session:
        conflict = session.scalars(select(Conflict)).one()
        assert conflict.application.ref == conflicted
        assert conflict.reasons == ["My sister runs it"]



def test_every_refusal_code_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[4] / "docs" / "merging.md").read_text("utf-8")
    for code, message in REASONS.items():
        assert f"| `{code}` | {message}" in docs, code
