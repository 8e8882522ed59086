"""The program's staff identity: the public keys every bundle names and results come back to.

Why one place: the keys are set when a program is created (``staff init``) or,
for a program made without them, by its first bundle build; afterwards they
must not change by accident. Bundles carry the staff age recipient and judges
encrypt their results to it, so a program quietly switched to another key
could no longer open results answering the bundles already sent. Changing the
key on purpose (a lost or compromised staff identity) is a *rotation*: allowed
only when asked for, and recorded in the audit log with the old fingerprint.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.crypto.identity import Identity, fingerprint
from judgepanel.errors import ValidationError
from judgepanel.formats.card import Card
from judgepanel.model.staff import audit
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.program import Program

STAFF_KEY_ACTION = "program.staff_key"


def _keys(identity_or_card: Identity | Card) -> tuple[str, str]:
    """(age recipient, minisign public key) of an identity or a card."""
    if isinstance(identity_or_card, Identity):
        return identity_or_card.recipient.to_string(), identity_or_card.public_key.base64
    return identity_or_card.age_recipient, identity_or_card.minisign_public_key


def _check_role(identity_or_card: Identity | Card) -> None:
    if identity_or_card.role != "staff":
        raise ValidationError(
            f"“{identity_or_card.name}” is a judge identity. Bundles must be signed with the "
            "program staff identity.", path="staff_identity")


def program_staff_fingerprint(program: Program) -> str | None:
    """The fingerprint of the program's staff keys, or None when it has none yet."""
    if not program.staff_age_recipient or not program.staff_minisign_key:
        return None
    return fingerprint(program.staff_age_recipient, program.staff_minisign_key)


def staff_identity_name(session: Session, program: Program) -> str | None:
    """The name of the program's staff identity ("Program Office"), as recorded when its
    keys were set; None when the program has none yet.

    Audit entries and decisions are signed with it (``StaffWorkspace.actor``): the name
    the officer chose for the program's identity says who acted, where the computer's
    user name (often "root" or a shared account) does not.
    """
    wanted = program_staff_fingerprint(program)
    if wanted is None:
        return None
    for details in session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == STAFF_KEY_ACTION).order_by(AuditEvent.seq.desc())):
        if isinstance(details, dict) and details.get("fingerprint") == wanted:
            name = str(details.get("name") or "").strip()
            return name or None
    return None


def check_staff_identity(program: Program, staff: Identity | Card) -> bool:
    """Refuse a staff identity other than the program's; True if the program has none yet.

    Changes nothing: bundling calls it before writing any file.
    """
    _check_role(staff)
    if program.staff_age_recipient is None and program.staff_minisign_key is None:
        return True
    keys = _keys(staff)
    if (program.staff_age_recipient, program.staff_minisign_key) != keys:
        raise ValidationError(
            f"“{staff.name}” is not the staff identity of this program: its bundles are "
            "signed with another key, and results come back encrypted to that key. Choose "
            "the program's staff identity.",
            detail=f"program staff key {program.staff_minisign_key}, "
            f"given {keys[1]} ({staff.fingerprint})",
            path="staff_identity")
    return False


def set_staff_identity(session: Session, program: Program, identity_or_card: Identity | Card,
                       actor: str, *, rotate: bool = False) -> bool:
    """Make ``identity_or_card`` the program's staff identity; True if anything changed.

    Setting the same keys again changes nothing. Replacing different keys is
    refused unless ``rotate`` is True: results answering bundles signed with the
    old key are still encrypted to it, so staff need the old identity to merge
    them. Every change is one ``program.staff_key`` audit entry.
    """
    _check_role(identity_or_card)
    recipient, public_key = _keys(identity_or_card)
    if (program.staff_age_recipient, program.staff_minisign_key) == (recipient, public_key):
        return False
    previous = program_staff_fingerprint(program)
    had_keys = program.staff_age_recipient is not None or program.staff_minisign_key is not None
    if had_keys and not rotate:
        check_staff_identity(program, identity_or_card)  # raises: the keys differ
    program.staff_age_recipient = recipient
    program.staff_minisign_key = public_key
    session.flush()
    details: dict[str, object] = {"fingerprint": fingerprint(recipient, public_key),
                                  "name": identity_or_card.name}
    if had_keys:
        details["replaces"] = previous
    audit.append(session, actor, STAFF_KEY_ACTION, details)
    return True
