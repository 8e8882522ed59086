"""Merging on a shared program: throughput with 1, 2 and 4 officers merging at once.

A program on a PostgreSQL server (48 judges, 240 applications, 3 reviews each by
default) with every judge's results file ready. Each officer is a process of its own
(a computer of its own), merging in batches of a few files, as officers drop what
arrives; the clock runs from the moment all officers start (after opening the program)
to the moment the last one is done. Two ways of sharing the work:

- ``split``: the files are divided between the officers, each merged once;
- ``same``: every officer merges every file (one acceptance each, the rest "already
  merged"): the worst case for contention, merges of the same bundle take turns.

Reported as files accepted per second, each against one officer on the same server in
the same run (the reference), and one officer on an SQLite folder for information.
Every run starts from a fresh copy of the program (``CREATE DATABASE … TEMPLATE``);
three runs of each, the range shown. Needs a server: ``JUDGEPANEL_BENCH_POSTGRES_URL``
(or the tests' ``JUDGEPANEL_TEST_POSTGRES_URL``) with the right to create databases.
Usage: ``python -m bench shared [--judges N] [--apps N] [--batch N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.bench_scale import new_program, results_document
from judgepanel.crypto.identity import Identity
from judgepanel.formats.results.file import write_results
from judgepanel.model.staff.workspace import StaffWorkspace

SERVER_ENV = ("JUDGEPANEL_BENCH_POSTGRES_URL", "JUDGEPANEL_TEST_POSTGRES_URL")
OFFICERS = (1, 2, 4)


@dataclasses.dataclass(frozen=True)
class Job:
    url: str
    staff_secret: str
    files: tuple[str, ...]
    batch: int


def officer(job: Job, ready: Any, results: Any) -> None:
    """One officer's process: open the program, wait for the others, merge in batches."""
    from judgepanel.model.staff.results.merging import merge_results

    staff = Identity.from_secret_text(job.staff_secret)
    workspace = StaffWorkspace.open(job.url, actor=f"officer-{os.getpid()}")
    accepted = refused = 0
    try:
        ready.wait(timeout=300)
        start = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
        for first in range(0, len(job.files), job.batch):
            report = merge_results(workspace, [Path(p) for p in
                                               job.files[first:first + job.batch]], staff)
            accepted += len(report.accepted)
            refused += len(report.refused)
        end = time.perf_counter()
    finally:
        workspace.close()
    results.put((start, end, accepted, refused))


def _build(url: str, folder: Path, n_judges: int, n_apps: int, per_app: int
           ) -> tuple[Identity, list[Path]]:
    from judgepanel.formats.bundle import Bundle
    from judgepanel.model.staff.bundles.building import build_bundles
    from judgepanel.model.staff.prepare.assignments import auto_assign
    from judgepanel.model.staff.prepare.importing.mapping import ColumnMapping
    from judgepanel.model.staff.prepare.importing.workflow import import_file
    from judgepanel.model.staff.schema.program import Round

    made = new_program(url, folder, "Shared Recognition (bench)", "Shared round", n_apps,
                       n_judges)
    workspace, staff, judges, rubric = made.workspace, made.staff, made.judges, made.rubric
    sheet, round_id = made.sheet, made.round_id
    try:
        import_file(workspace, sheet, ColumnMapping(
            ref="Reference", title="Initiative", organisation="Organization", city="City",
            categories="Component"))
        with workspace.session() as session:
            auto_assign(session, session.get_one(Round, round_id), "bench",
                        per_application=per_app)
        built = build_bundles(workspace, round_id, staff, folder / "bundles")
    finally:
        workspace.close()
    with Bundle.open(built[0].path, [staff.age]) as first:
        program_ref, round_ref = dict(first.manifest["program"]), dict(first.manifest["round"])
    by_name = {j.name: j for j in judges}
    rng = random.Random(11)
    (folder / "results").mkdir()
    files = []
    for bundle in built:
        judge = by_name[bundle.judge_name]
        path = folder / "results" / f"{bundle.bundle_id}.jpresults"
        write_results(path, results_document(bundle, judge, rubric, rng, program_ref,
                                             round_ref),
                      judge_key=judge.signing, judge_public=judge.public_key,
                      staff_recipient=staff.recipient)
        files.append(path)
    return staff, files


