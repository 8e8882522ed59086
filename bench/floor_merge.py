"""The floor of the scale benchmark: the least any merge must do, as a script of its own.

For each results file: decrypt it with the staff key, read ``results.json`` and its
signature from the ZIP, parse the JSON, verify the judge's signature; then insert
every score in one bulk insert into a fresh SQLite table (the pragmas of a
workspace) — nothing else. It runs in a process of its own, as a floor *script*
would: in the benchmark's process its timing depended on everything the earlier
steps had left on the heap (one run measured 0.24 s, another 0.33 s).

Input (JSON on stdin, so the throwaway staff key never touches the disk):
``{"staff": "AGE-SECRET-KEY-1…", "judges": {fingerprint: minisign public key},
"files": [paths], "folder": path, "runs": n}``. Output (stdout): the best time of
``runs`` and the number of scores inserted, as JSON. Used by ``bench_scale``.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from judgepanel.crypto.age import decrypt_bytes
from judgepanel.crypto.age_keys import X25519Identity
from judgepanel.crypto.minisign import PublicKey


def floor_merge(files: list[Path], staff: X25519Identity, enrolled: dict[str, PublicKey],
                db_path: Path) -> int:
    """Decrypt, parse, verify, one bulk insert: the least a merge can do."""
    rows: list[tuple[str, str, str, str, float, str]] = []
    for path in files:
        payload = decrypt_bytes(path.read_bytes(), [staff])
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            data = archive.read("results.json")
            signature = archive.read("results.json.minisig").decode("utf-8")
        document = json.loads(data)
        enrolled[document["judge"]["fingerprint"]].verify(data, signature)
        judge = document["judge"]["fingerprint"]
        for review in document["reviews"]:
            for score in review["scores"]:
                rows.append((document["bundle_id"], judge, review["application_id"],
                             score["criterion"], float(score["score"]), score["comment"]))
    connection = sqlite3.connect(db_path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE scores (bundle TEXT, judge TEXT, app TEXT, "
                           "criterion TEXT, value REAL, comment TEXT)")
        with connection:
            connection.executemany("INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?)", rows)
    finally:
        connection.close()
    return len(rows)


def main() -> int:
    job: dict[str, Any] = json.load(sys.stdin)
    staff = X25519Identity.from_string(job["staff"])
    enrolled = {fp: PublicKey.from_string(key) for fp, key in job["judges"].items()}
    files = [Path(p) for p in job["files"]]
    folder = Path(job["folder"])
    best, inserted = float("inf"), 0
    for run in range(int(job.get("runs", 3))):
        start = time.perf_counter()
        inserted = floor_merge(files, staff, enrolled, folder / f"floor-{run}.db")
        best = min(best, time.perf_counter() - start)
    json.dump({"seconds": best, "inserted": inserted}, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
