"""Conflict-of-interest screening, and staff's decisions on what it finds.

Screening flags every judge/application pair that shares a city, an
organisation, an e-mail domain (webmail such as gmail.com does not count), or
where one of the judge's declared affiliations names the applicant's
organisation or city. It only *suggests*: each finding stays "open" until staff
confirm or dismiss it, and every decision is recorded in the audit log.

Re-running screening is safe: undecided findings are refreshed (or removed
when the data no longer matches), decisions are kept, and a dismissed pair is
reopened only when a new reason appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from judgepanel.clock import utcnow
from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.locks import hold_assignments
from judgepanel.model.staff.schema.program import Application, Conflict, Judge, Program
from judgepanel.model.storage.versions import claim
from judgepanel.text import fold_accents, text_problem

OPEN, CONFIRMED, DISMISSED = "open", "confirmed", "dismissed"
DETECTED, DECLARED, STAFF = "detected", "declared", "staff"

# Shared consumer mail services: two people using gmail.com are not colleagues.
WEBMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "ymail.com",
    "hotmail.com", "hotmail.co.uk", "hotmail.fr", "outlook.com", "live.com", "msn.com",
    "aol.com", "icloud.com", "me.com", "mac.com", "protonmail.com", "proton.me", "pm.me",
    "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com", "yandex.com", "yandex.ru",
    "zoho.com", "fastmail.com", "hey.com", "tutanota.com", "comcast.net", "verizon.net",
    "att.net", "sbcglobal.net", "qq.com", "163.com", "orange.fr", "free.fr", "laposte.net",
})


def normalise(text: str) -> str:
    """Lowercase, accents and punctuation removed, spaces collapsed: "Montréal " == "montreal"."""
    plain = fold_accents(text).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).replace("_", " ").split())


def email_domain(email: str) -> str | None:
    """The e-mail's domain, or None when absent or a webmail service."""
    _, at, domain = email.strip().rpartition("@")
    domain = domain.strip().strip(".").lower()
    if not at or "." not in domain or domain in WEBMAIL_DOMAINS:
        return None
    return domain


def _same_domain(a: str, b: str) -> bool:
    """Equal, or one a subdomain of the other (police.springfield.gov / springfield.gov)."""
    return a == b or a.endswith("." + b) or b.endswith("." + a)


@dataclass(frozen=True)
class _JudgeFacts:
    city: str
    organisation: str
    domain: str | None
    affiliations: tuple[tuple[str, str], ...]  # (normalised, as written)


def _judge_facts(judge: Judge) -> _JudgeFacts:
    return _JudgeFacts(
        normalise(judge.city),
        normalise(judge.organisation),
        email_domain(judge.email),
        tuple((normalise(a.value), a.value) for a in judge.affiliations if normalise(a.value)),
    )


def reasons_for(judge: Judge, application: Application) -> list[str]:
    """Why this pair might be conflicted, in words staff can check; empty when nothing."""
    return _reasons(_judge_facts(judge), application)


def _reasons(facts: _JudgeFacts, application: Application) -> list[str]:
    reasons: list[str] = []
    city = normalise(application.city)
    organisation = normalise(application.organisation)
    if facts.city and facts.city == city:
        reasons.append(f"Same city: {application.city}")
    if facts.organisation and facts.organisation == organisation:
        reasons.append(f"Same organisation: {application.organisation}")
    domain = email_domain(application.contact_email)
    if facts.domain and domain and _same_domain(facts.domain, domain):
        reasons.append(f"Same email domain: {domain}")
    for value, written in facts.affiliations:
        if value == organisation:
            reasons.append(f"Declared affiliation “{written}” is the applicant organisation")
        elif value == city:
            reasons.append(f"Declared affiliation “{written}” is the applicant city")
    return reasons


@dataclass(frozen=True)
class ScreeningResult:
    new: int
    updated: int
    reopened: int
    cleared: int
    open: int

    def summary(self) -> str:
        return (f"{self.new} new possible conflicts, {self.reopened} reopened, "
                f"{self.open} waiting for a decision.")


def screen(session: Session, program: Program, actor: str) -> ScreeningResult:
    """Compare every active judge with every application and record what matches."""
    hold_assignments(session, program.id)  # decisions and assignment runs wait meanwhile
    judges = list(session.scalars(
        select(Judge).where(Judge.program_id == program.id, Judge.active.is_(True))
        .options(selectinload(Judge.affiliations))))
    applications = list(session.scalars(
        select(Application).where(Application.program_id == program.id)))
    existing = {
        (c.judge_id, c.application_id): c
        for c in session.scalars(select(Conflict).join(Judge).where(
            Judge.program_id == program.id, Conflict.source == DETECTED))
    }
    new = updated = reopened = cleared = 0
    for judge in judges:
        facts = _judge_facts(judge)
        for application in applications:
            reasons = _reasons(facts, application)
            conflict = existing.get((judge.id, application.id))
            if not reasons:
                if conflict is not None and conflict.status == OPEN:
                    session.delete(conflict)  # undecided and no longer true
                    cleared += 1
                continue
            if conflict is None:
                session.add(Conflict(judge_id=judge.id, application_id=application.id,
                                     source=DETECTED, reasons=reasons, status=OPEN))
                new += 1
            elif conflict.status == DISMISSED and set(reasons) - set(conflict.reasons):
                conflict.status = OPEN
                conflict.reasons = reasons
                conflict.decided_by = None
                conflict.decided_at = None
                reopened += 1
            elif conflict.reasons != reasons:
                conflict.reasons = reasons
                updated += 1
    session.flush()
    still_open = len(list_conflicts(session, program, status=OPEN))
    result = ScreeningResult(new, updated, reopened, cleared, still_open)
    audit.append(session, actor, "conflicts.screened", {
        "new": new, "updated": updated, "reopened": reopened, "cleared": cleared,
        "open": still_open,
    })
    return result


