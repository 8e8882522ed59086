"""The results files a program received, accepted or refused, for the results inbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.model.staff.schema.program import Program
from judgepanel.model.staff.schema.results import ReceivedResults
from judgepanel.text import natural_key


@dataclass(frozen=True)
class ReceivedListing:
    file_name: str
    judge: str
    sequence: int | None
    status: str
    reason: str
    message: str
    received_at: dt.datetime


def load_received(session: Session, program: Program) -> list[ReceivedListing]:
    """Newest minute first; within a minute (a batch is merged in one), by judge, export
    number and file name, so the same files always list in the same order."""
    names = {j.id: j.name for j in program.judges}
    rows = [ReceivedListing(r.file_name, names.get(r.judge_id or -1, r.signer or ""),
                            r.sequence, r.status, r.refusal_reason or "",
                            r.refusal_message or "", r.received_at)
            for r in session.scalars(select(ReceivedResults).order_by(ReceivedResults.id))]
    rows.sort(key=lambda r: (natural_key(r.judge), r.sequence or 0, natural_key(r.file_name)))
    rows.sort(key=lambda r: r.received_at.replace(second=0, microsecond=0), reverse=True)
    return rows
