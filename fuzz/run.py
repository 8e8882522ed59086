"""``make fuzz``: run every target (or those named) under atheris for a set time each.

    python -m fuzz.run [--seconds 60] [TARGET ...]

Each target runs in its own process (``fuzz.harness``), starting from its seed corpus
(``fuzz/corpus/<target>``) and a working corpus that keeps what it learns between runs
(``fuzz/work/<target>``, not committed). The report gives, per target, the inputs
tried, the corpus size and any finding (an input that raised something other than a
typed refusal, ran out of memory or time), saved under ``fuzz/findings/``. The exit
status is 1 when there is a finding: CI runs a short pass of every target
(``.ci/run``). A finding becomes a regression test by copying its file into the
target's seed corpus once fixed, which the suite replays.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from fuzz.targets import MAX_LEN, TARGETS

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
WORK = HERE / "work"
FINDINGS = HERE / "findings"
_DONE = re.compile(rb"Done (\d+) runs in")
_STATUS = re.compile(rb"^#(\d+)\s", re.MULTILINE)


def run_target(name: str, seconds: int) -> tuple[int, int, list[Path], float]:
    """(inputs tried, corpus size, findings, seconds taken) for one target."""
    work = WORK / name
    work.mkdir(parents=True, exist_ok=True)
    FINDINGS.mkdir(exist_ok=True)
    before = set(FINDINGS.glob(f"{name}-*"))
    command = [
        sys.executable, "-m", "fuzz.harness", name,
        f"-max_total_time={seconds}", f"-max_len={MAX_LEN.get(name, 4096)}",
        "-timeout=20", "-rss_limit_mb=3072", "-print_final_stats=1",
        f"-artifact_prefix={FINDINGS}/{name}-", str(work), str(CORPUS / name),
    ]
    scratch = WORK / "tmp"  # libFuzzer ends the process without atexit: keep litter here
    scratch.mkdir(exist_ok=True)
    env = dict(os.environ, PYTHONHASHSEED="0", QT_QPA_PLATFORM="offscreen",
               TMPDIR=str(scratch))
    started = time.monotonic()
    done = subprocess.run(command, cwd=HERE.parent, env=env, capture_output=True,
                          timeout=seconds * 3 + 120, check=False)
    taken = time.monotonic() - started
    log = done.stdout + done.stderr
    (WORK / f"{name}.log").write_bytes(log)
    found = _DONE.search(log)
    tried = int(found.group(1)) if found else max(
        (int(n) for n in _STATUS.findall(log)), default=0)
    findings = sorted(set(FINDINGS.glob(f"{name}-*")) - before)
    if done.returncode != 0 and not findings:
        # A crash before libFuzzer saved an input (in set-up, say): keep the log as the finding.
        crash = FINDINGS / f"{name}-setup.log"
        crash.write_bytes(log)
        findings = [crash]
    return tried, len(list(work.iterdir())), findings, taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="time per target (60)")
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help=f"any of: {', '.join(TARGETS)} (default: all)")
    args = parser.parse_args(argv)
    names = args.targets or list(TARGETS)
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s): {', '.join(unknown)}")
    print(f"Fuzzing {len(names)} target(s), {args.seconds} s each (atheris, libFuzzer).")
    print(f"{'target':<14} {'inputs tried':>13} {'per second':>11} {'corpus':>7}  findings")
    total_findings = 0
    total_inputs = 0
    for name in names:
        tried, corpus, findings, taken = run_target(name, args.seconds)
        total_inputs += tried
        total_findings += len(findings)
        listed = ", ".join(str(f.relative_to(HERE.parent)) for f in findings) or "none"
        print(f"{name:<14} {tried:>13,} {tried / max(taken, 1e-9):>11,.0f} {corpus:>7}  "
              f"{listed}", flush=True)
    print(f"{'all':<14} {total_inputs:>13,} {'':>11} {'':>7}  {total_findings} finding(s)")
    return 1 if total_findings else 0


if __name__ == "__main__":
    sys.exit(main())
