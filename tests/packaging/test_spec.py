"""What packaging/judgepanel.spec leaves out must stay unused by the app (issue 13)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "judgepanel.spec"
# The runtime hooks the spec drops, and what the app would need them for.
DROPPED = {
    "pyi_rth_multiprocessing": ("multiprocessing", "concurrent.futures.process"),
    "pyi_rth_pkgutil": ("pkgutil",),
}
# The inspect hook serves inspect's source lookups (the app may import inspect for
# anything else).
SOURCE_HOOK = "pyi_rth_inspect"
SOURCE_LOOKUPS = {"getsource", "getsourcefile", "getsourcelines", "findsource", "getcomments"}


def imported_names(path: Path) -> set[str]:
    """Every module ``path`` imports, and every name it takes from concurrent.futures."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "concurrent.futures" and any(
                    alias.name == "ProcessPoolExecutor" for alias in node.names):
                names.add("concurrent.futures.process")
    return names


def source_lookups(path: Path) -> set[str]:
    """The inspect source lookups ``path`` names (``inspect.getsource``, or imported)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Attribute) and node.attr in SOURCE_LOOKUPS:
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom) and node.module == "inspect":
            found.update(alias.name for alias in node.names if alias.name in SOURCE_LOOKUPS)
    return found


def test_the_spec_drops_only_hooks_the_app_does_not_need() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    assert f'"{SOURCE_HOOK}"' in spec
    lookups = {f"{path.relative_to(ROOT)} calls inspect.{name}"
               for path in sorted((ROOT / "judgepanel").rglob("*.py"))
               for name in source_lookups(path)}
    assert not lookups, ("the frozen app runs without PyInstaller's inspect hook "
                         f"(packaging/judgepanel.spec, RUNTIME_HOOKS_DROPPED): {sorted(lookups)}")
    for hook in DROPPED:
        assert f'"{hook}"' in spec  # this test's list follows the spec's
    users = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "judgepanel").rglob("*.py"))
        for name in imported_names(path)
        for modules in DROPPED.values()
        if any(name == module or name.startswith(module + ".") for module in modules)
    }
    assert not users, ("the frozen app runs without PyInstaller's runtime hooks for these "
                       f"(packaging/judgepanel.spec, RUNTIME_HOOKS_DROPPED): {sorted(users)}")


def test_the_scan_sees_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom multiprocessing import Pool\n"
                      "from concurrent.futures import ProcessPoolExecutor\n", encoding="utf-8")
    assert {"multiprocessing", "concurrent.futures.process"} <= imported_names(sample)
    sample.write_text("import inspect\nfrom inspect import getsourcelines\n"
                      "print(inspect.getsource(len))\n", encoding="utf-8")
    assert source_lookups(sample) == {"getsource", "getsourcelines"}
