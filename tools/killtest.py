"""``make killtest``: SIGKILL the staff steps at random moments and check the workspace.

    python -m tools.killtest [--runs 100] [--applications 120] [--seed N] [--keep DIR]

The demo program is built once through the real workflows; just before each of four
steps (import, assignment, bundle building, merge) its workspace is copied aside. Each
run then copies one of those snapshots, starts the step in a child process, waits until
the child has opened the workspace, sleeps a random part of the step's own duration
(from the child being ready to the step returning, measured on an uninterrupted run)
and kills the child with SIGKILL. The workspace must
then be whole:

- SQLite's ``PRAGMA integrity_check`` says ``ok`` and ``foreign_key_check`` finds nothing;
- the audit log's hash chain verifies (``audit.check``);
- the step happened all or nothing: the row count of every table equals either the
  snapshot's (nothing happened) or that of the uninterrupted run (all of it did);
- every bundle the workspace records exists on disk at its recorded size, and every
  stored attachment the workspace names is present;
- when nothing happened, the step run again completes and leaves the uninterrupted
  run's counts.

The figures (runs per step, how many were killed before or after the commit, failures)
are printed at the end; any failure exits 1 and keeps the damaged copy for a look.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

STEPS = ("import", "assign", "bundles", "merge")
_MARKS = {"import": "] Importing", "assign": "] Assigning", "bundles": "] Building one",
          "merge": "] Merging the"}
DATABASE = "program.sqlite"
ACTOR = "killtest"
READY = "ready"
DONE = "done"


# --- the child: one step, as the app and the CLI run it --------------------------------


def run_step(step: str, workspace_dir: Path, demo: Path, out: Path) -> None:
    """Run ``step`` on the workspace (in this process); prints READY once it is open."""
    from sqlalchemy import select

    from judgepanel.formats.identity_file import read_identity_file
    from judgepanel.model.staff.bundles.building import build_bundles
    from judgepanel.model.staff.prepare.assignments import auto_assign
    from judgepanel.model.staff.prepare.importing.mapping import ColumnMapping
    from judgepanel.model.staff.prepare.importing.sources import read_table
    from judgepanel.model.staff.prepare.importing.workflow import import_file
    from judgepanel.model.staff.results.merging import merge_results
    from judgepanel.model.staff.schema.program import Round
    from judgepanel.model.staff.workspace import StaffWorkspace

    staff = read_identity_file(demo / "keys" / "staff.identity")
    workspace = StaffWorkspace.open(workspace_dir, actor=ACTOR)
    with workspace.session() as session:
        round_id = session.scalars(select(Round.id).order_by(Round.number)).first()
    assert round_id is not None
    sheet = demo / "source" / "recognition" / "recognition-applications.csv"
    print(READY, flush=True)
    try:
        if step == "import":
            mapping = ColumnMapping.guess(read_table(sheet).headers)
            import_file(workspace, sheet, mapping,
                        attachments_dir=sheet.parent / "attachments")
        elif step == "assign":
            with workspace.session() as session:
                round_ = session.get_one(Round, round_id)
                auto_assign(session, round_, ACTOR, per_application=3, seed=2026)
        elif step == "bundles":
            build_bundles(workspace, round_id, staff, out)
        else:
            results = sorted((demo / "results").glob("*.jpresults"))
            merge_results(workspace, results, staff)
        print(DONE, flush=True)
    finally:
        workspace.close()


# --- the parent: snapshots, kills and checks --------------------------------------------


def _copy_workspace(source: Path, target: Path) -> None:
    """A consistent copy of a workspace folder (SQLite's backup API for the database)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(f"{DATABASE}*"))
    with sqlite3.connect(source / DATABASE) as src, sqlite3.connect(target / DATABASE) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def build(folder: Path, applications: int, seed: int) -> dict[str, Path]:
    """The demo, with a snapshot of its workspace taken just before each step."""
    from judgepanel.model.demo.build import build_demo

    demo = folder / "demo"
    snapshots: dict[str, Path] = {}

    def step(label: str) -> None:
        for name, mark in _MARKS.items():
            if mark in label and name not in snapshots and "[recognition]" in label:
                snapshots[name] = folder / f"before-{name}"
                _copy_workspace(demo / "program", snapshots[name])

    build_demo(demo, applications=applications, grants=0, seed=seed, step=step)
    assert sorted(snapshots) == sorted(STEPS), snapshots
    return snapshots


def counts(workspace: Path) -> dict[str, int]:
    with sqlite3.connect(workspace / DATABASE) as db:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name != 'alembic_version' ORDER BY name")]
        result = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    db.close()
    return result


def problems(workspace: Path, step: str, before: dict[str, int],
             after: dict[str, int]) -> list[str]:
    """What is wrong with the workspace after a kill (nothing, when it is whole)."""
    from judgepanel.model.staff import audit
    from judgepanel.model.staff.schema.program import Attachment
    from judgepanel.model.staff.schema.results import IssuedBundle
    from judgepanel.model.staff.workspace import StaffWorkspace

    found: list[str] = []
    with sqlite3.connect(workspace / DATABASE) as db:
        integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            found.append(f"integrity_check: {integrity[:3]}")
        foreign = db.execute("PRAGMA foreign_key_check").fetchall()
        if foreign:
            found.append(f"foreign_key_check: {foreign[:3]}")
    db.close()
    now = counts(workspace)
    if now not in (before, after):
        changed = {t: (before.get(t), now.get(t), after.get(t)) for t in now
                   if before.get(t) != now.get(t) or after.get(t) != now.get(t)}
        found.append(f"half done: table (before, now, complete) {changed}")
    ws = StaffWorkspace.open(workspace, actor=ACTOR)
    try:
        with ws.session() as session:
            broken = audit.check(session)
            if broken:
                found.append(f"audit chain: {[str(b) for b in broken[:3]]}")
            for bundle in session.query(IssuedBundle) if step == "bundles" else ():
                path = Path(bundle.file_name)  # absolute: where this run wrote it
                if not path.is_file() or (bundle.size is not None
                                          and path.stat().st_size != bundle.size):
                    found.append(f"bundle {bundle.file_name} recorded but not on disk whole")
            for attachment in session.query(Attachment):
                if not ws.attachments.has(attachment.sha256):
                    found.append(f"attachment {attachment.name} recorded but not stored")
    finally:
        ws.close()
    return found


@dataclass
class Figures:
    runs: Counter[str] = field(default_factory=Counter)
    nothing: Counter[str] = field(default_factory=Counter)  # killed before the commit
    everything: Counter[str] = field(default_factory=Counter)  # killed after it
    finished: Counter[str] = field(default_factory=Counter)  # the child ended first
    failures: list[str] = field(default_factory=list)


def _child(step: str, workspace: Path, demo: Path, out: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    root = Path(__file__).resolve().parents[1]
    return subprocess.Popen(
        [sys.executable, "-m", "tools.killtest", "--step", step, str(workspace), str(demo),
         str(out)], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)


def _wait_ready(child: subprocess.Popen[str]) -> None:
    assert child.stdout is not None
    line = child.stdout.readline()
    if line.strip() != READY:
        child.wait()
        raise RuntimeError(f"the step did not start: {line!r} {child.stderr.read()!r}"
                           if child.stderr else line)


def measure(snapshot: Path, step: str, demo: Path, scratch: Path) -> tuple[float, dict[str, int]]:
    """Seconds the step takes after the child is ready, and the counts it leaves."""
    workspace, out = scratch / f"measure-{step}", scratch / f"measure-{step}-out"
    _copy_workspace(snapshot, workspace)
    child = _child(step, workspace, demo, out)
    _wait_ready(child)
    started = time.monotonic()
    assert child.stdout is not None
    line = child.stdout.readline()
    taken = time.monotonic() - started
    _out, errors = child.communicate()
    if child.returncode != 0 or line.strip() != DONE:
        raise RuntimeError(f"the step {step} failed on its own: {errors[-2000:]}")
    return taken, counts(workspace)


def kill_loop(runs: int, applications: int, seed: int, keep: Path | None = None,
              say: object = print) -> Figures:
    rng = random.Random(seed)
    scratch = Path(tempfile.mkdtemp(prefix="judgepanel-killtest-", dir=keep))
    figures = Figures()
    try:
        snapshots = build(scratch, applications, seed)
        demo = scratch / "demo"
        plan = {step: measure(snapshots[step], step, demo, scratch) for step in STEPS}
        for step, (seconds, _after) in plan.items():
            say(f"{step}: {seconds:.2f} s uninterrupted")  # type: ignore[operator]
        for run in range(runs):
            step = STEPS[run % len(STEPS)]
            seconds, after = plan[step]
            before = counts(snapshots[step])
            workspace, out = scratch / f"run-{run}", scratch / f"run-{run}-out"
            _copy_workspace(snapshots[step], workspace)
            child = _child(step, workspace, demo, out)
            _wait_ready(child)
            time.sleep(rng.uniform(0, seconds * 1.1))
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
            else:
                figures.finished[step] += 1
            child.wait()
            figures.runs[step] += 1
            now = counts(workspace)
            figures.nothing[step] += now == before
            figures.everything[step] += now == after
            found = problems(workspace, step, before, after)
            if not found and now == before:  # nothing happened: it must still be possible
                again = _child(step, workspace, demo, out)
                _wait_ready(again)
                _o, errors = again.communicate()
                if counts(workspace) != after:
                    found.append(f"run again: the step did not complete ({errors[-500:]})")
            if found:
                figures.failures.append(f"run {run} ({step}): {'; '.join(found)}")
                say(f"run {run} ({step}) FAILED, kept in {workspace}: {found}")  # type: ignore[operator]
            else:
                shutil.rmtree(workspace)
                shutil.rmtree(out, ignore_errors=True)
    finally:
        if not figures.failures and keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    return figures


def report(figures: Figures) -> str:
    lines = [f"{'step':<8} {'runs':>5} {'nothing':>8} {'all':>5} {'ended first':>12}"]
    for step in STEPS:
        lines.append(f"{step:<8} {figures.runs[step]:>5} {figures.nothing[step]:>8} "
                     f"{figures.everything[step]:>5} {figures.finished[step]:>12}")
    total = sum(figures.runs.values())
    lines.append(f"{total} kills, {len(figures.failures)} failure(s): every workspace "
                 + ("whole" if not figures.failures else "NOT whole"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make killtest", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--applications", type=int, default=120)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        run_step(args.step, *args.paths)
        return 0
    print(f"Kill loop: {args.runs} runs, seed {args.seed}, demo of {args.applications} "
          "applications.", flush=True)
    figures = kill_loop(args.runs, args.applications, args.seed, args.keep,
                        say=lambda text: print(text, flush=True))
    print(report(figures))
    return 1 if figures.failures else 0


if __name__ == "__main__":
    sys.exit(main())
