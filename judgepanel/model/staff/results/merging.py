"""Merging judges' results files into the workspace, refusing any that fail a check.

Every file goes through the checks of docs/merging.md, in this order, and is
refused at the first that fails (docs/merging.md lists the codes and messages):

1. it is readable, decrypts with the staff key, and is a well-formed results file;
2. it names a bundle this workspace issued;
3. its signature verifies with the key *enrolled* for the judge that bundle was
   issued to (never the key shipped inside the file), and the judge it names is
   that judge;
4. that bundle has not been superseded by a newer one for the same judge;
5. it carries the SHA-256 of the manifest we issued;
6. it is not an export received before (a replay) nor one an export received before
   builds on (older): ``ordering``;
7. it covers exactly the bundle's applications: each declared, each one without a
   conflict fully scored against the rubric (``scoring.review_problems``, the same
   check the judge's app runs before export) or marked unable to review with a
   reason, no criterion the rubric lacks.

A file that passes every check is accepted when it builds on the accepted export of
its bundle (or none is accepted yet); one that diverged from it (made on another
computer from the same start) is *held* for staff to compare and choose
(``diverged``), changing no score.

All files of a batch are decrypted first, then checked and recorded in ONE
transaction: either the whole merge is recorded or (on a crash or cancellation)
nothing is. A refused file adds only its own ReceivedResults row (raw bytes, code,
message) and an audit entry; it changes no score, review, declaration or conflict.

Within a batch, files answering the same bundle are applied in sequence order (an
export's sequence is above those of every export it builds on), so the outcome does
not depend on the order the files were chosen in. An accepted file
*replaces* the judge's previous results for the round: the older ReceivedResults row
becomes ``"replaced"`` (its raw file stays) and its Score, Review and Declaration
rows are deleted. So at any time a judge has at most one ``"accepted"`` results row
per round, and the score tables hold only current scores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, joinedload

from judgepanel.crypto.identity import Identity
from judgepanel.crypto.minisign import PublicKey
from judgepanel.errors import (
    DamagedFileError,
    FileFormatError,
    JudgePanelError,
    NewerVersionError,
    ResultsRefusedError,
    SignatureError,
    WrongKeyError,
)
from judgepanel.formats.detect import is_work_file
from judgepanel.formats.results.file import ResultsFile, read_results
from judgepanel.formats.results.spec import RESULTS_MAX, ResultsContent
from judgepanel.formats.sealed import AnyIdentity
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.staff import audit
from judgepanel.model.staff.bundles.issued import all_issued_applications, issued_applications
from judgepanel.model.staff.locks import hold_bundles
from judgepanel.model.staff.prepare.rounds import rubric_for_round
from judgepanel.model.staff.results.checks import (
    ASK_AGAIN,
    REASONS,
    content_refusal,
    refusal,
)
from judgepanel.model.staff.results.ordering import (
    ACCEPTED,
    HELD,
    REPLACED,
    BundleExports,
    Verdict,
)
from judgepanel.model.staff.results.recording import (
    insert_all,
    record_declared_conflict,
    retire,
    rows_of,
)
from judgepanel.model.staff.schema.program import Application, Judge, Round
from judgepanel.model.staff.schema.results import IssuedBundle, ReceivedResults
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.model.storage.gc_pause import bulk_step
from judgepanel.progress import Progress, no_progress

REFUSED = "refused"
MAX_FILE = RESULTS_MAX + 1024 * 1024  # the largest results.json plus ZIP and age overhead


@dataclass
class MergeRow:
    """The outcome for one file; ``judge`` and ``sequence`` are set once authenticated."""

    path: Path
    status: str  # "accepted" | "refused" | "held" (diverged: staff choose, ``diverged``)
    message: str
    reason: str | None = None  # a code of REASONS when refused
    judge: str | None = None
    sequence: int | None = None
    bundle_id: str | None = None
    detail: str = ""
    results_id: int | None = None

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED


@dataclass
class MergeReport:
    rows: list[MergeRow] = field(default_factory=list)

    @property
    def accepted(self) -> list[MergeRow]:
        return [r for r in self.rows if r.status == ACCEPTED]

    @property
    def refused(self) -> list[MergeRow]:
        return [r for r in self.rows if r.status == REFUSED]

    @property
    def held(self) -> list[MergeRow]:
        return [r for r in self.rows if r.status == HELD]

    def summary(self) -> str:
        held = (f", {len(self.held)} held for you to compare and choose" if self.held
                else "")
        return (f"{len(self.accepted)} results files accepted, {len(self.refused)} refused"
                f"{held} (of {len(self.rows)}).")


@dataclass
class _Loaded:
    """A file after phase 1: its bytes, and the decrypted results or why not."""

    index: int
    path: Path
    raw: bytes
    results: ResultsFile | None = None
    refusal: ResultsRefusedError | None = None
    sha256: str = ""

    def order(self) -> tuple[Any, ...]:
        if self.results is None:
            return (0, "", 0, self.index)
        return (1, self.results.bundle_id, self.results.sequence, self.index)


def _load(index: int, path: Path, identities: Sequence[AnyIdentity]) -> _Loaded:
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            return _Loaded(index, path, b"", refusal=refusal(
                "not_results", "It is far larger than any results file.",
                detail=f"{size} bytes"))
        raw = path.read_bytes()
    except OSError as error:
        return _Loaded(index, path, b"", refusal=refusal("unreadable", detail=repr(error)))
    item = _Loaded(index, path, raw, sha256=hashlib.sha256(raw).hexdigest())
    try:
        item.results = read_results(raw, identities)
    except WrongKeyError as error:
        item.refusal = refusal("wrong_key", detail=error.detail)
    except NewerVersionError as error:
        item.refusal = refusal("newer_version", detail=error.detail)
    except (DamagedFileError, SignatureError) as error:
        item.refusal = refusal("damaged", detail=f"{error.message} {error.detail}".strip())
    except FileFormatError as error:  # its own message says what the file is instead
        item.refusal = ResultsRefusedError(error.message, "not_results", detail=error.detail)
    except JudgePanelError as error:
        item.refusal = refusal("damaged", detail=f"{error.message} {error.detail}".strip())
    except Exception as error:  # a file nobody foresaw must not stop the batch
        item.refusal = refusal("damaged", detail=f"{type(error).__name__}: {error}")
    return item


class _Merger:
    """Phase 2: checks and records files one by one inside the caller's transaction.

    What the checks consult (issued bundles and their judges, the highest sequence
    accepted per bundle, each judge's accepted results per round, application
    references) is read once per batch, not once per file, and kept current in
    memory as files are accepted. Nothing is written per file: the ReceivedResults
    rows are flushed together (their ids are needed only then), then the audit
    entries, then the scores, reviews and declarations of every accepted file with
    one bulk INSERT per table. A 120-file national round thus costs a handful of
    statements per file instead of one per score.
    """

    def __init__(self, session: Session, workspace: StaffWorkspace) -> None:
        self.session = session
        self.workspace = workspace
        self.program_id = workspace.program_id
        self._rubrics: dict[int, Rubric] = {}
        self._contents: dict[str, dict[str, int]] = {}
        self._refs: dict[int, str] | None = None
        self._rows_by_results: dict[ReceivedResults, MergeRow] = {}
        # Audit entries of this batch, appended together (see _write_audit); each
        # makes its details once the rows it names have ids.
        self._audit: list[tuple[str, Callable[[], dict[str, Any]]]] = []
        # Files accepted in this batch whose rows finish() inserts: received row ->
        # (judge id, bundle application id -> Application.id, the content).
        self._pending: dict[ReceivedResults, tuple[int, dict[str, int], ResultsContent]] = {}
        in_program = (select(IssuedBundle.id).join(Round)
                      .where(Round.program_id == self.program_id))
        self._issued: dict[str, IssuedBundle] = {
            issued.bundle_id: issued for issued in session.scalars(
                select(IssuedBundle).where(IssuedBundle.id.in_(in_program))
                .options(joinedload(IssuedBundle.judge), defer(IssuedBundle.applications)))}
        # Every export received per issued bundle that counts for ordering.
        self._order = BundleExports(session, in_program)
        # Each judge's accepted results per round: (round id, judge id) -> rows.
        self._current: dict[tuple[int, int], list[ReceivedResults]] = {}
        for received, round_id in session.execute(
                select(ReceivedResults, IssuedBundle.round_id).join(IssuedBundle)
                .where(IssuedBundle.id.in_(in_program), ReceivedResults.status == ACCEPTED)
                .options(defer(ReceivedResults.raw))):
            assert received.judge_id is not None
            self._current.setdefault((round_id, received.judge_id), []).append(received)

    def process(self, item: _Loaded) -> MergeRow:
        row = MergeRow(item.path, REFUSED, "")
        if item.refusal is not None or item.results is None:
            assert item.refusal is not None
            return self._refuse(item, row, item.refusal)
        results = item.results
        row.bundle_id = results.bundle_id
        issued = self._issued.get(results.bundle_id)
        try:
            if issued is None:
                raise refusal("unknown_bundle", detail=f"bundle {results.bundle_id}")
            self._authenticate(results, issued)
            row.judge, row.sequence = issued.judge.name, results.sequence
            self._check_issued(results, issued)
            decision = self._order.decide(issued.id, results.lineage(item.sha256))
            contents = self._contents_of(issued)
            problem = content_refusal(self._rubric(issued.round_id), contents, results.content)
            if problem is not None:
                raise problem
        except ResultsRefusedError as problem:
            verified = row.judge is not None
            return self._refuse(item, row, problem, issued if verified else None)
        if decision.verdict is Verdict.HOLD:
            return self._hold(item, row, issued, decision.accepted)
        return self._accept(item, row, issued)

    # -- checks --

    def _authenticate(self, results: ResultsFile, issued: IssuedBundle) -> None:
        judge = issued.judge
        try:
            results.verify_signature(PublicKey.from_string(judge.minisign_public_key))
        except SignatureError as error:
            other = self._actual_signer(results, judge)
            if other is not None:
                raise refusal(
                    "wrong_judge", f"It was signed by {other.name}, but the bundle was sent "
                    f"to {judge.name}. Ask {other.name} to export from their own bundle.",
                    detail=f"signed by judge {other.id}, bundle for judge {judge.id}",
                ) from None
            raise refusal("bad_signature",
                           detail=f"{error.message} {error.detail}".strip()) from None
        if results.judge.get("fingerprint") != judge.fingerprint:
            raise refusal(
                "wrong_judge", f"It names the judge {results.judge.get('fingerprint')}, but "
                f"the bundle was sent to {judge.name} ({judge.fingerprint}). " + ASK_AGAIN,
                detail="judge fingerprint in results.json differs from the enrolled judge")

    def _actual_signer(self, results: ResultsFile, expected: Judge) -> Judge | None:
        """The other enrolled judge whose key made this signature, if any."""
        try:
            claimed = results.signer_key_id
        except JudgePanelError:
            return None
        for judge in self.session.scalars(select(Judge).where(
                Judge.program_id == self.program_id, Judge.id != expected.id)):
            try:
                key = PublicKey.from_string(judge.minisign_public_key)
                if key.key_id_hex != claimed:
                    continue
                results.verify_signature(key)
            except JudgePanelError:
                continue
            return judge
        return None

    def _check_issued(self, results: ResultsFile, issued: IssuedBundle) -> None:
        if issued.superseded:
            raise refusal("superseded", detail=f"bundle {issued.bundle_id} is superseded")
        if results.manifest_sha256 != issued.manifest_sha256:
            raise refusal("manifest_mismatch",
                           detail=f"results name manifest {results.manifest_sha256}, "
                           f"issued {issued.manifest_sha256}")

    def _rubric(self, round_id: int) -> Rubric:
        # By id: a file's bundle then never loads its round (a lazy load per file).
        if round_id not in self._rubrics:
            round_ = self.session.get_one(Round, round_id)
            self._rubrics[round_id] = rubric_for_round(self.session, round_)
        return self._rubrics[round_id]

    def _contents_of(self, issued: IssuedBundle) -> dict[str, str]:
        """The bundle's application ids -> the references staff know them by."""
        if not self._contents:
            self._contents = all_issued_applications(self.session)
        if self._refs is None:
            self._refs = {db_id: ref for db_id, ref in self.session.execute(
                select(Application.id, Application.ref)
                .where(Application.program_id == self.program_id))}
        ids = issued_applications(self.session, issued.bundle_id, self._contents)
        return {app_id: self._refs.get(db_id, app_id) for app_id, db_id in ids.items()}

    # -- recording --

    def _new_row(self, item: _Loaded, status: str) -> ReceivedResults:
        received = ReceivedResults(
            file_name=item.path.name[:255], raw=item.raw, raw_sha256=item.sha256,
            status=status)
        self.session.add(received)
        return received

    def _verified_row(self, item: _Loaded, status: str, issued: IssuedBundle
                      ) -> ReceivedResults:
        """The record of an authenticated file: its bundle, judge, key and order."""
        results = item.results
        assert results is not None
        lineage = results.lineage(item.sha256)
        received = self._new_row(item, status)
        received.issued_bundle_id = issued.id
        received.judge_id = issued.judge_id
        received.signer = issued.judge.minisign_public_key
        received.sequence = results.sequence
        received.format_version = results.content.format_version
        received.export_id = lineage.export_id
        received.supersedes = list(results.content.supersedes)
        self._order.add(issued.id, received)
        return received

    def _refuse(self, item: _Loaded, row: MergeRow, problem: ResultsRefusedError,
                issued: IssuedBundle | None = None) -> MergeRow:
        received = self._new_row(item, REFUSED)
        received.refusal_reason = problem.reason
        received.refusal_message = problem.message
        if issued is not None and item.results is not None:  # authenticated: safe to link
            received.issued_bundle_id = issued.id
            received.judge_id = issued.judge_id
            received.signer = issued.judge.minisign_public_key
            received.sequence = item.results.sequence
            received.export_id = item.results.lineage(item.sha256).export_id
        self._audit.append(("results.refused", lambda: {
            "results": received.id, "file": received.file_name, "sha256": received.raw_sha256,
            "reason": problem.reason, "bundle_id": row.bundle_id, "judge": received.judge_id,
            "sequence": received.sequence, "detail": problem.detail[:500],
        }))
        row.status, row.reason, row.message = REFUSED, problem.reason, problem.message
        row.detail = problem.detail
        self._rows_by_results[received] = row
        return row

    def _retire(self, old: ReceivedResults, by: int | None) -> None:
        retire(self.session, old, in_database=self._pending.pop(old, None) is None)
        previous_row = self._rows_by_results.get(old)
        if previous_row is not None:
            previous_row.message = (f"Accepted, then replaced by export {by} from the same "
                                    "batch.")

    def _accept(self, item: _Loaded, row: MergeRow, issued: IssuedBundle) -> MergeRow:
        results = item.results
        assert results is not None
        judge = issued.judge
        current = self._current.setdefault((issued.round_id, judge.id), [])
        previous = list(current)
        for old in previous:
            self._retire(old, results.sequence)
        received = self._verified_row(item, ACCEPTED, issued)
        current[:] = [received]
        content = results.content
        for held in self._order.known(issued.id):  # held exports this one builds on
            if held.status == HELD and held.export_id in content.supersedes:
                held.status, held.results_json = REPLACED, None
        self._pending[received] = (judge.id, self._contents[issued.bundle_id], content)
        declared = [entry for entry in content.declarations if entry.conflict]
        for entry in declared:
            application_id = self._contents[issued.bundle_id][entry.application_id]
            self._record_conflict(judge, application_id, entry.reason)
        self._audit.append(("results.accepted", lambda: {
            "results": received.id, "file": received.file_name,
            "sha256": received.raw_sha256, "bundle_id": issued.bundle_id,
            "judge": judge.id, "sequence": results.sequence,
            "export_id": received.export_id,
            "replaced": [old.id for old in previous],
            "reviews": len(content.reviews),
            "conflicts": [entry.application_id for entry in declared],
            "unable": [entry.application_id for entry in content.unable_to_review],
        }))
        row.status, row.reason = ACCEPTED, None
        unable = (f", {len(content.unable_to_review)} unable to review"
                  if content.unable_to_review else "")
        row.message = f"Accepted: {len(content.reviews)} reviews{unable} from {judge.name}."
        self._rows_by_results[received] = row
        return row

    def _hold(self, item: _Loaded, row: MergeRow, issued: IssuedBundle,
              accepted: ReceivedResults | None) -> MergeRow:
        """Diverged from the accepted export: kept for staff to compare and choose."""
        results = item.results
        assert results is not None and accepted is not None
        received = self._verified_row(item, HELD, issued)
        received.results_json = results.results_json.decode("utf-8")
        received.refusal_reason = "diverged"
        extra = (f"(This is export {results.sequence}; the merged one is export "
                 f"{accepted.sequence}.)")
        received.refusal_message = f"{REASONS['diverged']} {extra}"
        self._audit.append(("results.held", lambda: {
            "results": received.id, "file": received.file_name,
            "sha256": received.raw_sha256, "bundle_id": issued.bundle_id,
            "judge": issued.judge_id, "sequence": results.sequence,
            "export_id": received.export_id, "accepted": accepted.id,
        }))
        row.status, row.reason, row.message = HELD, "diverged", received.refusal_message
        self._rows_by_results[received] = row
        return row

    def _write_audit(self) -> None:
        """Append the entries so far: one chain read and one flush for many files.

        Also called before anything else writes to the log (a declared conflict), so
        the entries keep the order in which files were checked.
        """
        self.session.flush()  # every ReceivedResults row so far gets its id
        audit.append_many(self.session, self.workspace.actor,
                          [(action, details()) for action, details in self._audit])
        self._audit.clear()

    def finish(self) -> None:
        """Append the audit entries, then insert every accepted file's rows (one bulk INSERT
        per table for the whole batch)."""
        self._write_audit()
        for received, row in self._rows_by_results.items():
            row.results_id = received.id
        staged = [rows_of(received.id, *pending) for received, pending in self._pending.items()]
        self._pending.clear()
        insert_all(self.session, staged)

    def _record_conflict(self, judge: Judge, application_id: int, reason: str) -> None:
        """A judge's own declaration is final for them: recorded as a confirmed conflict."""
        record_declared_conflict(self.session, judge, application_id, reason,
                                 self.workspace.actor, before=self._write_audit)


