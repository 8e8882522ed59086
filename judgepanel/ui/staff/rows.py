"""Plain, frozen snapshots of the workspace for the staff screens (no Qt here).

Why: ORM objects belong to the session (and the worker thread) that loaded
them. Each loader runs inside one ``workspace.session()`` on a worker and
returns plain tuples the GUI thread can keep, sort and show. They only read
and reshape what the model layer returns; no rule is decided here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from judgepanel.model.staff import audit
from judgepanel.model.staff.prepare.assignments import list_assignments
from judgepanel.model.staff.prepare.conflicts import conflicted_pairs, list_conflicts
from judgepanel.model.staff.prepare.judges import list_judges
from judgepanel.model.staff.schema import (
    Application,
    Assignment,
    IssuedBundle,
    Judge,
    Program,
    ReceivedResults,
    Round,
)


@dataclass(frozen=True)
class RoundInfo:
    id: int
    number: int
    name: str
    due_at: dt.datetime | None
    budget: Decimal | None

    @property
    def label(self) -> str:
        return f"{self.number}. {self.name}"


@dataclass(frozen=True)
class Overview:
    program: str
    description: str
    currency: str
    staff_key: bool
    rounds: tuple[RoundInfo, ...]
    categories: tuple[tuple[str, str], ...]  # (key, name)
    counts: dict[str, int]


def round_by_id(session: Session, round_id: int | None) -> Round:
    """The round the screens are showing (refused plainly if it has gone)."""
    from judgepanel.errors import ValidationError

    round_ = session.get(Round, round_id) if round_id is not None else None
    if round_ is None:
        raise ValidationError("This round no longer exists. Choose another round.",
                              path="round")
    return round_


def rounds_of(session: Session, program: Program) -> tuple[RoundInfo, ...]:
    return tuple(RoundInfo(r.id, r.number, r.name, r.due_at, r.budget) for r in program.rounds)


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def load_overview(session: Session, program: Program, round_id: int | None) -> Overview:
    rounds = rounds_of(session, program)
    rid = round_id if round_id is not None else (rounds[-1].id if rounds else None)
    counts = {
        "applications": _count(session, select(Application.id).where(
            Application.program_id == program.id)),
        "judges": _count(session, select(Judge.id).where(Judge.program_id == program.id)),
        "open_conflicts": len(list_conflicts(session, program, status="open")),
        "assignments": _count(session, select(Assignment.id).where(Assignment.round_id == rid)),
        "bundles": _count(session, select(IssuedBundle.id).where(
            IssuedBundle.round_id == rid, IssuedBundle.superseded.is_(False))),
        "results": _count(session, select(ReceivedResults.id).join(IssuedBundle).where(
            IssuedBundle.round_id == rid, ReceivedResults.status == "accepted")),
    }
    return Overview(program.name, program.description, program.currency,
                    bool(program.staff_age_recipient), rounds,
                    tuple((c.key, c.name) for c in program.categories), counts)


@dataclass(frozen=True)
class AttachmentRow:
    name: str
    label: str
    size: int
    media_type: str
    sha256: str


@dataclass(frozen=True)
class ApplicationRow:
    id: int
    ref: str
    title: str
    organisation: str
    city: str
    contact: str
    email: str
    requested: Decimal | None
    categories: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]
    attachments: tuple[AttachmentRow, ...]
    source: str


def load_applications(session: Session, program: Program) -> list[ApplicationRow]:
    # Categories and attachments in two more queries, not two per application.
    apps = session.scalars(select(Application).where(Application.program_id == program.id)
                           .options(selectinload(Application.categories),
                                    selectinload(Application.attachments))
                           .order_by(Application.ref))
    return [ApplicationRow(
        a.id, a.ref, a.title, a.organisation, a.city, a.contact_name, a.contact_email,
        a.requested_amount, tuple(c.name for c in a.categories),
        tuple((str(k), "" if v is None else str(v)) for k, v in (a.fields or {}).items()),
        tuple(AttachmentRow(t.name, t.label, t.size, t.media_type, t.sha256)
              for t in a.attachments), a.source) for a in apps]


@dataclass(frozen=True)
class JudgeRow:
    id: int
    name: str
    fingerprint: str
    email: str
    organisation: str
    city: str
    affiliations: tuple[str, ...]
    categories: tuple[str, ...]
    active: bool
    flag: str


def load_judges(session: Session, program: Program) -> list[JudgeRow]:
    return [JudgeRow(j.id, j.name, j.fingerprint, j.email, j.organisation, j.city,
                     tuple(a.value for a in j.affiliations),
                     tuple(c.name for c in j.categories), j.active, j.flag)
            for j in list_judges(session, program)]


@dataclass(frozen=True)
class ConflictRow:
    id: int
    judge: str
    application: str
    title: str
    source: str  # "screening" | "declared" | "staff"
    status: str  # "open" | "confirmed" | "dismissed"
    reasons: tuple[str, ...]
    note: str
    decided_by: str


def load_conflicts(session: Session, program: Program) -> list[ConflictRow]:
    return [ConflictRow(c.id, c.judge.name, c.application.ref, c.application.title, c.source,
                        c.status, tuple(c.reasons or ()), c.note or "", c.decided_by or "")
            for c in list_conflicts(session, program)]


@dataclass(frozen=True)
class Matrix:
    """Who reviews what in one round, for the assignment grid."""

    round_id: int
    judges: tuple[tuple[int, str], ...]  # (id, name)
    applications: tuple[tuple[int, str, str], ...]  # (id, ref, title)
    assigned: frozenset[tuple[int, int]]  # (judge id, application id)
    blocked: frozenset[tuple[int, int]]  # confirmed or open conflicts


def load_matrix(session: Session, program: Program, round_: Round) -> Matrix:
    from judgepanel.model.staff.prepare.rounds import round_applications

    judges = tuple((j.id, j.name) for j in list_judges(session, program, active_only=True))
    apps = tuple((a.id, a.ref, a.title) for a in round_applications(session, round_))
    assigned = frozenset((a.judge_id, a.application_id) for a in list_assignments(session, round_))
    return Matrix(round_.id, judges, apps, assigned,
                  frozenset(conflicted_pairs(session, program)))


@dataclass(frozen=True)
class BundleRow:
    id: int
    bundle_id: str
    judge_id: int
    judge: str
    file_name: str
    size: int | None
    created: dt.datetime
    due_at: dt.datetime | None
    superseded: bool
    passphrase: bool
    applications: int
    results: str  # "" | "accepted" | "refused"
    sent_at: dt.datetime | None = None
    passphrase_hint: str = ""


def load_bundles(session: Session, round_: Round) -> list[BundleRow]:
    """The round's distribution checklist, in three queries whatever the number of bundles."""
    from judgepanel.errors import WorkspaceError
    from judgepanel.model.staff.bundles.issued import PASSPHRASE_RECIPIENT, bundle_contents

    issued = list(session.scalars(
        select(IssuedBundle).where(IssuedBundle.round_id == round_.id)
        .order_by(IssuedBundle.superseded, IssuedBundle.created_at.desc())))
    names = dict(session.execute(select(Judge.id, Judge.name).where(
        Judge.id.in_({b.judge_id for b in issued}))).all()) if issued else {}
    statuses: dict[int, set[str]] = {}
    if issued:
        for bundle_id, status in session.execute(
                select(ReceivedResults.issued_bundle_id, ReceivedResults.status)
                .join(IssuedBundle).where(IssuedBundle.round_id == round_.id)):
            if bundle_id is not None:
                statuses.setdefault(bundle_id, set()).add(status)
    rows = []
    for b in issued:
        seen = statuses.get(b.id, set())
        result = "accepted" if "accepted" in seen else ("refused" if seen else "")
        try:
            held = len(bundle_contents(b))
        except WorkspaceError:  # a bundle whose record was lost still shows in the checklist
            held = 0
        rows.append(BundleRow(
            b.id, b.bundle_id, b.judge_id, names.get(b.judge_id, "?"), b.file_name, b.size,
            b.created_at, b.due_at, b.superseded,
            PASSPHRASE_RECIPIENT in (b.recipients or ()), held, result, b.sent_at,
            b.passphrase_hint or ""))
    return rows


@dataclass(frozen=True)
class ReceivedRow:
    file_name: str
    judge: str
    sequence: int | None
    status: str
    reason: str
    message: str
    received_at: dt.datetime


def load_received(session: Session, program: Program) -> list[ReceivedRow]:
    names = {j.id: j.name for j in program.judges}
    rows = session.scalars(select(ReceivedResults).order_by(ReceivedResults.received_at.desc(),
                                                            ReceivedResults.id.desc()))
    return [ReceivedRow(r.file_name, names.get(r.judge_id or -1, r.signer or ""), r.sequence,
                        r.status, r.refusal_reason or "", r.refusal_message or "", r.received_at)
            for r in rows]


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    details: str


def load_audit(session: Session) -> list[AuditRow]:
    import json

    return [AuditRow(e.seq, e.at, e.actor, e.action,
                     json.dumps(e.details, ensure_ascii=False, sort_keys=True, default=str))
            for e in audit.events(session)]


def check_audit(session: Session) -> list[str]:
    """Every broken link in words; empty when the chain is intact."""
    return [str(b) for b in audit.check(session)]
