"""Which Python modules the frozen app keeps as files: those its first window needs.

    python packaging/startup_modules.py OUT.json

PyInstaller keeps an app's modules compressed in one archive (the PYZ) and reads them
through its own importer, written in Python; modules collected as ``.pyc`` files are
read by Python's own machinery instead. For the 200-odd modules the app imports before
its first window that is about 25 ms of a 0.2 s cold start (bench/bench_package.py);
collecting every module so (``noarchive``) would add 13 MB to the installed folder.

So this starts the desktop app here, offscreen, up to its first window, and lists the
modules it has imported by then; it writes, as JSON, PyInstaller's
``module_collection_mode`` for them: ``"pyc"`` for each of those modules, and ``"pyz"``
for every module *below* an imported package that was not imported (a package's mode
would otherwise pass down to all of it: judgepanel.model stays in the archive). Modules
PyInstaller keeps in base_library.zip for Python's own start are left to it. The spec
(packaging/judgepanel.spec) passes the result to its Analysis; the list is made at each
build, so it follows the code.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

# Start the desktop app as `judgepanel` does, and print the modules imported once its
# first window has painted (in place of the event loop, which would wait for a person).
PROBE = """
import sys
from PySide6.QtWidgets import QApplication
from judgepanel.cli import main

def first_window(*_args):
    QApplication.processEvents()
    print("\\n".join(sorted(sys.modules)))
    return 0

QApplication.exec = first_window
main(["gui"])
"""


def imported_at_start() -> set[str]:
    """The modules the desktop app has imported when its first window shows."""
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JUDGEPANEL_HOME=scratch)
        env.pop("JUDGEPANEL_SMOKE", None)
        result = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=scratch,
                                capture_output=True, text=True, check=True, timeout=120)
    names = set(result.stdout.split())
    if "judgepanel.ui.main_window" not in names:
        raise SystemExit("startup_modules: the app did not reach its first window:\n"
                         + result.stderr)
    return names


def descendants(package: str) -> Iterator[str]:
    """Every module below the top-level ``package`` on disk, none of them imported."""
    spec = importlib.util.find_spec(package)
    yield from _below(list(spec.submodule_search_locations or []) if spec else [], package)


def _below(paths: list[str], package: str) -> Iterator[str]:
    for info in pkgutil.iter_modules(paths, package + "."):
        yield info.name
        if info.ispkg:
            last = info.name.rsplit(".", 1)[1]
            folders = [os.path.join(path, last) for path in paths]
            yield from _below([f for f in folders if os.path.isdir(f)], info.name)


def collection_modes(started: Iterable[str], base: Iterable[str]) -> dict[str, str]:
    """``module_collection_mode``: the modules in ``started`` as files, the modules below
    a started package that were not started left in the archive; the base modules
    (top-level names in ``base``) and their submodules left to PyInstaller."""
    started = set(started)
    base = set(base)
    modes: dict[str, str] = {}
    for name in sorted(started):
        if name.split(".")[0] in base or name == "__main__":
            continue
        modes[name] = "pyc"
        if "." not in name:  # a top-level name: what lies below it and was not imported
            modes.update((below, "pyz") for below in descendants(name)
                         if below not in started)
    return modes


def main(argv: list[str] | None = None) -> int:
    out = Path((argv if argv is not None else sys.argv[1:])[0])
    from PyInstaller.compat import PY3_BASE_MODULES

    modes = collection_modes(imported_at_start(), PY3_BASE_MODULES)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(modes, indent=1, sort_keys=True), encoding="utf-8")
    files = sum(1 for mode in modes.values() if mode == "pyc")
    print(f"[package] modules the first window needs, kept as files: {files}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
