"""``judgepanel gui`` and ``judgepanel open FILE``: the desktop app."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument(
        "--demo", type=Path, metavar="DIR",
        help="when nothing else is open, show the demo program in DIR (built first if missing)",
    )
    gui.set_defaults(func=run_gui, path=None)
    open_ = sub.add_parser(
        "open", help="open a bundle, results file, work file, card or program in the "
        "desktop app",
        description="Open a file the way a double-click does: a .jpbundle for judging; a "
        ".jpresults to merge into a program (or check); a .jpwork (your work file) to "
        "continue judging from; a .jpcard to see its fingerprint and enroll it; a program "
        "workspace folder (or a shared program's postgresql:// address) in the staff app. "
        "When JudgePanel is already running, the file goes to its window. `judgepanel "
        "FILE` does the same.")
    open_.add_argument("path", help="a .jpbundle, .jpresults, .jpwork or .jpcard file, a "
                       "program workspace folder, or a shared program's address")
    open_.set_defaults(func=run_gui, demo=None)


def has_display() -> bool:
    """Whether Qt can show a window here (a desktop session or an explicit platform)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def run_gui(args: argparse.Namespace) -> int:
    shared = args.path is not None and "://" in args.path  # a program on a database server
    if args.path is not None and not shared and not Path(args.path).exists():
        print(f"judgepanel: {args.path}: there is no such file or folder. Check the name, "
              "or give the full path.", file=sys.stderr)
        return 2
    if not has_display():
        print(
            "judgepanel: no display found, so the desktop app cannot open here. Run it on a "
            "computer with a desktop; here you can use the command line instead "
            "(`judgepanel --help`; `make demo` or `judgepanel demo DIR` builds the demo)."
            + (f" To check this file: judgepanel verify {args.path}"
               if args.path and Path(args.path).is_file() else ""),
            file=sys.stderr,
        )
        return 1
    from judgepanel.cli.syslibs import check_desktop_libraries

    if code := check_desktop_libraries():  # before Qt loads: name what is missing
        return code
    demo_program = ensure_demo(args.demo) if args.demo is not None and args.path is None else None
    from judgepanel.ui.app import run  # Qt is imported only when a window is wanted

    return run(path=args.path, fallback=str(demo_program) if demo_program else None)


def ensure_demo(folder: Path) -> Path:
    """The demo's staff workspace in ``folder``, building the demo there first if needed.

    An unfinished earlier build (interrupted) is replaced; a folder that is not a demo
    is never touched. A finished demo is opened even when other files sit beside it
    (the unzipped files of docs/demo.md's checks, say): opening deletes nothing.
    """
    from judgepanel.cli.demo import run_demo

    program = folder / "program"
    if (program / "program.sqlite").exists() and _marked(folder) and not _unfinished(folder):
        return program
    run_demo(argparse.Namespace(folder=folder, fresh=True, seed=2026, applications=40,
                                grants=12, quiet=True))
    return program


def _marked(folder: Path) -> bool:
    """Whether ``folder`` carries the demo's README marker (whatever else it holds)."""
    from judgepanel.model.demo.build import MARKER, README

    try:
        return MARKER in (folder / README).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def _unfinished(folder: Path) -> bool:
    readme = folder / "README.txt"
    return readme.exists() and "Building…" in readme.read_text(encoding="utf-8")
