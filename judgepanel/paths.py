"""Where JudgePanel keeps its data.

``JUDGEPANEL_HOME`` overrides the per-user data folder (tests, portable use);
otherwise platformdirs gives the OS's conventional location.
"""

from __future__ import annotations

import os
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
