"""A judge's work file dropped on the results inbox is refused in plain words, by its
name: it is not opened, and nothing is recorded (the history stays as it was)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from judgepanel.formats.detect import AGE_MAGIC, WORK_FILE_IS_NOT_RESULTS
from judgepanel.formats.identity_file import read_identity_file
from tests.ui.staff.conftest import wait_idle


def test_a_work_file_in_the_inbox_is_named_and_changes_nothing(
        demo: Path, make_page: Any, qtbot: Any, tmp_path: Path) -> None:
    page, errors = make_page(demo / "program")
    page.ctx._identity = read_identity_file(demo / "keys" / "staff.identity")
    inbox = page.show_screen("results")
    wait_idle(qtbot, page.ctx)
    before = [(r.file_name, r.status) for r in inbox.history_model.rows]
    work = tmp_path / "Work – Amara – v3.jpwork"
    work.write_bytes(AGE_MAGIC + b"-> X25519 for the judge alone\n")
    inbox.merge([work])
    wait_idle(qtbot, page.ctx, timeout=60_000)
    row, = inbox.batch_model.rows
    assert (row.status, row.reason, row.message) == ("refused", "work_file",
                                                     WORK_FILE_IS_NOT_RESULTS)
    model = inbox.batch_model
    assert model.data(model.index(0, 3)) == "not results: a judge's unfinished work"
    assert model.data(model.index(0, 4)) == WORK_FILE_IS_NOT_RESULTS
    assert [(r.file_name, r.status) for r in inbox.history_model.rows] == before
    assert not errors, [e.message for e in errors]
