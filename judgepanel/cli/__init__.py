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
import re
import shlex
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from judgepanel import __version__
from judgepanel.cli.messages import refusal_lines
from judgepanel.errors import JudgePanelError
from judgepanel.formats.detect import BUNDLE_SUFFIX, CARD_SUFFIX, RESULTS_SUFFIX, WORK_SUFFIX

# Each top-level command and the feature module that registers it, in --help order.
# Only the module a command needs is imported: the staff commands pull in the whole
# model (SQLAlchemy, Alembic, reportlab: about a second), which the desktop app, the
# command a double-click runs, does not need before its first window.
COMMANDS = {
    "gui": "judgepanel.cli.gui",
    "open": "judgepanel.cli.gui",
    "identity": "judgepanel.cli.identity",
    "verify": "judgepanel.cli.verify",
    "judge": "judgepanel.cli.judge",
    "staff": "judgepanel.cli.staff",
    "scores": "judgepanel.cli.scores",
    "demo": "judgepanel.cli.demo",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))
GUI_MODULE = COMMANDS["gui"]
FILE_SUFFIXES = (BUNDLE_SUFFIX, RESULTS_SUFFIX, WORK_SUFFIX, CARD_SUFFIX)


def modules_for(argv: Sequence[str]) -> tuple[str, ...]:
    """The feature modules that parsing ``argv`` needs (all of them for help or a typo)."""
    if any(a in ("-h", "--help") for a in argv):
        return COMMAND_MODULES
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is None:
        return (GUI_MODULE,)  # no command: the desktop app (or --version)
    return (COMMANDS[first],) if first in COMMANDS else COMMAND_MODULES


INVALID_CHOICE = re.compile(r"^argument (\w+): invalid choice: '(.*)' \(choose from (.*)\)$")


# Where a step's parser leaves itself when it did not know some of its words: argparse
# copies a step's namespace into its caller's, so the top parser finds the step.
UNKNOWN_TO = "_judgepanel_unknown_to"


class CommandParser(argparse.ArgumentParser):
    """argparse's parser, with plain hints where argparse is terse.

    In ``judgepanel staff -w prog rank`` argparse takes the option's value for the step
    and says only "invalid choice: 'prog'"; this adds where the option goes, as the
    whole command put right. An option the step does not have is refused by the step
    (its usage, its name) rather than by the top parser, whose usage lists only the
    commands. Every parser below the top one is of this class too (``add_subparsers``
    makes its parsers of its parser's class).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.words: list[str] = []
        super().__init__(*args, **kwargs)

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None
                         ) -> tuple[argparse.Namespace, list[str]]:
        self.words = list(sys.argv[1:] if args is None else args)
        parsed, unknown = super().parse_known_args(args, namespace)
        if unknown and not hasattr(parsed, UNKNOWN_TO):
            setattr(parsed, UNKNOWN_TO, self)  # the innermost step that did not know them
        return parsed, unknown

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        parsed, unknown = self.parse_known_args(args, namespace)
        step = vars(parsed).pop(UNKNOWN_TO, self)
        if unknown:
            step.error(f"unrecognized arguments: {' '.join(unknown)}\n"
                       f"{step.prog}: see `{step.prog} --help` for its options")
        return parsed

    def error(self, message: str) -> NoReturn:
        hint = self.misplaced_option(message)
        super().error(f"{message}\n{hint}" if hint else message)

    def misplaced_option(self, message: str) -> str | None:
        """"Put it after …", when the refused step is the value of an option it lacks."""
        found = INVALID_CHOICE.match(message)
        if found is None:
            return None
        metavar, value = found.group(1), found.group(2)
        choices = [choice.strip().strip("'") for choice in found.group(3).split(",")]
        words = self.words
        at = next((k for k in range(1, len(words)) if words[k] == value), 0)
        option = words[at - 1] if at else ""
        if not option.startswith("-") or option in self._option_string_actions:
            return None
        rest = words[:at - 1] + words[at + 1:]
        if not any(word in choices for word in rest):
            rest = [metavar, *rest]
        command = " ".join([self.prog, *map(shlex.quote, [*rest, option, value])])
        return f"{self.prog}: “{option}” goes after the {metavar.lower()}: {command}"


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="judgepanel",
        description="Offline, end-to-end encrypted judging for award and grant programs.",
    )
    parser.add_argument(
        "--version", action="store_true",
        help="show the version (with --verbose: Python, Qt, keyring backend, data folder)")
    parser.add_argument("--verbose", action="store_true", help="show technical details of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        importlib.import_module(name).register(sub)
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


def desktop_start(words: Sequence[str]) -> argparse.Namespace | None:
    """What parsing ``words`` gives when they only start the desktop app (its icon or
    menu entry: nothing or ``gui``; a double-clicked file: ``open FILE``), found without
    building the parser, which is about 5 ms of the start to the first window
    (bench/bench_package.py). None for anything else. tests/cli/test_routing.py holds
    it equal to what the parser gives."""
    if list(words) in ([], ["gui"]):
        command, path = "gui", None
    elif len(words) == 2 and words[0] == "open" and not words[1].startswith("-"):
        command, path = "open", words[1]
    else:
        return None
    from judgepanel.cli.gui import run_gui

    return argparse.Namespace(version=False, verbose=False, command=command, path=path,
                              demo=None, func=run_gui)


def main(argv: Sequence[str] | None = None) -> int:
    words = route_files(list(sys.argv[1:] if argv is None else argv), list(COMMANDS))
    args = desktop_start(words)
    if args is None:
        parser = build_parser(modules_for(words))
        args = parser.parse_args(words)
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
    except Exception as error:  # the last line: every reader raises typed errors (a bug)
        if args.verbose:
            import traceback  # only for this last resort: every start passes through here

            traceback.print_exc()
        print(f"judgepanel: something went wrong that JudgePanel did not expect "
              f"({type(error).__name__}). Please report it, with the output of the same "
              "command run with --verbose.",
              file=sys.stderr)
        return 70
