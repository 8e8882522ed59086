"""Icons from resources/icons, loaded through one helper."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from judgepanel.paths import resource


@cache
def icon(name: str) -> QIcon:
    """The SVG icon ``resources/icons/<name>.svg`` (an empty icon when missing)."""
    path = resource("icons", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()
