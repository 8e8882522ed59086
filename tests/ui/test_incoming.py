"""Files handed to the window open the way a desktop user expects (issue 13)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from judgepanel.formats.card import read_card
from judgepanel.ui.instance import InstanceServer, hand_over, server_name
from judgepanel.ui.main_window import MainWindow
from judgepanel.ui.staff.judges import JudgesScreen
from judgepanel.ui.staff.results_inbox import ResultsInboxScreen
from tests.ui.opening import open_and_wait


class Asked:
    """Stands in for the question dialogs: records each question, gives a set answer."""

    def __init__(self, answer: str | None = None) -> None:
        self.answer = answer
        self.questions: list[dict[str, Any]] = []

    def __call__(self, _parent: Any, title: str, text: str, choices: Any,
                 details: str = "") -> str | None:
        self.questions.append({"title": title, "text": text, "choices": list(choices),
                               "details": details})
        return self.answer


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    made = MainWindow(settings)
    qtbot.addWidget(made)
    yield made
    made.close()


@pytest.fixture
def merged(monkeypatch: pytest.MonkeyPatch) -> list[list[Path]]:
    calls: list[list[Path]] = []
    monkeypatch.setattr(ResultsInboxScreen, "merge", lambda _self, paths: calls.append(paths))
    return calls


def test_results_offer_a_recent_program_which_is_opened_to_merge(
        qtbot: Any, window: MainWindow, demo: Path, merged: list[list[Path]]) -> None:
    program = str(demo / "program")
    open_and_wait(qtbot, window, program)
    window.close_program()
    asked = window.choose = Asked(answer="merge:" + program)
    results = demo / "results" / "amara-okafor.jpresults"
    with qtbot.waitSignal(window.program_shown):
        window.open_path(str(results))
    assert merged == [[results]]  # once the program is up, not before
    (question,) = asked.questions
    assert question["choices"] == [("merge:" + program, "Open program and merge"),
                                   ("continue", "It is mine: continue judging from it"),
                                   ("verify", "Check the file")]
    assert window.program_path == program
    assert window.staff_page is not None
    assert window.staff_page.stack.currentWidget() is window.staff_page.screens["results"]
    assert merged == [[results]]
    assert str(results) not in window.recent_files()  # results are not "recent files"


def test_results_merge_into_the_open_program_first(
        qtbot: Any, window: MainWindow, demo: Path, merged: list[list[Path]]) -> None:
    open_and_wait(qtbot, window, str(demo / "program"))
    asked = window.choose = Asked(answer="merge:")
    window.open_path(str(demo / "results" / "jose-gutierrez.jpresults"))
    key, label = asked.questions[0]["choices"][0]
    assert key == "merge:" and label.startswith("Merge into Mayors' Recognition")
    assert merged == [[demo / "results" / "jose-gutierrez.jpresults"]]


def test_results_can_be_checked_as_verify_would(qtbot: Any, window: MainWindow,
                                                demo: Path) -> None:
    asked = window.choose = Asked(answer="verify")
    window.open_path(str(demo / "results" / "amara-okafor.jpresults"))
    qtbot.waitUntil(lambda: len(asked.questions) == 2, timeout=20_000)
    shown = asked.questions[1]
    assert shown["title"] == "Checking amara-okafor.jpresults"
    # This computer holds no staff key: verify's own words say so, line by line.
    assert "JudgePanel results file" in shown["details"]
    assert "no key to try" in shown["details"]
    assert shown["text"] == "Some checks failed: see the details."


def test_a_card_shows_name_and_fingerprint_and_no_enroll_without_a_program(
        window: MainWindow, demo: Path) -> None:
    card_path = demo / "cards" / "amara-okafor.jpcard"
    card = read_card(card_path)
    asked = window.choose = Asked()
    window.open_path(str(card_path))
    (question,) = asked.questions
    assert card.name in question["text"] and card.fingerprint in question["text"]
    assert question["choices"] == []
    assert "open the program first" in question["text"]


def test_a_card_is_enrolled_into_the_open_program(
        qtbot: Any, window: MainWindow, demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    enrolled: list[list[Path]] = []
    monkeypatch.setattr(JudgesScreen, "enroll", lambda _self, paths: enrolled.append(paths))
    open_and_wait(qtbot, window, str(demo / "program"))
    asked = window.choose = Asked(answer="enroll")
    card_path = demo / "cards" / "zoe-lefevre.jpcard"
    window.open_path(str(card_path))
    assert asked.questions[0]["choices"][0][0] == "enroll"
    assert enrolled == [[card_path]]
    assert window.staff_page is not None
    assert window.staff_page.stack.currentWidget() is window.staff_page.screens["judges"]


def test_a_damaged_card_is_refused_calmly(window: MainWindow, tmp_path: Path) -> None:
    bad = tmp_path / "someone.jpcard"
    bad.write_text('{"format": "judgepanel-card", "name": 5}', encoding="utf-8")
    asked = window.choose = Asked()
    window.open_path(str(bad))
    assert asked.questions[0]["title"] == "This card cannot be read"


def test_recent_files_are_stored_as_absolute_paths(
        qtbot: Any, window: MainWindow, demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo)
    open_and_wait(qtbot, window, "program")
    assert window.recent_files() == [str(demo / "program")]


FILE_OPEN_IN_A_FRESH_PROCESS = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication
from judgepanel.ui import app as desktop
from judgepanel.ui.file_open_events import DesktopApplication
from judgepanel.ui.main_window import MainWindow

def opened(window, path, *args, **kwargs):
    print("opened=" + path)
    QApplication.exit(0)

MainWindow.open_path = opened
application = DesktopApplication(sys.argv[:1])
QTimer.singleShot(0, lambda: QApplication.sendEvent(application, QFileOpenEvent(sys.argv[1])))
QTimer.singleShot(20000, lambda: QApplication.exit(3))
sys.exit(desktop.run())
"""


