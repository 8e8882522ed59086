"""The judge's workflow as plain Python: open, declare, read, score, check, export.

The judge desktop app, the demo and the tests all drive this class, so every rule
lives here and the screens only show and ask:

- An application's content (fields, attachment names and bytes) opens only after
  the judge has declared whether they have a conflict of interest with it, and
  never for an application declared a conflict.
- A conflicted application cannot be scored or commented. Declaring a conflict
  after scoring keeps those scores in the workspace (so withdrawing the conflict
  brings them back) but they are not exported: the results carry the
  declaration only.
- Declarations can be changed at any time; every change is kept in the
  declaration history and the audit chain. After an export, changes are still
  allowed; they make the session "changed since the last export", and the next
  export gets a higher sequence number.
- Every change is committed to the judge workspace before the method returns.
- Private notes are stored in the workspace and never exported.
- Export is refused while :meth:`JudgingSession.problems` lists anything.

Confidence is a whole number 1-5 (results format) with the named scale
:data:`CONFIDENCE_LABELS` (1 = "very low" ... 5 = "very high"); either form is
accepted, None clears it. Confidence and the overall comment are optional.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.clock import utcnow
from judgepanel.crypto.identity import Identity
from judgepanel.crypto.minisign import PublicKey
from judgepanel.errors import (
    ValidationError,
)
from judgepanel.formats.bundle import Bundle
from judgepanel.formats.sealed import AnyIdentity
from judgepanel.model.judge.bundle_readers import BundleReaders, Reopen
from judgepanel.model.judge.edits import Edit, apply_edits, changed, declaration_row
from judgepanel.model.judge.export import (
    BundleContext,
    CarriedWork,
    bundle_row,
    carry_work,
    changed_since_export,
    export_results,
    list_exports,
)
from judgepanel.model.judge.records import (
    ApplicationSummary,
    AppProgress,
    BundleInfo,
    DeclarationState,
    ExportProblem,
    ExportRecord,
    Position,
    ReviewState,
    check_judge,
    checked_text,
    problems_of,
    rubric_of,
    unable_reason,
)
from judgepanel.model.judge.restore import OwnResults, continue_from, differences
from judgepanel.model.judge.schema import (
    BundleRow,
    DeclarationEvent,
    DeclarationRow,
    ScoreRow,
    Snapshot,
    snapshot,
)
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.scoring.totals import weighted_total
from judgepanel.progress import Progress

MAX_VIEW = 40


def _as_list(identities: AnyIdentity | Sequence[AnyIdentity]) -> list[AnyIdentity]:
    if isinstance(identities, Sequence):
        return list(identities)
    return [identities]


class JudgingSession:
    """One judge working on one bundle. Every mutating method commits before returning."""

    def __init__(self, bundle: Bundle, workspace: JudgeWorkspace, rubric: Rubric,
                 row_id: int, path: Path, *, reopen: Reopen | None = None) -> None:
        self._bundle = BundleReaders(bundle, path, reopen)
        self._ws = workspace
        self._row_id = row_id
        self.rubric = rubric
        self.manifest: dict[str, Any] = bundle.manifest
        m = bundle.manifest
        self.info = BundleInfo.from_manifest(m, bundle.manifest_sha256, path)
        self.applications: list[ApplicationSummary] = [
            ApplicationSummary(s["id"], s["title"], s.get("applicant"), s.get("organisation"),
                               s.get("city"), tuple(s.get("categories", ())))
            for s in m["applications"]
        ]
        self._titles = {a.id: a.title for a in self.applications}
        self._export = BundleContext(workspace, row_id, self.info, self.manifest, rubric,
                                     self.applications)

    # --- opening ------------------------------------------------------------------

    @classmethod
    def open(cls, bundle_path: Path | str, identities: AnyIdentity | Sequence[AnyIdentity],
             workspace: JudgeWorkspace, *, trusted_staff_keys: Sequence[PublicKey] = (),
             accept_staff_key: str | None = None) -> JudgingSession:
        """Open and check the bundle, then find (or start) its record in the workspace.

        The staff key must be one of ``trusted_staff_keys`` when given, and the one
        pinned in the workspace for the bundle's program (the first bundle opened pins
        it). Another key raises ``StaffKeyChangedError`` and changes nothing, unless
        ``accept_staff_key`` is its fingerprint (the judge confirmed it with the staff
        after a warning): then the program is re-pinned to it.
        """
        path = Path(bundle_path)
        ids = _as_list(identities)
        bundle = Bundle.open(path, ids, trusted_staff_keys=trusted_staff_keys)
        try:
            rubric = rubric_of(bundle.manifest)
            check_judge(bundle.manifest, ids)
            row_id = workspace.register_bundle(bundle.manifest, bundle.manifest_sha256, path,
                                               accept_staff_key=accept_staff_key)
        except BaseException:
            bundle.close()
            raise
        keys = (bundle.staff_public_key,)  # as checked and pinned: the reopened copy too

        def reopen() -> Bundle:
            return Bundle.open(path, ids, trusted_staff_keys=keys)

        return cls(bundle, workspace, rubric, row_id, path, reopen=reopen)

    def verify(self, progress: Progress | None = None) -> None:
        """Hash-check every member against the signed manifest, reporting members done.

        Opening checks the signature, the directory and the manifest only; this reads
        every application and attachment once, so a damaged or altered bundle is
        refused (``DamagedFileError``) before the judge starts, not halfway through.
        Progress is ``(members checked, members, VERIFY_LABEL)``.
        """
        self._bundle.verify(progress)

    def close(self) -> None:
        self._bundle.close()

    def __enter__(self) -> JudgingSession:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def first_bundle_from_this_staff_key(self) -> bool:
        """Whether this bundle pinned its program's staff key (the time to check it by phone)."""
        pinned = self._ws.staff_key(self.info.program_id)
        return pinned is not None and pinned.bundle_id == self.info.bundle_id

    # --- declarations ---------------------------------------------------------------

    def declare(self, app_id: str, conflict: bool, reason: str = "") -> DeclarationState:
        """Record the judge's answer; a conflict needs a reason. Re-declaring is allowed."""
        self._known(app_id)
        if not isinstance(conflict, bool):
            raise ValidationError("Answer yes or no: do you have a conflict of interest?",
                                  path="conflict")
        reason = checked_text(reason, "reason", "reason").strip()
        if conflict and not reason:
            raise ValidationError(
                "Please say briefly why you have a conflict of interest with "
                f"“{self._titles[app_id]}” (for example: “I advise this organisation”).",
                path="reason")
        with self._ws.transaction() as s:
            row = self._declaration_row(s, app_id)
            if row is not None and (row.conflict, row.reason) == (conflict, reason):
                return DeclarationState.of(row)
            now = utcnow()
            if row is None:
                row = DeclarationRow(bundle_row_id=self._row_id, application_id=app_id,
                                     conflict=conflict, reason=reason, declared_at=now)
                s.add(row)
            else:
                row.conflict, row.reason, row.declared_at = conflict, reason, now
            s.add(DeclarationEvent(bundle_row_id=self._row_id, application_id=app_id,
                                   conflict=conflict, reason=reason, declared_at=now))
            changed(self._export, s, "declaration.set", app_id, conflict=conflict,
                    reason=reason)
            return DeclarationState.of(row)

    def declaration(self, app_id: str) -> DeclarationState | None:
        self._known(app_id)
        with self._ws.read() as s:
            row = self._declaration_row(s, app_id)
            return DeclarationState.of(row) if row is not None else None

    def declaration_history(self, app_id: str) -> list[DeclarationState]:
        """Every declaration made for the application, oldest first."""
        self._known(app_id)
        with self._ws.read() as s:
            rows = s.scalars(select(DeclarationEvent).where(
                DeclarationEvent.bundle_row_id == self._row_id,
                DeclarationEvent.application_id == app_id).order_by(DeclarationEvent.id))
            return [DeclarationState.of(r) for r in rows]

    # --- reading ------------------------------------------------------------------

    def can_read(self, app_id: str) -> bool:
        """True once declared without a conflict."""
        declaration = self.declaration(app_id)
        return declaration is not None and not declaration.conflict

    def _require_readable(self, app_id: str) -> None:
        declaration = self.declaration(app_id)
        title = self._titles[app_id]
        if declaration is None:
            raise ValidationError(
                f"First declare whether you have a conflict of interest with “{title}”. "
                "The application opens after that.", path=app_id)
        if declaration.conflict:
            raise ValidationError(
                f"You declared a conflict of interest with “{title}”, so it stays closed. "
                "If that was a mistake, change your declaration first.", path=app_id)

    def application(self, app_id: str) -> dict[str, Any]:
        self._require_readable(app_id)
        return self._bundle.application(app_id)

    def attachment_names(self, app_id: str) -> list[str]:
        self._require_readable(app_id)
        return self._bundle.attachment_names(app_id)

    def attachment(self, app_id: str, name: str) -> bytes:
        """The attachment's bytes, in memory only (never written out).

        Safe to call from a worker thread while another thread reads applications:
        attachments are read through their own reader of the same (checked) bundle.
        """
        self._require_readable(app_id)
        if name not in self._bundle.attachment_names(app_id):
            raise ValidationError(f"“{self._titles[app_id]}” has no attachment “{name}”.",
                                  path=name)
        return self._bundle.attachment(app_id, name)

    # --- scoring ------------------------------------------------------------------

    def set_score(self, app_id: str, key: str, value: float | None) -> None:
        """Give (or with None, clear) a criterion's score; it must be on the scale."""
        self.apply([Edit(app_id, "score", key, value)])

    def set_comment(self, app_id: str, key: str, text: str) -> None:
        self.apply([Edit(app_id, "comment", key, text)])

    def set_overall_comment(self, app_id: str, text: str) -> None:
        self.apply([Edit(app_id, "overall", "", text)])

    def set_feedback(self, app_id: str, key: str, text: str) -> None:
        """Feedback for the applicant on one criterion (the comment is for the panel)."""
        self.apply([Edit(app_id, "feedback", key, text)])

    def set_overall_feedback(self, app_id: str, text: str) -> None:
        """Overall feedback for the applicant (the overall comment is for the panel)."""
        self.apply([Edit(app_id, "overall_feedback", "", text)])

    def set_confidence(self, app_id: str, value: int | str | None) -> None:
        """1-5, or a name from :data:`CONFIDENCE_LABELS` (any case); None clears it."""
        self.apply([Edit(app_id, "confidence", "", value)])

    def set_private_note(self, app_id: str, text: str) -> None:
        """The judge's own note: allowed at any time, stored here, never exported."""
        self.apply([Edit(app_id, "note", "", text)])

    def set_unable(self, app_id: str, reason: str | None) -> None:
        """Say the judge cannot review ``app_id`` (outside their expertise, illness…) and
        why; None takes it back. Needs a declaration without a conflict. The
        application then counts as done: it goes to staff as a missing review with its
        reason, and any scores given stay here, unexported, until it is taken back."""
        if reason is not None and (not isinstance(reason, str) or not reason.strip()):
            self._known(app_id)
            raise ValidationError(
                f"Please say briefly why you cannot review “{self._titles[app_id]}” (for "
                "example: “outside my field”).", path="unable_reason")
        self.apply([Edit(app_id, "unable", "", reason or "")])

    def apply(self, edits: Sequence[Edit]) -> int:
        """Apply several edits in one transaction, all or none (``edits.apply_edits``)."""
        return apply_edits(self._export, edits)

    def review(self, app_id: str) -> ReviewState:
        self._known(app_id)
        with self._ws.read() as s:
            snap = self._snapshot(s, app_id)
        declaration = snap.declarations.get(app_id)
        rows = snap.scores.get(app_id, {})
        scores = {c.key: (rows[c.key].value if c.key in rows else None)
                  for c in self.rubric.criteria}
        comments = {c.key: (rows[c.key].comment if c.key in rows else "")
                    for c in self.rubric.criteria}
        feedback = {c.key: (rows[c.key].feedback if c.key in rows else "")
                    for c in self.rubric.criteria}
        review = snap.reviews.get(app_id)
        return ReviewState(
            application_id=app_id,
            declaration=DeclarationState.of(declaration) if declaration is not None else None,
            scores=scores, comments=comments,
            overall_comment=review.overall_comment if review else "",
            feedback=feedback,
            overall_feedback=review.overall_feedback if review else "",
            confidence=review.confidence if review else None,
            private_note=review.private_note if review else "",
            total=weighted_total(self.rubric, scores),
            problems=self._problems_of(snap, app_id),
            unable_reason=review.unable_reason if review else "",
        )

    # --- the whole bundle -------------------------------------------------------------

    @overload
    def progress(self) -> list[AppProgress]: ...

    @overload
    def progress(self, app_id: str) -> AppProgress: ...

    def progress(self, app_id: str | None = None) -> list[AppProgress] | AppProgress:
        """Declared?, n scored of n criteria, total: for every application in bundle order,
        or (given ``app_id``) for that one only, reading just its rows."""
        if app_id is not None:
            self._known(app_id)
            with self._ws.read() as s:
                snap = self._snapshot(s, app_id)
            return self._progress_of(snap, app_id)
        with self._ws.read() as s:
            snap = self._snapshot(s)
        return [self._progress_of(snap, app.id) for app in self.applications]

    def scores(self) -> dict[str, dict[str, float]]:
        """Every score given so far, per application then criterion, in one query.

        Only applications declared without a conflict are included (a conflicted one's
        kept scores do not count), and only criteria with a score.
        """
        with self._ws.read() as s:
            rows = s.execute(
                select(ScoreRow.application_id, ScoreRow.criterion_key, ScoreRow.value)
                .join(DeclarationRow, (DeclarationRow.bundle_row_id == ScoreRow.bundle_row_id)
                      & (DeclarationRow.application_id == ScoreRow.application_id))
                .where(ScoreRow.bundle_row_id == self._row_id, ScoreRow.value.is_not(None),
                       DeclarationRow.conflict.is_(False))).all()
        result: dict[str, dict[str, float]] = {}
        for app_id, key, value in rows:
            if app_id in self._titles and value is not None:
                result.setdefault(app_id, {})[key] = float(value)
        return result

    def _progress_of(self, snap: Snapshot, app_id: str) -> AppProgress:
        declaration = snap.declarations.get(app_id)
        scores = {k: r.value for k, r in snap.scores.get(app_id, {}).items()}
        return AppProgress(
            application_id=app_id, declared=declaration is not None,
            conflict=bool(declaration and declaration.conflict),
            scored=sum(1 for c in self.rubric.criteria if scores.get(c.key) is not None),
            criteria=len(self.rubric.criteria),
            total=weighted_total(self.rubric, scores),
            complete=declaration is not None and not self._problems_of(snap, app_id),
            unable=bool(unable_reason(snap, app_id)) and not (declaration and
                                                               declaration.conflict),
        )

    def problems(self) -> list[ExportProblem]:
        """Everything that blocks export, in bundle and rubric order (empty = ready)."""
        with self._ws.read() as s:
            snap = self._snapshot(s)
        return [p for app in self.applications for p in self._problems_of(snap, app.id)]

    def set_position(self, app_id: str | None, view: str = "") -> None:
        """Remember where the judge is (application and a screen name), for reopening."""
        if app_id is not None:
            self._known(app_id)
        if not isinstance(view, str) or len(view) > MAX_VIEW:
            raise ValidationError("The view name must be short text.", path="view")
        with self._ws.transaction() as s:
            row = self._row(s)
            row.position_application, row.position_view = app_id, view

    def position(self) -> Position:
        with self._ws.read() as s:
            row = self._row(s)
            return Position(row.position_application, row.position_view)

    # --- export ---------------------------------------------------------------------

    def export(self, dst_path: Path | str, identity: Identity) -> ExportRecord:
        """Sign and encrypt the results to the staff at ``dst_path``; sequence = last + 1."""
        return export_results(self._export, dst_path, identity)

    def carry(self, dst_path: Path | str, identity: Identity) -> CarriedWork:
        """The work as it stands, complete or not, in a work file for the judge's other
        computer (encrypted to the judge alone); recorded in the history like an export."""
        return carry_work(self._export, dst_path, identity)

    def exports(self) -> list[ExportRecord]:
        """Results files (and work files) written from this bundle, oldest first."""
        return list_exports(self._export)

    def continue_from(self, own: OwnResults) -> ExportRecord:
        """Bring back the work in the judge's own results or work file ``own`` (``restore``)."""
        return continue_from(self._export, own)

    def differences_from(self, own: OwnResults) -> int:
        """How many answers here differ from ``own``'s (0: continuing changes nothing)."""
        return differences(self._export, own)

    @property
    def changed_since_export(self) -> bool:
        """True when something exportable changed after the last export (False if none yet)."""
        return changed_since_export(self._export)

    # --- internals ------------------------------------------------------------------

    def _known(self, app_id: str) -> None:
        if app_id not in self._titles:
            raise ValidationError(f"This bundle has no application “{app_id}”.", path=app_id)

    def _row(self, s: Session) -> BundleRow:
        return bundle_row(s, self._row_id)

    def _declaration_row(self, s: Session, app_id: str) -> DeclarationRow | None:
        return declaration_row(self._export, s, app_id)

    def _snapshot(self, s: Session, app_id: str | None = None) -> Snapshot:
        return snapshot(s, self._row_id, app_id)

    def _problems_of(self, snap: Snapshot, app_id: str) -> list[ExportProblem]:
        return problems_of(self.rubric, snap, app_id, self._titles[app_id])
