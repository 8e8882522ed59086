"""What judging brings back: issued bundles, received results files (with their raw
bytes, so any accepted score can be traced back to the signed file), and the reviews,
scores, unable-to-review entries and declarations that point at the file they came from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from judgepanel.clock import utcnow
from judgepanel.model.staff.schema.base import Base
from judgepanel.model.staff.schema.program import Application, Judge, Round
from judgepanel.model.storage.types import UTCDateTime


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

    round: Mapped[Round] = relationship()
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
