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


def work_file(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(AGE_MAGIC + b"-> X25519 for the judge alone\n")
    return path


def open_inbox(demo: Path, make_page: Any, qtbot: Any) -> tuple[Any, Any, Any, list[Any]]:
    """The demo's page on its results inbox, and the history it shows (file, status)."""
    page, errors = make_page(demo / "program")
    inbox = page.show_screen("results")
    wait_idle(qtbot, page.ctx)
    return page, errors, inbox, [(r.file_name, r.status) for r in inbox.history_model.rows]


def counting_asks(page: Any, identity_file: Path | None = None) -> list[str]:
    """Every question the page asks on the way to the staff identity, by kind."""
    asked: list[str] = []

    def ask_file(_parent: Any) -> Path | None:
        asked.append("identity file")
        return identity_file

    def ask_passphrase(_parent: Any, _what: str) -> str | None:
        asked.append("passphrase")
        return None

    page.ctx.ask_identity_file = ask_file
    page.ctx.ask_passphrase = ask_passphrase
    return asked


def test_only_work_files_are_refused_before_any_identity_is_asked_for(
        demo: Path, make_page: Any, qtbot: Any, tmp_path: Path) -> None:
    page, errors, inbox, before = open_inbox(demo, make_page, qtbot)
    asked = counting_asks(page)
    works = [work_file(tmp_path, "Work – Amara.jpwork"), work_file(tmp_path, "Work – Zoe.JPWORK")]
    inbox.merge(works)
    assert asked == []
    assert [(r.path, r.reason) for r in inbox.batch_model.rows] == [
        (w, "work_file") for w in works]
    summary = inbox.summary.text()
    assert "Work – Amara.jpwork, Work – Zoe.JPWORK" in summary and ".jpresults" in summary
    wait_idle(qtbot, page.ctx)
    inbox.reload()
    wait_idle(qtbot, page.ctx)
    assert [(r.file_name, r.status) for r in inbox.history_model.rows] == before
    assert not errors, [e.message for e in errors]


def test_a_mixed_batch_asks_for_the_identity_and_names_the_work_file_either_way(
        demo: Path, make_page: Any, qtbot: Any, tmp_path: Path) -> None:
    page, errors, inbox, before = open_inbox(demo, make_page, qtbot)
    asked = counting_asks(page)
    work = work_file(tmp_path, "Work – Amara.jpwork")
    results = sorted((demo / "results").glob("*.jpresults"))[0]
    inbox.merge([work, results])  # the officer gives up on the identity
    assert asked in (["identity file"], ["passphrase"])
    assert [(r.path, r.reason) for r in inbox.batch_model.rows] == [(work, "work_file")]
    assert work.name in inbox.summary.text() and "staff identity" in inbox.summary.text()
    assert [(r.file_name, r.status) for r in inbox.history_model.rows] == before
    counting_asks(page, demo / "keys" / "staff.identity")
    inbox.merge([work, results])
    wait_idle(qtbot, page.ctx, timeout=60_000)
    assert [(r.path, r.reason) for r in inbox.batch_model.rows] == [
        (work, "work_file"), (results, "replay")]
    assert work.name in inbox.summary.text()
    assert not errors, [e.message for e in errors]
