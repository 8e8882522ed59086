"""PySide's own Python code, precompiled for the frozen app (packaging/pyside_support.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "pyside_support.py"
PROBE = ("import PySide6.QtCore as c; from judgepanel.ui.versions import pyside_code; "
         "print(c.Qt.AlignmentFlag.AlignLeft.name); print(pyside_code())")


def installed_shiboken() -> Path:
    import shiboken6

    return Path(shiboken6.__file__).parent


@pytest.fixture(scope="module")
def support(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("support") / "files.dir"
    result = subprocess.run([sys.executable, str(SCRIPT), str(out)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "PySide's support code precompiled:" in result.stdout
    return out


def probe(path: Path) -> list[str]:
    """What a fresh Python says about PySide's code with ``path`` first on its path."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(path), str(ROOT)]),
               PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                            text=True, timeout=120, cwd=path)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_folder_holds_bytecode_only(support: Path) -> None:
    assert (support / "shibokensupport" / "signature" / "loader.pyc").is_file()
    assert (support / "shibokensupport" / "feature.pyc").is_file()
    assert not list(support.rglob("*.py"))
    assert not (installed_shiboken() / "files.dir").exists()  # the installed one untouched


def test_pyside_loads_its_code_from_the_folder(support: Path, tmp_path: Path) -> None:
    """As the frozen app is laid out: shiboken6 with files.dir beside its __init__."""
    copy = tmp_path / "shiboken6"
    shutil.copytree(installed_shiboken(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(support, copy / "files.dir")
    assert probe(tmp_path) == ["AlignLeft", f"bytecode in {copy / 'files.dir'}"]


def test_without_the_folder_it_says_so(tmp_path: Path) -> None:
    copy = tmp_path / "shiboken6"
    shutil.copytree(installed_shiboken(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert probe(tmp_path) == ["AlignLeft",
                               "compiled at start, from the source inside shiboken6"]
