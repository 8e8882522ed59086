"""Continuing from one's own results file or work file: a bundle's work brought here.

Why: a judge whose data folder is new (a second computer, a reinstall, a laptop
replaced mid-round) still has the results files they exported. From format 2 those
are encrypted to the judge as well as to the staff, so the judge can open their
latest one here and carry on: :func:`continue_from` brings back its declarations,
scores, comments, overall comments, confidence and "unable to review", and records
the file in the export history (status ``restored``), so the next export supersedes
it (and everything it superseded) with a higher sequence. Staff then see the next
export as newer, never as a repeat or a stranger (docs/formats.md 5.5).

A work file (``.jpwork``, ``export.carry_work``) is the same document, encrypted to
the judge alone and written while work was still missing: it is read and continued
from in the same way, with the same refusals. What it lacks (an application not yet
declared, a criterion not yet scored) stays here as it is, except that a criterion
scored here but not in the file, for an application the file reviews, is cleared: the
judge cleared it on the other computer.

Private notes are not in results files, so they stay as they are here. The file
must be the judge's own (it opens with their key and carries their signature) and
answer this very bundle (its id and manifest). Everything is applied in one
transaction, audited as ``results.restored``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.crypto.identity import Identity
from judgepanel.errors import IdentityError, ValidationError, WrongKeyError
from judgepanel.formats.detect import is_work_file
from judgepanel.formats.results.file import ResultsFile, read_results
from judgepanel.formats.results.lineage import legacy_export_id
from judgepanel.formats.results.spec import ResultsContent
from judgepanel.model.judge.edits import (
    Edit,
    apply_edits_in,
    changed,
    declaration_row,
    review_row,
)
from judgepanel.model.judge.export import BundleContext, bundle_row
from judgepanel.model.judge.records import ExportRecord
from judgepanel.model.judge.schema import (
    DeclarationEvent,
    DeclarationRow,
    ExportRow,
    Snapshot,
    snapshot,
)

NOT_YOURS = (
    "This results file cannot be opened with your identity. Either it was made by an "
    "older JudgePanel, whose results files only the program staff can open, or it is "
    "another judge's. Use a results file you exported with this version, or ask the "
    "program staff."
)
NOT_YOUR_WORK = (
    "This work file cannot be opened with your identity: it is another judge's work (or "
    "was saved with another of your identities). Choose a work file you saved yourself, "
    "and unlock the identity you judge this bundle with."
)


@dataclass(frozen=True)
class OwnResults:
    """One of the judge's own results files, opened and checked, with what it says."""

    path: Path
    sha256: str
    results: ResultsFile

    @property
    def content(self) -> ResultsContent:
        return self.results.content

    @property
    def work_file(self) -> bool:
        """A work file (the judge's work as it stood, complete or not), not results."""
        return is_work_file(self.path)

    @property
    def what(self) -> str:
        """"work file" or "results file", for messages."""
        return "work file" if self.work_file else "results file"

    @property
    def created(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.content.created)

    def counts(self) -> tuple[int, int, int, int]:
        """(declarations, conflicts, reviews, unable to review) in the file."""
        c = self.content
        return (len(c.declarations), sum(1 for d in c.declarations if d.conflict),
                len(c.reviews), len(c.unable_to_review))


def read_own_results(path: Path | str, identity: Identity) -> OwnResults:
    """Open ``path`` (a results file or a work file) with the judge's identity and check
    it carries their signature."""
    source = Path(path)
    work = is_work_file(source)
    refusal = NOT_YOUR_WORK if work else NOT_YOURS
    try:
        raw = source.read_bytes()
    except OSError as error:
        raise ValidationError(f"The {'work' if work else 'results'} file could not be read. "
                              "Check that it exists.", detail=str(error),
                              path=str(source)) from None
    try:
        results = read_results(raw, [identity])
    except WrongKeyError as error:
        raise WrongKeyError(refusal, detail=error.detail, path=str(source)) from None
    if results.judge["fingerprint"] != identity.fingerprint:
        raise IdentityError(refusal, detail=f"made by {results.judge['fingerprint']}",
                            path=str(source))
    results.verify_signature(identity.public_key)
    return OwnResults(source, hashlib.sha256(raw).hexdigest(), results)


def check_same_bundle(ctx: BundleContext, own: OwnResults) -> None:
    """The file must answer the very bundle of ``ctx`` (same id, same manifest)."""
    content, info = own.content, ctx.info
    if content.bundle_id != info.bundle_id or content.manifest_sha256 != info.manifest_sha256:
        raise ValidationError(
            f"This {own.what} answers another bundle ({content.bundle_id}, "
            f"{content.program.name} — {content.round.name}), not the one open now "
            f"({info.bundle_id}). Open that bundle to continue from it.",
            path=str(own.path))
    unknown = ({d.application_id for d in content.declarations}
               - {a.id for a in ctx.applications})
    if unknown:
        raise ValidationError(f"This {own.what} names applications the bundle does not "
                              "hold, so it cannot be continued from.",
                              detail=f"unknown applications {sorted(unknown)[:5]}")


