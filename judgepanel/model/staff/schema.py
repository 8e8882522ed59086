"""The staff workspace's tables: one program, what staff prepare and what judging brings back.

Typed SQLAlchemy 2 mappings using only portable column types, so the same tables work
in SQLite and PostgreSQL; Alembic's migrations (``staff/migrations``) build them, and
a test checks that the migrated schema and these mappings agree. Rows that belong
wholly to a parent (criteria, attachments, affiliations) are deleted with it;
everything else is kept, because an audit trail must not lose its subjects.

What staff prepare: the program, its categories, rounds, rubrics, applications and
judges. What happens during judging: assignments, issued bundles, received results
(with the raw file bytes, so any accepted score can be traced back to, and re-verified
against, the signed file the judge sent), reviews, scores and declarations, which
point at the results file they came from; and the append-only audit log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from judgepanel.clock import utcnow
from judgepanel.errors import WorkspaceError
from judgepanel.model.storage.engine import NAMING_CONVENTION
from judgepanel.model.storage.hash_chain import AuditLogColumns
from judgepanel.model.storage.types import Money, UTCDateTime
from judgepanel.model.storage.versions import VersionedColumns


class Base(DeclarativeBase):
    """Declarative base of every staff-workspace table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# JSON columns that code edits in place (``program.settings["x"] = 1``) must notice
# the change; tracking is shallow (a nested dict edited in place is not seen).
JSONDict = MutableDict.as_mutable(JSON)
JSONList = MutableList.as_mutable(JSON)

application_categories = Table(
    "application_categories",
    Base.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)

# Which applications a later round holds (one row each). The first round has no
# rows: it holds every application of the program. ``rounds.round_applications``
# is the one place that applies this rule; read membership there, not here.
round_applications_table = Table(
    "round_applications",
    Base.metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"),
           primary_key=True),
)

