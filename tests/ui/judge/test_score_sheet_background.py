"""The score sheet in the app: writing it and saving what it brings back happen off the
GUI thread (a sheet of hundreds of applications takes a while), behind a busy dialog."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import openpyxl
from PySide6.QtWidgets import QDialog, QProgressDialog

from judgepanel.ui.judge import exporting
from tests.ui.judge.conftest import Program
from tests.ui.judge.test_judge_flow import WAIT, declare, open_bundle, page_of


def fill_one_score(sheet: Path) -> None:
    """The first application's first score, as a judge types it in the sheet."""
    book = openpyxl.load_workbook(sheet)
    scores = book["Scores"]
    header = [str(c.value) for c in scores[1]]
    column = next(k for k, name in enumerate(header, start=1) if name.startswith("Score:"))
    scores.cell(3, column, 1 if "compendium" in header[column - 1] else 4)
    book.save(sheet)


def test_the_sheet_is_written_and_its_values_saved_off_the_gui_thread(
        qtbot, tmp_path: Path, program: Program, monkeypatch: Any) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    for app_id in program.app_ids:
        declare(page, app_id, False)
    threads: dict[str, threading.Thread] = {}

    def slow(name: str, real: Any) -> Any:
        def call(*args: Any) -> Any:
            threads[name] = threading.current_thread()
            time.sleep(0.5)  # a big bundle, as far as the GUI can tell
            return real(*args)
        return call

    def busy(label: str) -> bool:
        return any(d.isVisible() and d.labelText() == label
                   for d in page.findChildren(QProgressDialog))

    monkeypatch.setattr(exporting, "write_sheet", slow("write", exporting.write_sheet))
    sheet = tmp_path / "sheet.xlsx"
    page.sending.ask_sheet = lambda _w, _s: str(sheet)
    page._export_sheet()
    qtbot.waitUntil(lambda: busy("Writing your score sheet…"), timeout=WAIT)
    qtbot.waitUntil(lambda: str(sheet) in page.submit.result.text(), timeout=WAIT)

    fill_one_score(sheet)
    session = page.session
    session.apply = slow("apply", session.apply)  # type: ignore[method-assign]
    page.sending.run_dialog = lambda _dialog: int(QDialog.DialogCode.Accepted)
    page.sending.ask_sheet_file = lambda _w, _f: str(sheet)
    page._import_sheet()
    qtbot.waitUntil(lambda: busy("Saving the values from the score sheet…"), timeout=WAIT)
    qtbot.waitUntil(lambda: page.submit.result.text() ==
                    "1 value from the score sheet was saved.", timeout=WAIT)
    assert not any(d.isVisible() for d in page.findChildren(QProgressDialog))
    assert set(threads) == {"write", "apply"}
    assert threading.main_thread() not in threads.values()