def list_conflicts(session: Session, program: Program, *, status: str | None = None,
                   source: str | None = None) -> list[Conflict]:
    query = (select(Conflict).join(Judge).where(Judge.program_id == program.id)
             .order_by(Conflict.judge_id, Conflict.application_id, Conflict.source))
    if status is not None:
        query = query.where(Conflict.status == status)
    if source is not None:
        query = query.where(Conflict.source == source)
    return list(session.scalars(query))


def _decision_now(conflict: Conflict) -> str:
    return f"it is now {conflict.status}" + (f" ({conflict.note})" if conflict.note else "")


def _decide(session: Session, conflict: Conflict, status: str, actor: str, note: str,
            expected_version: int | None = None) -> int:
    """Record staff's decision; ``expected_version`` as in ``storage.versions.claim``."""
    if (problem := text_problem(note, multiline=True)) is not None:  # judgepanel/text.py
        raise ValidationError(f"The note {problem}. Delete that character.", path="note")
    hold_assignments(session, conflict.judge.program_id)
    claim(session, conflict, expected_version, actor, now=_decision_now,
          what=f"the conflict of interest #{conflict.id}")
    conflict.status = status
    conflict.note = note.strip()
    conflict.decided_by = actor
    conflict.decided_at = utcnow()
    session.flush()
    audit.append(session, actor, f"conflict.{status}", {
        "conflict": conflict.id, "judge": conflict.judge_id,
        "application": conflict.application_id, "source": conflict.source,
        "reasons": list(conflict.reasons), "note": conflict.note,
    })
    return conflict.version


def confirm(session: Session, conflict: Conflict, actor: str, note: str = "", *,
            expected_version: int | None = None) -> int:
    """Staff agree: this judge will not review this application (returns the version now)."""
    return _decide(session, conflict, CONFIRMED, actor, note, expected_version)


def dismiss(session: Session, conflict: Conflict, actor: str, note: str, *,
            expected_version: int | None = None) -> int:
    """Staff judge the match harmless; the reason is required for the record."""
    if not note.strip():
        raise ValidationError(
            "Say why this is not a conflict of interest; the reason is kept in the audit log.",
            path="note",
        )
    return _decide(session, conflict, DISMISSED, actor, note, expected_version)


def reopen(session: Session, conflict: Conflict, actor: str, note: str, *,
           expected_version: int | None = None) -> int:
    """Put a decided finding back to "open" (undoing a dismissal or confirmation)."""
    return _decide(session, conflict, OPEN, actor, note, expected_version)


def declare(session: Session, judge: Judge, application: Application, reason: str,
            actor: str, *, source: str = STAFF, status: str = CONFIRMED) -> Conflict:
    """Record a conflict someone declared (staff now, or the judge via the merge)."""
    if source not in (DECLARED, STAFF):
        raise ValueError(f"unknown conflict source {source!r}")
    hold_assignments(session, judge.program_id)  # before any row: the lock order is fixed
    conflict = session.scalars(select(Conflict).where(
        Conflict.judge_id == judge.id, Conflict.application_id == application.id,
        Conflict.source == source)).first()
    if conflict is None:
        conflict = Conflict(judge_id=judge.id, application_id=application.id, source=source,
                            reasons=[], status=OPEN)
        session.add(conflict)
    if reason.strip() and reason.strip() not in conflict.reasons:
        conflict.reasons = [*conflict.reasons, reason.strip()]
    session.flush()
    if status == OPEN:
        audit.append(session, actor, "conflict.declared", {
            "conflict": conflict.id, "judge": judge.id, "application": application.id,
            "source": source, "reason": reason.strip()})
    else:
        _decide(session, conflict, status, actor, reason)
    return conflict


def conflicted_pairs(session: Session, program: Program, *,
                     include_open: bool = True) -> set[tuple[int, int]]:
    """(judge id, application id) pairs that must not be assigned.

    Open findings count by default: a pair nobody has cleared yet is not safe.
    """
    statuses: Iterable[str] = (CONFIRMED, OPEN) if include_open else (CONFIRMED,)
    query = (select(Conflict.judge_id, Conflict.application_id).join(Judge)
             .where(Judge.program_id == program.id, Conflict.status.in_(list(statuses))))
    return {(j, a) for j, a in session.execute(query)}


@dataclass(frozen=True)
class ConflictListing:
    id: int
    version: int  # what a decision made from this listing expects (``storage.versions``)
    judge: str
    application: str
    title: str
    source: str  # "screening" | "declared" | "staff"
    status: str  # "open" | "confirmed" | "dismissed"
    reasons: tuple[str, ...]
    note: str
    decided_by: str


def load_conflicts(session: Session, program: Program) -> list[ConflictListing]:
    return [ConflictListing(c.id, c.version, c.judge.name, c.application.ref,
                            c.application.title, c.source,
                        c.status, tuple(c.reasons or ()), c.note or "", c.decided_by or "")
            for c in list_conflicts(session, program)]
