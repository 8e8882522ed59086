"""Report speed and memory: the ranking report and the dossiers for N applications.

Builds a synthetic round as plain report data (default 2,000 applications,
40 judges, 3 reviews each, 5 criteria with comments; no database, so only
layout is measured), then times ``ranking`` and ``dossier``. Prints pages,
seconds, pages per second and the process's peak RSS after each pass (the
input data alone is printed first, for comparison). ``--tracemalloc`` adds a
second, slower pass per report with the Python allocation peak.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader

from judgepanel.model.rubric import Criterion, Rubric
from judgepanel.model.scoring import weighted_total
from judgepanel.reports import render
from judgepanel.reports.data import (
    AppInfo,
    CategoryInfo,
    CriterionInfo,
    JudgeInfo,
    ReportData,
    ReviewInfo,
)

CITIES = ("Łódź", "São Paulo", "Zürich", "Kraków", "Málaga", "Reykjavík", "Gent", "Porto")


def synthetic(n_apps: int, n_judges: int, per_app: int, seed: int = 7) -> ReportData:
    rng = random.Random(seed)
    rubric = Rubric("Bench", tuple(Criterion(f"c{i}", f"Criterion {i}", weight=1 + i % 3)
                                   for i in range(5)), tie_break="c0")
    apps = tuple(AppInfo(f"APP-{i:05d}", f"Initiative {i} for {CITIES[i % 8]}",
                         f"Organisation {i}", CITIES[i % 8], (f"Track {i % 4}",),
                         Decimal(rng.randrange(10, 100) * 1000), summary="Summary " * 40)
                 for i in range(n_apps))
    judges = tuple(JudgeInfo(str(j), f"Judge Zoë {j}") for j in range(n_judges))
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
    return ReportData(
        program="Bench program", round_name="Round 1", round_number=1,
        criteria=tuple(CriterionInfo(c.key, c.title, c.weight, c.min, c.max, c.step, c.counts)
                       for c in rubric.criteria),
        tie_break="c0", applications=apps, judges=judges, reviews=tuple(reviews),
        assignments=tuple(assignments),
        categories=tuple(CategoryInfo(f"t{i}", f"Track {i}", Decimal(2_000_000))
                         for i in range(4)),
        budget=Decimal(10_000_000),
    )


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reports", description=__doc__)
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=40)
    parser.add_argument("--reviews", type=int, default=3, help="reviews per application")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also measure the Python allocation peak (slow second pass)")
    args = parser.parse_args(argv)
    data = synthetic(args.applications, args.judges, args.reviews)
    data.panel  # noqa: B018 - statistics are part of the input, not of the layout
    print(f"{args.applications} applications, {len(data.reviews)} reviews; "
          f"peak RSS with the data {peak_rss():.0f} MiB")
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as scratch:
        for kind in ("ranking", "dossier"):
            out = Path(scratch) / f"{kind}.pdf"
            pages, seconds, rss = measure(kind, data, out)
            size = out.stat().st_size / 2**20
            line = (f"{kind:8s} {pages:5d} pages in {seconds:6.1f} s = {pages / seconds:6.1f} "
                    f"pages/s; {size:5.1f} MiB file; peak RSS {rss:5.0f} MiB")
            if args.tracemalloc:
                line += f"; tracemalloc peak {traced_peak(kind, data, out):5.0f} MiB"
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
