"""The leaderboard reads the right reviews from the workspace (numbers checked by hand).

The pure statistics are tested in test_stats/test_ranking; here the question is
whether the database is read correctly: only accepted, newest results count,
conflicted reviews are excluded and listed, missing reviews are listed, the
category filter and the funding line (with a budget and a staff award) work.
See board_fixtures.py for the table of scores these numbers come from.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from judgepanel.errors import ValidationError
from judgepanel.model.scoring.statistics import krippendorff_alpha_interval
from judgepanel.model.staff import audit
from judgepanel.model.staff.decide.awards import set_award
from judgepanel.model.staff.decide.leaderboard import Leaderboard, compute, compute_all
from judgepanel.model.staff.prepare import rounds
from judgepanel.model.staff.schema.program import Application, Assignment, Round
from judgepanel.model.staff.schema.results import IssuedBundle, ReceivedResults, Review, Score
from judgepanel.model.staff.settings import DEFAULT_MAX_RANGE, DEFAULT_MAX_SD
from tests.model.board_fixtures import ACTOR, RUBRIC, BoardProgram, build_board_program


@pytest.fixture
def bp(tmp_path: Path) -> Iterator[BoardProgram]:
    program = build_board_program(tmp_path)
    yield program
    program.ws.close()


def _board(bp: BoardProgram, **kwargs: object) -> Leaderboard:
    with bp.ws.session() as session:
        kwargs.setdefault("basis", "raw")  # the hand-computed table is the raw one
        return compute(session, session.get_one(Round, bp.round_id), **kwargs)  # type: ignore[arg-type]


def _sd(values: list[float]) -> float:
    m = sum(values) / len(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


# Each judge's counted totals over the whole round (for z-scores).
J1 = [100, 75, 50, 25, 25]  # A07 excluded (staff conflict)
J2 = [75, 50, 75, 75, 50]
J4 = [100, 75, 100, 50]


def _z(total: float, own: list[int]) -> float:
    return (total - sum(own) / len(own)) / _sd([float(v) for v in own])


def test_raw_statistics_and_ranks_follow_the_hand_computed_table(bp: BoardProgram) -> None:
    board = _board(bp)
    order = [(r.rank_raw, r.application.ref) for r in board.rows]
    # A03 beats A02 on the tie-break (impact 4 vs 3.5); A04 beats A07 on more reviews;
    # A07 and A08 tie on everything and share rank 6 (competition ranking).
    assert order == [(1, "A01"), (2, "A05"), (3, "A03"), (4, "A02"), (5, "A04"),
                     (6, "A07"), (6, "A08"), (8, "A06")]
    a01 = board.row("A01")
    assert a01 is not None
    s = a01.stats.summary
    assert (s.n, s.min, s.max, s.median) == (3, 75, 100, 100)
    assert s.mean == pytest.approx(275 / 3)
    assert s.sd == pytest.approx(math.sqrt((2 * (100 - 275 / 3) ** 2 + (75 - 275 / 3) ** 2) / 2))
    # The advice criterion (counts = false, scored 1 everywhere) stays out of totals,
    # but its mean is kept; the tie-break is the impact mean.
    assert a01.stats.criterion_means == {"advice": 1.0, "feasibility": 14 / 3, "impact": 14 / 3}
    assert board.row("A03").tie_break == 4  # type: ignore[union-attr]
    assert board.row("A02").tie_break == 3.5  # type: ignore[union-attr]
    assert [j.name for j in a01.reviewers] == ["Ana Ruiz", "Ben Okafor", "Dev Patel"]
    assert board.ranking is board.raw and board.ranking.unranked == ()


def test_only_the_newest_accepted_results_count(bp: BoardProgram) -> None:
    board = _board(bp)
    a02 = {r.judge.name: r for r in board.reviews if r.application.ref == "A02"}
    # J1: the new bundle's seq 1 (impact 4 = 75) beats the superseded bundle's seq 5 (0).
    # J2: seq 2 (50) beats seq 1 (25); the refused seq 3 (100) never counts.
    assert {n: (r.total, r.sequence) for n, r in a02.items()} == {
        "Ana Ruiz": (75.0, 1), "Ben Okafor": (50.0, 2)}
    assert a02["Ben Okafor"].scores == {"impact": 3, "feasibility": 3, "advice": 1}
    assert board.row("A02").stats.mean == 62.5  # type: ignore[union-attr]


def test_conflicted_reviews_are_excluded_and_listed(bp: BoardProgram) -> None:
    board = _board(bp)
    a03, a07, a02 = board.row("A03"), board.row("A07"), board.row("A02")
    assert a03 is not None and a07 is not None and a02 is not None
    # Dev declared a conflict for A03 in his results: listed, neither missing nor counted.
    assert [j.name for j in a03.conflicted] == ["Dev Patel"]
    assert a03.missing == () and a03.stats.n == 2
    # Ana scored A07 (100) before staff confirmed her conflict: excluded, still exported.
    assert [j.name for j in a07.conflicted] == ["Ana Ruiz"]
    assert (a07.stats.n, a07.stats.mean) == (1, 50.0)
    ana_a07 = next(r for r in board.reviews
                   if r.application.ref == "A07" and r.judge.name == "Ana Ruiz")
    assert not ana_a07.counted and "conflict" in ana_a07.excluded and ana_a07.total == 100
    # Chloé's confirmed conflict with A02 does not touch this round: not listed.
    assert a02.conflicted == ()
    # An open finding does not exclude Ben's A05 review, but staff are told about it.
    assert board.row("A05").stats.n == 2  # type: ignore[union-attr]
    assert [(c.judge.name, c.application_ref) for c in board.open_conflicts] == [
        ("Ben Okafor", "A05")]


def test_missing_reviews_are_listed_per_application_and_per_judge(bp: BoardProgram) -> None:
    board = _board(bp)
    missing = {r.application.ref: [j.name for j in r.missing] for r in board.rows if r.missing}
    assert missing == {ref: ["Chloé Martin"] for ref in ("A04", "A05", "A06", "A08")}
    judges = {j.judge.name: j for j in board.judges}
    assert judges["Chloé Martin"].stats is None
    assert (judges["Chloé Martin"].assigned, judges["Chloé Martin"].missing) == (4, 4)
    assert (judges["Ana Ruiz"].assigned, judges["Ana Ruiz"].missing,
            judges["Ana Ruiz"].conflicted) == (6, 0, 1)


def test_normalised_basis_uses_each_judges_whole_round(bp: BoardProgram) -> None:
    board = _board(bp, basis="z")
    a05 = board.row("A05")
    assert a05 is not None
    expected = (_z(75, J2) + _z(100, J4)) / 2
    assert a05.stats.z_mean == pytest.approx(expected)
    assert a05.stats.z_display == pytest.approx(50 + 10 * expected)
    # A06 (one review by a harsh judge) now beats A08 and A07.
    assert [r.application.ref for r in board.rows] == [
        "A01", "A05", "A03", "A02", "A04", "A06", "A08", "A07"]
    assert [board.rank_of(r) for r in board.rows] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert board.row("A07").rank_raw == 6  # type: ignore[union-attr]


def test_judge_leniency_spread_and_panel_alpha(bp: BoardProgram) -> None:
    board = _board(bp)
    judges = {j.judge.name: j.stats for j in board.judges}
    ana, ben, dev = judges["Ana Ruiz"], judges["Ben Okafor"], judges["Dev Patel"]
    assert ana is not None and ben is not None and dev is not None
    # Ana vs the others' mean on A01 (87.5), A02 (50), A03 (75), A04 (75); A06 alone.
    assert ana.leniency == pytest.approx((12.5 + 25 - 25 - 50) / 4) and ana.compared == 4
    assert ben.leniency == pytest.approx((-25 - 25 + 25 - 25) / 4)
    assert dev.leniency == pytest.approx((12.5 + 50 + 25) / 3) and dev.compared == 3
    assert ana.spread == pytest.approx(_sd([float(v) for v in J1]))
    assert (ana.n, ana.mean) == (5, 55.0)
    units = [[100, 75, 100], [75, 50], [50, 75], [25, 75], [75, 100], [25], [50], [50]]
    assert board.alpha == pytest.approx(krippendorff_alpha_interval(units))


def test_category_boards_rank_within_the_category(bp: BoardProgram) -> None:
    youth = _board(bp, category="Youth")
    assert youth.category is not None and youth.category.key == "youth"
    assert [(r.rank_raw, r.application.ref) for r in youth.rows] == [
        (1, "A01"), (2, "A03"), (3, "A02"), (4, "A04")]
    assert youth.funding is None  # Youth has no budget; the round's is not split
    housing = _board(bp, category="housing")
    assert [(r.rank_raw, r.application.ref) for r in housing.rows] == [
        (1, "A05"), (2, "A04"), (3, "A07"), (3, "A08"), (5, "A06")]
    # Alpha over Housing's pairable units only: [25, 75] and [75, 100] -> 4/19 by hand.
    assert housing.alpha == pytest.approx(4 / 19)
    # z-scores still come from the whole round, so A04 means the same in both boards.
    assert (housing.row("A04").stats.z_mean  # type: ignore[union-attr]
            == youth.row("A04").stats.z_mean)  # type: ignore[union-attr]
    assert {j.judge.name for j in housing.judges} == {
        "Ana Ruiz", "Ben Okafor", "Chloé Martin", "Dev Patel"}
    everything = {r.application.ref for r in housing.reviews}
    assert everything == {"A04", "A05", "A06", "A07", "A08"}


def test_compute_all_gives_overall_and_every_category(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        boards = compute_all(session, session.get_one(Round, bp.round_id), basis="raw")
    assert list(boards.by_category) == ["youth", "housing"]
    assert len(boards.overall.rows) == 8
    assert boards.by_category["housing"].funding is not None


def test_funding_line_with_the_round_budget(bp: BoardProgram) -> None:
    line = _board(bp).funding
    assert line is not None and line.budget == Decimal(100_000)
    # A01 40k, A05 30k, A03 25k fit; A02 (20k) does not fit the 5k left: the line.
    assert line.line_at == "A02"
    assert [(r.application_id, r.status) for r in line.rows[:4]] == [
        ("A01", "funded"), ("A05", "funded"), ("A03", "funded"), ("A02", "unfunded")]
    assert line.remaining == Decimal(5_000)


def test_the_funding_line_is_given_the_ranks_so_ties_are_not_split_by_reference(
        bp: BoardProgram, monkeypatch: pytest.MonkeyPatch) -> None:
    from judgepanel.model.staff.decide import leaderboard

    given: list[object] = []
    real = leaderboard.funding_line

    def spy(*args: object) -> object:
        given.append(args[3] if len(args) > 3 else None)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(leaderboard, "funding_line", spy)
    board = _board(bp, basis="raw")
    assert given == [[r.rank for r in board.raw.rows]]


def test_a_category_budget_never_skips_down_the_ranking(bp: BoardProgram) -> None:
    line = _board(bp, category="Housing").funding
    assert line is not None and line.budget == Decimal(50_000)
    # A05 30k + A04 15k; A07 (10k) misses the 5k left, and A08 (5k) below it stays unfunded.
    assert line.line_at == "A07"
    assert line.row("A08").status == "unfunded"  # type: ignore[union-attr]


def test_partial_award_is_stored_audited_and_moves_the_line(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        a02 = session.get_one(Application, bp.apps["A02"])
        set_award(session, a02, Decimal("5000"), ACTOR, note="use the remainder")
    board = _board(bp)
    row = board.row("A02")
    assert row is not None and row.funding is not None and row.application.awarded == 5000
    assert (row.funding.status, row.funding.overridden) == ("partial", True)
    assert board.funding is not None and board.funding.line_at == "A04"
    assert board.funding.remaining == 0
    with bp.ws.session() as session:
        entry = audit.events(session, "award.")[-1]
        assert entry.details == {"application": "A02", "amount": "5000.00",
                                 "previous": None, "note": "use the remainder"}
        set_award(session, session.get_one(Application, bp.apps["A02"]), None, ACTOR)
    assert _board(bp).funding.line_at == "A02"  # type: ignore[union-attr]


@pytest.mark.parametrize("amount, words", [
    (Decimal("20000.01"), "more than it requested"),
    (Decimal(-1), "zero or more"),
    (1000.0, "exact amount"),
    (Decimal("10.005"), "fractions of a cent"),
])
def test_impossible_awards_are_refused(bp: BoardProgram, amount: object, words: str) -> None:
    with bp.ws.session() as session, pytest.raises(ValidationError, match=words):
        set_award(session, session.get_one(Application, bp.apps["A02"]), amount, ACTOR)  # type: ignore[arg-type]


def test_an_award_needs_a_requested_amount(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        app = session.get_one(Application, bp.apps["A02"])
        app.requested_amount = None
        with pytest.raises(ValidationError, match="no requested amount"):
            set_award(session, app, Decimal(10), ACTOR)


def test_disagreement_limits_come_from_settings_with_defaults(bp: BoardProgram) -> None:
    board = _board(bp)
    assert (board.disagreement.max_range, board.disagreement.max_sd) == (
        DEFAULT_MAX_RANGE, DEFAULT_MAX_SD)
    assert [r.application.ref for r in board.rows if r.flags] == ["A04"]
    with bp.ws.session() as session:
        bp.ws.program(session).settings = {"disagreement_range": 60, "disagreement_sd": None}
    assert [r.application.ref for r in _board(bp).rows if r.flags] == []
    with bp.ws.session() as session:
        bp.ws.program(session).settings = {
            "disagreement_range": 60, "round_settings": {"1": {"disagreement_range": 20}}}
    flagged = [r.application.ref for r in _board(bp).rows if r.flags]
    assert flagged == ["A01", "A05", "A03", "A02", "A04"]  # ranges 25, 25, 25, 25, 50
    with bp.ws.session() as session:
        bp.ws.program(session).settings = {"disagreement_sd": "high"}
    with pytest.raises(ValidationError, match="disagreement limit"):
        _board(bp)


def _add_bad_review(session: Session, bp: BoardProgram) -> None:
    """Chloé's results for A08 with only the impact score (merge would refuse this)."""
    bundle = session.query(IssuedBundle).filter_by(bundle_id="b-J3").one()
    results = ReceivedResults(issued_bundle_id=bundle.id, judge_id=bundle.judge_id, raw=b"x",
                              raw_sha256="f" * 64, sequence=1, status="accepted")
    session.add(results)
    session.flush()
    session.add(Review(results_id=results.id, application_id=bp.apps["A08"]))  # a score's key
    session.add(Score(results_id=results.id, application_id=bp.apps["A08"],
                      criterion_key="impact", value=5.0))


