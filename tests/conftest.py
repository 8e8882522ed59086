"""Test set-up: headless Qt, an in-memory keyring, and a private JUDGEPANEL_HOME.

Nothing here may reach the real user keyring or home folder.
"""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Subprocesses (CLI tests) must not find a real keyring either: the fail backend
# makes them use the passphrase-protected identity file, as a headless box would.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from tests.memory_keyring import MemoryKeyring  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CCTV_DIR = SHARED / "testdata" / "age-cctv"


def strict() -> bool:
    """In CI a missing external tool or test-data folder fails instead of skipping."""
    return bool(os.environ.get("CI") or os.environ.get("JUDGEPANEL_REQUIRE_INTEROP"))


def need_tool(name: str) -> str:
    """Path of an external tool; skip locally when it is missing, fail in CI."""
    path = shutil.which(name)
    if path is None:
        message = f"the `{name}` command-line tool is not installed"
        if strict():
            pytest.fail(message + " (required in CI: see .ci/run)")
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def judgepanel_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("judgepanel-home")
    monkeypatch.setenv("JUDGEPANEL_HOME", str(home))
    monkeypatch.setenv("HOME", str(home / "user-home"))
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo program (8 recognition, 6 grant applications), built once per run."""
    from judgepanel.model.demo.build import build_demo

    folder = tmp_path_factory.mktemp("demo-master") / "demo"
    build_demo(folder, applications=8, grants=6)
    return folder


@pytest.fixture
def demo(demo_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo program for one test to change."""
    target = tmp_path / "demo"
    shutil.copytree(demo_master, target)
    return target


@pytest.fixture
def collecting() -> Iterator[None]:
    """Automatic garbage collection on, as on the command line (Qt tests earlier in the same
    run switch it off for the session, as the app does: tests/ui/conftest.py)."""
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()
