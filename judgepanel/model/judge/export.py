"""Exporting a judging session: the signed results file and the export history.

A mixin of ``JudgingSession`` (judging.py), kept apart so each module stays readable;
it uses the session's workspace, snapshot and problem list, and holds no state.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from judgepanel.clock import stamp, utcnow
from judgepanel.crypto.age_keys import X25519Recipient
from judgepanel.crypto.identity import Identity
from judgepanel.errors import IdentityError, JudgePanelError, ValidationError
from judgepanel.formats.results.file import write_results
from judgepanel.model.judge.records import (
    ApplicationSummary,
    BundleInfo,
    ExportRecord,
    Problem,
    results_document,
)
from judgepanel.model.judge.schema import BundleRow, ExportRow, Snapshot
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.model.rubric.definition import Rubric


class ExportMixin:
    """Export and its history; mixed into ``JudgingSession``."""

    if TYPE_CHECKING:
        _ws: JudgeWorkspace
        _row_id: int
        info: BundleInfo
        manifest: dict[str, Any]
        rubric: Rubric
        applications: list[ApplicationSummary]

        def _row(self, s: Session) -> BundleRow: ...
        def _snapshot(self, s: Session, app_id: str | None = None) -> Snapshot: ...
        def _problems_of(self, snap: Snapshot, app_id: str) -> list[Problem]: ...
        def _record(self, s: Session, action: str, app_id: str | None,
                    **details: Any) -> None: ...

    def export(self, dst_path: Path | str, identity: Identity) -> ExportRecord:
        """Sign and encrypt the results to the staff at ``dst_path``; sequence = last + 1."""
        dst = Path(dst_path)
        self._check_signer(identity)
        if dst.resolve() == self.info.path.resolve():
            raise ValidationError("Choose another file name: this one is your bundle.",
                                  path=str(dst))
        staff = X25519Recipient.from_string(self.manifest["staff"]["age_recipient"])
        with self._ws.transaction() as s:
            snap = self._snapshot(s)
            problems = [p for a in self.applications for p in self._problems_of(snap, a.id)]
            if problems:
                raise ValidationError(
                    f"The results cannot be exported yet: {len(problems)} thing"
                    f"{'s are' if len(problems) > 1 else ' is'} still missing. "
                    "Check the list, complete it, and export again.",
                    detail="; ".join(p.message for p in problems[:20]))
            last = s.scalar(select(func.max(ExportRow.sequence))
                            .where(ExportRow.bundle_row_id == self._row_id))
            now = utcnow()
            row = ExportRow(bundle_row_id=self._row_id, sequence=(last or 0) + 1, path=str(dst),
                            status="pending", revision=self._row(s).revision, created_at=now)
            s.add(row)
            s.flush()
            export_id, sequence = row.id, row.sequence
            document = results_document(
                self.manifest, self.info.manifest_sha256, self.rubric,
                [a.id for a in self.applications], snap, sequence=sequence, created=stamp(now))
        try:
            write_results(dst, document, judge_key=identity.signing,
                          judge_public=identity.public_key, staff_recipient=staff)
            sha256 = hashlib.sha256(dst.read_bytes()).hexdigest()
        except BaseException as error:
            with self._ws.transaction() as s:
                failed = s.get(ExportRow, export_id)
                assert failed is not None
                failed.status = "failed"
            if isinstance(error, OSError):
                raise JudgePanelError(
                    f"The results file could not be saved as “{dst.name}”. Choose another "
                    "folder (for example your Documents folder) and export again.",
                    detail=str(error), path=str(dst)) from None
            raise
        with self._ws.transaction() as s:
            written = s.get(ExportRow, export_id)
            assert written is not None
            written.status, written.sha256 = "written", sha256
            self._record(s, "results.exported", None, sequence=sequence, sha256=sha256,
                         file=dst.name)
        return ExportRecord(self.info.bundle_id, sequence, dst, sha256, now)

    def exports(self) -> list[ExportRecord]:
        """Results files written from this bundle, oldest first."""
        with self._ws.read() as s:
            rows = s.scalars(select(ExportRow).where(
                ExportRow.bundle_row_id == self._row_id, ExportRow.status == "written",
            ).order_by(ExportRow.sequence))
            return [ExportRecord(self.info.bundle_id, r.sequence, Path(r.path), r.sha256 or "",
                                 r.created_at) for r in rows]

    @property
    def changed_since_export(self) -> bool:
        """True when something exportable changed after the last export (False if none yet)."""
        with self._ws.read() as s:
            last = s.scalars(select(ExportRow).where(
                ExportRow.bundle_row_id == self._row_id, ExportRow.status == "written",
            ).order_by(ExportRow.sequence.desc()).limit(1)).first()
            return last is not None and last.revision != self._row(s).revision


    def _check_signer(self, identity: Identity) -> None:
        expected = self.info.judge_fingerprint
        if not isinstance(identity, Identity) or identity.fingerprint != expected:
            raise IdentityError(
                f"This bundle was made for {self.info.judge_name}, whose identity is not the "
                "one chosen for signing. Choose your own identity (the one whose card you "
                "sent to the program staff).",
                detail=f"expected fingerprint {self.info.judge_fingerprint}, got "
                f"{getattr(identity, 'fingerprint', type(identity).__name__)}")
