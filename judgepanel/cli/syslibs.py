"""Before Qt loads: does this Linux computer have the system libraries Qt needs?

Qt's xcb platform plugin links a dozen X11 libraries that a fresh desktop may lack;
when one is missing Qt aborts (exit 134) naming ``libxcb-cursor0`` whatever was
actually missing, and without ``libEGL`` importing ``PySide6.QtGui`` raises an
ImportError. So before the first Qt import the app loads the platform plugin and
the Qt modules it uses (Qt loads the same files next, so little is spent twice); when
one will not load, it asks the dynamic linker (``ldd``) for everything missing and
says so in one message with the command that installs it on Debian/Ubuntu (apt) and
Fedora (dnf). ``make run`` runs this module first (``python -m
judgepanel.cli.syslibs``). Other systems ship Qt's libraries inside PySide6, so the
check is Linux-only. Qt's Python modules are never imported here.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

# Which plugin file Qt loads for a platform name (QT_QPA_PLATFORM).
PLUGIN_FILES = {
    "xcb": "libqxcb.so",
    "wayland": "libqwayland.so",
    "offscreen": "libqoffscreen.so",
    "minimal": "libqminimal.so",
    "eglfs": "libqeglfs.so",
    "vnc": "libqvnc.so",
    "linuxfb": "libqlinuxfb.so",
}
# Besides the platform plugin (which links QtGui and QtCore: everything QtWidgets and
# QtSvg need from the system too), the Qt libraries with system dependencies of their
# own: QtNetwork (the single-instance socket; QtPdf links it too) needs Kerberos. The
# frozen app ships Kerberos inside (QtNetwork needs nothing of the system there but the
# C library: tests/packaging/test_frozen.py), so there only the platform plugin is checked.
QT_LIBRARIES = ("libQt6Network.so.6",)

# soname -> (Debian/Ubuntu package, Fedora package)
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libXau.so.6": ("libxau6", "libXau"),
    "libXdmcp.so.6": ("libxdmcp6", "libXdmcp"),
    "libSM.so.6": ("libsm6", "libSM"),
    "libICE.so.6": ("libice6", "libICE"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libGLdispatch.so.0": ("libglvnd0", "libglvnd"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl"),
    "libpng16.so.16": ("libpng16-16", "libpng"),
    "libz.so.1": ("zlib1g", "zlib"),
    # QtNetwork (the single-instance socket, and QtPdf) links Kerberos.
    "libgssapi_krb5.so.2": ("libgssapi-krb5-2", "krb5-libs"),
    "libkrb5.so.3": ("libkrb5-3", "krb5-libs"),
    "libk5crypto.so.3": ("libk5crypto3", "krb5-libs"),
    "libkrb5support.so.0": ("libkrb5support0", "krb5-libs"),
    "libcom_err.so.2": ("libcom-err2", "libcom_err"),
    "libkeyutils.so.1": ("libkeyutils1", "keyutils-libs"),
}
NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)
EXIT_MISSING = 1


def qt_folder() -> Path | None:
    """PySide6's folder (installed or frozen), found without importing it."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def platform_names(env: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt will try, in order (``QT_QPA_PLATFORM="wayland;xcb"``)."""
    wanted = env.get("QT_QPA_PLATFORM", "")
    names = [part.split(":", 1)[0].strip() for part in wanted.split(";") if part.strip()]
    if names:
        return names
    if env.get("XDG_SESSION_TYPE") == "wayland" and env.get("WAYLAND_DISPLAY"):
        return ["wayland", "xcb"]  # Qt's own default order on a Wayland session
    return ["xcb"]


def files_to_check(pyside: Path, platform: str, frozen: bool | None = None) -> list[Path]:
    """The platform plugin's file, and the Qt libraries whose needs are the system's."""
    plugin = pyside / "Qt" / "plugins" / "platforms" / PLUGIN_FILES.get(platform, "")
    if frozen is None:
        frozen = bool(getattr(sys, "frozen", False))
    libraries = [] if frozen else [pyside / "Qt" / "lib" / name for name in QT_LIBRARIES]
    return [p for p in (plugin, *libraries) if p.is_file()]


def missing_with_ldd(files: Iterable[Path], ldd: str) -> list[str]:
    """Sonames the dynamic linker cannot find for ``files`` (each listed once)."""
    import subprocess  # only once a library is missing: every start passes through here

    result = subprocess.run([ldd, *map(str, files)], capture_output=True, text=True,
                            check=False, timeout=30)
    return list(dict.fromkeys(NOT_FOUND.findall(result.stdout + result.stderr)))


def missing_with_dlopen(files: Iterable[Path]) -> list[str]:
    """Without ``ldd``: try loading each file; the linker names the first library missing."""
    missing: list[str] = []
    for path in files:
        try:
            ctypes.CDLL(str(path))
        except OSError as error:
            name = str(error).split(":", 1)[0].strip()
            missing.append(name if name.startswith("lib") else str(error))
    return list(dict.fromkeys(missing))


def missing_libraries(env: Mapping[str, str] | None = None) -> list[str]:
    """What the platform plugin Qt will use lacks here ([] when all is well or not Linux)."""
    if not sys.platform.startswith("linux"):
        return []
    env = os.environ if env is None else env
    pyside = qt_folder()
    if pyside is None:
        return []  # PySide6 missing is pip's to report, with its own traceback-free message
    best: list[str] | None = None
    for name in platform_names(env):
        files = files_to_check(pyside, name)
        missing = missing_with_dlopen(files)
        if missing:
            import shutil  # as subprocess: only once a library is missing

            if ldd := shutil.which("ldd"):
                missing = missing_with_ldd(files, ldd)
        if not missing:
            return []
        # With a list such as "wayland;xcb", name xcb's needs: the usual fallback.
        if best is None or name == "xcb":
            best = missing
    return best or []


def install_commands(missing: Iterable[str]) -> tuple[str, str, list[str]]:
    """(apt command, dnf command, sonames no package is known for)."""
    debian, fedora, unknown = [], [], []
    for soname in missing:
        if soname in PACKAGES:
            debian.append(PACKAGES[soname][0])
            fedora.append(PACKAGES[soname][1])
        else:
            unknown.append(soname)
    apt = "sudo apt install " + " ".join(dict.fromkeys(debian)) if debian else ""
    dnf = "sudo dnf install " + " ".join(dict.fromkeys(fedora)) if fedora else ""
    return apt, dnf, unknown


def missing_message(missing: list[str]) -> str:
    apt, dnf, unknown = install_commands(missing)
    lines = [
        "judgepanel: the desktop app cannot start: this computer lacks system libraries it "
        "needs to show windows:",
        "  " + ", ".join(missing),
        "Install them, then start JudgePanel again:",
    ]
    if apt:
        lines.append(f"  Debian, Ubuntu:  {apt}")
    if dnf:
        lines.append(f"  Fedora:          {dnf}")
    if unknown:
        lines.append("  (for " + ", ".join(unknown) + ": `apt-file search NAME` or "
                     "`dnf provides '*/NAME'` names the package)")
    lines.append("The command line works without them: `judgepanel --help`.")
    return "\n".join(lines)


def check_desktop_libraries() -> int:
    """0 when Qt can load here; otherwise print what to install and return 1."""
    missing = missing_libraries()
    if not missing:
        return 0
    print(missing_message(missing), file=sys.stderr)
    return EXIT_MISSING


if __name__ == "__main__":
    sys.exit(check_desktop_libraries())
