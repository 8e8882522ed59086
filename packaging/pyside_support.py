"""PySide's own Python code as bytecode, for the frozen app: ``shiboken6/files.dir``.

    python packaging/pyside_support.py OUT_DIR [--optimize N]

shiboken6 carries the Python code behind PySide's signatures and enums (the package
``shibokensupport``) as source inside its binary, and compiles it at every start: about
20 ms of the frozen app's 0.2 s cold start (bench/bench_package.py), spent again by every
command line step, since PyInstaller's Qt hook imports QtCore first. PySide itself looks
for that code in a folder ``files.dir`` beside shiboken6's ``__init__`` and, when the
folder exists, imports it from there instead (shiboken6's ``signature_bootstrap``; the
environment variable ``SBK_EMBED=0`` makes shiboken6 write the folder out).

This writes that folder for the shiboken6 installed here: ``SBK_EMBED=0`` on a copy of
the package (the installed one is never touched), then every ``.py`` compiled to a
``.pyc`` in its place and the source left out, as PyInstaller does with every other
module it ships. The spec (packaging/judgepanel.spec) ships OUT_DIR as
``shiboken6/files.dir``; ``judgepanel --version --verbose`` says which copy a start used.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FOLDER = "files.dir"  # the name shiboken6's signature_bootstrap looks for


def installed_shiboken() -> Path:
    spec = importlib.util.find_spec("shiboken6")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pyside_support: shiboken6 is not installed here")
    return Path(next(iter(spec.submodule_search_locations)))


def unpacked_sources(scratch: Path) -> Path:
    """shiboken6's embedded Python files, as PySide writes them out (``SBK_EMBED=0``)."""
    copy = scratch / "shiboken6"
    shutil.copytree(installed_shiboken(), copy,
                    ignore=shutil.ignore_patterns("__pycache__", FOLDER))
    env = dict(os.environ, SBK_EMBED="0", PYTHONPATH=str(scratch), PYTHONDONTWRITEBYTECODE="1")
    subprocess.run([sys.executable, "-c", "import shiboken6"], env=env, cwd=scratch,
                   check=True)
    folder = copy / FOLDER
    if not (folder / "shibokensupport" / "signature" / "loader.py").is_file():
        raise SystemExit(f"pyside_support: this shiboken6 wrote no {FOLDER} "
                         "(SBK_EMBED=0): its support code cannot be precompiled")
    return folder


def write_support(out: Path, optimize: int = 1) -> list[Path]:
    """OUT as a ``files.dir`` of bytecode only; the ``.pyc`` files written."""
    with tempfile.TemporaryDirectory() as scratch:
        sources = unpacked_sources(Path(scratch))
        if out.exists():
            shutil.rmtree(out)
        written = []
        for source in sorted(sources.rglob("*.py")):
            relative = source.relative_to(sources)
            target = out / relative.with_suffix(".pyc")
            target.parent.mkdir(parents=True, exist_ok=True)
            # A traceback names the file as PySide's own embedded copy does.
            py_compile.compile(str(source), cfile=str(target), dfile=relative.as_posix(),
                               doraise=True, optimize=optimize)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pyside_support.py")
    parser.add_argument("out", type=Path, help="the folder to write (shipped as "
                        "shiboken6/files.dir)")
    parser.add_argument("--optimize", type=int, default=1,
                        help="bytecode optimisation level, as the spec's Analysis(optimize=)")
    args = parser.parse_args(argv)
    written = write_support(args.out, args.optimize)
    print(f"[package] PySide's support code precompiled: {len(written)} files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
