"""Build the Linux packages into dist/: a ``.tar.gz`` and a ``.deb`` of the one-folder app.

    python packaging/build_linux.py [--no-freeze]

1. icons (packaging/icons.py) and the one-folder app (PyInstaller, packaging/
   judgepanel.spec) in build/pyinstaller/dist/judgepanel/ (``--no-freeze`` reuses it);
2. ``dist/judgepanel-VERSION-linux-ARCH.tar.gz``: that folder as ``judgepanel-VERSION/``
   with ``share/`` (desktop entry, MIME types, AppStream metainfo, hicolor icons) for
   a per-user install (docs/install.md);
3. ``dist/judgepanel_VERSION_ARCH.deb`` (dpkg-deb): the app under /opt/judgepanel,
   ``/usr/bin/judgepanel`` on PATH, the desktop entry, MIME types, metainfo and icons
   under /usr/share (dpkg triggers refresh the MIME, desktop and icon caches). Its
   Depends are the system packages the app's libraries resolve to here (ldd, then
   dpkg -S), libc6 at least the glibc the build needs.

It prints the sizes, the glibc floor (the newest GLIBC_x.y symbol version any
bundled binary needs: the oldest system it starts on) and the time each step took.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from judgepanel import __version__
from judgepanel.paths import resource

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
FROZEN = BUILD / "pyinstaller" / "dist" / "judgepanel"
ICONS = BUILD / "icons"
DIST = ROOT / "dist"
APP_ID = "org.judgepanel.JudgePanel"
DEB_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}
GLIBC = re.compile(rb"GLIBC_(2\.\d+(?:\.\d+)?)\x00")
NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)
RESOLVED = re.compile(r"^\s*(\S+)\s+=>\s+(/\S+)", re.MULTILINE)
# Always on the system (never bundled), whatever ldd says.
BASE_PACKAGES = {"libc6"}


def log(message: str) -> None:
    print(f"[package] {message}", flush=True)


def freeze() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([sys.executable, str(ROOT / "packaging" / "icons.py"), str(ICONS)],
                   check=True, env=env)
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--log-level", "WARN", "--distpath", str(FROZEN.parent),
                    "--workpath", str(BUILD / "pyinstaller" / "work"),
                    str(ROOT / "packaging" / "judgepanel.spec")], check=True, cwd=ROOT)


def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def glibc_floor(folder: Path) -> str:
    """The newest glibc symbol version any binary in ``folder`` needs."""
    versions = {"2.2.5"}
    for path in elf_files(folder):
        versions.update(v.decode() for v in GLIBC.findall(path.read_bytes()))
    return max(versions, key=lambda v: tuple(int(x) for x in v.split(".")))


def system_libraries(folder: Path) -> tuple[set[str], set[str]]:
    """(paths of system libraries the bundled binaries load, sonames found nowhere)."""
    internal = folder / "_internal"
    library_path = os.pathsep.join(str(p) for p in (internal, internal / "PySide6" / "Qt" / "lib"))
    env = dict(os.environ, LD_LIBRARY_PATH=library_path)
    used: set[str] = set()
    missing: set[str] = set()
    files = [str(p) for p in elf_files(folder)]
    for start in range(0, len(files), 50):
        result = subprocess.run(["ldd", *files[start:start + 50]], capture_output=True,
                                text=True, env=env, check=False)
        missing.update(NOT_FOUND.findall(result.stdout))
        for _name, path in RESOLVED.findall(result.stdout):
            if not Path(path).resolve().is_relative_to(folder.resolve()):
                used.add(path)
    return used, missing


def debian_packages(paths: set[str]) -> set[str]:
    """The Debian packages that own ``paths`` (dpkg -S), when this is a Debian system."""
    from judgepanel.cli.syslibs import PACKAGES

    packages = set(BASE_PACKAGES)
    if shutil.which("dpkg-query") is None:
        return packages | {PACKAGES[Path(p).name][0] for p in paths if Path(p).name in PACKAGES}
    for path in sorted(paths):
        candidates = dict.fromkeys([path, os.path.realpath(path),
                                    path.replace("/usr/lib/", "/lib/", 1),
                                    path.replace("/lib/", "/usr/lib/", 1)])
        for candidate in candidates:
            result = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True,
                                    text=True, check=False)
            if result.returncode == 0:
                packages.add(result.stdout.split(":", 1)[0].split(",")[0].strip())
                break
        else:
            name = Path(path).name
            if name in PACKAGES:
                packages.add(PACKAGES[name][0])
    return packages


def known_packages(sonames: set[str]) -> set[str]:
    """Debian packages for libraries this build machine lacks (syslibs' table)."""
    from judgepanel.cli.syslibs import PACKAGES

    return {PACKAGES[name][0] for name in sonames if name in PACKAGES}


def share_tree(target: Path) -> None:
    """The freedesktop files under ``target`` (``usr/share`` or a tarball's ``share``)."""
    desktop = resource("desktop")
    copies = {
        desktop / f"{APP_ID}.desktop": target / "applications" / f"{APP_ID}.desktop",
        desktop / f"{APP_ID}.mime.xml": target / "mime" / "packages" / f"{APP_ID}.xml",
        desktop / f"{APP_ID}.metainfo.xml": target / "metainfo" / f"{APP_ID}.metainfo.xml",
    }
    for source, destination in copies.items():
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    shutil.copytree(ICONS / "hicolor", target / "icons" / "hicolor", dirs_exist_ok=True)


def folder_size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_symlink())


