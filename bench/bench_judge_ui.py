"""Judge app speed: cold start vs a bare PySide6 window, switching applications, autosave.

``python -m bench judge_ui [--applications N]``. Targets (issue 4): first window within
1.5x of a bare PySide6 window started the same way; switching applications in a
2,000-application bundle under 50 ms at the 95th percentile; an autosave commit under
10 ms at the 95th percentile. Also reported, without a target: refreshing the overview
(table and score chart) and the whole-bundle hash check that opening now runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = """
import time; t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([]); w = QMainWindow(); w.resize(1280, 800); w.show(); app.processEvents()
print(time.perf_counter() - t0)
"""
OURS = """
import time; t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication
from judgepanel.ui.app import app_settings
from judgepanel.ui.main_window import MainWindow
app = QApplication([]); w = MainWindow(app_settings()); w.show(); app.processEvents()
print(time.perf_counter() - t0)
"""


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def cold_start(runs: int, home: str) -> tuple[float, float]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               JUDGEPANEL_HOME=home, PYTHONPATH=str(ROOT))

    def wall(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
        return time.perf_counter() - start

    bare, ours = [], []
    for _ in range(runs):  # interleaved, so both see the same disk cache and load
        bare.append(wall(BARE))
        ours.append(wall(OURS))
    return statistics.median(bare), statistics.median(ours)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench judge_ui")
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--declared", type=int, default=300,
                        help="applications declared (opened) before switching")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv or [])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as home:
        os.environ["JUDGEPANEL_HOME"] = home
        bare, ours = cold_start(args.runs, home)
        print(f"cold start: bare PySide6 window {bare * 1000:.0f} ms, JudgePanel "
              f"{ours * 1000:.0f} ms, ratio {ours / bare:.2f} (target <= 1.5)")
        return _in_app(Path(home), args)


def _in_app(home: Path, args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    from judgepanel.crypto.identity import Identity
    from judgepanel.model.judge.session import JudgingSession
    from judgepanel.model.judge.workspace import JudgeWorkspace
    from judgepanel.ui.judge.judge_page import JudgePage
    from judgepanel.ui.tasks import TaskRunner
    from tests.ui.judge.conftest import build_bundle

    app = QApplication.instance() or QApplication([])
    judge, staff = Identity.generate("Bench Judge", "judge"), Identity.generate("Staff", "staff")
    start = time.perf_counter()
    bundle = build_bundle(home, judge, staff, count=args.applications, bundle_id="B-bench")
    print(f"built a {args.applications}-application bundle in "
          f"{time.perf_counter() - start:.1f} s")
    workspace = JudgeWorkspace.open(home / "judge.sqlite")
    session = JudgingSession.open(bundle, [judge], workspace)
    ids = [a.id for a in session.applications]
    for app_id in ids[: args.declared]:
        session.declare(app_id, False)
    page = JudgePage(session, judge, TaskRunner())
    page.resize(1280, 800)
    page.show()
    page.tabs.setCurrentWidget(page.reading)
    app.processEvents()

    switches: list[float] = []
    order = [ids[(i * 7) % args.declared] for i in range(200)] + ids[args.declared::10][:100]
    for app_id in order:
        start = time.perf_counter()
        page.show_application(app_id)
        app.processEvents()
        switches.append(time.perf_counter() - start)
    print(f"switching applications ({len(switches)} switches, {args.declared} opened of "
          f"{args.applications}): median {statistics.median(switches) * 1000:.1f} ms, "
          f"p95 {p95(switches) * 1000:.1f} ms (target < 50)")

    commits: list[float] = []
    for i in range(200):
        start = time.perf_counter()
        session.set_score(ids[i % 20], "impact", 1 + i % 5)
        commits.append(time.perf_counter() - start)
    print(f"autosave commit (set_score, synchronous=FULL): median "
          f"{statistics.median(commits) * 1000:.2f} ms, p95 {p95(commits) * 1000:.2f} ms "
          "(target < 10)")

    # The overview on a bundle where the judge has scored a few hundred applications:
    # progress and the score chart come from two queries, not one per application.
    for app_id in ids[: args.declared]:
        for criterion in session.rubric.criteria:
            session.set_score(app_id, criterion.key, criterion.valid_scores()[-1])
    refreshes: list[float] = []
    for _ in range(10):
        start = time.perf_counter()
        page.refresh_overview()
        app.processEvents()
        refreshes.append(time.perf_counter() - start)
    print(f"overview refresh ({args.declared} scored of {args.applications}): median "
          f"{statistics.median(refreshes) * 1000:.1f} ms, max {max(refreshes) * 1000:.1f} ms")

    start = time.perf_counter()
    session.verify()
    print(f"whole-bundle check on opening ({len(session.manifest['members'])} members): "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")
    page.close_session()
    workspace.close()
    page.close()
    page.deleteLater()  # widgets go before the QApplication, not in the exit-time GC
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
