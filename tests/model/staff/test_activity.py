"""What other officers did, in words: the audit entries after a point."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from judgepanel.model.staff.activity import activity_since, describe, latest_seq
from judgepanel.model.staff.decide.awards import set_award
from judgepanel.model.staff.prepare.judges import set_active
from judgepanel.model.staff.schema.program import Application, Judge
from tests.model.flows import make_flow


def test_the_changes_after_a_point_in_words(tmp_path: Path) -> None:
    flow = make_flow(tmp_path)
    ws = flow.workspace
    try:
        with ws.session() as session:
            seen = latest_seq(session)
        with ws.session() as session:
            set_award(session, session.get_one(Application, flow.app_ids["REC-003"]),
                      Decimal("7500"), "tom")
            judge = session.get_one(Judge, flow.judge_ids["Sofia Rossi"])
            set_active(session, judge, False, "tom")
        with ws.session() as session:
            news = activity_since(session, seen)
            assert [(a.seq - seen, a.actor, a.family) for a in news] == [
                (1, "tom", "award"), (2, "tom", "judge")]
            assert [str(a) for a in news] == ["tom set the award for REC-003 to 7,500.00",
                                              "tom withdrew Sofia Rossi"]
            assert activity_since(session, news[-1].seq) == []
            assert latest_seq(session) == news[-1].seq
    finally:
        ws.close()
    assert describe("award.set", {"application": "G-7", "amount": None}) == \
        "cleared the award for G-7"
    assert describe("decision.made", {}) == "made a change (decision.made)"
    assert describe("award.set", {"application": "G-7", "amount": "lots"}) == \
        "made a change (award.set)"  # an entry shaped otherwise is still said
