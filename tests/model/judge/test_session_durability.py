"""The judge's work survives: reopened from a new engine, everything is there; a process
killed while scoring loses nothing the screen showed as saved."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import JudgeWorkspace
from tests.model.judge.test_session import APPS, NOTE, ROOT, People, complete


def test_reopening_from_a_new_engine_finds_everything(
        tmp_path: Path, bundle_path: Path, people: People) -> None:
    path = tmp_path / "judge.sqlite"
    with JudgeWorkspace.open(path) as ws, JudgingSession.open(bundle_path, people.judge,
                                                              ws) as first:
        complete(first, "A-1", impact=2)
        first.set_overall_comment("A-1", "Overall fine")
        first.set_confidence("A-1", 2)
        first.set_private_note("A-1", NOTE)
        first.declare("A-2", True, "Board member")
        complete(first, "A-3")
        first.export(tmp_path / "r1.jpresults", people.judge)
        first.set_score("A-3", "reach", 10)
        first.set_position("A-3", "score")
        expected = {a: first.review(a) for a in APPS}
        head = ws.audit_head()

    with JudgeWorkspace.open(path) as ws, JudgingSession.open(bundle_path, [people.judge],
                                                              ws) as second:
        for app_id in APPS:
            assert second.review(app_id) == expected[app_id]
        assert second.review("A-1").private_note == NOTE
        assert second.review("A-3").scores["reach"] == 10
        assert second.position().application_id == "A-3"
        assert second.position().view == "score"
        assert [e.sequence for e in second.exports()] == [1]
        assert second.changed_since_export
        assert ws.check_audit(head) == []
        assert second.export(tmp_path / "r2.jpresults", people.judge).sequence == 2


CHILD = r"""
import sys
import threading
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from judgepanel.crypto.identity import Identity
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.model.judge.session import JudgingSession

identity = Identity.from_secret_text(sys.stdin.readline())
session = JudgingSession.open(Path(sys.argv[1]), identity, JudgeWorkspace.open(sys.argv[2]))
apps = ["A-1", "A-3"]
for app in apps:
    session.declare(app, False)
print("ready", flush=True)
i = 0
while True:
    app, key = apps[i % 2], ("impact", "reach", "advice")[(i // 2) % 3]
    criterion = session.rubric.criterion(key)
    scores = criterion.valid_scores()
    session.set_score(app, key, scores[i % len(scores)])
    session.set_comment(app, key, f"note {i}")
    print(app, key, i, flush=True)
    i += 1
"""


def test_killing_the_process_loses_nothing_shown_as_saved(
        tmp_path: Path, bundle_path: Path, people: People) -> None:
    path = tmp_path / "judge.sqlite"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(bundle_path), str(path), str(ROOT)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ))
    watchdog = threading.Timer(60, child.kill)
    watchdog.start()
    try:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(people.judge.secret_text() + "\n")
        child.stdin.close()
        lines: list[str] = []
        while len(lines) < 60:
            line = child.stdout.readline()
            if not line:
                errors = child.stderr.read() if child.stderr else ""
                pytest.fail("the scoring process stopped early: " + errors[-2000:])
            lines.append(line)
        child.kill()  # SIGKILL on POSIX: no cleanup, no atexit, mid-transaction
        child.wait(timeout=30)
        lines.extend(child.stdout.read().splitlines(keepends=True))
    finally:
        watchdog.cancel()
        child.kill()
        child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert lines[0].strip() == "ready"
    saved: dict[tuple[str, str], int] = {}
    for line in lines[1:]:
        if line.endswith("\n"):  # a line cut by the kill proves nothing
            app, key, number = line.split()
            saved[(app, key)] = int(number)
    assert len(saved) == 6

    with JudgeWorkspace.open(path) as ws, JudgingSession.open(bundle_path, people.judge,
                                                              ws) as reopened:
        for (app, key), i in saved.items():
            review = reopened.review(app)
            stored = int(review.comments[key].removeprefix("note "))
            # The last printed change is there; at most the one in flight follows it.
            assert stored in (i, i + 6), (app, key, i, stored)
            scores = reopened.rubric.criterion(key).valid_scores()
            assert review.scores[key] in {scores[n % len(scores)] for n in (stored, stored + 6)}
        assert ws.check_audit() == []
