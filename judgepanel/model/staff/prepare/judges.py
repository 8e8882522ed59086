"""Enrolling judges from their cards, and what staff know about them (affiliations).

A judge is identified by the fingerprint of their keys, not by their name:
enrolling the same card twice changes nothing, while a *different* key under
a name already enrolled is kept but flagged, because it is exactly what an
impostor (or a judge who reinstalled and made new keys) looks like. Staff
clear the flag after reading the fingerprint back to the judge by phone.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from judgepanel.crypto.identity import normalize_fingerprint
from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.prepare.conflicts import normalise
from judgepanel.model.staff.schema.program import Judge, JudgeAffiliation, Program
from judgepanel.text import text_problem


class CardLike(Protocol):
    """What enrolment needs from a card (``judgepanel.formats.card.Card`` has it)."""

    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def age_recipient(self) -> str: ...
    @property
    def minisign_public_key(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


@dataclass(frozen=True)
class Enrollment:
    """The outcome shown to staff: who, their fingerprint to read aloud, any warning."""

    judge: Judge
    created: bool
    warning: str = ""

    @property
    def fingerprint(self) -> str:
        return self.judge.fingerprint


def _person_key(name: str) -> str:
    """Names compared the way people read them (case, accents, spacing ignored)."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def _clean_email(email: str) -> str:
    email = email.strip()
    if "@" in email:
        local, _, domain = email.rpartition("@")
        return f"{local}@{domain.lower()}"
    return email


def list_judges(session: Session, program: Program, *, active_only: bool = False,
                with_memberships: bool = False) -> list[Judge]:
    """The program's judges by name; ``with_memberships`` loads every judge's affiliations
    and categories in two more queries, instead of two per judge when they are read."""
    query = select(Judge).where(Judge.program_id == program.id).order_by(Judge.name, Judge.id)
    if active_only:
        query = query.where(Judge.active.is_(True))
    if with_memberships:
        query = query.options(selectinload(Judge.affiliations), selectinload(Judge.categories))
    return list(session.scalars(query))


def find_by_fingerprint(session: Session, program: Program, fingerprint: str) -> Judge | None:
    return session.scalars(
        select(Judge).where(Judge.program_id == program.id, Judge.fingerprint == fingerprint)
    ).first()


def enroll_card(
    session: Session,
    program: Program,
    card: CardLike,
    actor: str,
    *,
    card_text: str = "",
    email: str = "",
    organisation: str = "",
    city: str = "",
) -> Enrollment:
    """Enroll the judge whose (already verified) card this is."""
    existing = find_by_fingerprint(session, program, card.fingerprint)
    if existing is not None:
        note = ""
        if _person_key(existing.name) != _person_key(card.name):
            note = (f"This card was already enrolled as “{existing.name}”; nothing was "
                    "changed.")
        return Enrollment(existing, created=False, warning=note)

    warnings: list[str] = []
    if card.role != "judge":
        warnings.append(f"This is a {card.role} card, not a judge's card.")
    for other in list_judges(session, program):
        if _person_key(other.name) == _person_key(card.name):
            warnings.append(
                f"A judge named “{other.name}” is already enrolled with different keys "
                f"(fingerprint {other.fingerprint}). Call the judge and read the fingerprint "
                "aloud before sending any bundle."
            )
        elif (card.age_recipient == other.age_recipient
              or card.minisign_public_key == other.minisign_public_key):
            warnings.append(
                f"This card shares a key with “{other.name}” (fingerprint "
                f"{other.fingerprint}). Each judge must have their own keys."
            )
    judge = Judge(
        program_id=program.id,
        name=card.name,
        role=card.role,
        email=_clean_email(email),
        organisation=" ".join(organisation.split()),
        city=" ".join(city.split()),
        age_recipient=card.age_recipient,
        minisign_public_key=card.minisign_public_key,
        fingerprint=card.fingerprint,
        card_text=card_text,
        flag=" ".join(warnings),
    )
    session.add(judge)
    session.flush()
    audit.append(session, actor, "judge.enrolled", {
        "judge": judge.id, "name": judge.name, "fingerprint": judge.fingerprint,
        "flag": judge.flag,
    })
    return Enrollment(judge, created=True, warning=judge.flag)


def enroll_file(session: Session, program: Program, path: Path | str, actor: str,
                **profile: str) -> Enrollment:
    """Read, verify and enroll a ``.jpcard`` file (FileFormatError/DamagedFileError if bad)."""
    from judgepanel.formats.card import read_card  # the formats layer, loaded when used

    card = read_card(path)
    return enroll_card(session, program, card, actor, card_text=card.to_json().decode("utf-8"),
                       **profile)


