"""Exporting a judging session: the signed results file, the work file, the export history.

Plain functions over the judge workspace; ``JudgingSession`` calls them with what it
knows about its bundle (``BundleContext``). An export checks that nothing blocks it
(the same problems the screens list), records a pending export with the next
sequence number and a new export id, writes the file atomically, then marks it
written, so a failed write leaves a "failed" row and never a file the history does
not know.

Ordering (docs/formats.md 5.5, ``formats.results.lineage``): the sequence is one
more than any this workspace recorded for the bundle, its own exports and those
restored from a results file alike (a Lamport counter), and ``supersedes`` lists
every export id recorded for the bundle, with the ids each restored export itself
superseded, oldest first.

A work file (``carry_work``) is the same signed document, written while work is still
missing and encrypted to the judge alone, to continue on another computer
(``restore``). It takes its place in the lineage like an export, so the next results
file supersedes it; staff never receive it, and an id they never received in
``supersedes`` is harmless to them (docs/merging.md, "Which export is newer").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from judgepanel.clock import stamp, utcnow
from judgepanel.crypto.age_keys import X25519Recipient
from judgepanel.crypto.identity import Identity
from judgepanel.errors import IdentityError, JudgePanelError, ValidationError, WorkspaceError
from judgepanel.formats.detect import WORK_SUFFIX, is_work_file
from judgepanel.formats.results.file import write_results
from judgepanel.formats.results.lineage import new_export_id
from judgepanel.formats.results.spec import MAX_SUPERSEDES
from judgepanel.model.judge.records import (
    ApplicationSummary,
    BundleInfo,
    ExportOrder,
    ExportRecord,
    problems_of,
    results_document,
    unscored_texts,
)
from judgepanel.model.judge.schema import BundleRow, ExportRow, Snapshot, snapshot
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.model.rubric.definition import Rubric


@dataclass(frozen=True)
class BundleContext:
    """What an export needs to know about the session's bundle."""

    workspace: JudgeWorkspace
    row_id: int  # the bundle's row in the judge workspace
    info: BundleInfo
    manifest: dict[str, Any]
    rubric: Rubric
    applications: Sequence[ApplicationSummary]


def bundle_row(s: Session, row_id: int) -> BundleRow:
    """The bundle's row in the judge workspace (refused plainly if it has gone)."""
    row = s.get(BundleRow, row_id)
    if row is None:
        raise WorkspaceError("Your judging data for this bundle is missing from the workspace.",
                             detail=f"bundle row {row_id}")
    return row


def export_results(ctx: BundleContext, dst_path: Path | str, identity: Identity) -> ExportRecord:
    """Sign and encrypt the results to the staff at ``dst_path``; sequence = last + 1."""
    staff = X25519Recipient.from_string(ctx.manifest["staff"]["age_recipient"])
    return _export(ctx, Path(dst_path), identity, staff)[0]


@dataclass(frozen=True)
class CarriedWork:
    """A work file written, and the texts it could not carry (``records.unscored_texts``)."""

    record: ExportRecord
    left_out: list[str]


def carry_work(ctx: BundleContext, dst_path: Path | str, identity: Identity) -> CarriedWork:
    """The judge's work as it stands, complete or not, in a work file for their other
    computer: the signed results document an export writes, with the same lineage (so
    a later export here supersedes it), but written while things are still missing and
    encrypted to the judge alone, never to the staff (docs/formats.md 5.8)."""
    dst = Path(dst_path)
    if not is_work_file(dst):
        raise ValidationError(f"A work file's name ends in {WORK_SUFFIX}: choose a name "
                              f"like “{dst.stem}{WORK_SUFFIX}”.", path=str(dst))
    record, snap = _export(ctx, dst, identity, None)
    return CarriedWork(record, unscored_texts(ctx.rubric, snap,
                                              [a.id for a in ctx.applications]))


