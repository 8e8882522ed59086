"""The panel meeting's agenda: discussion order, anonymised reviews, conflicts, decisions.

On the board program (board_fixtures.py), ranked raw: A01 1, A05 2, A03 3, A02 4,
A04 5 (flagged: range 50), A07 6, A08 6, A06 8.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from judgepanel.model.staff.decide.decisions import set_decision
from judgepanel.model.staff.decide.meeting import DISAGREEMENT, REST, TOP, agenda
from judgepanel.model.staff.schema.program import Application, Round
from judgepanel.model.staff.settings import RANKING_BASIS, set_setting
from tests.model.board_fixtures import ACTOR, BoardProgram, build_board_program


@pytest.fixture
def bp(tmp_path: Path) -> Iterator[BoardProgram]:
    program = build_board_program(tmp_path)
    with program.ws.session() as session:
        set_setting(session, program.ws.program(session), RANKING_BASIS, "raw", ACTOR)
    yield program
    program.ws.close()


def test_top_then_disagreement_then_the_rest(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        meeting = agenda(session, session.get_one(Round, bp.round_id), top=2)
    assert [(i.ref, i.group, i.rank) for i in meeting.items] == [
        ("A01", TOP, 1), ("A05", TOP, 2), ("A04", DISAGREEMENT, 5), ("A03", REST, 3),
        ("A02", REST, 4), ("A07", REST, 6), ("A08", REST, 6), ("A06", REST, 8)]
    assert meeting.criteria == (("impact", "Impact"), ("feasibility", "Feasibility"),
                                ("advice", "Would you advise funding?"))
    assert meeting.decided == 0 and [o.name for o in meeting.outcomes] == [
        "funded", "not funded"]


def test_reviews_side_by_side_and_conflicted_judges_left_out(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        items = {i.ref: i for i in agenda(session, session.get_one(Round, bp.round_id)).items}
    a03 = items["A03"]
    # J1 (index 0) 3/3, J2 (index 1) 5/1 with a comment; J4 declared a conflict.
    assert [(r.judge, r.scores[:2], r.total) for r in a03.reviews] == [
        (0, (3, 3), 50.0), (1, (5, 1), 75.0)]
    assert a03.reviews[1].comments[1] == "Plan is thin, but the need is real"
    assert a03.conflicted == (3,)
    assert (a03.raw, a03.rank) == (62.5, 3)
    assert items["A07"].conflicted == (0,)  # J1: staff-confirmed conflict
    assert [r.judge for r in items["A07"].reviews] == [3]


def test_a_decision_shows_with_its_version(bp: BoardProgram) -> None:
    with bp.ws.session() as session:
        round_ = session.get_one(Round, bp.round_id)
        set_decision(session, round_, session.get_one(Application, bp.apps["A06"]),
                     "not funded", "Unclear budget", ACTOR)
    with bp.ws.session() as session:
        meeting = agenda(session, session.get_one(Round, bp.round_id))
    a06 = next(i for i in meeting.items if i.ref == "A06")
    assert a06.decision is not None and a06.decision.reason == "Unclear budget"
    assert a06.version == 1 and meeting.decided == 1
    assert next(i for i in meeting.items if i.ref == "A01").version == 0
