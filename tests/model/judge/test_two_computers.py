"""A judge on two computers, or starting again on a new one: exports never repeat an order.

Each export gets a new random id and names every export it builds on; its sequence is
one above any this workspace knows. "Continue from my results file…" brings a judge's
work (declarations, scores, comments, unable to review, export history) to a new
workspace from their own latest results file, so the next export builds on it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from judgepanel.errors import IdentityError, ValidationError, WrongKeyError
from judgepanel.formats.results.file import read_results
from judgepanel.formats.results.lineage import Relation, legacy_export_id, relation
from judgepanel.model.judge.restore import read_own_results
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import JudgeWorkspace
from tests.model.judge.test_session import APPS, People, complete, make_bundle
from tests.model.judge.test_session_trust import back_to_schema_2


@pytest.fixture
def judging(tmp_path: Path, bundle_path: Path, people: People) -> Iterator[JudgingSession]:
    with open_in(tmp_path / "judge.sqlite", bundle_path, people) as opened:
        yield opened


def finish(judging: JudgingSession) -> None:
    for app_id in APPS:
        complete(judging, app_id)


def open_in(path: Path, bundle: Path, people: People) -> JudgingSession:
    return JudgingSession.open(bundle, people.judge, JudgeWorkspace.open(path))


def test_unable_to_review_completes_an_application_and_travels_with_its_reason(
        judging: JudgingSession, people: People, tmp_path: Path) -> None:
    complete(judging, "A-1")
    complete(judging, "A-2")
    judging.declare("A-3", False)
    assert {p.application_id for p in judging.problems()} == {"A-3"}
    with pytest.raises(ValidationError, match="why you cannot review"):
        judging.set_unable("A-3", "  ")
    judging.set_unable("A-3", "Outside my field: I know nothing of radio.")
    assert judging.problems() == []
    assert judging.progress("A-3").complete and judging.progress("A-3").unable
    assert judging.review("A-3").unable_reason.startswith("Outside my field")
    record = judging.export(tmp_path / "r.jpresults", people.judge)
    content = read_results(record.path, [people.staff]).content
    assert [(u.application_id, u.reason) for u in content.unable_to_review] == [
        ("A-3", "Outside my field: I know nothing of radio.")]
    assert [r.application_id for r in content.reviews] == ["A-1", "A-2"]
    judging.set_unable("A-3", None)  # taken back: the review is missing again
    assert [p.application_id for p in judging.problems()][:1] == ["A-3"]
    assert judging.changed_since_export


def test_unable_needs_a_declaration_without_a_conflict(judging: JudgingSession) -> None:
    with pytest.raises(ValidationError, match="First declare"):
        judging.set_unable("A-1", "Ill")
    judging.declare("A-1", True, "I advise them")
    with pytest.raises(ValidationError, match="conflict"):
        judging.set_unable("A-1", "Ill")


def test_exports_name_what_they_supersede_and_count_up(judging: JudgingSession,
                                                       people: People, tmp_path: Path) -> None:
    finish(judging)
    first = judging.export(tmp_path / "1.jpresults", people.judge)
    judging.set_score("A-1", "impact", 5)
    second = judging.export(tmp_path / "2.jpresults", people.judge)
    a = read_results(first.path, [people.judge])  # the judge can open their own file
    b = read_results(second.path, [people.staff])
    assert (a.sequence, b.sequence) == (1, 2)
    assert a.export_id != b.export_id and len(b.export_id) == 32
    assert b.content.supersedes == [a.export_id] and a.content.supersedes == []
    assert relation(a.lineage(""), b.lineage("")) is Relation.NEWER
    assert [e.export_id for e in judging.exports()] == [a.export_id, b.export_id]


def test_two_computers_from_the_same_start_diverge_and_say_so(
        tmp_path: Path, bundle_path: Path, people: People) -> None:
    """The issue's case: a new data folder exported "sequence 1" again, with other content."""
    with open_in(tmp_path / "home.sqlite", bundle_path, people) as home:
        finish(home)
        at_home = home.export(tmp_path / "home.jpresults", people.judge)
    with open_in(tmp_path / "laptop.sqlite", bundle_path, people) as laptop:
        finish(laptop)
        laptop.declare("A-3", True, "My cousin runs it")
        on_laptop = laptop.export(tmp_path / "laptop.jpresults", people.judge)
    a = read_results(at_home.path, [people.staff])
    b = read_results(on_laptop.path, [people.staff])
    assert a.sequence == b.sequence == 1
    assert relation(a.lineage(""), b.lineage("")) is Relation.DIVERGED


