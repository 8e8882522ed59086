"""How a merge runs, whatever its files say: one bulk insert per table for a batch, a
cancelled merge records nothing, garbage collection is paused while files are read and
checked, and progress covers opening and checking."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from judgepanel.errors import Cancelled
from judgepanel.model.staff import audit
from judgepanel.model.staff.schema.results import ReceivedResults
from tests.model.staff.results.test_merging import MARIA, SOFIA, Issued, issued_program, state


@pytest.fixture
def issued(tmp_path: Path) -> Iterator[Issued]:
    yield from issued_program(tmp_path)


def test_statements_per_file_do_not_grow_with_its_scores(issued: Issued) -> None:
    """Scores, reviews and declarations go in as one bulk insert per table for the batch,
    the audit entries with one flush, and nothing is loaded row by row."""
    issued.merge(issued.results(MARIA))  # something to replace
    paths = [issued.results(name, sequence=2) for name in issued.bundles]
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = issued.flow.workspace.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        report = issued.merge(*paths)
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert [r.status for r in report.rows] == ["accepted"] * 4
    # 4 files of 3 reviews, 12 scores and 3 declarations each: one statement per row
    # would be 72 inserts alone.
    def inserts(table: str) -> int:
        return sum(s.lstrip().upper().startswith(f"INSERT INTO {table}") for s in statements)

    assert [inserts(t) for t in ("SCORES", "REVIEWS", "DECLARATIONS")] == [1, 1, 1]
    assert sum("FROM audit_events ORDER BY" in s for s in statements) == 1  # the chain's head
    assert len(statements) <= 4 * 5 + 10, statements


def test_cancelling_a_merge_records_nothing(issued: Issued) -> None:
    paths = [issued.results(name) for name in issued.bundles]
    before = state(issued.flow)
    with issued.flow.workspace.session() as session:
        events = len(audit.events(session))

    def cancel_while_checking(done: int, total: int, label: str) -> None:
        if label.startswith("Checking") and done >= total - 2:
            raise Cancelled()

    with pytest.raises(Cancelled):
        issued.merge(*paths, progress=cancel_while_checking)
    assert state(issued.flow) == before
    with issued.flow.workspace.session() as session:
        assert session.scalars(select(ReceivedResults)).all() == []
        assert len(audit.events(session)) == events


@pytest.mark.usefixtures("collecting")
def test_a_merge_pauses_garbage_collection_and_restores_it(issued: Issued) -> None:
    """Collection is off while files are read and checked, back on after, even on cancel."""
    seen: list[bool] = []

    def watch(done: int, total: int, label: str) -> None:
        seen.append(gc.isenabled())

    assert gc.isenabled()
    issued.merge(issued.results(MARIA), progress=watch)
    assert seen == [False, False, False] and gc.isenabled()  # opening, checking, finished

    def cancel(done: int, total: int, label: str) -> None:
        if label.startswith("Checking"):
            raise Cancelled()

    with pytest.raises(Cancelled):
        issued.merge(issued.results(SOFIA), progress=cancel)
    assert gc.isenabled()


def test_progress_covers_opening_and_checking(issued: Issued) -> None:
    calls: list[tuple[int, int, str]] = []
    issued.merge(issued.results(MARIA), issued.results(SOFIA),
                 progress=lambda d, t, label: calls.append((d, t, label)))
    assert [c[0] for c in calls] == [0, 1, 2, 3, 4] and {c[1] for c in calls} == {4}
    assert calls[0][2] == "Opening maria-1.jpresults" and calls[-1][2] == "Merge finished"
