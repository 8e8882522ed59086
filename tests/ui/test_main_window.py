from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from judgepanel.ui.main_window import MainWindow
from tests.ui.opening import TIMEOUT_MS, open_and_wait


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


def test_a_program_folder_opens_the_staff_app(qtbot, tmp_path: Path) -> None:
    from judgepanel.model.staff.workspace import StaffWorkspace

    StaffWorkspace.create(tmp_path / "prog", "Grants for Inclusive Towns", actor="test").close()
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, str(tmp_path / "prog"))
    assert window.staff_page is not None
    assert window.pages.currentWidget() is window.staff_page
    assert "Grants for Inclusive Towns" in window.windowTitle()
    # The collector is told: what the program held is garbage now (see ui/gc_guard.py).
    with qtbot.waitSignal(window.program_closed, timeout=TIMEOUT_MS):
        window.close_program()
    assert window.staff_page is None


def test_a_folder_that_is_not_a_program_is_refused_calmly(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    (tmp_path / "empty").mkdir()
    window = make_window(qtbot, tmp_path)
    window.open_path(str(tmp_path / "empty"))
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=TIMEOUT_MS)
    assert window.staff_page is None
    assert window.pages.currentWidget() is window.start_page
    assert len(shown) == 1 and "program" in shown[0].lower()
    assert not (tmp_path / "empty" / "program.sqlite").exists()


def test_dropping_a_program_folder_on_the_window_opens_it(qtbot, tmp_path: Path) -> None:
    from judgepanel.model.staff.workspace import StaffWorkspace
    from tests.ui.staff.test_drop_and_program_dialog import _drop, _mime

    StaffWorkspace.create(tmp_path / "prog", "Dropped Program", actor="test").close()
    window = make_window(qtbot, tmp_path)
    window.show()
    with qtbot.waitSignal(window.program_shown, timeout=TIMEOUT_MS):
        assert _drop(window, _mime([tmp_path / "prog"]))
    assert window.staff_page is not None
    assert window.recent_files() == [str(tmp_path / "prog")]
    window.close_program()


OPEN_IN_A_FRESH_PROCESS = """
import sys, threading, time
from importlib.abc import MetaPathFinder
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

on_gui_thread = []

class Watch(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        heavy = name.split(".")[0] in ("sqlalchemy", "alembic", "reportlab") or \\
            name.startswith(("judgepanel.model", "judgepanel.ui.staff", "judgepanel.ui.judge"))
        if heavy and threading.current_thread() is threading.main_thread():
            on_gui_thread.append(name)
        return None

app = QApplication([])
from judgepanel.ui.main_window import MainWindow
sys.meta_path.insert(0, Watch())
window = MainWindow(QSettings(sys.argv[2], QSettings.Format.IniFormat))
shown = []
if sys.argv[1] == "judge":
    window.with_judge(lambda judge: shown.append(judge))
else:
    window.program_shown.connect(shown.append)
    window.open_program(sys.argv[1])
start = time.monotonic()
while not shown and time.monotonic() - start < 60:
    app.processEvents()
    time.sleep(0.005)
print("shown" if shown else "not shown", sorted(set(on_gui_thread)))
"""


@pytest.mark.parametrize("side", ["program", "judge"])
def test_the_first_program_or_bundle_is_imported_off_the_gui_thread(
        tmp_path: Path, side: str) -> None:
    """The model and the staff screens take about a second to import the first time, the
    judge's side about half a second: that happens in the background, so the window does
    not freeze as the first program (or bundle) opens."""
    import os
    import subprocess
    import sys

    from judgepanel.model.staff.workspace import StaffWorkspace

    StaffWorkspace.create(tmp_path / "prog", "Fresh Start", actor="test").close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JUDGEPANEL_HOME=str(tmp_path / "h"))
    target = str(tmp_path / "prog") if side == "program" else "judge"
    done = subprocess.run([sys.executable, "-c", OPEN_IN_A_FRESH_PROCESS, target,
                           str(tmp_path / "s.ini")], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "shown []", done.stdout


def test_only_the_program_asked_for_last_shows(qtbot, tmp_path: Path) -> None:
    """Opening B while A is still opening: B shows, and A, once open, is closed unseen."""
    from judgepanel.model.staff.workspace import StaffWorkspace
    from judgepanel.ui.tasks import TaskRunner

    for name in ("a", "b"):
        StaffWorkspace.create(tmp_path / name, f"Program {name.upper()}", actor="test").close()
    window = make_window(qtbot, tmp_path)
    shown: list[str] = []
    window.program_shown.connect(shown.append)
    window.open_path(str(tmp_path / "a"))
    window.open_path(str(tmp_path / "b"))
    qtbot.waitUntil(lambda: bool(shown), timeout=TIMEOUT_MS)
    for runner in window.findChildren(TaskRunner):
        runner.wait(TIMEOUT_MS)
    qtbot.wait(100)  # what the finished tasks queued for the GUI thread
    assert shown == [str(tmp_path / "b")]
    assert window.program_path == str(tmp_path / "b")
    assert "Program B" in window.windowTitle()
    assert window.statusBar().currentMessage() == ""
    window.close_program()