# A judge listed for a category reviews (by default) that category's applications.
judge_categories = Table(
    "judge_categories",
    Base.metadata,
    Column("judge_id", ForeignKey("judges.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


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
    bundles: Mapped[list[IssuedBundle]] = relationship(back_populates="round")
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


class IssuedBundle(Base):
    """A bundle file built for one judge; results must name it and its manifest hash."""

    __tablename__ = "issued_bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id"), index=True)
    bundle_id: Mapped[str] = mapped_column(String(64), unique=True)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    # The age recipients the bundle was encrypted to (judge's, staff's).
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What the bundle held, as [bundle application id, Application.id] pairs in
    # bundle order: the merge checks results against this, not today's
    # assignments. None only for a bundle whose record was lost (see bundling).
    applications: Mapped[list[list[Any]] | None] = mapped_column(JSON)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    size: Mapped[int | None] = mapped_column(BigInteger)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A newer bundle for the same judge and round replaces this one.
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    # When staff sent the file to the judge (None: not yet). Kept here, not on one
    # computer, so every officer sharing the program sees the same checklist.
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # For a passphrase bundle: how the officer passed the passphrase on ("read out to
    # Amara on 3 May"), shared like the "sent" tick. Never the passphrase itself.
    passphrase_hint: Mapped[str | None] = mapped_column(Text)

    round: Mapped[Round] = relationship(back_populates="bundles")
    judge: Mapped[Judge] = relationship()
    results: Mapped[list[ReceivedResults]] = relationship(back_populates="bundle")


class ReceivedResults(Base):
    """A results file as received, accepted or refused (with the reason), never discarded."""

    __tablename__ = "received_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unknown until the file is verified; a refused file may name no bundle of ours.
    issued_bundle_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_bundles.id"), index=True
    )
    judge_id: Mapped[int | None] = mapped_column(ForeignKey("judges.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    raw_sha256: Mapped[str] = mapped_column(String(64), index=True)
    # The minisign key that verified the signature (empty when refused before that).
    signer: Mapped[str] = mapped_column(String(200), default="")
    sequence: Mapped[int | None] = mapped_column(Integer)
    # "accepted" | "refused" | "replaced", or (migration 0008) "held": diverged from the
    # accepted export, waiting for staff to choose, and "set_aside": not chosen.
    status: Mapped[str] = mapped_column(String(20))
    refusal_reason: Mapped[str | None] = mapped_column(String(64))  # a stable code
    refusal_message: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Migration 0008, set once the signature is verified: the export's id (a version-1
    # file's is made from ``raw_sha256``, ``lineage.legacy_export_id``) and the ids of
    # the exports it supersedes (docs/merging.md, "Which export is newer").
    export_id: Mapped[str | None] = mapped_column(String(64))
    supersedes: Mapped[list[str] | None] = mapped_column(JSON)
    # Only while "held" or "set_aside": the signed results.json, so staff can compare
    # and choose without the staff key (its scores are in no score table).
    results_json: Mapped[str | None] = mapped_column(Text)
    # Migration 0011, set once the signature is verified: the results format version.
    # Before version 3 (or NULL: received before 0011, so version 1 or 2) a file's
    # comments were written for the panel, and it has no feedback for the applicant.
    format_version: Mapped[int | None] = mapped_column(Integer)

    bundle: Mapped[IssuedBundle | None] = relationship(back_populates="results")
    judge: Mapped[Judge | None] = relationship()
    reviews: Mapped[list[Review]] = relationship(back_populates="results")
    scores: Mapped[list[Score]] = relationship(
        primaryjoin="ReceivedResults.id == Score.results_id",
        foreign_keys="Score.results_id", back_populates="results", viewonly=True)
    declarations: Mapped[list[Declaration]] = relationship(back_populates="results")


class Review(Base):
    """A judge's overall view of one application in one results file: the overall comment
    for the panel and (migration 0011) the overall feedback for the applicant."""

    __tablename__ = "reviews"
    # Its index also serves every lookup by results file (no separate one: migration 0004).
    __table_args__ = (UniqueConstraint("results_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    results_id: Mapped[int] = mapped_column(ForeignKey("received_results.id"))
    # No index: nothing reads reviews by application, and applications are never
    # deleted (migration 0007).
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    overall_feedback: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    confidence: Mapped[int | None] = mapped_column(Integer)

    results: Mapped[ReceivedResults] = relationship(back_populates="reviews")
    application: Mapped[Application] = relationship()


class Score(Base):
    """One criterion score (its comment for the panel and, migration 0011, its feedback
    for the applicant) from one review of one results file.

    Keyed by what it is, (results file, application, criterion), with no surrogate id,
    and stored WITHOUT ROWID on SQLite (migration 0006): the rows then live in the
    primary key's own B-tree, the only order they are ever read in (by results file,
    60,000 at a time), so a merge pays one B-tree insert per score instead of two (rowid
    table plus unique index) and the leaderboard reads them without a second lookup.
    Its one foreign key names the review of the same file and application: a score
    never exists without that review, a truer rule than two separate keys to the file
    and the application (which the review's own keys already guarantee). So scores are
    deleted before their review (``merging._Merger._retire``).
    """

    __tablename__ = "scores"
    __table_args__ = (
        ForeignKeyConstraint(["results_id", "application_id"],
                             ["reviews.results_id", "reviews.application_id"]),
        # SQLite only; other databases ignore the option (PostgreSQL has no rowid).
        {"sqlite_with_rowid": False},
    )

    results_id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(primary_key=True)
    criterion_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))

    # The review it belongs to; this relationship also makes a flush insert reviews
    # before their scores. The paths to the file and the application are read-only: the
    # foreign key that guards those columns is the review's.
    review: Mapped[Review] = relationship()
    results: Mapped[ReceivedResults] = relationship(
        primaryjoin="Score.results_id == ReceivedResults.id",
        foreign_keys=[results_id], back_populates="scores", viewonly=True)
    application: Mapped[Application] = relationship(
        primaryjoin="Score.application_id == Application.id",
        foreign_keys=[application_id], viewonly=True)


class UnableReview(Base):
    """An application a judge could not review for a reason other than a conflict (0008).

    Read by results file, like reviews; its key is (results file, application).
    """

    __tablename__ = "unable_reviews"

    results_id: Mapped[int] = mapped_column(ForeignKey("received_results.id"),
                                            primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"),
                                                primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id"))
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Declaration(Base):
    """A judge's conflict-of-interest answer for one application (yes or no, and why)."""

    __tablename__ = "declarations"
    __table_args__ = (UniqueConstraint("results_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index on these two: declarations are read by results file, and judges and
    # applications are never deleted (migration 0007).
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    # Looked up through the unique constraint's index (migration 0004).
    results_id: Mapped[int | None] = mapped_column(ForeignKey("received_results.id"))
    conflict: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    judge: Mapped[Judge] = relationship()
    application: Mapped[Application] = relationship()
    results: Mapped[ReceivedResults | None] = relationship(back_populates="declarations")


class PanelDecision(VersionedColumns, Base):
    """The panel's decision on one application in one round (migration 0010).

    ``outcome`` is a name from the program's outcome list (``decide.decisions``); None
    once the decision is cleared (the row stays, so its version keeps counting and an
    officer clearing from an older view is refused like any stale edit). Versioned
    (``storage.versions``); every change is in the audit log.
    """

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("round_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Deleting a round (possible only before bundles) deletes its decisions.
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    outcome: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()


class AuditEvent(AuditLogColumns, Base):
    """One entry of the staff workspace's append-only, hash-chained audit log."""

    __tablename__ = "audit_events"


def _refuse_change(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise WorkspaceError(
        "The audit log can only grow; its entries cannot be changed or deleted.",
        detail=f"attempt to modify audit event seq={target.seq}",
    )


# Append-only, enforced for every ORM write path (bulk SQL is caught by audit.check).
event.listen(AuditEvent, "before_update", _refuse_change)
event.listen(AuditEvent, "before_delete", _refuse_change)
