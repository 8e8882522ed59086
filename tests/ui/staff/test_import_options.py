"""Import wizard options: the sheet of a workbook, several attachment columns, the separator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select

from judgepanel.model.staff.prepare.categories import RECOGNITION_COMPONENTS
from judgepanel.model.staff.schema.program import Application
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.ui.staff.import_wizard import ImportDialog, sheet_names
from tests.ui.staff.conftest import wait_idle

HEADERS = ["Reference", "Initiative", "Component", "Summary file", "Evaluation file"]


def _workbook(path: Path) -> Path:
    book = Workbook()
    notes = book.active
    notes.title = "Read me"
    notes.append(["This sheet only explains the next one."])
    sheet = book.create_sheet("Applications")
    sheet.append(HEADERS)
    sheet.append(["REC-1", "Stands Together", "Public leadership|Education",
                  "REC-2026-001-summary.pdf", "REC-2026-001-evaluation.pdf"])
    sheet.append(["REC-2", "Dialogue Dinners", "Community dialogue",
                  "REC-2026-004-summary.pdf", ""])
    book.save(path)
    return path


def test_sheet_attachment_columns_and_separator(demo: Path, make_page: Any, qtbot: Any,
                                                tmp_path: Path) -> None:
    workspace = StaffWorkspace.create(tmp_path / "program", "Import Test",
                                      categories=RECOGNITION_COMPONENTS, actor="test")
    workspace.close()
    page, errors = make_page(tmp_path / "program")
    book = _workbook(tmp_path / "applications.xlsx")
    assert sheet_names(book) == ("Read me", "Applications")
    dialog = ImportDialog(page.ctx, page)
    qtbot.addWidget(dialog)
    dialog.load(book)
    wait_idle(qtbot, page.ctx)
    # The first sheet is read first; choosing the second one reloads the preview.
    assert dialog.sheet_box.isEnabled() and dialog.sheet_box.count() == 2
    assert dialog.headers == ("This sheet only explains the next one.",)
    dialog.sheet_box.setCurrentIndex(1)
    wait_idle(qtbot, page.ctx)
    assert dialog.sheet == "Applications"
    assert dialog.headers == tuple(HEADERS)
    assert dialog.preview_model.rowCount() == 2

    dialog.combos["title"].setCurrentIndex(dialog.combos["title"].findData("Initiative"))
    dialog.combos["categories"].setCurrentIndex(
        dialog.combos["categories"].findData("Component"))
    dialog.set_attachment_columns(("Summary file", "Evaluation file"))
    assert dialog.attachment_columns() == ("Summary file", "Evaluation file")
    dialog.folder_edit.setText(str(demo / "source" / "recognition" / "attachments"))

    # With the default separator ";" the "|" list is one unknown category: a bad row.
    dialog.check()
    wait_idle(qtbot, page.ctx)
    assert dialog.report is not None and dialog.report.bad_rows == [2]
    assert not errors, [e.message for e in errors]

    dialog.separator_edit.setText("|")
    assert dialog.report is None, "changing the separator asks for a new check"
    assert dialog.mapping().separator == "|"
    dialog.check()
    wait_idle(qtbot, page.ctx)
    assert dialog.report is not None and dialog.report.ok, dialog.report.problems
    dialog.do_import()
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    with page.workspace.session() as session:
        apps = {a.ref: a for a in session.scalars(select(Application))}
        assert set(apps) == {"REC-1", "REC-2"}
        assert sorted(c.name for c in apps["REC-1"].categories) == ["Education",
                                                                     "Public leadership"]
        assert sorted(t.name for t in apps["REC-1"].attachments) == [
            "REC-2026-001-evaluation.pdf", "REC-2026-001-summary.pdf"]
        assert [t.name for t in apps["REC-2"].attachments] == ["REC-2026-004-summary.pdf"]


def test_a_csv_has_no_sheets(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Title\nx\n", encoding="utf-8")
    assert sheet_names(path) == ()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert sheet_names(broken) == ()