def _export(ctx: BundleContext, dst: Path, identity: Identity,
            staff: X25519Recipient | None) -> tuple[ExportRecord, Snapshot]:
    """Record, build, sign and write: to the staff and the judge, complete work only; or
    (``staff`` None: a work file) to the judge alone, as far as the work goes."""
    info, ws = ctx.info, ctx.workspace
    what = "results file" if staff is not None else "work file"
    check_signer(info, identity)
    if dst.resolve() == info.path.resolve():
        raise ValidationError("Choose another file name: this one is your bundle.",
                              path=str(dst))
    with ws.transaction() as s:
        snap = snapshot(s, ctx.row_id)
        problems = [p for a in ctx.applications
                    for p in problems_of(ctx.rubric, snap, a.id, a.title)]
        if problems and staff is not None:
            raise ValidationError(
                f"The results cannot be exported yet: {len(problems)} thing"
                f"{'s are' if len(problems) > 1 else ' is'} still missing. "
                "Check the list, complete it, and export again.",
                detail="; ".join(p.message for p in problems[:20]))
        order = next_order(s, ctx.row_id)
        now = utcnow()
        row = ExportRow(bundle_row_id=ctx.row_id, sequence=order.sequence, path=str(dst),
                        status="pending", revision=bundle_row(s, ctx.row_id).revision,
                        created_at=now, export_id=order.export_id,
                        supersedes=json.dumps(list(order.supersedes)))
        s.add(row)
        s.flush()
        export_id, sequence = row.id, row.sequence
        document = results_document(
            ctx.manifest, info.manifest_sha256, ctx.rubric,
            [a.id for a in ctx.applications], snap, order=order, created=stamp(now))
    try:
        write_results(dst, document, judge_key=identity.signing,
                      judge_public=identity.public_key, staff_recipient=staff,
                      judge_recipient=identity.recipient)
        sha256 = hashlib.sha256(dst.read_bytes()).hexdigest()
    except BaseException as error:
        with ws.transaction() as s:
            failed = s.get(ExportRow, export_id)
            assert failed is not None
            failed.status = "failed"
        if isinstance(error, OSError):
            raise JudgePanelError(
                f"The {what} could not be saved as “{dst.name}”. Choose another "
                "folder (for example your Documents folder) and "
                f"{'export' if staff is not None else 'save it'} again.",
                detail=str(error), path=str(dst)) from None
        raise
    with ws.transaction() as s:
        written = s.get(ExportRow, export_id)
        assert written is not None
        written.status, written.sha256 = "written", sha256
        ws.record(s, info.judge_fingerprint,
                  "results.exported" if staff is not None else "work.carried",
                  {"bundle": info.bundle_id, "sequence": sequence, "sha256": sha256,
                   "file": dst.name, "export_id": order.export_id,
                   "supersedes": order.supersedes[-1] if order.supersedes else None})
    return ExportRecord(info.bundle_id, sequence, dst, sha256, now, order.export_id), snap


def next_order(s: Session, row_id: int) -> ExportOrder:
    """A new export id, the next sequence, and every export id this one supersedes."""
    last = s.scalar(select(func.max(ExportRow.sequence)).where(ExportRow.bundle_row_id == row_id))
    earlier: dict[str, None] = {}  # ordered, without repeats
    for row in s.scalars(select(ExportRow).where(ExportRow.bundle_row_id == row_id)
                         .order_by(ExportRow.sequence, ExportRow.id)):
        for ancestor in json.loads(row.supersedes or "[]"):
            earlier.setdefault(ancestor, None)
        if row.export_id:
            earlier.setdefault(row.export_id, None)
    ids = list(earlier)[-MAX_SUPERSEDES:]
    return ExportOrder(new_export_id(), (last or 0) + 1, tuple(ids))


_SHOWN = ("written", "restored")


def list_exports(ctx: BundleContext) -> list[ExportRecord]:
    """Results files and work files written from this bundle (and any restored), oldest
    first (``ExportRecord.work_file`` tells them apart)."""
    with ctx.workspace.read() as s:
        rows = s.scalars(select(ExportRow).where(
            ExportRow.bundle_row_id == ctx.row_id, ExportRow.status.in_(_SHOWN),
        ).order_by(ExportRow.sequence))
        return [ExportRecord(ctx.info.bundle_id, r.sequence, Path(r.path), r.sha256 or "",
                             r.created_at, r.export_id, r.status == "restored") for r in rows]


def changed_since_export(ctx: BundleContext) -> bool:
    """True when something exportable changed after the last results file (False if none
    yet); a work file is not results, so it neither counts nor hides a change."""
    with ctx.workspace.read() as s:
        last = next((row for row in s.scalars(select(ExportRow).where(
            ExportRow.bundle_row_id == ctx.row_id, ExportRow.status.in_(_SHOWN),
        ).order_by(ExportRow.sequence.desc())) if not is_work_file(row.path)), None)
        return last is not None and last.revision != bundle_row(s, ctx.row_id).revision


def check_signer(info: BundleInfo, identity: Identity) -> None:
    """Only the judge the bundle was made for may sign its results."""
    expected = info.judge_fingerprint
    if not isinstance(identity, Identity) or identity.fingerprint != expected:
        raise IdentityError(
            f"This bundle was made for {info.judge_name}, whose identity is not the "
            "one chosen for signing. Choose your own identity (the one whose card you "
            "sent to the program staff).",
            detail=f"expected fingerprint {info.judge_fingerprint}, got "
            f"{getattr(identity, 'fingerprint', type(identity).__name__)}")