def refuse_work_files(paths: Sequence[Path]) -> dict[int, MergeRow]:
    """The work files among ``paths`` (by position), refused by name: no identity needed."""
    return {i: MergeRow(p, REFUSED, REASONS["work_file"], "work_file")
            for i, p in enumerate(paths) if is_work_file(p)}


@bulk_step
def merge_results(
    workspace: StaffWorkspace,
    paths: Iterable[Path | str],
    staff_identity: Identity | AnyIdentity,
    progress: Progress = no_progress,
) -> MergeReport:
    """Check every file and record the outcome; one row per file, in the order given.

    ``progress`` may raise Cancelled: then nothing at all is recorded. A judge's work
    file (``.jpwork``) is refused by its name, never opened nor recorded.
    """
    given = [Path(p) for p in paths]
    work = refuse_work_files(given)
    files = [p for i, p in enumerate(given) if i not in work]
    if not files:  # nothing to open: the workspace is not even touched
        return MergeReport(list(work.values()))
    total = max(1, 2 * len(files))
    loaded = []
    for index, path in enumerate(files):
        progress(index, total, f"Opening {path.name}")
        loaded.append(_load(index, path, [staff_identity]))
    rows: list[MergeRow | None] = [None] * len(files)
    with workspace.session() as session:
        # Another officer merging files of the same bundles goes first or waits (locks).
        hold_bundles(session, [i.results.bundle_id for i in loaded if i.results is not None])
        merger = _Merger(session, workspace)
        for step, item in enumerate(sorted(loaded, key=_Loaded.order)):
            progress(len(files) + step, total, f"Checking {item.path.name}")
            rows[item.index] = merger.process(item)
        merger.finish()
    progress(total, total, "Merge finished")
    merged = iter(r for r in rows if r is not None)
    return MergeReport([work[i] if i in work else next(merged) for i in range(len(given))])
