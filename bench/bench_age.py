"""age encryption speed and memory: JudgePanel's pure-Python age against the `age` CLI.

Measures, on the same payload (default 512 MiB, ``--size`` to shrink it):

- encrypt a file to one X25519 recipient: ours vs ``age -e -r``;
- decrypt that file fully: ours vs ``age -d -i``;
- read 1 MiB at the end of a 1 GiB file (``--seek-file-size``) with
  ``AgeReader.read_at`` (open + read), against ``age -d`` which must decrypt all
  of it to reach the end.

Times are wall-clock seconds. "speed" is age_time / our_time (>= 1.0 means we are
as fast as age or faster). Our memory is the tracemalloc peak of a separate pass
(the code streams, so a 64 MiB pass is representative); age's is its peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from judgepanel.crypto.age import AgeReader, decrypt, encrypt
from judgepanel.crypto.age_keys import X25519Identity, format_identity_file

MiB = 1024 * 1024
_MEMORY_PASS = 64 * MiB


def parse_size(text: str) -> int:
    units = {"k": 1024, "m": MiB, "g": 1024 * MiB}
    text = text.strip().lower().removesuffix("ib").removesuffix("b")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def make_payload(path: Path, size: int) -> None:
    block = os.urandom(4 * MiB)  # random, repeated: crypto speed does not depend on content
    with path.open("wb") as out:
        left = size
        while left:
            n = min(left, len(block))
            out.write(block[:n])
            left -= n


def timed(action: Callable[[], object], repeat: int = 1) -> float:
    """Best of ``repeat`` runs, each after flushing dirty pages so write-back of an
    earlier run does not land on this one."""
    best = float("inf")
    for _ in range(repeat):
        if hasattr(os, "sync"):
            os.sync()
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def traced_peak(action: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def children_peak_rss() -> int:
    """Peak RSS in bytes of the largest child process so far (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def run_age(args: list[str]) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def our_encrypt(src: Path, dst: Path, identity: X25519Identity) -> None:
    with src.open("rb") as fin, dst.open("wb") as fout:
        encrypt(fin, fout, [identity.recipient()])


def our_decrypt(src: Path, dst: Path, identity: X25519Identity) -> None:
    with src.open("rb") as fin, dst.open("wb") as fout:
        decrypt(fin, fout, [identity])


def row(name: str, ours: float, theirs: float | None, size: int, mem: str) -> str:
    rate = f"{size / MiB / ours:8.0f}" if ours else "       -"
    if theirs is None:
        return f"{name:<34}{ours:9.3f}{'-':>9}{'-':>9}{'-':>8}{rate:>9}  {mem}"
    ratios = f"{ours / theirs:9.2f}{theirs / ours:8.2f}"
    return f"{name:<34}{ours:9.3f}{theirs:9.3f}{ratios}{rate:>9}  {mem}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench age", description=__doc__)
    parser.add_argument("--size", default="512M", help="payload size (default 512M)")
    parser.add_argument("--seek-file-size", default="1G", help="file for read_at (default 1G)")
    parser.add_argument("--dir", default=None, help="scratch folder (default: system temp)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; best is kept")
    args = parser.parse_args(argv)
    size, seek_size = parse_size(args.size), parse_size(args.seek_file_size)
    age = shutil.which("age")
    if age is None:
        print("the `age` command-line tool is not installed; nothing to compare against")
        return 1

    with tempfile.TemporaryDirectory(prefix="bench-age-", dir=args.dir) as scratch:
        work = Path(scratch)
        identity = X25519Identity.generate()
        key_file = work / "key.txt"
        key_file.write_text(format_identity_file(identity))
        recipient = identity.recipient().to_string()
        plain, ours_ct, age_ct, out = (work / n for n in ("plain", "ours.age", "age.age", "out"))
        make_payload(plain, size)

        rep = max(1, args.repeat)
        t_enc = timed(lambda: our_encrypt(plain, ours_ct, identity), rep)
        t_age_enc = timed(lambda: run_age([age, "-e", "-r", recipient, "-o", str(age_ct),
                                           str(plain)]), rep)
        age_enc_rss = children_peak_rss()
        t_dec = timed(lambda: our_decrypt(ours_ct, out, identity), rep)
        assert out.stat().st_size == size
        t_age_dec = timed(lambda: run_age([age, "-d", "-i", str(key_file), "-o", str(out),
                                           str(ours_ct)]), rep)
        age_rss = children_peak_rss()
        mem_plain, mem_prefix = work / "prefix", work / "prefix.age"
        make_payload(mem_plain, min(size, _MEMORY_PASS))
        mem_enc = traced_peak(lambda: our_encrypt(mem_plain, mem_prefix, identity))
        mem_dec = traced_peak(lambda: our_decrypt(mem_prefix, out, identity))
        for path in (plain, age_ct, out, mem_plain, mem_prefix):
            path.unlink()
        ours_ct.unlink()

        make_payload(plain, seek_size)
        our_encrypt(plain, ours_ct, identity)
        plain.unlink()

        def read_tail() -> bytes:
            handle = ours_ct.open("rb")
            reader = AgeReader(handle, [identity], close_source=True)
            data = reader.read_at(reader.size - MiB, MiB)
            reader.close()
            return data

        read_tail()  # warm the page cache like the age run below will have it
        t_seek = timed(read_tail, rep)
        mem_seek = traced_peak(read_tail)
        t_age_seek = timed(lambda: run_age([age, "-d", "-i", str(key_file), "-o", str(out),
                                            str(ours_ct)]), rep)

    print(f"payload {size / MiB:.0f} MiB; read_at on a {seek_size / MiB:.0f} MiB file; "
          f"best of {rep}; "
          f"Python {sys.version.split()[0]}; age at {age}")
    print(f"{'operation':<34}{'ours s':>9}{'age s':>9}{'ours/age':>9}{'speed':>8}{'MiB/s':>9}"
          "  memory (ours traced peak / age peak RSS)")
    print(row("encrypt (X25519)", t_enc, t_age_enc, size,
              f"{mem_enc / MiB:.1f} MiB / {age_enc_rss / MiB:.1f} MiB"))
    print(row("decrypt (full, streaming)", t_dec, t_age_dec, size,
              f"{mem_dec / MiB:.1f} MiB / {age_rss / MiB:.1f} MiB (max of age runs)"))
    print(row("read 1 MiB at end (open+read_at)", t_seek, t_age_seek, MiB,
              f"{mem_seek / MiB:.2f} MiB / age must decrypt all {seek_size / MiB:.0f} MiB"))
    print("speed = age_time / our_time (target >= 1.0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
