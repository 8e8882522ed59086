"""House rules checked mechanically."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "judgepanel"

# Dependencies point one way: ui/cli -> model/reports -> formats -> crypto.
FORBIDDEN = {
    "crypto": ("judgepanel.formats", "judgepanel.model", "judgepanel.reports", "judgepanel.ui",
               "judgepanel.cli"),
    "formats": ("judgepanel.model", "judgepanel.reports", "judgepanel.ui", "judgepanel.cli"),
    "model": ("judgepanel.reports", "judgepanel.ui", "judgepanel.cli"),
    "reports": ("judgepanel.ui", "judgepanel.cli"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_modules() -> None:
    assert len(python_files()) > 5


def test_nothing_outside_ui_imports_qt() -> None:
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in python_files()
        if "ui" not in path.relative_to(PACKAGE).parts[:1]
        and any(name.split(".")[0] in ("PySide6", "shiboken6") for name in imported_modules(path))
    ]
    assert offenders == []


def test_dependencies_point_one_way() -> None:
    offenders = []
    for path in python_files():
        layer = path.relative_to(PACKAGE).parts[0]
        for name in imported_modules(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN.get(layer, ())):
                offenders.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert offenders == []


def test_no_module_is_too_big() -> None:
    big = [
        f"{path.relative_to(PACKAGE.parent)} ({n} lines)"
        for path in python_files()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600
    ]
    assert big == []
