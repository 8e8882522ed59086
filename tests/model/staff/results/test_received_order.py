"""Results received in the same minute always list in the same order (issue 15, item 9)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from judgepanel.model.staff.results.received import load_received
from judgepanel.model.staff.schema.program import Judge
from judgepanel.model.staff.schema.results import ReceivedResults
from judgepanel.model.staff.workspace import StaffWorkspace

T0 = dt.datetime(2026, 5, 4, 10, 30, tzinfo=dt.UTC)


def test_a_minute_lists_by_judge_then_export_whatever_the_seconds(tmp_path: Path) -> None:
    with StaffWorkspace.create(tmp_path / "ws", "Order", actor="staff") as ws:
        with ws.session() as s:
            program = ws.program(s)
            judges = {name: Judge(program_id=program.id, name=name, age_recipient=f"age1{i}",
                                  minisign_public_key=f"RW{i}", fingerprint=f"fp{i}")
                      for i, name in enumerate(("Zoë", "Amara", "José"))}
            s.add_all(judges.values())
            s.flush()
            # Merged in one minute, in an order that has nothing to do with the names
            # (microseconds apart), then one file the minute before.
            received = [("Zoë", 1, 5), ("Amara", 2, 40), ("José", 1, 12), ("Amara", 1, 41),
                        ("Zoë", 1, 59)]
            for name, seq, second in received:
                s.add(ReceivedResults(
                    judge_id=judges[name].id, file_name=f"{name}-{seq}-{second}.jpresults",
                    raw=b"", raw_sha256="0" * 64, sequence=seq, status="accepted",
                    received_at=T0.replace(second=second)))
            s.add(ReceivedResults(judge_id=judges["Zoë"].id, file_name="early.jpresults",
                                  raw=b"", raw_sha256="0" * 64, sequence=1, status="refused",
                                  received_at=T0 - dt.timedelta(minutes=1)))
        with ws.session() as s:
            first = [(r.judge, r.sequence, r.file_name) for r in load_received(
                s, ws.program(s))]
            again = [(r.judge, r.sequence, r.file_name) for r in load_received(
                s, ws.program(s))]
    assert first == again == [
        ("Amara", 1, "Amara-1-41.jpresults"), ("Amara", 2, "Amara-2-40.jpresults"),
        ("José", 1, "José-1-12.jpresults"), ("Zoë", 1, "Zoë-1-5.jpresults"),
        ("Zoë", 1, "Zoë-1-59.jpresults"), ("Zoë", 1, "early.jpresults")]
