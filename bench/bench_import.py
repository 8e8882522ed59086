"""Import speed and memory: a 64 MB CSV and a 64 MB XLSX, and hostile files refused.

Each measurement runs in a fresh process, three times (``--runs``), and reports the
range of wall-clock seconds and of peak resident memory (VmHWM) of that process,
beside a reference run the same way on the same file:

- ``read``: JudgePanel's reader (``read_table``: every bound checked, the rows held
  for the column mapping) against a bare pass of the library made for the format
  (``csv.reader`` over the file; openpyxl read-only ``iter_rows``), which checks
  nothing and keeps nothing (the ratios), and the same pass keeping every row as a
  list (``kept``), the least any importer holds;
- ``import``: the whole import (read, check every row, write 50,000 applications to
  a fresh SQLite workspace in one transaction);
- hostile files (the issue's cases): a 200,000-column header, 20 million blank rows
  (40 MB), an unclosed quote, a workbook whose shared strings inflate to 750 MB, and
  a file over 64 MB. Each must be refused, in seconds and in memory near the
  process's floor (an empty Python with JudgePanel imported, measured too).

``--rows`` shrinks the big files for a quick look (the 64 MB figures need the
default 50,000).
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import string
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

MiB = 1024 * 1024
COLUMNS = 40


def _words(rng: random.Random, length: int) -> str:
    letters = string.ascii_letters + string.digits
    out: list[str] = []
    total = 0
    while total < length:
        word = "".join(rng.choices(letters, k=rng.randint(3, 10)))
        out.append(word)
        total += len(word) + 1
    return " ".join(out)[:length]


def _rows(rows: int, cell: int, seed: int = 16) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(seed)
    header = ["Title", "City", "Email", *(f"Question {i}" for i in range(COLUMNS - 3))]
    body = [[f"Initiative {n}", "Springfield", f"a{n}@example.org",
             *(_words(rng, rng.randint(cell // 2, cell * 3 // 2)) for _ in range(COLUMNS - 3))]
            for n in range(rows)]
    return header, body


def make_csv(path: Path, rows: int) -> None:
    header, body = _rows(rows, cell=34)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(body)


def make_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    header, body = _rows(rows, cell=41)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Applications")
    sheet.append(header)
    for row in body:
        sheet.append(row)
    book.save(path)


def make_hostile(folder: Path) -> dict[str, Path]:
    files = {
        "header of 200,000 columns": folder / "wide.csv",
        "20 million blank rows": folder / "blank.csv",
        "an unclosed quote": folder / "quote.csv",
        "shared strings inflating to 750 MB": folder / "bomb.xlsx",
        "a file over 64 MB": folder / "big.csv",
    }
    files["header of 200,000 columns"].write_text(
        ",".join(f"c{i}" for i in range(200_000)) + "\nA\n")
    with files["20 million blank rows"].open("w") as out:
        out.write("Title\nA\n")
        for _ in range(20):
            out.write("\n" * 1_000_000)
    with files["an unclosed quote"].open("w") as out:
        out.write('Title\n"never closed\n')
        out.write(("x" * 1000 + "\n") * 30_000)
    _bomb(files["shared strings inflating to 750 MB"])
    with files["a file over 64 MB"].open("wb") as out:
        out.truncate(64 * MiB + 1)
    return files


def _bomb(path: Path) -> None:
    """A real workbook whose shared strings table inflates to 750 MB (a few MB zipped)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Title"])
    sheet.append(["A"])
    with tempfile.TemporaryDirectory() as scratch:
        plain = Path(scratch) / "plain.xlsx"
        book.save(plain)
        with zipfile.ZipFile(plain) as source, \
                zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info.filename, source.read(info.filename))
            with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
                out.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                          b'2006/main"><si><t>')
                block = b"a" * MiB
                for _ in range(750):
                    out.write(block)
                out.write(b"</t></si></sst>")


# --- one measured pass (in a child process) -----------------------------------------


