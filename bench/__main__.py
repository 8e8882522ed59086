"""Run benchmarks: ``python -m bench`` runs every ``bench_*.py``; ``python -m bench age`` one.

Arguments after the names (the first one starting with ``-``) go to each
module's ``main(argv)``; a ``main()`` without parameters gets none.

Several benchmarks each run in a fresh process of their own, one after another: in
one process, what one left behind (the age benchmark's 512 MiB payloads, the judge
benchmark's Qt application) slowed the next by 10-30%, while the references they
compare against (the ``age`` CLI, a bare window, the floor script) run fresh.
"""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path


def available() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    names: list[str] = []
    while args and not args[0].startswith("-"):
        names.append(args.pop(0))
    known = available()
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(known)}")
        return 2
    chosen = names or known
    if len(chosen) > 1:
        for name in chosen:
            done = subprocess.run([sys.executable, "-m", "bench", name, *args], check=False)
            if done.returncode:
                return done.returncode
        return 0
    (name,) = chosen
    module = importlib.import_module(f"bench.bench_{name}")
    print(f"== bench {name} (process {os.getpid()})", flush=True)
    entry = module.main
    result = entry(args) if inspect.signature(entry).parameters else entry()
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
