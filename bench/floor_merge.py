"""The floor of the scale benchmark: the least any merge must do, as a script of its own.

For each results file: decrypt it with the staff key, read ``results.json`` and its
signature from the ZIP, parse the JSON, verify the judge's signature; then insert
every score in one bulk insert into a fresh SQLite table (the pragmas of a
workspace) — nothing else. It runs in a process of its own, as a floor *script*
would: in the benchmark's process its timing depended on everything the earlier
steps had left on the heap (one run measured 0.24 s, another 0.33 s).

A second measurement, for information (``"schema": [workspace database copies]``):
the same work, but the rows go where the product keeps them, in one bulk insert
per table into a copy of the real workspace (its keys, indexes and foreign keys):
the file itself into ``received_results``, then declarations, reviews and scores.
No checks, no audit entries, no ranking: what landing the same rows costs at least.

Input (JSON on stdin, so the throwaway staff key never touches the disk):
``{"staff": "AGE-SECRET-KEY-1…", "judges": {fingerprint: minisign public key},
"files": [paths], "folder": path, "runs": n, "schema": [paths]}``. Output
(stdout): the best time of ``runs``, the number of scores inserted and, with
``schema``, the best time into the workspace copies, as JSON. Used by ``bench_scale``.
"""

from __future__ import annotations

import hashlib
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


def _opened(files: list[Path], staff: X25519Identity, enrolled: dict[str, PublicKey]
            ) -> list[tuple[Path, bytes, bytes, dict[str, Any]]]:
    """Each file decrypted, unzipped, parsed and its signature verified: (path, raw, JSON
    bytes, document)."""
    out = []
    for path in files:
        raw = path.read_bytes()
        payload = decrypt_bytes(raw, [staff])
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            data = archive.read("results.json")
            signature = archive.read("results.json.minisig").decode("utf-8")
        document = json.loads(data)
        enrolled[document["judge"]["fingerprint"]].verify(data, signature)
        out.append((path, raw, data, document))
    return out


def floor_merge(files: list[Path], staff: X25519Identity, enrolled: dict[str, PublicKey],
                db_path: Path) -> int:
    """Decrypt, parse, verify, one bulk insert: the least a merge can do."""
    rows: list[tuple[str, str, str, str, float, str, str]] = []
    for _path, _raw, _data, document in _opened(files, staff, enrolled):
        judge = document["judge"]["fingerprint"]
        for review in document["reviews"]:
            for score in review["scores"]:
                rows.append((document["bundle_id"], judge, review["application_id"],
                             score["criterion"], float(score["score"]), score["comment"],
                             score["feedback"]))
    connection = sqlite3.connect(db_path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE scores (bundle TEXT, judge TEXT, app TEXT, "
                           "criterion TEXT, value REAL, comment TEXT, feedback TEXT)")
        with connection:
            connection.executemany("INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    finally:
        connection.close()
    return len(rows)


def floor_into_schema(files: list[Path], staff: X25519Identity,
                      enrolled: dict[str, PublicKey], database: Path) -> int:
    """The same work, the rows landing in a workspace's own tables (see the docstring)."""
    opened = _opened(files, staff, enrolled)
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL",
                       "cache_size=-65536"):
            connection.execute(f"PRAGMA {pragma}")
        issued = {bundle_id: (issued_id, judge_id, dict(json.loads(held)))
                  for issued_id, bundle_id, judge_id, held in connection.execute(
                      "SELECT id, bundle_id, judge_id, applications FROM issued_bundles")}
        now = time.strftime("%Y-%m-%d %H:%M:%S.000000")
        connection.execute("BEGIN")
        declarations, reviews, scores = [], [], []
        for path, raw, _data, document in opened:
            issued_id, judge_id, ids = issued[document["bundle_id"]]
            cursor = connection.execute(
                "INSERT INTO received_results (issued_bundle_id, judge_id, file_name, raw, "
                "raw_sha256, signer, sequence, status, received_at) VALUES (?, ?, ?, ?, ?, ?, "
                "?, 'accepted', ?)", (issued_id, judge_id, path.name, raw,
                                      hashlib.sha256(raw).hexdigest(), "", document["sequence"],
                                      now))
            rid = cursor.lastrowid
            for entry in document["declarations"]:
                declarations.append((judge_id, ids[entry["application_id"]], rid,
                                     entry["conflict"], entry["reason"],
                                     entry["declared_at"].replace("T", " ").rstrip("Z")))
            for review in document["reviews"]:
                app = ids[review["application_id"]]
                reviews.append((rid, app, review["overall_comment"], review["overall_feedback"],
                                review["confidence"]))
                scores += [(rid, app, score["criterion"], float(score["score"]),
                            score["comment"], score["feedback"]) for score in review["scores"]]
        connection.executemany(
            "INSERT INTO declarations (judge_id, application_id, results_id, conflict, reason, "
            "declared_at) VALUES (?, ?, ?, ?, ?, ?)", declarations)
        connection.executemany(
            "INSERT INTO reviews (results_id, application_id, overall_comment, "
            "overall_feedback, confidence) VALUES (?, ?, ?, ?, ?)", reviews)
        connection.executemany(
            "INSERT INTO scores (results_id, application_id, criterion_key, value, comment, "
            "feedback) VALUES (?, ?, ?, ?, ?, ?)", scores)
        connection.execute("COMMIT")
    finally:
        connection.close()
    return len(scores)


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
    answer: dict[str, Any] = {"seconds": best, "inserted": inserted}
    copies = [Path(p) for p in job.get("schema", [])]
    if copies:
        times = []
        for copy in copies:
            start = time.perf_counter()
            floor_into_schema(files, staff, enrolled, copy)
            times.append(time.perf_counter() - start)
        answer["schema_seconds"] = min(times)
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
