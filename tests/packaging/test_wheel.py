"""A wheel and an sdist carry everything: installed in a fresh venv, away from the
source tree, the command line finds its rubric, fonts, migrations and icons."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(command: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900, **kwargs)  # type: ignore[call-overload]


@pytest.mark.slow
def test_the_wheel_installs_in_a_fresh_venv_and_runs(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    # The wheel is built from the sdist, so both are shown to carry resources/.
    built = run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    (sdist,) = out.glob("judgepanel-*.tar.gz")
    (wheel,) = out.glob("judgepanel-*.whl")
    with tarfile.open(sdist) as tar:
        assert any(n.endswith("resources/rubrics/recognition.toml") for n in tar.getnames())
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "judgepanel/resources/rubrics/recognition.toml" in names
    assert "judgepanel/resources/icons/bundle.svg" in names
    assert "judgepanel/resources/desktop/org.judgepanel.JudgePanel.desktop" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python, judgepanel = env_dir / "bin" / "python", env_dir / "bin" / "judgepanel"
    installed = run([str(python), "-m", "pip", "install", "-q", str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]

    version = run([str(judgepanel), "--version", "--verbose"], tmp_path)
    assert version.returncode == 0, version.stderr
    assert f"Python package in {env_dir}" in version.stdout
    assert str(env_dir / "lib") in version.stdout.split("Resources:")[1].splitlines()[0]

    demo = run([str(judgepanel), "demo", str(tmp_path / "demo")], tmp_path)
    assert demo.returncode == 0, demo.stderr
    report = run([str(judgepanel), "staff", "report", "ranking", "--out",
                  str(tmp_path / "ranking.pdf"), "-w", str(tmp_path / "demo" / "program")],
                 tmp_path)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "ranking.pdf").read_bytes().startswith(b"%PDF")
    # The icons the window shows load from the installed package, not from this checkout.
    icons = run([str(python), "-c", "from PySide6.QtGui import QGuiApplication; "
                 "app = QGuiApplication([]); from judgepanel.ui.icons import icon; "
                 "print(icon('bundle').isNull(), icon('judgepanel').isNull())"], tmp_path)
    assert icons.stdout.split() == ["False", "False"], icons.stderr
