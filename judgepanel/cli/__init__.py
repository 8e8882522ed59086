"""The ``judgepanel`` command line: thin wrappers over the same workflows the app uses.

Each feature lives in its own module with a ``register(subparsers)`` function that
adds its commands; a command handler takes the parsed arguments and returns an
exit code. A :class:`~judgepanel.errors.JudgePanelError` becomes a one-line
message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from judgepanel import __version__
from judgepanel.cli.messages import refusal_lines
from judgepanel.errors import JudgePanelError
from judgepanel.formats.detect import BUNDLE_SUFFIX, CARD_SUFFIX, RESULTS_SUFFIX

# Feature modules, in the order their commands appear in --help.
COMMAND_MODULES = (
    "judgepanel.cli.gui",
    "judgepanel.cli.identity",
    "judgepanel.cli.verify",
    "judgepanel.cli.staff",
    "judgepanel.cli.demo",
)
FILE_SUFFIXES = (BUNDLE_SUFFIX, RESULTS_SUFFIX, CARD_SUFFIX)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="judgepanel",
        description="Offline, end-to-end encrypted judging for award and grant programs.",
    )
    parser.add_argument(
        "--version", action="store_true",
        help="show the version (with --verbose: Python, Qt, keyring backend, data folder)")
    parser.add_argument("--verbose", action="store_true", help="show technical details of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    parser.set_defaults(command_names=tuple(sub.choices))
    return parser


def route_files(argv: list[str], commands: Sequence[str]) -> list[str]:
    """``judgepanel FILE`` (a double-click, "Open with") means ``judgepanel open FILE``.

    macOS may add a ``-psn_…`` process serial number when Finder starts the app; it is
    dropped. A command name always wins over a file of the same name.
    """
    argv = [a for a in argv if not a.startswith("-psn_")]
    if not argv or argv[0] in commands or argv[0].startswith("-"):
        return argv
    first = argv[0]
    looks_like_a_path = os.sep in first or "/" in first or first.lower().endswith(FILE_SUFFIXES)
    if looks_like_a_path or os.path.exists(first):
        return ["open", *argv]  # `open` says so when it is not there
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(route_files(list(sys.argv[1:] if argv is None else argv),
                                         parser.get_default("command_names")))
    if args.version:
        print(f"JudgePanel {__version__}")
        if args.verbose:
            from judgepanel.cli.diagnostics import diagnostics

            for line in diagnostics():
                print(line)
        return 0
    if args.command is None:
        # No command: open the desktop app, as a double-click would.
        args = parser.parse_args(["gui"])
    try:
        return int(args.func(args))
    except JudgePanelError as error:
        for line in refusal_lines(error, verbose=args.verbose):
            print(line, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("judgepanel: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`judgepanel … | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
