"""The first window: what the app does before it, and what it leaves until after.

Each test starts the app in a fresh process (as a double-click does), because what
matters is the order in which a new process loads things.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from judgepanel.ui import appearance

START_IN_A_FRESH_PROCESS = """
import sys
import PySide6.QtWidgets
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from judgepanel.ui import app as desktop
from judgepanel.ui.main_window import MainWindow

show = MainWindow.show


def shown(window):
    print(f"network_before_window={'PySide6.QtNetwork' in sys.modules}")
    # PySide builds a class (and its enum types) when Python first names it.
    print(f"qstyle_before_window={'QStyle' in vars(PySide6.QtWidgets)}")
    show(window)
    QTimer.singleShot(500, report)
    QTimer.singleShot(30000, lambda: QApplication.exit(3))  # report failed: say so


def report():
    app = QApplication.instance()
    print(f"application={type(app).__name__}")
    print(f"style={app.style().name().lower()}")
    print(f"window_colour={app.palette().color(QPalette.ColorRole.Window).name()}")
    print(f"listening={app.findChild(desktop.InstanceServer).listening}")
    QApplication.exit(0)


MainWindow.show = shown
sys.exit(desktop.run())
"""


def start(tmp_path: Path, **env: str) -> dict[str, str]:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen",
                       JUDGEPANEL_HOME=str(tmp_path / "home"), **env)
    done = subprocess.run([sys.executable, "-c", START_IN_A_FRESH_PROCESS], env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def test_the_window_comes_first_and_the_instance_server_after(tmp_path: Path) -> None:
    """A first launch finds no socket, so QtNetwork waits until its window is up; then it
    listens for later launches."""
    seen = start(tmp_path)
    assert seen["network_before_window"] == "False"
    assert seen["listening"] == "True"


def test_the_app_it_makes_is_fusion_with_the_light_palette(tmp_path: Path) -> None:
    """Fusion is asked for on the command line Qt reads (so Python never builds the style
    object at start), whatever style the environment asks for."""
    seen = start(tmp_path, QT_STYLE_OVERRIDE="Windows")
    assert seen["qstyle_before_window"] == "False"  # about 5 ms of QStyle's enum types
    assert seen["style"] == "fusion"
    assert seen["window_colour"] == appearance.LIGHT["Window"]
    expected = "DesktopApplication" if sys.platform == "darwin" else "QApplication"
    assert seen["application"] == expected
