from __future__ import annotations

import pytest

from judgepanel import __version__
from judgepanel.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"JudgePanel {__version__}\n"


def test_gui_without_a_display_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main([]) == 1
    err = capsys.readouterr().err.strip()
    assert "no display" in err and "judgepanel demo DIR" in err
    assert len(err.splitlines()) == 1


def test_make_run_builds_the_demo_once_and_reuses_it(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from judgepanel.cli import demo as demo_cli
    from judgepanel.cli import gui

    builds: list[object] = []

    def fake_run_demo(args) -> int:
        builds.append(args.folder)
        program = args.folder / "program"
        program.mkdir(parents=True, exist_ok=True)
        (program / "program.sqlite").write_bytes(b"")
        (args.folder / "README.txt").write_text("This folder was made by `judgepanel demo`.\n")
        return 0

    monkeypatch.setattr(demo_cli, "run_demo", fake_run_demo)
    folder = tmp_path / "demo-program"
    assert gui.ensure_demo(folder) == folder / "program"
    assert gui.ensure_demo(folder) == folder / "program"
    assert builds == [folder]
    # An interrupted build is replaced.
    (folder / "README.txt").write_text("This folder was made by `judgepanel demo`.\nBuilding…\n")
    gui.ensure_demo(folder)
    assert builds == [folder, folder]


def test_a_closed_pipe_ends_quietly(tmp_path) -> None:
    import subprocess
    import sys

    script = "import sys\nfrom judgepanel.cli import main\nsys.exit(main(['identity', 'list']))\n"
    # `identity list` prints a line per identity; with the reader gone it must not trace back.
    reader = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**__import__("os").environ, "JUDGEPANEL_HOME": str(tmp_path)},
    )
    assert reader.stdout is not None
    reader.stdout.close()
    _, err = reader.communicate(timeout=60)
    assert b"Traceback" not in err


def test_an_unexpected_error_is_one_plain_line_not_a_traceback(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The last line behind every typed refusal: a bug reads as a bug, in words."""
    from judgepanel import cli

    def broken(_args: object) -> int:
        raise ZeroDivisionError("a bug")

    original = cli.build_parser

    def patched(*args: object) -> object:
        parser = original(*args)  # type: ignore[arg-type]
        for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
            action.choices["verify"].set_defaults(func=broken)
        return parser

    monkeypatch.setattr(cli, "build_parser", patched)
    assert main(["verify", "x.jpresults"]) == 70
    err = capsys.readouterr().err
    assert "did not expect (ZeroDivisionError)" in err and "Traceback" not in err


@pytest.mark.parametrize(("argv", "hint"), [
    (["staff", "-w", "prog", "rank"],
     "judgepanel staff: “-w” goes after the step: judgepanel staff rank -w prog"),
    (["staff", "-w", "my program", "judges", "enroll", "a.jpcard"],
     "judgepanel staff: “-w” goes after the step: "
     "judgepanel staff judges enroll a.jpcard -w 'my program'"),
    (["staff", "judges", "--workspace", "prog", "list"],
     "judgepanel staff judges: “--workspace” goes after the action: "
     "judgepanel staff judges list --workspace prog"),
    (["staff", "assign", "--per-application", "2"],
     "judgepanel staff assign: “--per-application” goes after the action: "
     "judgepanel staff assign ACTION --per-application 2"),
])
def test_an_option_before_its_step_is_shown_where_it_goes(
        argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err.splitlines()
    assert stop.value.code == 2 and "invalid choice" in err[-2] and err[-1] == hint


@pytest.mark.parametrize("argv", [["--verbose", "stafff"], ["staff", "rnak"],
                                  ["staff", "assign", "--per-application"]])
def test_no_hint_where_no_option_is_out_of_place(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err.splitlines()
    assert stop.value.code == 2 and err[-1].startswith(("judgepanel: error:",
                                                         "judgepanel staff: error:",
                                                         "judgepanel staff assign: error:"))


@pytest.mark.parametrize(("argv", "step"), [
    (["scores", "rank", "t.csv", "--good-rows-only"], "judgepanel scores rank"),
    (["staff", "rank", "--workspace", "prog", "--toop", "3"], "judgepanel staff rank"),
    (["staff", "judges", "list", "--everything"], "judgepanel staff judges list"),
    (["--colour"], "judgepanel"),
])
def test_an_option_the_step_lacks_is_refused_by_that_step(
        argv: list[str], step: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Not by the top parser, whose usage lists only the commands."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err.splitlines()
    assert stop.value.code == 2
    assert err[0].startswith(f"usage: {step} [-h]")
    assert err[-2].startswith(f"{step}: error: unrecognized arguments: {argv[-1]}"
                              if argv[-1].startswith("-") else f"{step}: error: "
                              f"unrecognized arguments: {argv[-2]} {argv[-1]}")
    assert err[-1] == f"{step}: see `{step} --help` for its options"
