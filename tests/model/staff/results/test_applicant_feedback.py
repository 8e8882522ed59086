"""Two texts per review at staff (issue #18): feedback for the applicant is merged apart
from the panel's comments, required feedback is enforced, and only feedback (or, when
the program says so, an older file's comments) reaches the feedback report."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import load_rubric
from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.prepare.rounds import rubric_for_round, save_rubric
from judgepanel.model.staff.results.diverged import list_diverged
from judgepanel.model.staff.results.merging import merge_results
from judgepanel.model.staff.schema.results import ReceivedResults, Review, Score
from judgepanel.model.staff.settings import FEEDBACK_LEGACY_COMMENTS, set_setting
from judgepanel.reports import feedback as feedback_report
from judgepanel.reports.gather import gather
from tests.model.conftest import ACTOR
from tests.model.flows import (
    RUBRIC_TOML,
    complete_results,
    make_flow,
    open_bundle,
    write_judge_results,
)
from tests.model.staff.results.test_merging import Issued, issued_program


@pytest.fixture
def issued(tmp_path: Path) -> Iterator[Issued]:
    yield from issued_program(tmp_path)


def _file(issued: Issued, name: str, **options: Any) -> Path:
    built = issued.bundles[name]
    with open_bundle(issued.flow, built) as opened:
        document = complete_results(opened, **options)
    path = issued.files / f"{name.split()[0].lower()}-{document['format_version']}.jpresults"
    return write_judge_results(issued.flow, path, document, issued.flow.judges[name])


def _v3(issued: Issued, name: str) -> Path:
    return _file(issued, name, export_id=secrets.token_hex(16), feedback=True)


def _pdf_text(path: Path) -> str:
    return " ".join("\n".join(p.extract_text() or "" for p in PdfReader(path).pages).split())


def _feedback_pdf(issued: Issued, out: Path) -> str:
    with issued.flow.workspace.session() as session:
        data = gather(session, issued.flow.workspace.program(session))
    feedback_report.build(data, str(out))
    return _pdf_text(out)


def test_version_3_feedback_is_stored_apart_and_only_it_reaches_the_applicant(
        issued: Issued, tmp_path: Path) -> None:
    report = merge_results(issued.flow.workspace, [_v3(issued, n) for n in issued.bundles],
                           issued.flow.staff)
    assert [r.status for r in report.rows] == ["accepted"] * len(issued.bundles)
    with issued.flow.workspace.session() as session:
        scores = list(session.scalars(select(Score)))
        assert scores and all(s.comment == f"Comment on {s.criterion_key}." for s in scores)
        assert all(s.feedback == f"Feedback on {s.criterion_key}." for s in scores)
        reviews = list(session.scalars(select(Review)))
        assert all(r.overall_feedback.startswith("Feedback overall for ") for r in reviews)
        assert {r.format_version for r in session.scalars(select(ReceivedResults))} == {3}
    text = _feedback_pdf(issued, tmp_path / "feedback.pdf")
    assert "Feedback on impact." in text and "Feedback overall for" in text
    assert "Comment on" not in text and "A solid initiative." not in text


def test_older_files_comments_stay_with_the_panel_unless_the_program_says_otherwise(
        issued: Issued, tmp_path: Path) -> None:
    names = list(issued.bundles)
    files = [_file(issued, names[0]),  # version 1
             _file(issued, names[1], export_id=secrets.token_hex(16))]  # version 2
    report = merge_results(issued.flow.workspace, files, issued.flow.staff)
    assert [r.status for r in report.rows] == ["accepted", "accepted"]
    with issued.flow.workspace.session() as session:
        assert all(s.feedback == "" for s in session.scalars(select(Score)))
        assert {r.format_version for r in session.scalars(select(ReceivedResults))} == {1, 2}
    text = _feedback_pdf(issued, tmp_path / "panel-only.pdf")
    assert "Comment on" not in text and "A solid initiative." not in text
    assert "no written feedback" in text
    with issued.flow.workspace.session() as session:
        set_setting(session, issued.flow.workspace.program(session),
                    FEEDBACK_LEGACY_COMMENTS, True, ACTOR)
    text = _feedback_pdf(issued, tmp_path / "legacy.pdf")
    assert "Comment on impact." in text and "A solid initiative." in text


STRICT = RUBRIC_TOML.replace(
    'key = "partnership"', 'key = "partnership"\napplicant_feedback = { below = 3 }'
).replace('tie_break = "impact"', 'tie_break = "impact"\noverall_feedback = "required"')


def test_required_feedback_is_enforced_at_merge_and_the_rule_kept_at_staff(
        tmp_path: Path) -> None:
    """The rubric's feedback rules travel in the bundle and hold at merge as in the
    judge's app: a version-3 file without required feedback is refused as incomplete."""
    flow = make_flow(tmp_path)
    strict = load_rubric(STRICT)
    with flow.workspace.session() as session:
        round_ = flow.round(session)
        save_rubric(session, round_, strict, ACTOR)
        session.flush()
        assert rubric_for_round(session, round_) == strict  # stored and read back whole
    built = build_bundles(flow.workspace, flow.round_id, flow.staff, tmp_path / "bundles")
    files = tmp_path / "results"
    files.mkdir()

    def low(app_id: str, criterion: Criterion) -> float:
        return criterion.valid_scores()[0] if criterion.key == "partnership" else 3

    paths = []
    for number, bundle in enumerate(built[:3]):
        with open_bundle(flow, bundle) as opened:
            document = complete_results(opened, export_id=secrets.token_hex(16),
                                        feedback=True, score=low)
        if number == 0:
            document["reviews"][0]["scores"][1]["feedback"] = "  "  # partnership: 1
        elif number == 1:
            document["reviews"][0]["overall_feedback"] = ""
        paths.append(write_judge_results(flow, files / f"{number}.jpresults", document,
                                         flow.judges[bundle.judge_name]))
    report = merge_results(flow.workspace, paths, flow.staff)
    statuses = [(r.status, r.message) for r in report.rows]
    assert statuses[0][0] == "refused" and "feedback for the applicant is required for " \
        "scores below 3" in statuses[0][1]
    assert statuses[1][0] == "refused" and "overall feedback for the applicant is " \
        "required" in statuses[1][1]
    assert statuses[2][0] == "accepted"
    flow.workspace.close()