def test_a_stored_review_that_does_not_fit_the_rubric_is_not_counted(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        _add_bad_review(session, bp)
    board = _board(bp)
    a08 = board.row("A08")
    assert a08 is not None and a08.stats.n == 1
    assert [j.name for j in a08.missing] == ["Chloé Martin"]
    assert len(board.problems) == 1 and "A08" in board.problems[0]
    bad = next(r for r in board.reviews if r.judge.name == "Chloé Martin")
    assert not bad.counted and bad.total is None
    assert _board(bp, category="youth").problems == ()


def test_every_application_of_the_program_belongs_to_an_unshortlisted_round(
        bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        program = bp.ws.program(session)
        session.add(Application(program_id=program.id, ref="A09", title="Late entry"))
        second = rounds.add_round(session, program, "Second round", ACTOR)
        rounds.save_rubric(session, second, RUBRIC, ACTOR)
        second_id = second.id
    board = _board(bp)
    assert board.row("A09") is not None and board.raw.unranked == ("A09",)
    # Round 1's results never leak into another round.
    with bp.ws.session() as session:
        other = compute(session, session.get_one(Round, second_id))
    assert other.reviews == () and other.raw.rows == () and len(other.rows) == 9
    assert other.funding is None and other.alpha is None


def test_refusals_name_what_to_fix(bp: BoardProgram) -> None:
    with pytest.raises(ValidationError, match="no category"):
        _board(bp, category="Culture")
    with bp.ws.session() as session:
        bare = rounds.add_round(session, bp.ws.program(session), "No rubric", ACTOR)
        with pytest.raises(ValidationError, match="has no rubric"):
            compute(session, bare)


@pytest.mark.usefixtures("collecting")
def test_ranking_pauses_garbage_collection_only_while_it_runs(
        bp: BoardProgram, monkeypatch: pytest.MonkeyPatch) -> None:
    """compute and compute_all switch collection off for the step and back on after."""
    from judgepanel.model.staff.decide import leaderboard

    seen: list[bool] = []
    original = leaderboard.load_round_reviews

    def spy(session: Session, round_: Round) -> object:
        seen.append(gc.isenabled())
        return original(session, round_)

    monkeypatch.setattr(leaderboard, "load_round_reviews", spy)
    _board(bp)
    with bp.ws.session() as session:
        compute_all(session, session.get_one(Round, bp.round_id))
        with pytest.raises(ValidationError):
            compute(session, session.get_one(Round, bp.round_id), category="Nowhere")
    assert seen == [False, False, False] and gc.isenabled()


def test_the_round_reads_its_applications_with_categories_in_program_order(
        bp: BoardProgram) -> None:
    """Read with column selects: every field the board shows, categories as program keys."""
    from judgepanel.model.staff.results.round_reviews import load_round_reviews

    with bp.ws.session() as session:
        data = load_round_reviews(session, session.get_one(Round, bp.round_id))
    a04 = data.apps[bp.apps["A04"]]
    assert (a04.ref, a04.title, a04.organisation) == ("A04", "Project A04", "Org A04")
    assert a04.categories == ("youth", "housing") and a04.requested == Decimal(15_000)
    assert a04.awarded is None
    assert data.apps[bp.apps["A05"]].categories == ("housing",)
    assert sorted(a.ref for a in data.apps.values()) == [f"A0{i}" for i in range(1, 9)]
    assert list(data.apps) == sorted(data.apps)  # by id, as before
    assert data.judges[bp.judges["J3"]].name == "Chloé Martin"


def test_an_application_assigned_outside_a_later_round_is_still_shown(bp: BoardProgram) -> None:
    """The workflows never allow it, but an assignment that exists must not vanish."""
    from judgepanel.model.staff.results.round_reviews import load_round_reviews

    with bp.ws.session() as session:
        program = bp.ws.program(session)
        first = session.get_one(Round, bp.round_id)
        second = rounds.add_round(session, program, "Finals", ACTOR,
                                  applications=[session.get_one(Application, bp.apps["A01"])])
        rounds.save_rubric(session, second, RUBRIC, ACTOR)
        session.add(Assignment(round_id=second.id, judge_id=bp.judges["J1"],
                               application_id=bp.apps["A04"]))
        session.flush()
        data = load_round_reviews(session, second)
        assert len(load_round_reviews(session, first).apps) == 8
    assert [a.ref for a in data.apps.values()] == ["A01", "A04"]
    assert data.apps[bp.apps["A04"]].categories == ("youth", "housing")


def test_people_are_listed_by_name_then_id() -> None:
    from judgepanel.model.staff.decide.leaderboard import _Roster
    from judgepanel.model.staff.results.round_reviews import JudgeInfo

    judges = {7: JudgeInfo(7, "Zoe"), 12: JudgeInfo(12, "Ana"), 3: JudgeInfo(3, "Ana"),
              40: JudgeInfo(40, "Ben")}
    roster = _Roster(judges)
    assert [(j.name, j.id) for j in roster.people(["7", "12", "40", "3"])] == [
        ("Ana", 3), ("Ana", 12), ("Ben", 40), ("Zoe", 7)]
    assert roster.people([]) == ()
    with pytest.raises(KeyError):
        roster.people(["99"])  # not a judge of the program


def test_the_board_carries_the_judge_effect_model_of_the_whole_round(bp: BoardProgram) -> None:
    from judgepanel.model.scoring.judge_effects import fit_judge_effects

    with bp.ws.session() as session:
        boards = compute_all(session, session.get_one(Round, bp.round_id))
    board = boards.overall
    assert board.basis == "adjusted" and board.ranking is board.adjusted  # the default
    counted = [r for r in board.reviews if r.counted]
    assert counted
    fit = fit_judge_effects([r.application.ref for r in counted],
                            [str(r.judge.id) for r in counted],
                            [round(r.total or 0.0, 9) for r in counted])
    for row in board.rows:
        expected = fit.scores.get(row.application.ref)
        assert row.stats.adjusted == (expected.score if expected else None)
        assert (row.rank_adjusted is None) == (row.stats.adjusted is None)
    for judge in board.judges:
        offset = fit.offsets.get(str(judge.judge.id))
        assert (judge.offset.offset if judge.offset else None) == (
            offset.offset if offset else None)
    per_judge: dict[int, int] = {}
    for r in counted:
        per_judge[r.judge.id] = per_judge.get(r.judge.id, 0) + 1
    assert board.reviews_per_judge == tuple(sorted(per_judge.values()))
    # Every category's board shows the same round-wide fit (as z uses the whole round).
    for category_board in boards.by_category.values():
        assert category_board.effects == board.effects
        assert category_board.warnings == board.warnings
        for row in category_board.rows:
            assert row.stats.adjusted == board.row(row.application.ref).stats.adjusted  # type: ignore[union-attr]
    # A median of 5 or more reviews per judge but under 20: z is flagged, adjusted is not.
    middle = sorted(per_judge.values())[len(per_judge) // 2]
    assert 5 <= middle < 20
    assert {(w.basis, w.kind) for w in board.warnings} == {("z", "few_reviews")}
