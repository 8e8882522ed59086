"""Qt's versions, for ``judgepanel --version --verbose`` (imports QtCore only, no display)."""

from __future__ import annotations

import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import qVersion

# The first module of PySide's own Python code (signatures, enums) that shiboken6 loads,
# and the folder it prefers to load that code from (packaging/pyside_support.py).
SUPPORT_MODULE = "shibokensupport.signature.loader"
SUPPORT_FOLDER = "files.dir"


def qt_versions() -> str:
    return f"{qVersion()} (PySide6 {PySide6.__version__})"


def pyside_code() -> str:
    """Where this start found PySide's own Python code: as files (the frozen app ships it
    precompiled), or as the source shiboken6 carries inside and compiles at each start."""
    qt_versions()  # QtCore loaded: shiboken6 has loaded that code by now
    where = str(getattr(sys.modules.get(SUPPORT_MODULE), "__file__", "") or "")
    path = Path(where)
    if SUPPORT_FOLDER not in path.parts:
        return "compiled at start, from the source inside shiboken6"
    folder = Path(*path.parts[:path.parts.index(SUPPORT_FOLDER) + 1])
    return f"{'bytecode' if path.suffix == '.pyc' else 'source files'} in {folder}"
