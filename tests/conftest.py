"""Test set-up: headless Qt, an in-memory keyring, a private JUDGEPANEL_HOME, PostgreSQL.

Nothing here may reach the real user keyring or home folder.
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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


# --- PostgreSQL (CI runs it; opt-in elsewhere) -----------------------------------------

PG_ENV = "JUDGEPANEL_TEST_POSTGRES_URL"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards.

    Opt-in: set JUDGEPANEL_TEST_POSTGRES_URL to a server URL with the right to
    create databases, e.g. postgresql+psycopg://jp@/postgres?host=/tmp/pg&port=5432
    (and install a driver such as psycopg). Shared staff workspaces run there.
    """
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        if strict():
            pytest.fail(f"{PG_ENV} is not set: CI must run the PostgreSQL check (see .ci/run)")
        pytest.skip(f"set {PG_ENV} to run the PostgreSQL check")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"jp_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()