def differences(ctx: BundleContext, own: OwnResults) -> int:
    """How many declarations, scores and texts here differ from the file's (0: none)."""
    check_same_bundle(ctx, own)
    with ctx.workspace.read() as s:
        return sum(1 for _ in _planned(ctx, own, snapshot(s, ctx.row_id)))


def _planned(ctx: BundleContext, own: OwnResults, snap: Snapshot) -> list[Edit]:
    """The edits that make this workspace say what the file says, declarations first."""
    content = own.content
    edits: list[Edit] = []
    declared = {d.application_id: d for d in content.declarations}
    for app_id, entry in declared.items():
        declaration = snap.declarations.get(app_id)
        if declaration is None or ((declaration.conflict, declaration.reason)
                                   != (entry.conflict, entry.reason)):
            edits.append(Edit(app_id, "declaration", "", entry))
    unable = {u.application_id: u.reason for u in content.unable_to_review}
    for app_id, entry in declared.items():
        if entry.conflict:
            continue
        review = snap.reviews.get(app_id)
        if (review.unable_reason if review else "") != unable.get(app_id, ""):
            edits.append(Edit(app_id, "unable", "", unable.get(app_id, "")))
    for reviewed in content.reviews:
        app_id = reviewed.application_id
        rows = snap.scores.get(app_id, {})
        in_file = {score.criterion for score in reviewed.scores}
        edits += [Edit(app_id, "score", key, None) for key, row in rows.items()
                  if key not in in_file and row.value is not None]  # cleared there
        for score in reviewed.scores:
            given = rows.get(score.criterion)
            if given is None or given.value != float(score.score):
                edits.append(Edit(app_id, "score", score.criterion, float(score.score)))
            if (given.comment if given else "") != score.comment:
                edits.append(Edit(app_id, "comment", score.criterion, score.comment))
            # An older file has no feedback (empty): what is here is not taken away.
            if content.format_version >= 3 and (given.feedback if given else "") \
                    != score.feedback:
                edits.append(Edit(app_id, "feedback", score.criterion, score.feedback))
        review = snap.reviews.get(app_id)
        if (review.overall_comment if review else "") != reviewed.overall_comment:
            edits.append(Edit(app_id, "overall", "", reviewed.overall_comment))
        if content.format_version >= 3 and (review.overall_feedback if review else "") \
                != reviewed.overall_feedback:
            edits.append(Edit(app_id, "overall_feedback", "", reviewed.overall_feedback))
        if (review.confidence if review else None) != reviewed.confidence:
            edits.append(Edit(app_id, "confidence", "", reviewed.confidence))
    return edits


def continue_from(ctx: BundleContext, own: OwnResults) -> ExportRecord:
    """Make this workspace hold what ``own`` holds, and record it in the export history."""
    check_same_bundle(ctx, own)
    content = own.content
    export_id = own.results.export_id or legacy_export_id(own.sha256)
    with ctx.workspace.transaction() as s:
        known = s.scalars(select(ExportRow).where(ExportRow.bundle_row_id == ctx.row_id,
                                                  ExportRow.export_id == export_id)).first()
        edits = _planned(ctx, own, snapshot(s, ctx.row_id))
        declarations = [e for e in edits if e.kind == "declaration"]
        for edit in declarations:
            _declare(ctx, s, edit)
        apply_edits_in(ctx, s, [e for e in edits if e.kind != "declaration"])
        revision = bundle_row(s, ctx.row_id).revision
        if known is None:
            known = ExportRow(bundle_row_id=ctx.row_id, sequence=content.sequence,
                              path=str(own.path), sha256=own.sha256, status="restored",
                              revision=revision, created_at=own.created,
                              export_id=export_id, supersedes=json.dumps(content.supersedes))
            s.add(known)
        else:
            known.revision = revision  # continuing from an export this computer made
        ctx.workspace.record(s, ctx.info.judge_fingerprint, "results.restored", {
            "bundle": ctx.info.bundle_id, "export_id": export_id,
            "sequence": content.sequence, "sha256": own.sha256, "file": own.path.name,
            "changes": len(edits)})
        s.flush()
        return ExportRecord(ctx.info.bundle_id, known.sequence, Path(known.path),
                            known.sha256 or "", known.created_at, export_id,
                            known.status == "restored")


def _declare(ctx: BundleContext, s: Session, edit: Edit) -> None:
    """The file's declaration, with the time the judge made it, into the current answer and
    the history (an earlier answer here is kept in the history, as every change is)."""
    entry = edit.value
    declared_at = dt.datetime.fromisoformat(entry.declared_at)
    row = declaration_row(ctx, s, edit.application_id)
    if row is None:
        row = DeclarationRow(bundle_row_id=ctx.row_id, application_id=edit.application_id,
                             conflict=entry.conflict, reason=entry.reason,
                             declared_at=declared_at)
        s.add(row)
    else:
        row.conflict, row.reason, row.declared_at = entry.conflict, entry.reason, declared_at
    s.add(DeclarationEvent(bundle_row_id=ctx.row_id, application_id=edit.application_id,
                           conflict=entry.conflict, reason=entry.reason,
                           declared_at=declared_at))
    review_row(ctx, s, edit.application_id, touch=False)
    changed(ctx, s, "declaration.set", edit.application_id, conflict=entry.conflict,
            reason=entry.reason, restored=True)
