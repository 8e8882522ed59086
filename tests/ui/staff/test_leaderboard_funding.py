"""The leaderboard's funding line: a tie where the budget runs out is said, not settled."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from judgepanel.model.staff.decide.awards import set_award
from judgepanel.model.staff.schema.program import Application
from tests.model.board_fixtures import build_board_program
from tests.ui.staff.conftest import wait_idle


def test_a_tie_at_the_line_is_in_the_headline(make_page: Any, qtbot: Any,
                                              tmp_path: Path) -> None:
    """Raw basis: A07 (10k) and A08 (5k) share rank 6 with 5k left once A02 and A04 are
    passed over (tests/cli/test_staff_cli_decide.py has the numbers)."""
    program = build_board_program(tmp_path)
    with program.ws.session() as session:
        for ref in ("A02", "A04"):
            set_award(session, session.get_one(Application, program.apps[ref]), Decimal(0),
                      "tester")
    program.ws.close()
    page, errors = make_page(tmp_path / "program")
    wait_idle(qtbot, page.ctx)
    page.show_screen("leaderboard")
    wait_idle(qtbot, page.ctx)
    board = page.screens["leaderboard"]
    board.basis.setCurrentIndex(board.basis.findData("raw"))
    wait_idle(qtbot, page.ctx)
    assert not errors
    assert ("A07 and A08 share a rank where the budget runs out: the ranking cannot choose "
            "between them, so the line falls above them. Decide by setting an award."
            ) in board.headline.text()
    board.basis.setCurrentIndex(board.basis.findData("adjusted"))  # no tie there
    wait_idle(qtbot, page.ctx)
    assert "share a rank" not in board.headline.text()