def child(kind: str, path: Path) -> None:
    started = time.perf_counter()
    outcome = "read"
    if kind == "floor":
        from judgepanel.model.staff.prepare.importing import sources  # noqa: F401
    elif kind == "bare-csv":
        with path.open(encoding="utf-8", newline="") as handle:
            for _row in csv.reader(handle):
                pass
    elif kind == "kept-csv":
        with path.open(encoding="utf-8", newline="") as handle:
            kept = list(csv.reader(handle))
        outcome = f"{len(kept) - 1} rows"
    elif kind == "bare-xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        for _row in book.worksheets[0].iter_rows(values_only=True):
            pass
        book.close()
    elif kind == "kept-xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()
        outcome = f"{len(rows) - 1} rows"
    elif kind == "read":
        from judgepanel.errors import JudgePanelError
        from judgepanel.model.staff.prepare.importing.sources import read_table

        try:
            table = read_table(path)
            outcome = f"{len(table.rows)} rows"
        except JudgePanelError as error:
            outcome = "refused: " + error.message[:70]
    elif kind == "import":
        from judgepanel.model.staff.prepare.importing.mapping import ColumnMapping
        from judgepanel.model.staff.prepare.importing.workflow import import_file
        from judgepanel.model.staff.workspace import StaffWorkspace

        with tempfile.TemporaryDirectory() as scratch:
            workspace = StaffWorkspace.create(Path(scratch) / "ws", "Bench", actor="bench")
            try:
                done = import_file(workspace, path, ColumnMapping(title="Title", city="City",
                                                                  contact_email="Email"))
                outcome = f"{len(done.refs)} applications"
            finally:
                workspace.close()
    seconds = time.perf_counter() - started
    print(f"{seconds:.3f} {_peak_mib():.1f} {outcome}")


def _peak_mib() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries a
    parent's ru_maxrss across fork and exec, so a child would report the bench's own."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, path: Path, runs: int) -> tuple[list[float], list[float], str]:
    seconds: list[float] = []
    peaks: list[float] = []
    outcome = ""
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-m", "bench.bench_import", "--child", kind,
                               str(path)], capture_output=True, text=True, check=True)
        taken, peak, outcome = done.stdout.strip().split(" ", 2)
        seconds.append(float(taken))
        peaks.append(float(peak))
    return seconds, peaks, outcome


def _span(values: list[float], unit: str) -> str:
    return f"{min(values):.2f}-{max(values):.2f} {unit}" if len(values) > 1 else \
        f"{values[0]:.2f} {unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench ARGS=import")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    with tempfile.TemporaryDirectory(prefix="judgepanel-bench-import-") as scratch:
        folder = Path(scratch)
        csv_path, xlsx_path = folder / "applications.csv", folder / "applications.xlsx"
        make_csv(csv_path, args.rows)
        make_xlsx(xlsx_path, args.rows)
        floor_s, floor_m, _ = measure("floor", csv_path, args.runs)
        print(f"floor (Python with the importer loaded): {_span(floor_m, 'MiB')}")
        print(f"{'file':<34} {'what':<8} {'seconds':>14} {'peak MiB':>16} "
              f"{'time x ref':>11} {'mem x ref':>10}  outcome")
        for path, bare in ((csv_path, "bare-csv"), (xlsx_path, "bare-xlsx")):
            size = f"{path.suffix[1:].upper()} {path.stat().st_size / MiB:.1f} MiB"
            ref_s, ref_m, _ = measure(bare, path, args.runs)
            print(f"{size:<34} {bare:<8} {_span(ref_s, 's'):>14} {_span(ref_m, 'MiB'):>16}")
            kept = bare.replace("bare", "kept")
            kept_s, kept_m, _ = measure(kept, path, args.runs)
            print(f"{size:<34} {kept:<8} {_span(kept_s, 's'):>14} {_span(kept_m, 'MiB'):>16}")
            for kind in ("read", "import"):
                sec, mem, outcome = measure(kind, path, args.runs)
                print(f"{size:<34} {kind:<8} {_span(sec, 's'):>14} {_span(mem, 'MiB'):>16} "
                      f"{min(sec) / min(ref_s):>10.1f}x {min(mem) / min(ref_m):>9.1f}x  "
                      f"{outcome}", flush=True)
        for name, path in make_hostile(folder).items():
            sec, mem, outcome = measure("read", path, args.runs)
            print(f"{name:<34} {'refuse':<8} {_span(sec, 's'):>14} {_span(mem, 'MiB'):>16} "
                  f"{'':>11} {min(mem) / min(floor_m):>9.1f}x  {outcome}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
