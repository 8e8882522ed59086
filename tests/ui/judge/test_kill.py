"""Killing the app mid-scoring loses nothing it showed as saved."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import JudgeWorkspace
from tests.ui.judge.conftest import Program
from tests.ui.judge.test_judge_flow import open_bundle, page_of

ROOT = Path(__file__).resolve().parents[3]


def test_sigkill_mid_scoring_keeps_every_saved_score(qtbot, tmp_path: Path,
                                                     program: Program,
                                                     judgepanel_home: Path) -> None:
    secret = tmp_path / "judge.secret"
    secret.write_text(program.judge.secret_text())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JUDGEPANEL_HOME=str(judgepanel_home),
               PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.judge.kill_driver", str(program.bundle), str(secret)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    saved: dict[tuple[str, str], float] = {}
    try:
        assert process.stdout is not None
        for line in process.stdout:
            _, app_id, key, value = line.split()
            saved[(app_id, key)] = float(value)
            if len(saved) >= 10:  # mid-way through the second application
                break
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    for line in process.stdout or ():  # whatever it printed before dying counts too
        _, app_id, key, value = line.split()
        saved[(app_id, key)] = float(value)
    assert process.returncode == -signal.SIGKILL, process.stderr.read() if process.stderr else ""
    assert 10 <= len(saved) < 18  # killed mid-scoring

    # Reopen the same workspace from a fresh app: every saved score is there.
    with JudgeWorkspace.open() as workspace, \
            JudgingSession.open(program.bundle, [program.judge], workspace) as session:
        for (app_id, key), value in saved.items():
            assert session.review(app_id).scores[key] == value, (app_id, key)
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    assert page.tabs.currentWidget() is page.reading  # back where the judge was
    assert page.current in {app_id for app_id, _ in saved}
