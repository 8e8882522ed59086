"""What staff prepare: the program, its categories, rounds and rubrics, the applications
with their attachments, the judges, their conflicts and their assignments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from judgepanel.clock import utcnow
from judgepanel.model.staff.schema.base import (
    Base,
    JSONDict,
    JSONList,
    application_categories,
    judge_categories,
    round_applications_table,
)
from judgepanel.model.storage.types import Money, UTCDateTime
from judgepanel.model.storage.versions import VersionedColumns


class Program(Base):
    """One award or grant program; a staff workspace holds exactly one."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # The staff identity's public halves, copied into every bundle manifest.
    staff_age_recipient: Mapped[str | None] = mapped_column(String(200))
    staff_minisign_key: Mapped[str | None] = mapped_column(String(200))
    # Program-wide knobs (disagreement thresholds, tie-break rule, ...).
    settings: Mapped[dict[str, Any]] = mapped_column(JSONDict, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    categories: Mapped[list[Category]] = relationship(
        back_populates="program", order_by="Category.position"
    )
    rounds: Mapped[list[Round]] = relationship(back_populates="program", order_by="Round.number")
    applications: Mapped[list[Application]] = relationship(back_populates="program")
    judges: Mapped[list[Judge]] = relationship(back_populates="program")


class Category(Base):
    """A component or funding track; applications belong to one or more."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("program_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    budget: Mapped[Decimal | None] = mapped_column(Money)

    program: Mapped[Program] = relationship(back_populates="categories")
    applications: Mapped[list[Application]] = relationship(
        secondary=application_categories, back_populates="categories"
    )
    judges: Mapped[list[Judge]] = relationship(
        secondary=judge_categories, back_populates="categories"
    )


class Round(Base):
    """A judging round (first round, final, ...) with its rubric and blind-review choice."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("program_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    budget: Mapped[Decimal | None] = mapped_column(Money)
    # Blind review: these application fields never reach judges ...
    hidden_fields: Mapped[list[str]] = mapped_column(JSONList, default=list)
    # ... and attachments with these labels (import column names) are left out.
    hidden_attachment_labels: Mapped[list[str]] = mapped_column(JSONList, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    program: Mapped[Program] = relationship(back_populates="rounds")
    rubric: Mapped[RubricRow | None] = relationship(
        back_populates="round", cascade="all, delete-orphan", passive_deletes=True
    )
    assignments: Mapped[list[Assignment]] = relationship(back_populates="round")
    # The membership rows only: empty for the first round, which holds every
    # application. Use ``rounds.round_applications`` for what a round holds.
    applications: Mapped[list[Application]] = relationship(
        secondary=round_applications_table, order_by="Application.id"
    )

    @property
    def is_blind(self) -> bool:
        return bool(self.hidden_fields or self.hidden_attachment_labels)

    def visible_fields(self, application: Application) -> dict[str, Any]:
        """What judges in this round may read about ``application``, by field name.

        The reference and title always go (judges need to name what they
        score); contact details never do (they are for staff); the rest
        (organisation, city, requested amount, categories and every form
        field) goes unless blind review hides it.
        """
        amount = application.requested_amount
        standard: dict[str, Any] = {
            "organisation": application.organisation,
            "city": application.city,
            "requested_amount": None if amount is None else f"{Decimal(amount):.2f}",
            "categories": [c.name for c in application.categories],
        }
        hidden = set(self.hidden_fields or ()) - {"ref", "title"}
        shown = {**dict(application.fields or {}), **standard}
        view = {"ref": application.ref, "title": application.title}
        view.update({k: v for k, v in shown.items() if k not in hidden and k not in view})
        return view

    def shows_attachment(self, attachment: Attachment) -> bool:
        """Whether an attachment goes into this round's bundles."""
        if attachment.withheld:
            return False
        return attachment.label not in set(self.hidden_attachment_labels or ())


class RubricRow(Base):
    """The stored form of :class:`judgepanel.model.rubric.definition.Rubric`, one per round."""

    __tablename__ = "rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    tie_break: Mapped[str | None] = mapped_column(String(64))
    # Migration 0011: whether every review needs overall feedback for the applicant.
    overall_feedback_required: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false())

    round: Mapped[Round] = relationship(back_populates="rubric")
    criteria: Mapped[list[CriterionRow]] = relationship(
        back_populates="rubric",
        order_by="CriterionRow.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class CriterionRow(Base):
    """One rubric criterion; ``levels`` is a list of {"score", "descriptor"} objects."""

    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("rubric_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(
        ForeignKey("rubrics.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    scale_min: Mapped[float] = mapped_column(Float, default=1)
    scale_max: Mapped[float] = mapped_column(Float, default=5)
    step: Mapped[float] = mapped_column(Float, default=1)
    levels: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    counts: Mapped[bool] = mapped_column(Boolean, default=True)
    comment_when: Mapped[str] = mapped_column(String(10), default="never")
    comment_threshold: Mapped[float | None] = mapped_column(Float)
    # Migration 0011: when feedback for the applicant is required (the same rule shape).
    feedback_when: Mapped[str] = mapped_column(String(10), default="never",
                                               server_default="never")
    feedback_threshold: Mapped[float | None] = mapped_column(Float)

    rubric: Mapped[RubricRow] = relationship(back_populates="criteria")


class Application(VersionedColumns, Base):
    """An application (a nomination, a grant proposal) with its fields and attachments.

    Versioned (``storage.versions``): officers sharing the program edit its award.
    """

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("program_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    # The stable external id staff and applicants quote, e.g. "REC-2026-014".
    ref: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    requested_amount: Mapped[Decimal | None] = mapped_column(Money)
    awarded_amount: Mapped[Decimal | None] = mapped_column(Money)
    # Every other answer on the form, by field name.
    fields: Mapped[dict[str, Any]] = mapped_column(JSONDict, default=dict)
    source: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    program: Mapped[Program] = relationship(back_populates="applications")
    categories: Mapped[list[Category]] = relationship(
        secondary=application_categories, back_populates="applications"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="application",
        order_by="Attachment.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Attachment(Base):
    """A file of an application; the bytes live in the content-addressed store."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("application_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(255))
    # Which import column (or form slot) it came from; blind review hides by label.
    label: Mapped[str] = mapped_column(String(100), default="")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    # Staff chose to leave this one file out of every bundle.
    withheld: Mapped[bool] = mapped_column(Boolean, default=False)

    application: Mapped[Application] = relationship(back_populates="attachments")


class AttachmentChunk(Base):
    """Up to 1 MiB of an attachment's bytes, when the program lives on a server.

    ``staff.attachments.DatabaseStore`` keeps each file as its chunks in order, keyed
    by the file's SHA-256 (content-addressed, like the folder store beside an SQLite
    workspace): every officer sharing the program reads the same files. Position 0
    exists for every stored file, an empty one included.
    """

    __tablename__ = "attachment_chunks"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Judge(Base):
    """A judge enrolled from their card; keys identify them, the name is for people."""

    __tablename__ = "judges"
    __table_args__ = (UniqueConstraint("program_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    age_recipient: Mapped[str] = mapped_column(String(200))
    minisign_public_key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(100))
    # The card as received, so it can be shown or checked again later.
    card_text: Mapped[str] = mapped_column(Text, default="")
    # A warning staff must resolve before issuing bundles (e.g. a second key, same name).
    flag: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    program: Mapped[Program] = relationship(back_populates="judges")
    affiliations: Mapped[list[JudgeAffiliation]] = relationship(
        back_populates="judge",
        order_by="JudgeAffiliation.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    categories: Mapped[list[Category]] = relationship(
        secondary=judge_categories, back_populates="judges"
    )


class JudgeAffiliation(Base):
    """An organisation, city or body a judge declared ties to (used in screening)."""

    __tablename__ = "judge_affiliations"
    __table_args__ = (UniqueConstraint("judge_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(String(300), default="")

    judge: Mapped[Judge] = relationship(back_populates="affiliations")


class Conflict(VersionedColumns, Base):
    """A possible conflict of interest between a judge and an application.

    ``source`` is "detected" (screening), "declared" (by the judge) or "staff";
    ``status`` is "open" until staff confirm or dismiss it. Versioned
    (``storage.versions``): two officers must not decide it over each other.
    """

    __tablename__ = "conflicts"
    __table_args__ = (UniqueConstraint("judge_id", "application_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[list[str]] = mapped_column(JSONList, default=list)
    status: Mapped[str] = mapped_column(String(20), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    judge: Mapped[Judge] = relationship()
    application: Mapped[Application] = relationship()


class Assignment(Base):
    """Judge J reviews application A in round R (at most once)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("round_id", "judge_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship(back_populates="assignments")
    judge: Mapped[Judge] = relationship()
    application: Mapped[Application] = relationship()
