"""While a screen reads a newly chosen round it shows so, and nothing can be done to the
rows of the round before that it still shows; a read that lands quickly shows nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractItemView

from judgepanel.errors import JudgePanelError
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.staff.prepare.rounds import add_round, save_rubric
from judgepanel.ui.staff import screen as screen_module
from tests.ui.staff.conftest import wait_idle


class HeldReads:
    """Every read of the page waits until ``release`` (then fails with ``failure``, if
    one is set): a read held in flight as long as the test needs, on no clock."""

    def __init__(self, page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.gate = threading.Event()
        self.failure: JudgePanelError | None = None
        real_read = page.ctx.read

        def read(query: Callable[[Any], Any], on_done: Callable[[Any], None],
                 **kwargs: Any) -> Any:
            def held(session: Any) -> Any:
                self.gate.wait()
                if self.failure is not None:
                    raise self.failure
                return query(session)

            return real_read(held, on_done, **kwargs)

        monkeypatch.setattr(page.ctx, "read", read)

    def release(self) -> None:
        self.gate.set()


@pytest.fixture
def two_rounds(demo: Path, make_page: Any, qtbot: Any) -> tuple[Any, Any, int]:
    """The page on the bundles screen of the demo's round, and a second round, "Final"."""
    page, errors = make_page(demo / "program")
    bundles = page.show_screen("bundles")
    with page.workspace.session() as session:
        final = add_round(session, page.workspace.program(session), "Final", "test")
        save_rubric(session, final, Rubric.from_dict({
            "name": "Final", "criteria": [{"key": "impact", "title": "Impact"}]}), "test")
        final_id = final.id
    page.ctx.changed.emit("program")  # the round chooser lists the final round too
    wait_idle(qtbot, page.ctx)
    assert page.ctx.round_id != final_id and bundles.model.rowCount() > 0
    return page, errors, final_id


@pytest.fixture
def held(two_rounds: tuple[Any, Any, int],
         monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldReads]:
    reads = HeldReads(two_rounds[0], monkeypatch)
    yield reads
    reads.release()  # also when the test failed: the page's shutdown waits for them


def test_a_slow_read_of_a_new_round_marks_the_screen_until_it_lands(
        two_rounds: tuple[Any, Any, int], held: HeldReads, qtbot: Any) -> None:
    page, errors, final_id = two_rounds
    bundles = page.screens["bundles"]
    page.ctx.set_round(final_id)
    assert not bundles.reading  # not at once: a fast read would only flicker
    qtbot.waitUntil(lambda: bundles.reading)
    assert bundles.reading_round == final_id
    # The first round's bundles still show and cannot be acted on. The table keeps its
    # pixels: repainted, it would call its model for every cell while the read runs.
    assert bundles.model.rowCount() > 0
    assert not bundles.isEnabled()
    views = bundles.findChildren(QAbstractItemView)
    assert views and not any(view.updatesEnabled() for view in views)
    assert not bundles.build_button.isEnabled() and not bundles.sent_button.isEnabled()
    assert page.reading_mark.isVisible()
    assert page.reading_label.text() == "Reading “2. Final”…"
    page.show_screen("judges")  # another screen shown meanwhile: not its mark
    assert not page.reading_mark.isVisible()
    page.show_screen("bundles")
    assert page.reading_mark.isVisible()
    held.release()
    wait_idle(qtbot, page.ctx)
    assert not bundles.reading and bundles.reading_round is None
    assert bundles.isEnabled() and bundles.build_button.isEnabled()
    assert all(view.updatesEnabled() for view in views)
    assert bundles.model.rowCount() == 0  # the final round has no bundles yet
    assert not page.reading_mark.isVisible()
    assert errors == []


def test_a_fast_read_shows_no_mark(two_rounds: tuple[Any, Any, int], qtbot: Any,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """"Fast" without a clock: the read lands before the delay, made a minute long."""
    page, errors, final_id = two_rounds
    monkeypatch.setattr(screen_module, "READING_MARK_DELAY_MS", 60_000)
    bundles = page.screens["bundles"]
    marks: list[bool] = []
    bundles.reading_changed.connect(lambda: marks.append(bundles.reading))
    page.ctx.set_round(final_id)
    wait_idle(qtbot, page.ctx)
    assert bundles.model.rowCount() == 0  # the final round's (no bundles yet)
    assert marks == [] and not bundles.reading and bundles.isEnabled()
    assert not page.reading_mark.isVisible()
    page.ctx.changed.emit("bundles")  # a reread of the round shown: no mark either
    assert not bundles.reading
    wait_idle(qtbot, page.ctx)
    assert marks == [] and errors == []


def test_a_screen_of_the_whole_program_is_not_marked(
        two_rounds: tuple[Any, Any, int], held: HeldReads, qtbot: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Its rows are the same in every round (the judges here): nothing to mark."""
    page, errors, final_id = two_rounds
    monkeypatch.setattr(screen_module, "READING_MARK_DELAY_MS", 0)
    judges = page.show_screen("judges")
    page.ctx.set_round(final_id)  # the judges reread first, held...
    bundles = page.show_screen("bundles")  # ...then the bundles, held too
    qtbot.waitUntil(lambda: bundles.reading)  # the judges' mark would have come first
    assert not judges.reading and judges.isEnabled()
    held.release()
    wait_idle(qtbot, page.ctx)
    assert errors == []


def test_a_failed_read_takes_the_mark_away_and_says_why(
        two_rounds: tuple[Any, Any, int], held: HeldReads, qtbot: Any) -> None:
    page, errors, final_id = two_rounds
    bundles = page.screens["bundles"]
    held.failure = JudgePanelError("The program could not be read just now.")
    page.ctx.set_round(final_id)
    qtbot.waitUntil(lambda: bundles.reading)
    held.release()
    wait_idle(qtbot, page.ctx)
    assert [e.message for e in errors] == ["The program could not be read just now."]
    assert not bundles.reading and bundles.isEnabled()
    assert not page.reading_mark.isVisible()
