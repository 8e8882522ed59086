"""The judge workspace's tables: what the judge did, per bundle, and the audit chain.

The rules for using them are in ``workspace`` (storage) and ``session``
(the workflow); this module only declares them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from judgepanel.clock import utcnow
from judgepanel.crypto.minisign import PublicKey
from judgepanel.errors import SignatureError, WorkspaceError
from judgepanel.model.storage.engine import NAMING_CONVENTION
from judgepanel.model.storage.hash_chain import AuditLogColumns
from judgepanel.model.storage.types import UTCDateTime

STAFF_KEY_CHANGED = (
    "This bundle is signed by a different staff key than earlier bundles of this program. "
    "Do not continue; call the program staff."
)


class JudgeBase(DeclarativeBase):
    """Declarative base of the judge workspace (separate from the staff tables)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class MetaRow(JudgeBase):
    """Key/value facts about the file itself; ``schema_version`` is the one that matters."""

    __tablename__ = "judge_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class BundleRow(JudgeBase):
    """A bundle the judge opened, and where they were in it.

    ``revision`` grows with every change an export would carry (declarations, scores,
    comments, overall comments, confidence); an export remembers the revision it
    was made from, so "changed since the last export" is a comparison, not a guess.
    """

    __tablename__ = "judge_bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[str] = mapped_column(String(128), unique=True)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)
    program_id: Mapped[str] = mapped_column(String(128))
    program_name: Mapped[str] = mapped_column(String(300))
    round_id: Mapped[str] = mapped_column(String(128))
    round_name: Mapped[str] = mapped_column(String(300))
    judge_name: Mapped[str] = mapped_column(String(300))
    judge_fingerprint: Mapped[str] = mapped_column(String(64))
    due: Mapped[str | None] = mapped_column(String(40))
    first_opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    position_application: Mapped[str | None] = mapped_column(String(128))
    position_view: Mapped[str] = mapped_column(String(40), default="")
    revision: Mapped[int] = mapped_column(Integer, default=0)


