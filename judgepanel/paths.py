"""Where JudgePanel keeps its data.

``JUDGEPANEL_HOME`` overrides the per-user data folder (tests, portable use);
otherwise platformdirs gives the OS's conventional location.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path

import platformdirs

APP_NAME = "JudgePanel"
HOME_ENV = "JUDGEPANEL_HOME"


def data_home() -> Path:
    """The folder for identities, the judge workspace and settings; created on demand."""
    override = os.environ.get(HOME_ENV)
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))
    base.mkdir(parents=True, exist_ok=True)
    return base


RESOURCES_PACKAGE = "judgepanel.resources"


def resource(*parts: str) -> Path:
    """A file shipped in resources/ (``resource("icons", "bundle.svg")``).

    Found through the installed package, so the same call works in an editable
    install, a wheel and the frozen app (setup.py maps resources/ into the package).
    Every supported installation keeps package files on disk, so this is a real path.
    """
    return _resources_root().joinpath(*parts)


@cache
def _resources_root() -> Path:
    """resources/ as installed: the package's folder, found once.

    Its import spec names the folder in all three installations (the editable
    install's finder maps it to the repository's resources/). ``importlib.resources``
    would find the same folder, but importing it and asking costs about 5 ms of every
    start, for the start page's icons.
    """
    spec = importlib.util.find_spec(RESOURCES_PACKAGE)
    folders = spec.submodule_search_locations if spec is not None else None
    if not folders:
        raise ModuleNotFoundError(f"{RESOURCES_PACKAGE} is missing from this installation")
    return Path(next(iter(folders)))
