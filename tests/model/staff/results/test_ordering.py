"""Which export is newer, for exports made on any computer (docs/merging.md).

Format 2 files carry an export id and the ids they supersede. The merge accepts one
that builds on the merged export, refuses a repeat (saying what became of it) and an
older one, and holds one that diverged for staff to compare and choose (audited).
Version-1 files keep their numbers-only order, but an equal number with other
content is held, never called a repeat.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.results.diverged import choose_export, list_diverged, waiting
from judgepanel.model.staff.results.round_reviews import load_round_reviews
from judgepanel.model.staff.schema.program import Program, Round
from judgepanel.model.staff.schema.results import ReceivedResults, UnableReview
from tests.model.flows import complete_results, open_bundle, write_judge_results
from tests.model.staff.results.test_merging import (
    MARIA,
    Issued,
    issued_program,
    scores_of,
    state,
)

A, B, C, D = ("a" * 32, "b" * 32, "c" * 32, "d" * 32)


@pytest.fixture
def issued(tmp_path: Path) -> Iterator[Issued]:
    yield from issued_program(tmp_path)


def export(issued: Issued, export_id: str, sequence: int, supersedes: tuple[str, ...] = (),
           *, low: bool = False, unable: dict[str, str] | None = None,
           name: str = MARIA) -> Path:
    """Maria's export ``export_id`` as her app writes it (``low``: other scores)."""
    built = issued.bundles[name]

    def score(app_id: str, criterion: Any) -> float:
        scale = criterion.valid_scores()
        return scale[-1] if not low or criterion.key == "impact" else scale[-2]

    with open_bundle(issued.flow, built) as opened:
        document = complete_results(opened, sequence=sequence, export_id=export_id,
                                    supersedes=supersedes, unable=unable, score=score)
    path = issued.files / f"{export_id[:4]}-{sequence}.jpresults"
    return write_judge_results(issued.flow, path, document, issued.flow.judges[name])


def statuses(issued: Issued) -> list[tuple[str | None, str]]:
    with issued.flow.workspace.session() as session:
        return [(r.export_id, r.status) for r in session.scalars(
            select(ReceivedResults).order_by(ReceivedResults.id))]


def program(session: Any, issued: Issued) -> Program:
    round_ = session.get(Round, issued.flow.round_id)
    return round_.program


def test_a_descendant_is_accepted_and_replaces_the_merged_export(issued: Issued) -> None:
    assert issued.merge(export(issued, A, 1)).rows[0].accepted
    row = issued.merge(export(issued, B, 2, (A,), low=True)).rows[0]
    assert row.accepted, row.message
    assert statuses(issued) == [(A, "replaced"), (B, "accepted")]


def test_an_ancestor_is_refused_as_older_naming_both(issued: Issued) -> None:
    first, second = export(issued, A, 1), export(issued, B, 2, (A,))
    issued.merge(second)
    before = state(issued.flow)
    row = issued.merge(first).rows[0]
    assert (row.status, row.reason) == ("refused", "older")
    assert "export 1; export 2, which builds on it, was merged" in row.message
    assert {k: v for k, v in state(issued.flow).items() if k != "results"} == {
        k: v for k, v in before.items() if k != "results"}


@pytest.mark.parametrize("then, words", [
    ("again", "already merged (the same export)"),
    ("replaced", "a newer one has replaced it since"),
])
def test_a_repeat_is_told_truthfully_what_became_of_it(issued: Issued, then: str,
                                                       words: str) -> None:
    first = export(issued, A, 1)
    issued.merge(first)
    if then == "replaced":
        issued.merge(export(issued, B, 2, (A,)))
    row = issued.merge(first).rows[0]
    assert (row.status, row.reason) == ("refused", "replay")
    assert words in row.message


def test_the_issue_case_two_computers_same_start_are_held_and_staff_choose(
        issued: Issued) -> None:
    """Home computer: export A (sequence 1). New laptop, fresh data folder: export C, also
    sequence 1, other content. Not "already merged": held, compared, chosen, audited."""
    assert issued.merge(export(issued, A, 1)).rows[0].accepted
    scores_before = scores_of(issued, MARIA)
    row = issued.merge(export(issued, C, 1, low=True)).rows[0]
    assert (row.status, row.reason) == ("held", "diverged")
    assert "compare the two" in row.message and scores_of(issued, MARIA) == scores_before
    with issued.flow.workspace.session() as session:
        listing, = list_diverged(session, program(session, issued))
        assert waiting(session, program(session, issued)) == 1
    assert listing.judge == MARIA and listing.merged.sequence == listing.held.sequence == 1
    assert listing.differences and all(d.merged != d.held for d in listing.differences)
    assert {d.what for d in listing.differences} >= {"Total"}
    # a repeat of the held file says it is already waiting
    again = issued.merge(issued.files / f"{C[:4]}-1.jpresults").rows[0]
    assert again.reason == "replay" and "already waiting" in again.message
    with issued.flow.workspace.session() as session:
        with pytest.raises(ValidationError, match="why you chose"):
            choose_export(session, program(session, issued), listing.held_id, "held", " ",
                          "staff")
        choose_export(session, program(session, issued), listing.held_id, "held",
                      "The judge confirmed the laptop's export is final.", "staff")
    assert statuses(issued) == [(A, "replaced"), (C, "accepted"), (C, "refused")]
    assert scores_of(issued, MARIA) != scores_before
    with issued.flow.workspace.session() as session:
        entry, = audit.events(session, "results.diverged_chosen")
        assert entry.details["kept"] == "held" and "laptop" in entry.details["note"]
        assert list_diverged(session, program(session, issued)) == []
    # the laptop goes on: its next export builds on C and is accepted
    assert issued.merge(export(issued, D, 2, (C,))).rows[0].accepted


