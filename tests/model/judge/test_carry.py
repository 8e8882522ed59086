"""A judge moves to a second computer mid-round: the work file (``.jpwork``).

Half the applications scored at the office, the rest on a laptop: the work file holds
the work as it stands (a results document written while things are missing),
encrypted to the judge alone. Continuing from it on a fresh workspace brings back
exactly that work; the next export there supersedes it, and staff accept that export
though they never saw the work file. Staff given the work file itself refuse it by
its name, opening and recording nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from judgepanel.errors import ValidationError, WrongKeyError
from judgepanel.formats.detect import WORK_FILE_IS_NOT_RESULTS
from judgepanel.formats.results.file import read_results
from judgepanel.model.judge.restore import read_own_results
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.results.merging import merge_results
from judgepanel.model.staff.schema.results import ReceivedResults
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.flows import make_flow
from tests.model.judge.test_session import People, complete, make_bundle
from tests.model.judge.test_two_computers import open_in


def half_done(judging: JudgingSession) -> None:
    """A-1 reviewed but for one score (whose comment is written), A-2 a conflict,
    A-3 not declared yet."""
    judging.declare("A-1", False)
    judging.set_score("A-1", "impact", 2)
    judging.set_comment("A-1", "impact", "Thin evidence")
    judging.set_score("A-1", "reach", 7.5)
    judging.set_comment("A-1", "reach", "Reaches many")
    judging.set_feedback("A-1", "reach", "You reach many people.")
    judging.set_comment("A-1", "advice", "Maybe, in spring")  # no score yet
    judging.set_overall_comment("A-1", "Promising")
    judging.set_confidence("A-1", 3)
    judging.set_private_note("A-1", "never leaves")
    judging.declare("A-2", True, "My cousin runs it")


def test_a_work_file_carries_unfinished_work_to_a_fresh_workspace(
        tmp_path: Path, people: People) -> None:
    bundle = make_bundle(tmp_path / "maria.jpbundle", people)
    with open_in(tmp_path / "office.sqlite", bundle, people) as office:
        half_done(office)
        assert office.problems()
        with pytest.raises(ValidationError, match="cannot be exported yet"):
            office.export(tmp_path / "r.jpresults", people.judge)
        with pytest.raises(ValidationError, match=r"ends in \.jpwork"):
            office.carry(tmp_path / "work.jpresults", people.judge)
        carried = office.carry(tmp_path / "work.jpwork", people.judge)
        assert carried.left_out == ["A-1 — Would you visit it?"]
        assert carried.record.work_file and carried.record.sequence == 1
        assert [e.work_file for e in office.exports()] == [True]
        assert not office.changed_since_export  # no results file yet: nothing to redo
        office_review = office.review("A-1")
    with pytest.raises(WrongKeyError):  # not for the staff: only the judge opens it
        read_results(carried.record.path, [people.staff])
    own = read_own_results(carried.record.path, people.judge)
    assert own.work_file and own.counts() == (2, 1, 1, 0)
    with open_in(tmp_path / "laptop.sqlite", bundle, people) as laptop:
        restored = laptop.continue_from(own)
        assert restored.restored and restored.work_file and restored.sequence == 1
        review = laptop.review("A-1")
        assert review.scores == {"impact": 2, "reach": 7.5, "advice": None}
        assert (review.comments["impact"], review.comments["reach"]) == (
            "Thin evidence", "Reaches many")
        assert review.feedback["reach"] == "You reach many people."
        assert (review.overall_comment, review.confidence) == ("Promising", 3)
        assert review.scores == office_review.scores
        assert review.private_note == "" and review.comments.get("advice", "") == ""
        declared = {p.application_id: (p.declared, p.conflict) for p in laptop.progress()}
        assert declared == {"A-1": (True, False), "A-2": (True, True), "A-3": (False, False)}
        assert laptop.differences_from(own) == 0
        laptop.set_score("A-1", "advice", 2)
        complete(laptop, "A-3")
        assert laptop.problems() == []
        final = laptop.export(tmp_path / "final.jpresults", people.judge)
    content = read_results(final.path, [people.staff]).content
    assert content.sequence == 2 and content.supersedes == [own.results.export_id]


def test_a_later_export_supersedes_work_files_and_continuing_clears_a_dropped_score(
        tmp_path: Path, people: People) -> None:
    bundle = make_bundle(tmp_path / "maria.jpbundle", people)
    with open_in(tmp_path / "office.sqlite", bundle, people) as office:
        half_done(office)
        office.set_score("A-1", "advice", 3)
        first = office.carry(tmp_path / "1.jpwork", people.judge).record
        office.set_score("A-1", "advice", None)  # taken back before leaving
        second = office.carry(tmp_path / "2.jpwork", people.judge)
        complete(office, "A-3")
        office.set_score("A-1", "advice", 1)
        exported = office.export(tmp_path / "r.jpresults", people.judge)  # on this computer
    assert read_results(exported.path, [people.staff]).content.supersedes == [
        first.export_id, second.record.export_id]  # a later export supersedes them
    with open_in(tmp_path / "laptop.sqlite", bundle, people) as laptop:
        laptop.continue_from(read_own_results(tmp_path / "1.jpwork", people.judge))
        assert laptop.review("A-1").scores["advice"] == 3
        latest = read_own_results(second.record.path, people.judge)
        assert laptop.differences_from(latest) == 1
        laptop.continue_from(latest)
        assert laptop.review("A-1").scores.get("advice") is None


def test_another_judges_or_another_bundles_work_file_is_refused(
        tmp_path: Path, people: People) -> None:
    bundle = make_bundle(tmp_path / "maria.jpbundle", people)
    other = make_bundle(tmp_path / "other.jpbundle", people, title_suffix=" (new)")
    with open_in(tmp_path / "a.sqlite", other, people) as a:
        half_done(a)
        elsewhere = a.carry(tmp_path / "x.jpwork", people.judge).record
    with pytest.raises(WrongKeyError, match="This work file cannot be opened with your"):
        read_own_results(elsewhere.path, people.other)
    with pytest.raises(WrongKeyError, match="This work file cannot be opened with your"):
        read_own_results(elsewhere.path, people.staff)  # not even the staff open it
    own = read_own_results(elsewhere.path, people.judge)
    with open_in(tmp_path / "b.sqlite", bundle, people) as b:
        with pytest.raises(ValidationError, match="This work file answers another bundle"):
            b.continue_from(own)
        assert all(not p.declared for p in b.progress()) and b.exports() == []


def received(workspace: StaffWorkspace) -> int:
    with workspace.session() as session:
        return int(session.scalar(select(func.count()).select_from(ReceivedResults)) or 0)


def test_staff_accept_the_export_after_a_work_file_and_refuse_the_work_file(
        tmp_path: Path) -> None:
    flow = make_flow(tmp_path / "staff")
    try:
        built = build_bundles(flow.workspace, flow.round_id, flow.staff, tmp_path / "bundles")
        mine = built[0]
        judge = flow.judges[mine.judge_name]
        first, *rest = mine.applications

        def score(judging: JudgingSession, app_id: str) -> None:
            judging.declare(app_id, False)
            for key, value in (("impact", 4), ("partnership", 4), ("innovation", 7.5),
                               ("presentation", 3)):
                judging.set_score(app_id, key, value)

        with JudgingSession.open(mine.path, judge,
                                 JudgeWorkspace.open(tmp_path / "office.sqlite")) as office:
            score(office, first)
            work = office.carry(tmp_path / "work.jpwork", judge).record
        with JudgingSession.open(mine.path, judge,
                                 JudgeWorkspace.open(tmp_path / "laptop.sqlite")) as laptop:
            laptop.continue_from(read_own_results(work.path, judge))
            for app_id in rest:
                score(laptop, app_id)
            final = laptop.export(tmp_path / "final.jpresults", judge)
        assert read_results(final.path, [flow.staff]).content.supersedes == [work.export_id]

        report = merge_results(flow.workspace, [work.path], flow.staff)
        assert [(r.status, r.reason, r.message) for r in report.rows] == [
            ("refused", "work_file", WORK_FILE_IS_NOT_RESULTS)]
        assert received(flow.workspace) == 0  # refused by its name: nothing recorded
        report = merge_results(flow.workspace, [work.path, final.path], flow.staff)
        assert [r.status for r in report.rows] == ["refused", "accepted"], report.rows
        assert received(flow.workspace) == 1
    finally:
        flow.workspace.close()
