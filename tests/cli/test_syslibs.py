"""The desktop-library check names what is missing, with the commands to install it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from judgepanel.cli.syslibs import (
    files_to_check,
    install_commands,
    missing_libraries,
    missing_message,
    platform_names,
    qt_folder,
)
from tests.conftest import strict

LIBDIR = Path("/usr/lib/x86_64-linux-gnu")
HIDDEN = ("libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libEGL.so.1")


def test_nothing_is_missing_on_this_test_machine() -> None:
    assert missing_libraries() == []


def test_the_frozen_app_checks_only_what_the_system_provides() -> None:
    """QtNetwork's Kerberos ships inside the frozen app: only the plugin is the system's."""
    pyside = qt_folder()
    assert pyside is not None
    names = [path.name for path in files_to_check(pyside, "offscreen", frozen=False)]
    assert names == ["libqoffscreen.so", "libQt6Network.so.6"]
    frozen = [path.name for path in files_to_check(pyside, "offscreen", frozen=True)]
    assert frozen == ["libqoffscreen.so"]


def test_the_message_names_each_library_and_both_install_commands() -> None:
    message = missing_message(["libxcb-icccm.so.4", "libEGL.so.1", "libfoo.so.9"])
    assert "libxcb-icccm.so.4, libEGL.so.1, libfoo.so.9" in message
    assert "sudo apt install libxcb-icccm4 libegl1" in message
    assert "sudo dnf install xcb-util-wm libglvnd-egl" in message
    assert "libfoo.so.9" in message.splitlines()[-2]  # no package known: how to find it


def test_packages_are_named_once() -> None:
    apt, dnf, unknown = install_commands(["libxcb-shape.so.0", "libxcb-xkb.so.1"])
    assert apt == "sudo apt install libxcb-shape0 libxcb-xkb1"
    assert dnf == "sudo dnf install libxcb"
    assert unknown == []


@pytest.mark.parametrize(("env", "expected"), [
    ({}, ["xcb"]),
    ({"QT_QPA_PLATFORM": "offscreen"}, ["offscreen"]),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, ["wayland", "xcb"]),
    ({"QT_QPA_PLATFORM": "xcb:display=:1"}, ["xcb"]),
    ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, ["wayland", "xcb"]),
])
def test_the_platform_qt_will_try(env: dict[str, str], expected: list[str]) -> None:
    assert platform_names(env) == expected


def hide_and_run(tmp_path: Path, command: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run ``command`` where HIDDEN are absent: an overlay with whiteouts over the library
    folder, in a private mount namespace (needs root: CI runs as root)."""
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("unshare") \
            or not all((LIBDIR / name).exists() for name in HIDDEN):
        message = "hiding a library needs root, unshare and the libraries in " + str(LIBDIR)
        if strict():
            pytest.fail(message)
        pytest.skip(message)
    upper, work = tmp_path / "upper", tmp_path / "work"
    upper.mkdir()
    work.mkdir()
    for name in HIDDEN:
        os.mknod(upper / name, 0o600 | 0o020000, os.makedev(0, 0))  # an overlay whiteout
    script = (f"mount -t overlay overlay -o lowerdir={LIBDIR},upperdir={upper},"
              f"workdir={work} {LIBDIR} && exec \"$@\"")
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *command],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **env))


def test_a_hidden_library_stops_the_app_with_one_message(tmp_path: Path) -> None:
    judgepanel = Path(sys.executable).parent / "judgepanel"
    result = hide_and_run(tmp_path, [str(judgepanel), "gui"],
                          QT_QPA_PLATFORM="xcb", DISPLAY=":1")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Aborted" not in result.stderr
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1, libEGL.so.1" in result.stderr
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1 libegl1" in result.stderr
    assert "sudo dnf install xcb-util-wm xcb-util-keysyms libglvnd-egl" in result.stderr


def test_make_runs_the_same_check_first(tmp_path: Path) -> None:
    """`make run` runs `python -m judgepanel.cli.syslibs` before the app."""
    result = hide_and_run(tmp_path, [sys.executable, "-m", "judgepanel.cli.syslibs"],
                          QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 1
    assert "libEGL.so.1" in result.stderr and "sudo apt install libegl1" in result.stderr
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    run_target = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert run_target.index("judgepanel.cli.syslibs") < run_target.index("judgepanel gui")
