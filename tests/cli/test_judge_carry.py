"""`judgepanel judge carry` and `judge continue`: moving to another computer mid-round.

The judge declares at the office and saves a work file (nothing is complete yet);
on a fresh workspace (the laptop) ``continue`` brings the work back and says what it
brought. Another judge's file, an existing ``--out`` and another extension are
refused, changing nothing. Staff given the work file refuse it by its name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from judgepanel import cli
from judgepanel.formats.detect import WORK_FILE_IS_NOT_RESULTS
from tests.cli.test_judge_cli import SLUG, run, sub

OTHER = "zoe-lefevre"


def judge_args(demo: Path, workspace: Path, slug: str = SLUG) -> list[str]:
    return [str(demo / "bundles" / f"{slug}.jpbundle"),
            "--identity-file", str(demo / "keys" / f"{slug}.identity"),
            "--workspace", str(workspace)]


@pytest.fixture
def carried(capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path) -> Path:
    """A work file of the office's work: every application declared, one unable."""
    office = judge_args(demo, tmp_path / "office.sqlite")
    _, shown = run(capsys, *sub("show", office, "--json"))
    refs = [a["ref"] for a in shown["applications"]]
    run(capsys, *sub("declare", office, "--conflict", refs[0], "--reason", "I advise them",
                     "--none", "--unable", refs[1], "--reason", "Away for a month"))
    out = tmp_path / "Work – office.jpwork"
    code, data = run(capsys, *sub("carry", office, "--out", str(out), "--json"))
    assert code == 0 and data["missing"] > 0 and Path(data["file"]) == out and out.exists()
    return out


def test_carry_then_continue_on_a_fresh_workspace(
        capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path, carried: Path) -> None:
    laptop = judge_args(demo, tmp_path / "laptop.sqlite")
    code, text = run(capsys, *sub("continue", laptop, str(carried)))
    assert code == 0, text
    lines = text["text"].splitlines()
    assert lines[0].startswith("Continued from your work file Work – office.jpwork "
                               "(version 1, saved on ")
    _, shown = run(capsys, *sub("show", laptop, "--json"))
    apps = shown["applications"]
    declarations = len(apps)
    assert f"  declarations: {declarations} (1 conflict of interest)" in lines
    assert "  reviews: 0" in lines and "  unable to review: 1" in lines  # none started
    assert all(a["declared"] for a in apps)
    assert [a["state"] for a in apps[:2]] == ["conflict of interest", "unable to review"]
    assert apps[1]["unable_reason"] == "Away for a month"
    assert [e["work_file"] for e in shown["exports"]] == [True]
    code, again = run(capsys, *sub("continue", laptop, str(carried), "--json"))
    assert code == 0 and again["changes"] == 0 and again["work_file"]


def test_another_judges_work_file_is_refused_and_changes_nothing(
        capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path, carried: Path) -> None:
    other = judge_args(demo, tmp_path / "zoe.sqlite", OTHER)
    code = cli.main(sub("continue", other, str(carried)))
    err = capsys.readouterr().err
    assert code == 2 and "This work file cannot be opened with your identity" in err
    _, shown = run(capsys, *sub("show", other, "--json"))
    assert not any(a["declared"] for a in shown["applications"]) and shown["exports"] == []


def test_carry_refuses_an_existing_file_and_another_extension(
        capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path, carried: Path) -> None:
    office = judge_args(demo, tmp_path / "office.sqlite")
    before = carried.read_bytes()
    code = cli.main(sub("carry", office, "--out", str(carried)))
    assert code == 2 and "already exists" in capsys.readouterr().err
    assert carried.read_bytes() == before
    results = tmp_path / "work.jpresults"
    code = cli.main(sub("carry", office, "--out", str(results)))
    assert code == 2 and "ends in .jpwork" in capsys.readouterr().err
    assert not results.exists()
    code, data = run(capsys, *sub("carry", office, "--out", str(tmp_path / "Work 2"),
                                  "--json"))
    assert code == 0 and data["file"].endswith("Work 2.jpwork") and data["sequence"] == 2


def test_staff_merge_and_verify_refuse_a_work_file_in_plain_words(
        capsys: pytest.CaptureFixture[str], demo: Path, carried: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    wanted = (*cli.COMMAND_MODULES, "judgepanel.cli.staff", "judgepanel.cli.verify")
    monkeypatch.setattr(cli, "COMMAND_MODULES", tuple(dict.fromkeys(wanted)))
    program = demo / "program"
    before = sorted((p.name, p.stat().st_mtime_ns) for p in program.rglob("*"))
    code = cli.main(["staff", "merge", "-w", str(program), "--identity-file",
                     str(demo / "keys" / "staff.identity"), str(carried)])
    out = capsys.readouterr().out
    assert code == 1 and f"✗ {carried.name}: {WORK_FILE_IS_NOT_RESULTS}" in out
    code = cli.main(["verify", str(carried)])
    out = capsys.readouterr().out
    assert code == 1 and "judge's unfinished work" in out and WORK_FILE_IS_NOT_RESULTS in out
    # "a .jpwork" alone on the command line is a file to open, not a command
    assert cli.route_files([str(carried.name)], list(cli.COMMANDS))[0] == "open"
    assert sorted((p.name, p.stat().st_mtime_ns) for p in program.rglob("*")) == before


def test_staff_merge_of_only_work_files_needs_no_staff_identity(
        capsys: pytest.CaptureFixture[str], demo: Path, carried: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    wanted = (*cli.COMMAND_MODULES, "judgepanel.cli.staff")
    monkeypatch.setattr(cli, "COMMAND_MODULES", tuple(dict.fromkeys(wanted)))
    program = demo / "program"
    before = sorted((p.name, p.stat().st_mtime_ns) for p in program.rglob("*"))
    # no --identity-file, and this computer holds no staff identity: never asked for
    code = cli.main(["staff", "merge", "-w", str(program), str(carried)])
    captured = capsys.readouterr()
    assert code == 1 and f"✗ {carried.name}: {WORK_FILE_IS_NOT_RESULTS}" in captured.out
    assert "identity" not in captured.err
    # with a results file too, the identity is needed, and the work file is named anyway
    results = sorted((demo / "results").glob("*.jpresults"))[0]
    code = cli.main(["staff", "merge", "-w", str(program), str(carried), str(results)])
    err = capsys.readouterr().err
    assert code == 2 and "staff identity" in err
    assert f"{carried.name} cannot be merged: not results, a judge's unfinished work" in err
    assert sorted((p.name, p.stat().st_mtime_ns) for p in program.rglob("*")) == before
