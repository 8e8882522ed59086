from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from judgepanel.ui.main_window import MainWindow


def make_window(qtbot, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    return window


def test_start_page_offers_both_paths(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    window.show()
    page = window.start_page
    assert window.pages.currentWidget() is page
    assert page.open_bundle_button.accessibleName() == "Open a judging bundle"
    assert page.open_program_button.accessibleName() == "Open or create a program"
    assert not page.recent_box.isVisibleTo(window)


def test_open_path_is_remembered_most_recent_first(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    opened: list[str] = []
    window.file_opened.connect(opened.append)
    window.open_path("/tmp/a.jpbundle")
    window.open_path("/tmp/b.jpbundle")
    window.open_path("/tmp/a.jpbundle")
    assert opened == ["/tmp/a.jpbundle", "/tmp/b.jpbundle", "/tmp/a.jpbundle"]
    assert window.recent_files() == ["/tmp/a.jpbundle", "/tmp/b.jpbundle"]
    assert window.start_page.recent_list.count() == 2
    # A new window with the same settings remembers them.
    again = make_window(qtbot, tmp_path)
    assert again.recent_files() == ["/tmp/a.jpbundle", "/tmp/b.jpbundle"]


def test_ctrl_o_is_bound_to_open_bundle(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    assert window.open_action.shortcut().toString() == "Ctrl+O"