def _measure(url: str, staff: Identity, shares: list[list[Path]], batch: int
             ) -> tuple[float, int, int]:
    """(seconds from the common start to the last officer done, accepted, refused)."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(len(shares))
    results = context.Queue()
    processes = [context.Process(target=officer, args=(
        Job(url, staff.secret_text(), tuple(str(p) for p in share), batch), ready, results))
        for share in shares]
    for process in processes:
        process.start()
    done = [results.get(timeout=900) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    start, end = min(d[0] for d in done), max(d[1] for d in done)
    return end - start, sum(d[2] for d in done), sum(d[3] for d in done)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench shared", description=__doc__)
    parser.add_argument("--judges", type=int, default=48)
    parser.add_argument("--apps", type=int, default=240)
    parser.add_argument("--per-app", type=int, default=3)
    parser.add_argument("--batch", type=int, default=4, help="files per merge")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    server = next((os.environ[v] for v in SERVER_ENV if os.environ.get(v)), None)
    if server is None:
        print(f"shared: skipped, it needs a PostgreSQL server: set {SERVER_ENV[0]} to the "
              "URL of one with the right to create databases.")
        return 0
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    base = f"jp_bench_{uuid.uuid4().hex[:10]}"
    made: list[str] = []

    def database(name: str, template: str | None = None) -> str:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"
                                    + (f" TEMPLATE {template}" if template else "")))
        made.append(name)
        return make_url(server).set(database=name).render_as_string(hide_password=False)

    folder = Path(tempfile.mkdtemp(prefix="jp-bench-shared-"))
    try:
        template = database(f"{base}_tmpl")
        print(f"shared: {args.judges} judges, {args.apps} applications, {args.per_app} "
              f"reviews each; merges of {args.batch} files")
        staff, files = _build(template, folder, args.judges, args.apps, args.per_app)
        sqlite_source = StaffWorkspace.open(template)
        try:
            from judgepanel.model.staff.transfer import copy_program

            copy_program(sqlite_source, folder / "sqlite-template")
        finally:
            sqlite_source.close()
        rows: list[tuple[str, list[float]]] = []
        for scenario in ("split", "same"):
            for count in OFFICERS:
                if scenario == "same" and count == 1:
                    continue  # the same as split with one officer
                rates = []
                for run in range(args.runs):
                    url = database(f"{base}_{scenario}{count}_{run}", f"{base}_tmpl")
                    shares = ([files[i::count] for i in range(count)] if scenario == "split"
                              else [list(files) for _ in range(count)])
                    seconds, accepted, refused = _measure(url, staff, shares, args.batch)
                    assert accepted == len(files), (accepted, len(files))
                    assert refused == len(files) * (count - 1) * (scenario == "same")
                    rates.append(accepted / seconds)
                rows.append((f"{scenario}: {count} officer{'s' if count > 1 else ''} "
                             "(PostgreSQL)", rates))
        rates = []
        for run in range(args.runs):
            copy = folder / f"sqlite-{run}"
            shutil.copytree(folder / "sqlite-template", copy)
            seconds, accepted, _ = _measure(str(copy), staff, [list(files)], args.batch)
            rates.append(accepted / seconds)
        rows.append(("1 officer (SQLite folder, for information)", rates))
        reference = statistics.median(rows[0][1])
        print(f"  {'':<44} {'files/s (min–max of ' + str(args.runs) + ')':>26}  vs 1 officer")
        for label, values in rows:
            print(f"  {label:<44} {min(values):10.1f} – {max(values):8.1f}      "
                  f"{statistics.median(values) / reference:5.2f}x")
    finally:
        with admin.connect() as connection:
            for name in reversed(made):
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    return 0
