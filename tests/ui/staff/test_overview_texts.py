"""Round at a glance: each judge's bundle and results in words."""

from __future__ import annotations

import dataclasses
from typing import Any

from judgepanel.model.staff.overview import JudgeProgress
from judgepanel.ui.staff.overview import bundle_text, bundle_tone, results_text
from judgepanel.ui.staff.table_model import GOOD, WARN

BUILT = JudgeProgress(judge_id=1, name="Ana María", assigned=2, bundle="built",
                      built_at=None, sent_at=None, results="none yet", sequence=None,
                      received_at=None, missing=2, late=False)


def test_a_bundle_whose_results_came_back_is_not_called_unsent(qtbot: Any) -> None:
    """Found walking a program: officers seldom tick a bundle sent, and the row read
    "built, not sent" beside "export 1 received"."""
    assert (bundle_text(BUILT), bundle_tone(BUILT)) == ("built, not sent", None)
    back = dataclasses.replace(BUILT, results="accepted", sequence=1, missing=0)
    assert (bundle_text(back), bundle_tone(back)) == ("sent (its results came back)", GOOD)
    assert results_text(back) == "export 1 received"
    outdated = dataclasses.replace(back, bundle="outdated")
    assert (bundle_text(outdated), bundle_tone(outdated)) == ("outdated — rebuild", WARN)


def test_the_round_line_counts_a_bundle_as_sent_when_its_results_came_back() -> None:
    """The table said "sent (its results came back)" while the line above it said
    "6 of 6 built, 0 sent" (the demo program): both count the same way now."""
    back = dataclasses.replace(BUILT, results="accepted", sequence=1, missing=0)
    ticked = dataclasses.replace(BUILT, bundle="sent")
    refused = dataclasses.replace(BUILT, results="refused", sequence=1)
    assert [j.reached for j in (BUILT, back, ticked, refused)] == [False, True, True, True]
    assert not dataclasses.replace(back, bundle="not built").reached