def test_continuing_from_my_results_file_on_a_new_computer(
        tmp_path: Path, bundle_path: Path, people: People) -> None:
    with open_in(tmp_path / "old.sqlite", bundle_path, people) as old:
        finish(old)
        old.set_unable("A-3", "I was ill for two weeks")
        old.set_overall_comment("A-1", "Strong work")
        old.set_overall_feedback("A-1", "Well evidenced, thank you.")
        old.set_feedback("A-1", "reach", "You reach many people.")
        old.set_confidence("A-1", 4)
        old.set_private_note("A-1", "never leaves")
        old.export(tmp_path / "1.jpresults", people.judge)
        old.set_score("A-2", "impact", 2)
        old.set_comment("A-2", "impact", "Thin evidence")
        latest = old.export(tmp_path / "2.jpresults", people.judge)
        before = {a: old.review(a) for a in APPS}
    own = read_own_results(latest.path, people.judge)
    assert own.counts() == (3, 0, 2, 1)
    with open_in(tmp_path / "new.sqlite", bundle_path, people) as new:
        assert new.differences_from(own) > 0
        restored = new.continue_from(own)
        assert restored.restored and restored.sequence == 2
        assert new.review("A-3").unable_reason == "I was ill for two weeks"
        for app_id in ("A-1", "A-2"):  # (A-3's kept scores were never exported)
            mine, theirs = new.review(app_id), before[app_id]
            assert (mine.scores, mine.comments, mine.overall_comment, mine.confidence,
                    mine.unable_reason, mine.feedback, mine.overall_feedback) == (
                theirs.scores, theirs.comments, theirs.overall_comment, theirs.confidence,
                theirs.unable_reason, theirs.feedback, theirs.overall_feedback)
            assert mine.declaration is not None and theirs.declaration is not None
            # the file keeps the time to the second
            assert mine.declaration.declared_at == theirs.declaration.declared_at.replace(
                microsecond=0)
        assert new.review("A-1").feedback["reach"] == "You reach many people."
        assert new.review("A-1").private_note == ""  # notes never travel
        assert new.differences_from(own) == 0 and not new.changed_since_export
        assert [e.sequence for e in new.exports()] == [2]
        new.set_score("A-3", "impact", 3)  # ... and the judge carries on
        new.set_unable("A-3", None)
        new.set_score("A-3", "reach", 6)
        new.set_comment("A-3", "reach", "Fine")
        new.set_score("A-3", "advice", 1)
        nxt = new.export(tmp_path / "3.jpresults", people.judge)
        assert new.changed_since_export is False
        assert [e.action for e in new._ws.audit_events("results.")] == [
            "results.restored", "results.exported"]
    third = read_results(nxt.path, [people.staff])
    first = read_results(tmp_path / "1.jpresults", [people.staff])
    assert third.sequence == 3
    assert third.content.supersedes == [first.export_id, own.results.export_id]
    assert relation(own.results.lineage(""), third.lineage("")) is Relation.NEWER
    assert relation(first.lineage(""), third.lineage("")) is Relation.NEWER


def test_continuing_from_a_file_when_this_computer_has_its_own_exports_supersedes_both(
        tmp_path: Path, bundle_path: Path, people: People) -> None:
    with open_in(tmp_path / "a.sqlite", bundle_path, people) as a:
        finish(a)
        from_a = a.export(tmp_path / "a.jpresults", people.judge)
    with open_in(tmp_path / "b.sqlite", bundle_path, people) as b:
        finish(b)
        b.set_score("A-1", "impact", 1)
        b.set_comment("A-1", "impact", "Weak")
        from_b = b.export(tmp_path / "b.jpresults", people.judge)
        b.continue_from(read_own_results(from_a.path, people.judge))
        assert b.review("A-1").scores["impact"] == 4
        merged = b.export(tmp_path / "ab.jpresults", people.judge)
    after = read_results(merged.path, [people.staff]).lineage("")
    for earlier in (from_a, from_b):
        assert relation(read_results(earlier.path, [people.staff]).lineage(""),
                        after) is Relation.NEWER
    assert after.sequence == 2


def test_a_file_of_another_bundle_or_judge_is_refused_and_changes_nothing(
        tmp_path: Path, bundle_path: Path, people: People) -> None:
    other_bundle = make_bundle(tmp_path / "other.jpbundle", people, title_suffix=" (new)")
    with open_in(tmp_path / "a.sqlite", other_bundle, people) as a:
        finish(a)
        elsewhere = a.export(tmp_path / "x.jpresults", people.judge)
    with pytest.raises(WrongKeyError, match="cannot be opened with your identity"):
        read_own_results(elsewhere.path, people.other)
    with pytest.raises(IdentityError, match="cannot be opened with your identity"):
        read_own_results(elsewhere.path, people.staff)  # opens it, but it is not theirs
    own = read_own_results(elsewhere.path, people.judge)
    with open_in(tmp_path / "b.sqlite", bundle_path, people) as b:
        with pytest.raises(ValidationError, match="answers another bundle"):
            b.continue_from(own)
        assert all(not p.declared for p in b.progress()) and b.exports() == []


def test_a_schema_2_workspace_gives_its_exports_the_ids_staff_give_them(
        tmp_path: Path, bundle_path: Path, people: People) -> None:
    path = tmp_path / "old.sqlite"
    with open_in(path, bundle_path, people) as judging:
        finish(judging)
    sha = "ab" * 32
    with sqlite3.connect(path) as raw:
        back_to_schema_2(raw, [(1, 1, 1, "/x/1.jpresults", sha, "written", 5,
                                "2026-03-01 09:00:00.000000"),
                               (2, 1, 2, "/x/2.jpresults", None, "failed", 6,
                                "2026-03-01 09:05:00.000000")])
        raw.execute("UPDATE judge_meta SET value='2' WHERE key='schema_version'")
    with open_in(path, bundle_path, people) as judging:
        assert [e.export_id for e in judging.exports()] == [legacy_export_id(sha)]
        record = judging.export(tmp_path / "3.jpresults", people.judge)
        assert judging._ws.check_audit() == []
    content = read_results(record.path, [people.staff]).content
    assert content.sequence == 3 and content.supersedes[0] == legacy_export_id(sha)
    assert len(content.supersedes) == 2  # and the failed attempt's id: harmless
