"""``judgepanel --version --verbose``: what a support request needs to know.

Versions (JudgePanel, Python, Qt, the libraries that read and write our files),
where PySide's own Python code was loaded from (precompiled in the frozen app),
whether this is the frozen app or a Python install, the keyring backend secrets
go to, the data folder, where the resources were found, and whether the desktop
libraries Qt needs are present. Nothing here touches a secret or a workspace.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path

import judgepanel
from judgepanel.paths import data_home, resource


def keyring_backend() -> str:
    """The backend ``keyring`` chose here: module.Class, with its priority."""
    import keyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    backends = getattr(backend, "backends", None)  # the chainer: name what it chains
    if backends:
        name += " [" + ", ".join(f"{type(b).__module__}.{type(b).__qualname__}"
                                 for b in backends) + "]"
    priority = getattr(type(backend), "priority", None)
    return name if priority is None else f"{name} (priority {priority})"


def qt_version() -> str:
    try:
        from judgepanel.ui.versions import qt_versions
    except ImportError as error:  # the libraries Qt needs are missing (see below)
        return f"cannot load ({error})"
    return qt_versions()


def pyside_code() -> str:
    try:
        from judgepanel.ui.versions import pyside_code
    except ImportError as error:
        return f"cannot load ({error})"
    return pyside_code()


def desktop_libraries() -> str:
    from judgepanel.cli.syslibs import missing_libraries, platform_names

    if not sys.platform.startswith("linux"):
        return "bundled with Qt"
    missing = missing_libraries()
    platforms = ";".join(platform_names(os.environ))
    return f"missing: {', '.join(missing)}" if missing else f"all found (platform {platforms})"


def library_versions() -> str:
    import cryptography
    import reportlab
    import sqlalchemy
    from cryptography.hazmat.backends.openssl.backend import backend

    return (f"cryptography {cryptography.__version__} ({backend.openssl_version_text()}), "
            f"SQLAlchemy {sqlalchemy.__version__}, reportlab {reportlab.Version}")


def installation() -> str:
    if getattr(sys, "frozen", False):
        return f"frozen app in {getattr(sys, '_MEIPASS', Path(sys.executable).parent)}"
    return f"Python package in {Path(judgepanel.__file__).parent}"


def diagnostics() -> list[str]:
    rows: list[tuple[str, Callable[[], str]]] = [
        ("Installation", installation),
        ("Python", lambda: f"{platform.python_version()} ({sys.executable})"),
        ("System", platform.platform),
        ("Qt", qt_version),
        ("PySide code", pyside_code),
        ("Desktop libs", desktop_libraries),
        ("Keyring", keyring_backend),
        ("Data folder", lambda: str(data_home())),
        ("Resources", lambda: str(resource())),
        ("Libraries", library_versions),
    ]
    lines = []
    for label, value in rows:
        try:
            text = value()
        except Exception as error:  # a diagnostic must never crash: say what failed
            text = f"unknown ({type(error).__name__}: {error})"
        lines.append(f"  {label + ':':<14}{text}")
    return lines
