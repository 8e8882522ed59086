"""The text policy where staff type names and notes (docs/formats.md section 10): a
control or bidirectional character is refused, naming it, before it reaches a bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from judgepanel.errors import JudgePanelError
from judgepanel.model.staff.prepare.categories import add_category
from judgepanel.model.staff.prepare.conflicts import declare
from judgepanel.model.staff.prepare.judges import set_affiliations, set_profile
from judgepanel.model.staff.prepare.rounds import add_round
from judgepanel.model.staff.schema.program import Application, Judge
from judgepanel.model.staff.workspace import StaffWorkspace

RLO = "\u202e"


def test_a_program_name_is_held_to_the_policy(tmp_path: Path) -> None:
    with pytest.raises(JudgePanelError, match=r"U\+202E"):
        StaffWorkspace.create(tmp_path / "ws", f"Awards {RLO}2026", actor="t")


def test_round_and_category_names_are_held_to_the_policy(demo: Path) -> None:
    workspace = StaffWorkspace.open(demo / "program", actor="t")
    try:
        with workspace.session() as session:
            program = workspace.program(session)
            with pytest.raises(JudgePanelError, match=r"U\+001B \(ESCAPE\)"):
                add_round(session, program, "Second\x1b[2J round", "t")
            with pytest.raises(JudgePanelError, match=r"U\+2066"):
                add_category(session, program, "Youth \u2066x\u2069")
    finally:
        workspace.close()


def test_judge_details_and_notes_are_held_to_the_policy(demo: Path) -> None:
    workspace = StaffWorkspace.open(demo / "program", actor="t")
    try:
        with workspace.session() as session:
            judge = session.query(Judge).first()
            assert judge is not None
            with pytest.raises(JudgePanelError, match="organisation holds U"):
                set_profile(session, judge, "t", organisation=f"City {RLO}Hall")
            with pytest.raises(JudgePanelError, match="affiliation holds U"):
                set_affiliations(session, judge, ["Ok", "Bad\x00"], "t")
            application = session.query(Application).first()
            assert application is not None
            with pytest.raises(JudgePanelError, match=r"U\+0007"):
                declare(session, judge, application, "Her sister\x07 runs it", "t")
    finally:
        workspace.close()