def make_tarball(arch: str) -> Path:
    name = f"judgepanel-{__version__}"
    stage = BUILD / "tarball" / name
    shutil.rmtree(stage.parent, ignore_errors=True)
    shutil.copytree(FROZEN, stage, symlinks=True)
    share_tree(stage / "share")
    out = DIST / f"{name}-linux-{arch}.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=9) as tar:
        tar.add(stage, arcname=name)
    return out


def make_deb(arch: str, depends: set[str], floor: str) -> Path:
    deb_arch = DEB_ARCH.get(arch, arch)
    stage = BUILD / "deb" / "root"
    shutil.rmtree(stage.parent, ignore_errors=True)
    shutil.copytree(FROZEN, stage / "opt" / "judgepanel", symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    (stage / "usr" / "bin" / "judgepanel").symlink_to("/opt/judgepanel/judgepanel")
    share_tree(stage / "usr" / "share")
    doc = stage / "usr" / "share" / "doc" / "judgepanel"
    doc.mkdir(parents=True)
    shutil.copyfile(ROOT / "LICENSE", doc / "copyright")
    requirements = sorted(depends - {"libc6"})
    control = "\n".join([
        "Package: judgepanel",
        f"Version: {__version__}",
        "Section: misc",
        "Priority: optional",
        f"Architecture: {deb_arch}",
        f"Installed-Size: {folder_size(stage) // 1024}",
        f"Depends: {', '.join([f'libc6 (>= {floor})', *requirements])}",
        "Maintainer: The JudgePanel contributors <judgepanel@users.noreply.github.com>",
        "Description: offline, end-to-end encrypted judging for award and grant programs",
        " Judges open the encrypted bundle staff send them, declare conflicts of",
        " interest, score against the rubric and send back one signed results file;",
        " staff merge the results into rankings, decisions and PDF reports.",
        "",
    ])
    (stage / "DEBIAN").mkdir()
    (stage / "DEBIAN" / "control").write_text(control, encoding="utf-8")
    out = DIST / f"judgepanel_{__version__}_{deb_arch}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", f"--threads-max={os.cpu_count()}",
                    "--build", str(stage), str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-freeze", action="store_true",
                        help="reuse build/pyinstaller/dist/judgepanel (no PyInstaller run)")
    args = parser.parse_args()
    arch = platform.machine()
    times: dict[str, float] = {}
    start = time.perf_counter()
    if not args.no_freeze:
        freeze()
    times["PyInstaller (with icons)"] = time.perf_counter() - start
    if not (FROZEN / "judgepanel").is_file():
        raise SystemExit(f"{FROZEN} holds no build: run without --no-freeze")
    DIST.mkdir(exist_ok=True)
    for old in [*DIST.glob("judgepanel-*.tar.gz"), *DIST.glob("judgepanel_*.deb")]:
        old.unlink()
    floor = glibc_floor(FROZEN)
    used, missing = system_libraries(FROZEN)
    if missing:
        log("not found on this build machine (needed at run time): " + ", ".join(sorted(missing)))
    depends = debian_packages(used) | known_packages(missing)
    step = time.perf_counter()
    tarball = make_tarball(arch)
    times[".tar.gz"] = time.perf_counter() - step
    step = time.perf_counter()
    deb = make_deb(arch, depends, floor)
    times[".deb"] = time.perf_counter() - step
    log(f"folder   {FROZEN.relative_to(ROOT)}: {folder_size(FROZEN) / 1e6:.1f} MB")
    log(f"tarball  {tarball.relative_to(ROOT)}: {tarball.stat().st_size / 1e6:.1f} MB")
    log(f"deb      {deb.relative_to(ROOT)}: {deb.stat().st_size / 1e6:.1f} MB")
    log(f"glibc floor: {floor} (the oldest glibc these binaries start on)")
    log(f"deb Depends: libc6 (>= {floor}), {', '.join(sorted(depends - {'libc6'}))}")
    log("times: " + ", ".join(f"{k} {v:.0f} s" for k, v in times.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
