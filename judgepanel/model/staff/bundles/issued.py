"""What was issued: the bundles a round sent out, what each held, and whether it went out.

The merge asks these questions of every results file (which bundle, which
applications it held); the staff app's checklist asks whether a bundle was sent.
Building bundles is in ``building``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.clock import utcnow
from judgepanel.errors import ValidationError, WorkspaceError
from judgepanel.model.staff import audit
from judgepanel.model.staff.schema.program import Assignment, Judge, Round
from judgepanel.model.staff.schema.results import IssuedBundle, ReceivedResults

PASSPHRASE_RECIPIENT = "passphrase"
"""What ``IssuedBundle.recipients`` holds for a passphrase bundle (no key to name)."""
SENT_ACTION = "bundle.sent"
HINT_ACTION = "bundle.passphrase_hint"
MAX_HINT = 300
# A passphrase as crypto.passphrase makes them (six groups of four), wherever it
# appears in a hint, in any case and with any separators between the groups.
_PASSPHRASE_LIKE = re.compile(
    r"(?<![0-9a-z])[0-9a-z]{4}(?:[\s._-]*[0-9a-z]{4}){5}(?![0-9a-z])", re.IGNORECASE)


def _contents(held: list[list[Any]]) -> dict[str, int]:
    return {str(k): int(v) for k, v in held}


def _record_missing(bundle_id: str) -> WorkspaceError:
    return WorkspaceError(
        "The record of what this bundle contained is missing from the workspace, so its "
        "results cannot be checked. Rebuild the judge's bundle.",
        detail=f"issued bundle {bundle_id} has no applications recorded")


def bundle_contents(issued: IssuedBundle) -> dict[str, int]:
    """What ``issued`` held: its application ids -> Application.id, in bundle order."""
    if issued.applications is None:
        raise _record_missing(issued.bundle_id)
    return _contents(issued.applications)


def all_issued_applications(session: Session) -> dict[str, dict[str, int]]:
    """For every bundle issued: its application ids -> Application.id (one query).

    A bundle whose record is missing is left out, so :func:`issued_applications`
    reports it.
    """
    return {bundle_id: _contents(held) for bundle_id, held in session.execute(
        select(IssuedBundle.bundle_id, IssuedBundle.applications)
        .where(IssuedBundle.applications.is_not(None))) if held is not None}


def issued_applications(session: Session, bundle_id: str,
                        known: Mapping[str, dict[str, int]] | None = None) -> dict[str, int]:
    """What a bundle held: its application ids -> Application.id.

    ``known`` is :func:`all_issued_applications`, for callers looking up many bundles.
    """
    if known is not None:
        contents = known.get(bundle_id)
        if contents is None:
            raise _record_missing(bundle_id)
        return contents
    issued = session.scalars(select(IssuedBundle).where(IssuedBundle.bundle_id == bundle_id)
                             ).first()
    if issued is None:
        raise _record_missing(bundle_id)
    return bundle_contents(issued)


def current_bundle(session: Session, round_: Round, judge: Judge) -> IssuedBundle | None:
    """The judge's live (not superseded) bundle for the round, if any."""
    return session.scalars(select(IssuedBundle).where(
        IssuedBundle.round_id == round_.id, IssuedBundle.judge_id == judge.id,
        IssuedBundle.superseded.is_(False)).order_by(IssuedBundle.id.desc())).first()


def outdated_bundles(session: Session, round_: Round) -> list[IssuedBundle]:
    """Live bundles whose applications differ from the judge's assignments today."""
    outdated = []
    for issued in session.scalars(select(IssuedBundle).where(
            IssuedBundle.round_id == round_.id, IssuedBundle.superseded.is_(False))
            .order_by(IssuedBundle.id)):
        held = set(bundle_contents(issued).values())
        assigned = set(session.scalars(select(Assignment.application_id).where(
            Assignment.round_id == round_.id, Assignment.judge_id == issued.judge_id)))
        if held != assigned:
            outdated.append(issued)
    return outdated