class DeclarationRow(JudgeBase):
    """The current conflict-of-interest answer for one application."""

    __tablename__ = "judge_declarations"
    __table_args__ = (UniqueConstraint("bundle_row_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_row_id: Mapped[int] = mapped_column(ForeignKey("judge_bundles.id"), index=True)
    application_id: Mapped[str] = mapped_column(String(128))
    conflict: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DeclarationEvent(JudgeBase):
    """Every declaration ever made, oldest first (append-only): the "each change is recorded"."""

    __tablename__ = "judge_declaration_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_row_id: Mapped[int] = mapped_column(ForeignKey("judge_bundles.id"), index=True)
    application_id: Mapped[str] = mapped_column(String(128))
    conflict: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ScoreRow(JudgeBase):
    """One criterion of one application: its score (None = not given yet), its comment
    for the panel and (schema 4) its feedback for the applicant."""

    __tablename__ = "judge_scores"
    __table_args__ = (UniqueConstraint("bundle_row_id", "application_id", "criterion_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_row_id: Mapped[int] = mapped_column(ForeignKey("judge_bundles.id"), index=True)
    application_id: Mapped[str] = mapped_column(String(128))
    criterion_key: Mapped[str] = mapped_column(String(64))
    value: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewRow(JudgeBase):
    """Review-level values of one application; ``private_note`` never leaves this file.

    ``updated_at`` follows only what an export carries (it goes into the results), so
    editing a private note does not show up in the results file. ``unable_reason``
    (schema 3) is set while the judge says they cannot review the application for a
    reason other than a conflict; empty otherwise. ``overall_comment`` is for the panel,
    ``overall_feedback`` (schema 4) for the applicant.
    """

    __tablename__ = "judge_reviews"
    __table_args__ = (UniqueConstraint("bundle_row_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_row_id: Mapped[int] = mapped_column(ForeignKey("judge_bundles.id"), index=True)
    application_id: Mapped[str] = mapped_column(String(128))
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    overall_feedback: Mapped[str] = mapped_column(Text, default="", server_default="")
    confidence: Mapped[int | None] = mapped_column(Integer)
    private_note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    unable_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    unable_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ExportRow(JudgeBase):
    """One export attempt, or one export restored from a results file (status "restored").

    The sequence and the export id are reserved ("pending") before the file is written,
    so a crash between writing the file and recording it can never hand out the same
    sequence twice: the next export takes max(sequence) + 1 over every row, whatever
    its status ("pending", "written", "failed" or "restored"). ``supersedes`` (schema 3,
    a JSON list) holds the ids the export named as superseded; a restored row's are what
    the judge brought from the other computer (docs/judge-workspace.md, "Ordering").
    """

    __tablename__ = "judge_exports"
    # Schema 3: an export is known by its id. Two exports may share a sequence (one
    # restored from another computer and one made here), never an id.
    __table_args__ = (UniqueConstraint("bundle_row_id", "export_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_row_id: Mapped[int] = mapped_column(ForeignKey("judge_bundles.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    export_id: Mapped[str] = mapped_column(String(64))
    supersedes: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")


class StaffKeyRow(JudgeBase):
    """The staff key trusted for one program: the one that signed its first bundle opened.

    ``fingerprint`` covers both staff keys (the manifest schema requires it to be the
    fingerprint of ``age_recipient`` and ``minisign_public_key``), so pinning it pins
    the signing key and the key the results are encrypted to. Added in schema 2.
    """

    __tablename__ = "judge_staff_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[str] = mapped_column(String(128), unique=True)
    staff_name: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str] = mapped_column(String(64))
    minisign_public_key: Mapped[str] = mapped_column(String(200))
    age_recipient: Mapped[str] = mapped_column(String(200))
    bundle_id: Mapped[str] = mapped_column(String(128))  # the bundle that brought the key
    pinned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def public_key(self) -> PublicKey:
        return PublicKey.from_string(self.minisign_public_key)


class StaffKeyChangedError(SignatureError):
    """A bundle of a known program signed by another staff key than the pinned one.

    The UI may offer, after a clear warning, to open it again with
    ``accept_staff_key=offered``; ``pinned`` and ``offered`` are the two fingerprints.
    """

    def __init__(self, program_id: str, pinned: str, offered: str, path: str) -> None:
        super().__init__(STAFF_KEY_CHANGED, path=path, detail=f"program {program_id}: "
                         f"earlier bundles signed by staff key {pinned}, this one by {offered}")
        self.program_id, self.pinned, self.offered = program_id, pinned, offered


class JudgeAuditEvent(AuditLogColumns, JudgeBase):
    """The judge's hash-chained, append-only log (same columns and chain as the staff's)."""

    __tablename__ = "judge_audit"


def _refuse_change(_mapper: Any, _connection: Any, target: Any) -> None:
    raise WorkspaceError(
        "This record can only grow; its entries cannot be changed or deleted.",
        detail=f"attempt to modify {type(target).__name__} id={target.id}",
    )


for _append_only in (JudgeAuditEvent, DeclarationEvent):
    event.listen(_append_only, "before_update", _refuse_change)
    event.listen(_append_only, "before_delete", _refuse_change)


@dataclass
class Snapshot:
    """Everything stored for one bundle (or one application of it), read in one go."""

    declarations: dict[str, DeclarationRow] = field(default_factory=dict)
    scores: dict[str, dict[str, ScoreRow]] = field(default_factory=dict)  # app -> key -> row
    reviews: dict[str, ReviewRow] = field(default_factory=dict)


def snapshot(session: Session, bundle_row_id: int, app_id: str | None = None) -> Snapshot:
    """Read the bundle's declarations, scores and reviews (optionally one application's)."""
    snap = Snapshot()
    declarations = select(DeclarationRow).where(DeclarationRow.bundle_row_id == bundle_row_id)
    reviews = select(ReviewRow).where(ReviewRow.bundle_row_id == bundle_row_id)
    if app_id is not None:
        declarations = declarations.where(DeclarationRow.application_id == app_id)
        reviews = reviews.where(ReviewRow.application_id == app_id)
    snap.declarations = {r.application_id: r for r in session.scalars(declarations)}
    snap.reviews = {r.application_id: r for r in session.scalars(reviews)}
    query = select(ScoreRow).where(ScoreRow.bundle_row_id == bundle_row_id)
    if app_id is not None:
        query = query.where(ScoreRow.application_id == app_id)
    for score in session.scalars(query):
        snap.scores.setdefault(score.application_id, {})[score.criterion_key] = score
    return snap
