"""``judgepanel demo DIR``: build the demo programs and say where everything is.

``--fresh`` replaces an earlier demo, and only a folder that looks like one
(our README marker and nothing but the demo's own entries): it must never be
able to delete someone's work because of a mistyped path.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from judgepanel.errors import ValidationError
from judgepanel.model.demo.build import DemoResult, build_demo, looks_like_demo


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser(
        "demo", help="build a complete demo program (applications, judges, results) in DIR",
        description="Build a realistic recognition program (and a smaller grants round) in "
        "DIR through the real workflows, with demo keys that age and minisign can use.")
    demo.add_argument("folder", type=Path, metavar="DIR")
    demo.add_argument("--fresh", action="store_true",
                      help="replace an earlier demo in DIR (refused for any other folder)")
    demo.add_argument("--seed", type=int, default=2026, help="content seed (default 2026)")
    demo.add_argument("--applications", type=int, default=40, metavar="N",
                      help="applications in the recognition program (default 40)")
    demo.add_argument("--grants", type=int, default=12, metavar="N",
                      help="applications in the grants round (default 12; 0 for none)")
    demo.add_argument("--quiet", action="store_true", help="print only the summary")
    demo.set_defaults(func=run_demo)


def clear_earlier_demo(folder: Path) -> None:
    if not folder.exists() or not any(folder.iterdir()):
        return
    if not looks_like_demo(folder):
        raise ValidationError(
            f"{folder} is not empty and does not look like an earlier demo, so --fresh will "
            "not delete it. Choose another folder.", path=str(folder))
    shutil.rmtree(folder)


def run_demo(args: argparse.Namespace) -> int:
    folder: Path = args.folder
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"{folder} is a file, not a folder.", path=str(folder))
    if folder.exists() and any(folder.iterdir()):
        if not args.fresh:
            raise ValidationError(
                f"{folder} is not empty. Choose an empty folder, or add --fresh to replace "
                "an earlier demo there.", path=str(folder))
        clear_earlier_demo(folder)
    started = time.monotonic()

    def step(label: str) -> None:
        if not args.quiet:
            print(f"  {label}…", flush=True)

    print(f"Building the JudgePanel demo in {folder}")
    result = build_demo(folder, seed=args.seed, applications=args.applications,
                        grants=args.grants, step=step)
    print_summary(result, time.monotonic() - started)
    return 0


def print_summary(result: DemoResult, seconds: float) -> None:
    folder = result.folder.resolve()
    r = result.recognition
    out = sys.stdout
    print(f"\nDone in {seconds:.1f} s. Everything is in {folder}", file=out)
    print(f"\n{r.name}", file=out)
    print(f"  {r.applications} applications, {r.judges} judges, {r.assignments} reviews "
          f"assigned; {r.conflicts_confirmed} conflicts found by screening, "
          f"{r.conflicts_declared} declared by judges; {r.accepted} results files merged",
          file=out)
    print("  Top of the ranking (raw mean, 0-100):", file=out)
    for rank, ref, title, mean in r.top:
        score = "-" if mean is None else f"{mean:5.1f}"
        print(f"    {rank or '-':>2}. {score}  {ref}  {title}", file=out)
    print("\nWhere things are:", file=out)
    print(f"  staff workspace   {folder / 'program'}", file=out)
    print(f"  demo keys         {folder / 'keys'}  (DEMO KEYS: not secret)", file=out)
    print(f"  bundles           {folder / 'bundles'}/<judge>.jpbundle", file=out)
    print(f"  results           {folder / 'results'}/<judge>.jpresults", file=out)
    if result.grants is not None:
        g = result.grants
        print(f"  grants round      {folder / 'grants'}  ({g.applications} applications, "
              f"{g.judges} judges)", file=out)
    print("\nTry:", file=out)
    print(f"  judgepanel staff rank -w {folder / 'program'}", file=out)
    print(f"  judgepanel open {folder / 'program'}", file=out)
    print(f"  age -d -i {folder / 'keys/amara-okafor.key'} "
          f"{folder / 'bundles/amara-okafor.jpbundle'} > bundle.zip", file=out)
    print(f"  (more in {folder / 'README.txt'} and docs/demo.md)", file=out)