PROFILE_WORDS = {"email": "e-mail", "organisation": "organisation", "city": "city"}


def set_profile(session: Session, judge: Judge, actor: str, *, email: str | None = None,
                organisation: str | None = None, city: str | None = None) -> list[str]:
    """What staff know about the judge beyond the card (used by conflict screening).

    Returns what changed, in words (“city: Atlanta → Boston”); empty when nothing did.
    """
    changes: dict[str, str] = {}
    if email is not None:
        changes["email"] = _clean_email(email)
    if organisation is not None:
        changes["organisation"] = " ".join(organisation.split())
    if city is not None:
        changes["city"] = " ".join(city.split())
    said = [f"{PROFILE_WORDS[name]}: {getattr(judge, name) or '(none)'} → {value or '(none)'}"
            for name, value in changes.items() if (getattr(judge, name) or "") != value]
    for name, value in changes.items():
        if (problem := text_problem(value, multiline=False)) is not None:  # judgepanel/text.py
            raise ValidationError(f"The judge's {name} {problem}. Delete that character.",
                                  path=name)
        setattr(judge, name, value)
    session.flush()
    audit.append(session, actor, "judge.profile", {"judge": judge.id, **changes})
    return said


def set_affiliations(session: Session, judge: Judge, values: Iterable[str],
                     actor: str) -> list[str]:
    """Replace the judge's declared affiliations (organisations, cities, bodies).

    Returns what changed, in words (“affiliation added: …”); empty when nothing did.
    """
    cleaned: list[str] = []
    for value in values:
        text = " ".join(value.split())
        if len(text) > 300:
            raise ValidationError("An affiliation is too long (at most 300 characters).",
                                  path="affiliations")
        if (problem := text_problem(text, multiline=False)) is not None:
            raise ValidationError(f"An affiliation {problem}. Delete that character.",
                                  path="affiliations")
        if text and _person_key(text) not in {_person_key(c) for c in cleaned}:
            cleaned.append(text)
    # Remove first and flush: the unit of work would otherwise insert before deleting
    # and trip the (judge, value) unique constraint for a value that stays.
    before = [a.value for a in judge.affiliations]
    kept = [a for a in judge.affiliations if a.value in cleaned]
    judge.affiliations = kept
    session.flush()
    have = {a.value for a in kept}
    judge.affiliations.extend(JudgeAffiliation(value=v) for v in cleaned if v not in have)
    session.flush()
    audit.append(session, actor, "judge.affiliations", {"judge": judge.id, "values": cleaned})
    return ([f"affiliation added: {v}" for v in cleaned if v not in before]
            + [f"affiliation removed: {v}" for v in before if v not in cleaned])


def clear_flag(session: Session, judge: Judge, actor: str, note: str) -> None:
    """Staff checked the judge (e.g. fingerprint read back by phone): the warning is resolved."""
    if not note.strip():
        raise ValidationError("Say how the judge was checked (for the record).", path="note")
    previous = judge.flag
    judge.flag = ""
    session.flush()
    audit.append(session, actor, "judge.flag_cleared",
                 {"judge": judge.id, "flag": previous, "note": note.strip()})


def set_active(session: Session, judge: Judge, active: bool, actor: str) -> None:
    """Withdraw a judge (kept for the record) or bring them back."""
    judge.active = active
    session.flush()
    audit.append(session, actor, "judge.active", {"judge": judge.id, "active": active})


@dataclass(frozen=True)
class JudgeListing:
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


def load_judges(session: Session, program: Program) -> list[JudgeListing]:
    return [JudgeListing(j.id, j.name, j.fingerprint, j.email, j.organisation, j.city,
                     tuple(a.value for a in j.affiliations),
                     tuple(c.name for c in j.categories), j.active, j.flag)
            for j in list_judges(session, program, with_memberships=True)]


def find_judge(session: Session, program: Program, text: str) -> Judge:
    """A judge by fingerprint, database id or name (case and accents ignored)."""
    judges = list(session.scalars(select(Judge).where(Judge.program_id == program.id)))
    try:
        wanted = normalize_fingerprint(text)
    except ValidationError:
        wanted = None
    for judge in judges:
        if judge.fingerprint == wanted or (text.isdigit() and judge.id == int(text)):
            return judge
    named = [j for j in judges if normalise(j.name) == normalise(text)]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise ValidationError(
            f"{len(named)} judges are named “{text}”; use the fingerprint instead "
            "(see `judgepanel staff judges list`).", path="judge")
    raise ValidationError(
        f"No judge “{text}” in this program. See `judgepanel staff judges list`.",
        path="judge")
