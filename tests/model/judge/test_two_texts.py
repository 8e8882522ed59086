"""Two texts per review on the judge's side (issue #18): the session keeps the comment for
the panel and the feedback for the applicant apart, the rubric's feedback rules block
export like a required comment, results format 3 carries both, and a schema-3 workspace
is upgraded keeping its work."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from judgepanel.errors import ValidationError
from judgepanel.formats.results.file import read_results
from judgepanel.formats.results.spec import MAX_COMMENT
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.sheet import apply_sheet, plan_sheet, read_sheet, write_sheet
from judgepanel.model.judge.workspace import SCHEMA_VERSION, JudgeWorkspace
from judgepanel.model.rubric.comments import CommentRule
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from tests.model.judge.test_session import APPS, People, complete, make_bundle
from tests.model.judge.test_session_trust import back_to_schema_3

FEEDBACK_RUBRIC = Rubric("Recognition 2026", (
    Criterion("impact", "Impact on the community", weight=2,
              comment=CommentRule("below", 3), applicant_feedback=CommentRule("below", 3)),
    Criterion("reach", "Reach", min=0, max=10, step=0.5, comment=CommentRule("always")),
    Criterion("advice", "Would you visit it?", min=1, max=3, counts=False),
), overall_feedback_required=True)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[JudgeWorkspace]:
    with JudgeWorkspace.open(tmp_path / "judge.sqlite") as ws:
        yield ws


@pytest.fixture
def session(bundle_path: Path, people: People, workspace: JudgeWorkspace
            ) -> Iterator[JudgingSession]:
    with JudgingSession.open(bundle_path, people.judge, workspace,
                             trusted_staff_keys=[people.staff.public_key]) as opened:
        yield opened


def _open(tmp_path: Path, people: People, ws: JudgeWorkspace) -> JudgingSession:
    path = make_bundle(tmp_path / "fb.jpbundle", people, rubric=FEEDBACK_RUBRIC.to_dict())
    return JudgingSession.open(path, people.judge, ws,
                               trusted_staff_keys=[people.staff.public_key])


def test_both_texts_are_kept_apart(session: JudgingSession) -> None:
    complete(session, "A-1")
    session.set_comment("A-1", "impact", "For the panel: the mayor's pet project.")
    session.set_feedback("A-1", "impact", "Show who benefits.")
    session.set_overall_comment("A-1", "Panel only.")
    session.set_overall_feedback("A-1", "A promising start.")
    review = session.review("A-1")
    assert review.comments["impact"] == "For the panel: the mayor's pet project."
    assert review.feedback == {"impact": "Show who benefits.", "reach": "", "advice": ""}
    assert (review.overall_comment, review.overall_feedback) == (
        "Panel only.", "A promising start.")


def test_feedback_follows_the_text_rules(session: JudgingSession) -> None:
    complete(session, "A-1")
    with pytest.raises(ValidationError, match="feedback for the applicant is too long"):
        session.set_feedback("A-1", "impact", "x" * (MAX_COMMENT + 1))
    with pytest.raises(ValidationError, match="overall feedback for the applicant"):
        session.set_overall_feedback("A-1", "a\u202eb")
    with pytest.raises(ValidationError, match="no criterion"):
        session.set_feedback("A-1", "nope", "text")
    session.declare("A-2", True, "My sister")
    with pytest.raises(ValidationError, match="conflict of interest"):
        session.set_feedback("A-2", "impact", "text")
    assert session.review("A-1").feedback["impact"] == ""


def test_required_feedback_blocks_export_then_version_3_carries_both(
        tmp_path: Path, people: People, workspace: JudgeWorkspace) -> None:
    with _open(tmp_path, people, workspace) as session:
        for app_id in APPS:
            complete(session, app_id, impact=2)  # below 3: comment and feedback required
        kinds = [(p.application_id, p.criterion, p.kind) for p in session.problems()]
        assert kinds == [(a, k, kind) for a in APPS for k, kind in (
            ("impact", "feedback_required"), (None, "overall_feedback_required"))]
        assert "“Impact on the community”: feedback for the applicant is required for " \
            "scores below 3" in session.problems()[0].message
        with pytest.raises(ValidationError):
            session.export(tmp_path / "early.jpresults", people.judge)
        for app_id in APPS:
            session.set_feedback(app_id, "impact", f"Evidence would help {app_id}.")
            session.set_overall_feedback(app_id, "Thank you for applying.")
        assert session.problems() == []
        record = session.export(tmp_path / "fb.jpresults", people.judge)
    content = read_results(record.path, [people.staff]).content
    assert content.format_version == 3
    first = content.reviews[0]
    assert [(s.criterion, s.comment, s.feedback) for s in first.scores][0] == (
        "impact", "Thin evidence", "Evidence would help A-1.")
    assert (first.overall_comment, first.overall_feedback) == ("", "Thank you for applying.")


def test_a_schema_3_workspace_is_upgraded_keeping_its_work(
        tmp_path: Path, people: People, bundle_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with JudgeWorkspace.open(path) as ws, JudgingSession.open(
            bundle_path, people.judge, ws, trusted_staff_keys=[people.staff.public_key]) as s:
        complete(s, "A-1", impact=2)
        s.set_overall_comment("A-1", "Written before feedback existed.")
    with sqlite3.connect(path) as raw:
        back_to_schema_3(raw)
        raw.execute("UPDATE judge_meta SET value='3' WHERE key='schema_version'")
    with JudgeWorkspace.open(path) as ws:
        assert ws.schema_version() == SCHEMA_VERSION == 4
        with JudgingSession.open(bundle_path, people.judge, ws,
                                 trusted_staff_keys=[people.staff.public_key]) as s:
            review = s.review("A-1")
            assert review.comments["impact"] == "Thin evidence"  # still the panel's
            assert review.overall_comment == "Written before feedback existed."
            assert review.feedback["impact"] == "" and review.overall_feedback == ""
            s.set_feedback("A-1", "impact", "Now for the applicant.")
            assert s.review("A-1").feedback["impact"] == "Now for the applicant."
        assert ws.check_audit() == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_score_sheet_carries_both_texts_each_labelled(
        session: JudgingSession, tmp_path: Path, suffix: str) -> None:
    complete(session, "A-1")
    session.set_feedback("A-1", "reach", "Reach is your strength.")
    path = write_sheet(session, tmp_path / f"sheet{suffix}")
    rows = read_sheet(path)
    header, help_row = rows[0], rows[1]
    panel = header.index("Comment for the panel: Reach [reach]")
    applicant = header.index("Feedback for the applicant: Reach [reach]")
    assert str(help_row[panel]).startswith("For the panel only: never shown to the applicant")
    assert str(help_row[applicant]).startswith("For the applicant: may be sent to them")
    row = next(r for r in rows if r[0] == "A-1")
    assert (row[panel], row[applicant]) == ("Reaches many in A-1", "Reach is your strength.")
    row[applicant] = "Reach is clearly your strength."
    row[header.index("Overall feedback for the applicant")] = "Well done."
    plan = plan_sheet(session, rows)
    assert plan.problems == []
    assert sorted(c.edit.kind for c in plan.changes) == ["feedback", "overall_feedback"]
    apply_sheet(session, plan)
    review = session.review("A-1")
    assert review.feedback["reach"] == "Reach is clearly your strength."
    assert review.overall_feedback == "Well done." and review.overall_comment == ""
    assert review.comments["reach"] == "Reaches many in A-1"


def test_a_sheet_made_before_feedback_existed_still_reads_as_the_panels(
        session: JudgingSession) -> None:
    complete(session, "A-1")
    rows = [["Reference", "Title", "Status", "Comment: Reach [reach]", "Overall comment"],
            ["A-1", "", "", "Old comment", "Old overall"]]
    plan = plan_sheet(session, rows)
    assert plan.problems == []
    apply_sheet(session, plan)
    review = session.review("A-1")
    assert (review.comments["reach"], review.overall_comment) == ("Old comment", "Old overall")
    assert review.feedback["reach"] == "" and review.overall_feedback == ""
