"""``judgepanel gui`` and ``judgepanel open FILE``: the desktop app."""

from __future__ import annotations

import argparse
import os
import sys


def register(sub: argparse._SubParsersAction) -> None:
    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.set_defaults(func=run_gui, path=None)
    open_ = sub.add_parser("open", help="open a judging bundle or a program in the desktop app")
    open_.add_argument("path", help="a .jpbundle file or a program workspace folder")
    open_.set_defaults(func=run_gui)


def has_display() -> bool:
    """Whether Qt can show a window here (a desktop session or an explicit platform)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def run_gui(args: argparse.Namespace) -> int:
    if not has_display():
        print(
            "judgepanel: no display found, so the desktop app cannot open here; "
            "try `make demo` to build the demo program from the command line.",
            file=sys.stderr,
        )
        return 1
    from judgepanel.ui.app import run  # Qt is imported only when a window is wanted

    return run(path=args.path)
