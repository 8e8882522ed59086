"""The import dialog's notices: rows that look like one application sent twice under two
references, listed calmly beside the check's result (Import still adds every row), and
a sheet's title above its headings, said in the preview."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import select

from judgepanel.model.staff.schema.program import Application
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.ui.staff.import_wizard import ImportDialog
from tests.ui.staff.conftest import wait_idle

ROWS = ["Submission ID,Title,Organisation,City,Email",
        "A-001,Écoles sans haine,Ville de Montréal,Montréal,amelie@example.org",
        "A-002,Open Doors,Shelbyville Council,Shelbyville,bo@shelbyville.org",
        "A-003,ÉCOLES SANS HAINE,Ville de Montreal,Montréal,Amelie@example.org"]


def _checked(make_page: Any, qtbot: Any, tmp_path: Path,
             lines: list[str]) -> tuple[Any, ImportDialog]:
    StaffWorkspace.create(tmp_path / "program", "Import Test", actor="test").close()
    page, errors = make_page(tmp_path / "program")
    path = tmp_path / "applications.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dialog = ImportDialog(page.ctx, page)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.load(path)
    wait_idle(qtbot, page.ctx)
    dialog.check()
    wait_idle(qtbot, page.ctx)
    assert not errors, [e.message for e in errors]
    return page, dialog


def _texts(dialog: ImportDialog, role: Qt.ItemDataRole) -> list[list[Any]]:
    model = dialog.notice_model
    return [[model.index(r, c).data(role) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def test_rows_sent_twice_are_listed_and_all_imported(make_page: Any, qtbot: Any,
                                                     tmp_path: Path) -> None:
    page, dialog = _checked(make_page, qtbot, tmp_path, ROWS)
    assert dialog.report is not None and dialog.report.ok
    assert dialog.notices.isVisible() and not dialog.problems.isVisible()
    assert _texts(dialog, Qt.ItemDataRole.DisplayRole) == [["4", "A-003", "A-001 on row 2"]]
    assert "Rows 2 and 4 look like the same application" in (
        _texts(dialog, Qt.ItemDataRole.ToolTipRole)[0][0])
    assert dialog.status.text() == (
        "All 3 rows are good, but some look like an application sent twice (listed below): "
        "worth a check. Press Import to add all 3 rows.")
    assert dialog.import_button.isEnabled()
    dialog.do_import()
    wait_idle(qtbot, page.ctx)
    with page.workspace.session() as session:
        assert sorted(session.scalars(select(Application.ref))) == ["A-001", "A-002", "A-003"]


def test_nothing_sent_twice_shows_no_list(make_page: Any, qtbot: Any,
                                          tmp_path: Path) -> None:
    _page, dialog = _checked(make_page, qtbot, tmp_path, ROWS[:3])
    assert dialog.report is not None and dialog.report.ok
    assert not dialog.notices.isVisible() and dialog.problems.isVisible()
    assert dialog.status.text() == "All 2 rows are good. Press Import to add them."


def test_the_list_sits_beside_bad_rows_and_goes_with_a_new_mapping(
        make_page: Any, qtbot: Any, tmp_path: Path) -> None:
    _page, dialog = _checked(make_page, qtbot, tmp_path,
                             [*ROWS, "A-004,Youth Voices,Ogdenville,,not an address"])
    assert dialog.report is not None and dialog.report.bad_rows == [5]
    assert dialog.notices.isVisible() and dialog.problems.isVisible()
    assert dialog.notice_model.rowCount() == 1
    dialog.separator_edit.setText("|")
    assert dialog.report is None and not dialog.notices.isVisible()
    assert dialog.notice_model.rowCount() == 0


def test_a_title_above_the_headings_is_said_in_the_preview(make_page: Any, qtbot: Any,
                                                           tmp_path: Path) -> None:
    StaffWorkspace.create(tmp_path / "program", "Import Test", actor="test").close()
    page, errors = make_page(tmp_path / "program")
    path = tmp_path / "export.csv"
    path.write_text("\n".join(["Applications received", "", *ROWS[:3]]) + "\n", "utf-8")
    dialog = ImportDialog(page.ctx, page)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.load(path)
    wait_idle(qtbot, page.ctx)
    assert not errors
    assert dialog.headers == tuple(ROWS[0].split(","))
    assert dialog.status.text().startswith(
        "2 rows below the headings on row 3 (what is above them is the sheet's title).")
    # A bad row's problem names the column as the sheet heads it.
    path.write_text("\n".join([*ROWS[:2], "A-009,Second,Org,City,not-an-address"]) + "\n",
                    "utf-8")
    dialog.load(path)
    wait_idle(qtbot, page.ctx)
    dialog.check()
    wait_idle(qtbot, page.ctx)
    model = dialog.problem_model
    assert [model.index(0, c).data() for c in range(2)] == ["3", "Email"]


def test_add_them_anyway_only_where_it_can_change_something(make_page: Any, qtbot: Any,
                                                           tmp_path: Path) -> None:
    """The box lets repeated rows in when no column holds references; with references,
    they tell applications apart and the box would do nothing, so it is greyed."""
    _page, dialog = _checked(make_page, qtbot, tmp_path, ROWS)
    assert dialog.mapping().ref == "Submission ID"
    assert not dialog.allow_duplicates.isEnabled()
    dialog.combos["ref"].setCurrentIndex(0)  # (none): references will be made
    assert dialog.mapping().ref is None and dialog.allow_duplicates.isEnabled()
