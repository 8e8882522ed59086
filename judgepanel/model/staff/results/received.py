"""The results files a program received, accepted or refused, for the results inbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.model.staff.schema import Program, ReceivedResults


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
    names = {j.id: j.name for j in program.judges}
    rows = session.scalars(select(ReceivedResults).order_by(ReceivedResults.received_at.desc(),
                                                            ReceivedResults.id.desc()))
    return [ReceivedListing(r.file_name, names.get(r.judge_id or -1, r.signer or ""), r.sequence,
                        r.status, r.refusal_reason or "", r.refusal_message or "", r.received_at)
            for r in rows]
