"""`judgepanel FILE` routes to `open`, and each command loads only its own module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from judgepanel import cli
from judgepanel.cli import COMMANDS, build_parser, desktop_start, route_files


def test_every_command_is_registered_by_the_module_named_for_it() -> None:
    registered = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert list(registered) == list(COMMANDS)
    for command, module in COMMANDS.items():
        one = next(a for a in build_parser((module,))._actions if a.dest == "command")
        assert command in one.choices


def test_the_desktop_app_parses_without_the_model() -> None:
    """A double-click runs `judgepanel FILE`: the staff commands (SQLAlchemy, reportlab)
    stay unimported, so the first window is not a second late."""
    code = ("import sys; from judgepanel.cli import build_parser, modules_for, route_files, "
            "COMMANDS; words = route_files(['x.jpbundle'], list(COMMANDS)); "
            "build_parser(modules_for(words)).parse_args(words); "
            "build_parser(modules_for(['--version'])).parse_args(['--version']); "
            "print(words, 'sqlalchemy' in sys.modules, 'reportlab' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["['open',", "'x.jpbundle']", "False", "False"]


@pytest.mark.parametrize("words", [[], ["gui"], ["open", "x.jpbundle"],
                                   ["open", "/a b/prog"]])
def test_a_plain_desktop_start_gives_what_the_parser_would(words: list[str]) -> None:
    """The desktop app started with nothing to parse skips building the parser: what it
    gets instead must stay what the parser gives (an option added to `gui` or `open`
    must be added there too)."""
    parsed = build_parser().parse_args(words or ["gui"])
    assert vars(desktop_start(words)) == vars(parsed)


@pytest.mark.parametrize("words", [["gui", "--demo", "d"], ["open"], ["open", "--help"],
                                   ["open", "a", "b"], ["--version"], ["-h"],
                                   ["staff", "rank"], ["gui", "x"]])
def test_anything_else_is_parsed(words: list[str]) -> None:
    assert desktop_start(words) is None


def test_help_and_typos_still_see_every_command() -> None:
    assert cli.modules_for(["--help"]) == cli.COMMAND_MODULES
    assert cli.modules_for(["nonsense"]) == cli.COMMAND_MODULES
    assert cli.modules_for(["staff", "rank"]) == ("judgepanel.cli.staff",)
    assert cli.modules_for([]) == ("judgepanel.cli.gui",)


def test_files_route_to_open_and_commands_win(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "staff").mkdir()  # a folder named like a command: the command wins
    (tmp_path / "prog").mkdir()
    commands = list(COMMANDS)
    assert route_files(["staff", "rank"], commands) == ["staff", "rank"]
    assert route_files(["prog"], commands) == ["open", "prog"]
    assert route_files(["gone.jpresults"], commands) == ["open", "gone.jpresults"]
    assert route_files(["-psn_0_1234", "a/b.jpcard"], commands) == ["open", "a/b.jpcard"]
    assert route_files(["--version", "--verbose"], commands) == ["--version", "--verbose"]
    assert route_files(["nonsense"], commands) == ["nonsense"]  # argparse says so


def test_version_verbose_names_what_support_needs(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version", "--verbose"]) == 0
    out = capsys.readouterr().out
    for label in ("Installation:", "Python:", "Qt:", "PySide code:", "Desktop libs:", "Keyring:",
                  "Data folder:", "Resources:", "Libraries:"):
        assert label in out
    assert "Python package in" in out  # not frozen
    assert "unknown (" not in out  # every diagnostic worked