def test_staff_may_keep_the_merged_export(issued: Issued) -> None:
    issued.merge(export(issued, A, 1))
    before = scores_of(issued, MARIA)
    issued.merge(export(issued, C, 1, low=True))
    with issued.flow.workspace.session() as session:
        listing, = list_diverged(session, program(session, issued))
        choose_export(session, program(session, issued), listing.held_id, "merged",
                      "The laptop's was a test.", "staff")
    assert statuses(issued) == [(A, "accepted"), (C, "set_aside")]
    assert scores_of(issued, MARIA) == before
    row = issued.merge(issued.files / f"{C[:4]}-1.jpresults").rows[0]
    assert row.reason == "replay" and "set aside" in row.message


def test_an_export_that_builds_on_both_lines_is_accepted(issued: Issued) -> None:
    issued.merge(export(issued, A, 1))
    issued.merge(export(issued, C, 1, low=True))  # held
    row = issued.merge(export(issued, D, 2, (A, C))).rows[0]
    assert row.accepted, row.message
    assert statuses(issued) == [(A, "replaced"), (C, "replaced"), (D, "accepted")]


def test_unable_to_review_is_complete_and_reaches_the_round(issued: Issued) -> None:
    built = issued.bundles[MARIA]
    with open_bundle(issued.flow, built) as opened:
        app_id = opened.manifest["applications"][0]["id"]
    row = issued.merge(export(issued, A, 1, unable={app_id: "Outside my field"})).rows[0]
    assert row.accepted and "1 unable to review" in row.message
    with issued.flow.workspace.session() as session:
        stored = session.scalars(select(UnableReview)).one()
        assert stored.reason == "Outside my field"
        data = load_round_reviews(session, session.get(Round, issued.flow.round_id))
        pair = (issued.flow.judge_ids[MARIA], stored.application_id)
        assert data.unable == {pair: "Outside my field"} and pair not in data.reviews


def test_version_1_files_keep_their_numbers_and_an_equal_number_is_held(
        issued: Issued) -> None:
    assert issued.merge(issued.results(MARIA, sequence=2)).rows[0].accepted
    older = issued.merge(issued.results(MARIA, sequence=1)).rows[0]
    assert older.reason == "older" and "export 1; export 2 was merged" in older.message
    same_number = issued.merge(issued.results(MARIA, sequence=2, file="laptop")).rows[0]
    assert same_number.status == "held"


def test_a_version_2_export_made_after_version_1_ones_supersedes_them(issued: Issued) -> None:
    """The judge's app gives its version-1 exports the id staff give them when upgraded."""
    import hashlib

    from judgepanel.formats.results.lineage import legacy_export_id

    old = issued.results(MARIA, sequence=1)
    issued.merge(old)
    legacy = legacy_export_id(hashlib.sha256(old.read_bytes()).hexdigest())
    assert issued.merge(export(issued, B, 2, (legacy,))).rows[0].accepted
    assert issued.merge(export(issued, C, 2)).rows[0].status == "held"


def test_unable_to_review_reaches_leaderboard_dossier_and_activity(issued: Issued,
                                                                   tmp_path: Path) -> None:
    from pypdf import PdfReader

    from judgepanel.model.staff.decide.leaderboard import compute
    from judgepanel.reports import build_report

    built = issued.bundles[MARIA]
    with open_bundle(issued.flow, built) as opened:
        app_id = opened.manifest["applications"][0]["id"]
    issued.merge(export(issued, A, 1, unable={app_id: "Outside my field of expertise"}))
    with issued.flow.workspace.session() as session:
        board = compute(session, session.get(Round, issued.flow.round_id))
        row = next(r for r in board.rows if any(j.name == MARIA for j, _ in r.unable))
        assert [(j.name, why) for j, why in row.unable] == [
            (MARIA, "Outside my field of expertise")]
        assert MARIA not in {j.name for j in row.missing}
        maria = next(j for j in board.judges if j.judge.name == MARIA)
        assert (maria.unable, maria.missing) == (1, 0)
    texts = {}
    for kind in ("dossier", "activity"):
        out = build_report(kind, issued.flow.workspace, None, tmp_path / f"{kind}.pdf")
        texts[kind] = " ".join("".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "unable to review it: Outside my field of expertise" in texts["dossier"]
    assert "Outside my field of expertise" in texts["activity"]
