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
import traceback
from collections.abc import Sequence

from judgepanel import __version__
from judgepanel.cli.messages import refusal_lines
from judgepanel.errors import JudgePanelError

# Feature modules, in the order their commands appear in --help.
COMMAND_MODULES = (
    "judgepanel.cli.gui",
    "judgepanel.cli.identity",
    "judgepanel.cli.verify",
    "judgepanel.cli.staff",
    "judgepanel.cli.demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="judgepanel",
        description="Offline, end-to-end encrypted judging for award and grant programs.",
    )
    parser.add_argument("--version", action="version", version=f"JudgePanel {__version__}")
    parser.add_argument("--verbose", action="store_true", help="show technical details of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
    except Exception as error:  # the last line: every reader raises typed errors (a bug)
        if args.verbose:
            traceback.print_exc()
        print(f"judgepanel: something went wrong that JudgePanel did not expect "
              f"({type(error).__name__}). Please report it, with the output of the same "
              "command run with --verbose.",
              file=sys.stderr)
        return 70
