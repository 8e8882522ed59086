"""The applications of a program as the staff screens and the command line list them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from judgepanel.errors import ValidationError
from judgepanel.model.staff.schema.program import Application, Program


@dataclass(frozen=True)
class AttachmentListing:
    name: str
    label: str
    size: int
    media_type: str
    sha256: str


@dataclass(frozen=True)
class ApplicationListing:
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
    attachments: tuple[AttachmentListing, ...]
    source: str


def load_applications(session: Session, program: Program) -> list[ApplicationListing]:
    # Categories and attachments in two more queries, not two per application.
    apps = session.scalars(select(Application).where(Application.program_id == program.id)
                           .options(selectinload(Application.categories),
                                    selectinload(Application.attachments))
                           .order_by(Application.ref))
    return [ApplicationListing(
        a.id, a.ref, a.title, a.organisation, a.city, a.contact_name, a.contact_email,
        a.requested_amount, tuple(c.name for c in a.categories),
        tuple((str(k), "" if v is None else str(v)) for k, v in (a.fields or {}).items()),
        tuple(AttachmentListing(t.name, t.label, t.size, t.media_type, t.sha256)
              for t in a.attachments), a.source) for a in apps]


def find_application(session: Session, program: Program, ref: str) -> Application:
    """An application of ``program`` by its reference (spaces around it ignored)."""
    application = session.scalars(select(Application).where(
        Application.program_id == program.id, Application.ref == ref.strip())).first()
    if application is None:
        raise ValidationError(f"No application with the reference “{ref}” in this program.",
                              path="application")
    return application


def application_titles(session: Session, program: Program,
                       refs: Collection[str]) -> dict[str, str]:
    """Reference -> title for the applications of ``program`` named in ``refs``."""
    return {ref: title for ref, title in session.execute(
        select(Application.ref, Application.title).where(
            Application.program_id == program.id, Application.ref.in_(list(refs))))}


def form_field_names(session: Session, program: Program) -> list[str]:
    """Every form field name the program's applications carry (what an import kept beyond
    the standard fields), in first-seen order: what a report may take its summary from."""
    names: dict[str, None] = {}
    for fields in session.scalars(select(Application.fields).where(
            Application.program_id == program.id).order_by(Application.id)):
        for name in fields or {}:
            names.setdefault(str(name), None)
    return list(names)
