"""House rules checked mechanically (docs/architecture.md states them for people)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "judgepanel"

# Dependencies point one way: ui/cli -> model/reports -> formats -> crypto.
FORBIDDEN = {
    "crypto": ("judgepanel.formats", "judgepanel.model", "judgepanel.reports", "judgepanel.ui",
               "judgepanel.cli"),
    "formats": ("judgepanel.model", "judgepanel.reports", "judgepanel.ui", "judgepanel.cli"),
    "model": ("judgepanel.reports", "judgepanel.ui", "judgepanel.cli"),
    "reports": ("judgepanel.ui", "judgepanel.cli"),
    # The app and the command line are two faces of the same workflows: neither uses the other.
    "ui": ("judgepanel.cli",),
}

# Inside the model: the rooms below the workflows import no workflow, and the two
# workspaces never import each other.
M = "judgepanel.model"
MODEL_FORBIDDEN = {
    "storage": (f"{M}.rubric", f"{M}.scoring", f"{M}.staff", f"{M}.judge", f"{M}.demo"),
    "rubric": (f"{M}.storage", f"{M}.scoring", f"{M}.staff", f"{M}.judge", f"{M}.demo"),
    "scoring": (f"{M}.storage", f"{M}.staff", f"{M}.judge", f"{M}.demo"),
    "staff": (f"{M}.judge", f"{M}.demo"),
    "judge": (f"{M}.staff", f"{M}.demo"),
}

# The staff steps in the order a round runs them: a step imports only earlier ones.
STAFF_STEPS = ("prepare", "bundles", "results", "decide")

MAX_LINES = 500


def python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in python_files()}


def imports_of(path: Path) -> list[tuple[str, str | None, int]]:
    """(module, imported name or None, line) for every import anywhere in the file,
    function-level ones included."""
    found: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree_of(path)):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
    return found


def imported_modules(path: Path) -> set[str]:
    return {module for module, _, _ in imports_of(path)}


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_package_has_modules() -> None:
    assert len(python_files()) > 5


def test_nothing_outside_ui_imports_qt() -> None:
    offenders = [
        str(path.relative_to(ROOT))
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
            if within(name, FORBIDDEN.get(layer, ())):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_model_rooms_import_only_what_they_may() -> None:
    offenders = []
    for path in (PACKAGE / "model").rglob("*.py"):
        parts = path.relative_to(PACKAGE / "model").parts
        room = parts[0] if len(parts) > 1 else ""
        for name in imported_modules(path):
            if within(name, MODEL_FORBIDDEN.get(room, ())):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_staff_steps_import_only_earlier_steps() -> None:
    offenders = []
    for position, step in enumerate(STAFF_STEPS):
        later = tuple(f"{M}.staff.{s}" for s in STAFF_STEPS[position + 1:])
        for path in (PACKAGE / "model" / "staff" / step).rglob("*.py"):
            offenders += [f"{path.relative_to(ROOT)} imports {name}"
                          for name in imported_modules(path) if within(name, later)]
    assert offenders == []


def test_every_model_room_says_what_lives_there() -> None:
    silent = [str(init.relative_to(ROOT)) for init in (PACKAGE / "model").rglob("__init__.py")
              if not (ast.get_docstring(tree_of(init)) or "").strip()]
    assert silent == []


def _edge(module: str, name: str | None) -> str | None:
    """The module an import makes this one depend on (a submodule when one is named)."""
    known = modules()
    if name is not None and f"{module}.{name}" in known:
        return f"{module}.{name}"
    return module if module in known else None


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in modules().items():
        targets = {_edge(module, imported) for module, imported, _ in imports_of(path)}
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_not_even_inside_functions() -> None:
    assert find_cycle(import_graph()) is None


def defined_names(path: Path) -> set[str]:
    """Names a module defines itself (not those it imports)."""
    names: set[str] = set()
    for node in ast.walk(tree_of(path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def consumers() -> list[Path]:
    return python_files() + sorted((ROOT / "tests").rglob("*.py")) + sorted(
        (ROOT / "bench").rglob("*.py")) + sorted((ROOT / "tools").rglob("*.py"))


def test_every_name_is_imported_from_its_home() -> None:
    """No re-export facades: a name is imported from the module that defines it."""
    known = modules()
    offenders = []
    for path in consumers():
        for module, name, line in imports_of(path):
            if name is None or module not in known or f"{module}.{name}" in known:
                continue
            if name not in defined_names(known[module]):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name} from {module}")
    assert offenders == []


def test_no_private_name_is_imported_from_another_module() -> None:
    """Shared names are public; tests may reach into what they test, the product may not."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name} from {module}"
        for path in python_files() + sorted((ROOT / "bench").rglob("*.py"))
        for module, name, line in imports_of(path)
        if name is not None and name.startswith("_") and not name.startswith("__")
    ]
    assert offenders == []


def test_no_two_classes_share_a_name() -> None:
    homes: dict[str, list[str]] = {}
    for path in python_files():
        for node in ast.walk(tree_of(path)):
            if isinstance(node, ast.ClassDef):
                homes.setdefault(node.name, []).append(module_name(path))
    assert {name: where for name, where in homes.items() if len(where) > 1} == {}


def test_shared_top_level_modules_import_no_other_part_of_the_package() -> None:
    shared = ("errors", "clock", "paths", "progress", "text")
    offenders = [f"{name}.py imports {imported}" for name in shared
                 for imported in imported_modules(PACKAGE / f"{name}.py")
                 if within(imported, ("judgepanel",))]
    assert offenders == []


def test_no_module_is_too_big() -> None:
    """The app's modules, and those of its tests, benchmarks, fuzz targets, packaging and
    tools."""
    others = [path for folder in ("tests", "bench", "fuzz", "packaging", "tools")
              for path in sorted((ROOT / folder).rglob("*.py"))]
    big = [
        f"{path.relative_to(ROOT)} ({n} lines)"
        for path in [*python_files(), *others]
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert big == []
