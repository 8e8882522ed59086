"""Report speed and memory: the ranking report and the dossiers for N applications.

Builds a synthetic round as plain report data (default 2,000 applications,
40 judges, 3 reviews each, 5 criteria with comments; no database, so only
layout is measured), then times ``ranking``, ``dossier`` and ``feedback``, each
in its own process so that each line shows that report's own peak (a
process's peak RSS never goes down). Prints pages, seconds, pages per second,
the peak RSS with the input data alone and after the report. ``--tracemalloc``
adds a second, slower pass per report with the Python allocation peak.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.scoring.totals import weighted_total
from judgepanel.reports import render
from judgepanel.reports.data import (
    AppInfo,
    CriterionInfo,
    JudgeProfile,
    ReportCategory,
    ReportData,
    ReviewInfo,
)
from tests.reports.sample import with_standings

KINDS = ("ranking", "dossier", "feedback")
CITIES = ("Łódź", "São Paulo", "Zürich", "Kraków", "Málaga", "Reykjavík", "Gent", "Porto")


def synthetic(n_apps: int, n_judges: int, per_app: int, seed: int = 7) -> ReportData:
    rng = random.Random(seed)
    rubric = Rubric("Bench", tuple(Criterion(f"c{i}", f"Criterion {i}", weight=1 + i % 3)
                                   for i in range(5)), tie_break="c0")
    apps = tuple(AppInfo(f"APP-{i:05d}", f"Initiative {i} for {CITIES[i % 8]}",
                         f"Organisation {i}", CITIES[i % 8], (f"Track {i % 4}",),
                         Decimal(rng.randrange(10, 100) * 1000), summary="Summary " * 40)
                 for i in range(n_apps))
    judges = tuple(JudgeProfile(str(j), f"Judge Zoë {j}") for j in range(n_judges))
    reviews = []
    assignments = []
    for app in apps:
        quality = rng.random()
        for judge in rng.sample(range(n_judges), per_app):
            scores = {c.key: float(min(5, max(1, round(1 + 4 * quality + rng.gauss(0, 0.8)))))
                      for c in rubric.criteria}
            reviews.append(ReviewInfo(app.ref, str(judge), weighted_total(rubric, scores),
                                      scores, {c.key: f"Comment on {c.title} for {app.ref}. " * 3
                                               for c in rubric.criteria},
                                      "An overall view of the application. " * 4, 3))
            assignments.append((str(judge), app.ref))
    # The numbers the leaderboard would give (what the reports print), computed once
    # here as tests/reports/sample.py does: rendering is what this benchmark times.
    return with_standings(ReportData(
        program="Bench program", round_name="Round 1", round_number=1,
        criteria=tuple(CriterionInfo(c.key, c.title, c.weight, c.min, c.max, c.step, c.counts)
                       for c in rubric.criteria),
        tie_break="c0", applications=apps, judges=judges, reviews=tuple(reviews),
        assignments=tuple(assignments),
        categories=tuple(ReportCategory(f"t{i}", f"Track {i}", Decimal(2_000_000))
                         for i in range(4)),
        budget=Decimal(10_000_000),
    ))


def peak_rss() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    return rss / 1024 if sys.platform == "darwin" else rss


def measure(kind: str, data: ReportData, out: Path) -> tuple[int, float, float]:
    start = time.perf_counter()
    render(kind, data, out)
    seconds = time.perf_counter() - start
    return len(PdfReader(out).pages), seconds, peak_rss()


def traced_peak(kind: str, data: ReportData, out: Path) -> float:
    tracemalloc.start()
    render(kind, data, out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def one_kind(args: argparse.Namespace) -> dict[str, object]:
    """Build the data and one report in this process; the figures as a dict.

    Peak RSS never goes down within a process, so each kind runs in a fresh
    interpreter (see ``main``): otherwise every report after the heaviest one
    would show that one's peak.
    """
    data = synthetic(args.applications, args.judges, args.reviews)
    data.panel  # noqa: B018 - statistics are part of the input, not of the layout
    result: dict[str, object] = {"kind": args.one, "reviews": len(data.reviews),
                                 "data_rss": peak_rss()}
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as scratch:
        out = Path(scratch) / f"{args.one}.pdf"
        pages, seconds, rss = measure(args.one, data, out)
        result.update(pages=pages, seconds=seconds, rss=rss,
                      size=out.stat().st_size / 2**20)
        if args.tracemalloc:
            result["traced"] = traced_peak(args.one, data, out)
    return result


def _child(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.bench_reports", "--one", kind,
               "--applications", str(args.applications), "--judges", str(args.judges),
               "--reviews", str(args.reviews)]
    if args.tracemalloc:
        command.append("--tracemalloc")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind}: the benchmark failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reports", description=__doc__)
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=40)
    parser.add_argument("--reviews", type=int, default=3, help="reviews per application")
    parser.add_argument("--kind", action="append", choices=KINDS, default=None,
                        help="only this report (may be repeated; default: %(choices)s)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also measure the Python allocation peak (slow second pass)")
    parser.add_argument("--one", choices=KINDS, help=argparse.SUPPRESS)  # the child's job
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_kind(args)))
        return 0
    print(f"{args.applications} applications, {args.reviews} reviews each; each report in "
          "its own process (peak RSS includes the input data, shown first)")
    for kind in args.kind or KINDS:
        r = _child(kind, args)
        pages, seconds = r["pages"], r["seconds"]
        line = (f"{kind:8s} {pages:5d} pages in {seconds:6.1f} s = {pages / seconds:6.1f} "
                f"pages/s; {r['size']:5.1f} MiB file; data {r['data_rss']:4.0f} MiB, "
                f"peak RSS {r['rss']:5.0f} MiB")
        if "traced" in r:
            line += f"; tracemalloc peak {r['traced']:5.0f} MiB"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
