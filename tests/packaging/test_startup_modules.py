"""The modules the first window needs are kept as files in the frozen app, the rest in
PyInstaller's archive (packaging/startup_modules.py, packaging/judgepanel.spec)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def helper() -> ModuleType:
    """packaging/startup_modules.py (`packaging` is also pip's package: loaded by path)."""
    spec = importlib.util.spec_from_file_location("startup_modules",
                                                  ROOT / "packaging" / "startup_modules.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_imported_modules_are_files_and_what_lies_below_them_stays_archived() -> None:
    started = {"judgepanel", "judgepanel.ui", "judgepanel.ui.app", "json", "re",
               "re._parser", "__main__"}
    modes = helper().collection_modes(started, {"re"})
    assert modes["judgepanel"] == modes["judgepanel.ui"] == modes["judgepanel.ui.app"] == "pyc"
    assert modes["json"] == "pyc"
    # Below an imported package, what was not imported stays in the archive (a
    # package's mode would pass down to all of it).
    assert modes["judgepanel.model"] == modes["judgepanel.model.staff.workspace"] == "pyz"
    assert modes["judgepanel.ui.staff"] == modes["json.decoder"] == "pyz"
    # Python's own start modules are base_library.zip's (PyInstaller's choice).
    assert not {"re", "re._parser", "__main__"} & set(modes)


def test_the_first_window_needs_the_window_not_the_model() -> None:
    started = helper().imported_at_start()
    assert {"judgepanel.ui.main_window", "judgepanel.ui.start_page", "PySide6"} <= started
    assert not {name for name in started
                if name.startswith(("judgepanel.model", "sqlalchemy", "reportlab"))}
