"""Qt's versions, for ``judgepanel --version --verbose`` (imports QtCore only, no display)."""

from __future__ import annotations

import PySide6
from PySide6.QtCore import qVersion


def qt_versions() -> str:
    return f"{qVersion()} (PySide6 {PySide6.__version__})"