def mark_sent(session: Session, issued: IssuedBundle, actor: str, sent: bool) -> None:
    """Tick a bundle off as sent to its judge (or take the tick back), for the record.

    Kept on the bundle's row, not in one computer's settings, so every officer
    sharing the program sees the same distribution checklist. Ticking an already
    sent bundle keeps the first time it was sent.
    """
    if sent and issued.sent_at is not None:
        return
    if not sent and issued.sent_at is None:
        return
    issued.sent_at = utcnow() if sent else None
    session.flush()
    audit.append(session, actor, SENT_ACTION, {
        "bundle_id": issued.bundle_id, "judge": issued.judge_id, "sent": sent})


def check_passphrase_hint(hint: str) -> str:
    """The hint as it will be kept (spaces tidied), or ValidationError saying why not.

    Refused: a hint longer than MAX_HINT characters, and one that looks like a
    passphrase (the workspace and its audit log must never hold one).
    """
    text = " ".join(hint.split())
    if len(text) > MAX_HINT:
        raise ValidationError(f"Keep the hint under {MAX_HINT} characters: say how and when "
                              "you passed the passphrase on.", path="hint")
    if _PASSPHRASE_LIKE.search(text):
        raise ValidationError("This hint looks like the passphrase itself. Write down only "
                              "how you passed it on (for example “read out by phone on "
                              "Monday”), never the passphrase.", path="hint")
    return text


def set_passphrase_hint(session: Session, issued: IssuedBundle, hint: str, actor: str) -> None:
    """Note how a passphrase bundle's passphrase was passed on, for every officer to see.

    The hint passes :func:`check_passphrase_hint`, and only a bundle that opens with
    a passphrase has one. The audit entry records that the hint changed, not its text.
    """
    if PASSPHRASE_RECIPIENT not in (issued.recipients or ()):
        raise ValidationError("Only a bundle that opens with a passphrase has a passphrase "
                              "hint.", path="hint", detail=f"bundle {issued.bundle_id}")
    text = check_passphrase_hint(hint)
    if text == (issued.passphrase_hint or ""):
        return
    issued.passphrase_hint = text or None
    session.flush()
    audit.append(session, actor, HINT_ACTION, {
        "bundle_id": issued.bundle_id, "judge": issued.judge_id, "hint_set": bool(text)})


@dataclass(frozen=True)
class BundleListing:
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
    outdated: bool = False  # current, but the judge's assignments changed since it was built

    @property
    def folder(self) -> str:
        """The folder the bundle was written to ("" when only its name was kept)."""
        parent = str(Path(self.file_name).parent)
        return "" if parent in ("", ".") else parent


def load_bundles(session: Session, round_: Round) -> list[BundleListing]:
    """The round's distribution checklist, in four queries whatever the number of bundles."""
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
    assigned: dict[int, set[int]] = {}
    for judge_id, app_id in session.execute(select(
            Assignment.judge_id, Assignment.application_id).where(
            Assignment.round_id == round_.id)):
        assigned.setdefault(judge_id, set()).add(app_id)
    rows = []
    for b in issued:
        seen = statuses.get(b.id, set())
        result = "accepted" if "accepted" in seen else ("refused" if seen else "")
        try:
            contents = set(bundle_contents(b).values())
        except WorkspaceError:  # a bundle whose record was lost still shows in the checklist
            contents = set()
        outdated = not b.superseded and contents != assigned.get(b.judge_id, set())
        rows.append(BundleListing(
            b.id, b.bundle_id, b.judge_id, names.get(b.judge_id, "?"), b.file_name, b.size,
            b.created_at, b.due_at, b.superseded,
            PASSPHRASE_RECIPIENT in (b.recipients or ()), len(contents), result, b.sent_at,
            b.passphrase_hint or "", outdated))
    return rows


def set_passphrase_hints(session: Session, hints: Mapping[str, str], actor: str) -> None:
    """Several bundles' passphrase hints at once, by bundle id (see set_passphrase_hint)."""
    for issued in session.scalars(select(IssuedBundle).where(
            IssuedBundle.bundle_id.in_(sorted(hints)))):
        set_passphrase_hint(session, issued, hints[issued.bundle_id], actor)