def test_diverged_exports_that_differ_in_feedback_only_say_so(issued: Issued) -> None:
    """Staff comparing two exports of one bundle see a change of feedback for the
    applicant, labelled apart from the panel's comment."""
    name = next(iter(issued.bundles))
    paths = []
    for export_id, words in (("a" * 32, "First words."), ("c" * 32, "Second words.")):
        with open_bundle(issued.flow, issued.bundles[name]) as opened:
            document = complete_results(opened, export_id=export_id, feedback=True)
        document["reviews"][0]["scores"][0]["feedback"] = words
        paths.append(write_judge_results(issued.flow, issued.files / f"{export_id[:4]}.jpresults",
                                         document, issued.flow.judges[name]))
    rows = merge_results(issued.flow.workspace, paths, issued.flow.staff).rows
    assert [(r.status, r.reason) for r in rows] == [("accepted", None), ("held", "diverged")]
    with issued.flow.workspace.session() as session:
        listing, = list_diverged(session, issued.flow.workspace.program(session))
    assert [(d.what, d.merged, d.held) for d in listing.differences] == [
        ("Impact on the community: feedback for the applicant", "First words.",
         "Second words.")]


def test_program_feedback_follows_the_programs_legacy_setting(issued: Issued) -> None:
    """The leaderboard's drill-down reads feedback as the program's setting says."""
    from judgepanel.model.staff.results.feedback import program_feedback
    from judgepanel.model.staff.results.round_reviews import load_round_reviews

    names = list(issued.bundles)
    report = merge_results(issued.flow.workspace, [_file(issued, names[0])], issued.flow.staff)
    assert [r.status for r in report.rows] == ["accepted"]  # a version 1 file

    def feedback() -> list[tuple[dict[str, str], str]]:
        with issued.flow.workspace.session() as session:
            round_ = issued.flow.round(session)
            reviews = list(load_round_reviews(session, round_).reviews.values())
            assert reviews
            found = program_feedback(session, round_.program, reviews)
            return [found[(r.results_id, r.application.id)] for r in reviews]

    assert all(said == ({}, "") for said in feedback())
    with issued.flow.workspace.session() as session:
        set_setting(session, issued.flow.workspace.program(session),
                    FEEDBACK_LEGACY_COMMENTS, True, ACTOR)
    legacy = feedback()
    assert all(said[0].get("impact") == "Comment on impact." for said in legacy)
    assert all(said[1] for said in legacy)