def test_a_file_open_event_reaches_the_window(tmp_path: Path) -> None:
    """macOS hands a double-clicked file to the application object as an event."""
    target = str(tmp_path / "a.jpbundle")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", FILE_OPEN_IN_A_FRESH_PROCESS, target],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"opened={target}" in done.stdout.splitlines()


def test_a_second_launch_hands_its_file_over(qtbot: Any, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    name = server_name()
    assert not hand_over("x.jpbundle", name)  # nobody listens yet
    server = InstanceServer(name)
    assert not server.listening  # until the app's window is up
    try:
        server.listen()
        assert server.listening
        monkeypatch.chdir(tmp_path)
        with qtbot.waitSignal(server.received, timeout=5000) as signal:
            assert hand_over("x.jpbundle", name)
        assert signal.args == [str(tmp_path / "x.jpbundle")]
        with qtbot.waitSignal(server.received, timeout=5000) as signal:
            assert hand_over(None, name)  # no file: come to the front
        assert signal.args == [""]
    finally:
        server.close()
        server.deleteLater()  # gone before the application is, as in the app
        qtbot.wait(50)


@pytest.mark.slow
def test_two_launches_share_one_window(tmp_path: Path, demo: Path) -> None:
    judgepanel = Path(sys.executable).parent / "judgepanel"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    first = subprocess.Popen([str(judgepanel), "gui"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not hand_over(None, server_name(), timeout_ms=200):
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        second = subprocess.run([str(judgepanel), "open", str(demo / "program")], env=env,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        settings = Path(os.environ["JUDGEPANEL_HOME"]) / "settings.ini"
        while str(demo / "program") not in (settings.read_text(encoding="utf-8")
                                            if settings.exists() else ""):
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        first.terminate()
        first.wait(30)


@pytest.mark.skipif(os.name == "nt", reason="a Windows pipe leaves no file behind")
def test_a_socket_left_by_a_crash_is_taken_over(qtbot: Any, tmp_path: Path) -> None:
    """A JudgePanel that crashed leaves its socket file: the next launch finds nobody
    answering on it, opens its own window and listens there."""
    import socket as sockets

    name = server_name()
    stale = sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM)
    stale.bind(name)  # bound and closed, never listening: what a crash leaves
    stale.close()
    try:
        assert os.path.exists(name)
        assert not hand_over("x.jpbundle", name, timeout_ms=500)
        server = InstanceServer(name)
        server.listen()
        assert server.listening
        with qtbot.waitSignal(server.received, timeout=5000) as signal:
            assert hand_over(None, name)
        assert signal.args == [""]
        server.close()
        server.deleteLater()
        qtbot.wait(50)
    finally:
        if os.path.exists(name):
            os.unlink(name)


@pytest.mark.skipif(os.name == "nt", reason="Windows names a pipe, not a file")
def test_the_socket_lives_in_the_persons_runtime_folder_when_there_is_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a Linux desktop no other user can enter XDG_RUNTIME_DIR, so nobody else can
    put a socket where JudgePanel looks for its own; without one, the temporary folder."""
    from PySide6.QtCore import QDir

    runtime = tmp_path / "run"
    runtime.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert Path(server_name()).parent == runtime
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "missing"))
    assert Path(server_name()).parent == Path(QDir.tempPath())
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert Path(server_name()).parent == Path(QDir.tempPath())
    assert server_name() == server_name()  # the same for every launch
