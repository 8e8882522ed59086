"""Two exports that diverged: shown side by side, one chosen by staff, the choice audited.

A judge who works on two computers from the same start (or starts again after a
reinstall) can send two exports neither of which builds on the other. The merge keeps
the first it accepted and *holds* the other (``ordering``), changing no score. Here
staff see what differs, application by application (declaration, unable to review,
each score, comment for the panel and feedback for the applicant, overall texts,
confidence), and choose:

- keep the merged export: the held one is *set aside* (kept on record, never used);
- take the held one: it is recorded exactly as an accepted file is (``recording``),
  and the merged one becomes *replaced*, its scores leaving the score tables.

Either way the choice and the note staff give are a ``results.diverged_chosen`` entry
of the audit log. Reads return plain frozen data for the screens and the CLI.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.errors import ValidationError
from judgepanel.formats.results.spec import ResultsContent
from judgepanel.formats.results.versions import content_from_document
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.scoring.totals import weighted_total
from judgepanel.model.staff import audit
from judgepanel.model.staff.bundles.issued import bundle_contents
from judgepanel.model.staff.prepare.rounds import rubric_for_round
from judgepanel.model.staff.results.ordering import ACCEPTED, HELD, SET_ASIDE
from judgepanel.model.staff.results.recording import (
    insert_all,
    record_declared_conflict,
    retire,
    rows_of,
)
from judgepanel.model.staff.schema.program import Application, Program, Round
from judgepanel.model.staff.schema.results import (
    Declaration,
    IssuedBundle,
    ReceivedResults,
    Review,
    Score,
    UnableReview,
)

KEEP_MERGED, TAKE_HELD = "merged", "held"


@dataclass(frozen=True)
class Difference:
    """One thing the two exports say differently about one application."""

    application_ref: str
    application_title: str
    what: str  # "Declaration", "Unable to review", a criterion's title, "Total", ...
    merged: str
    held: str


@dataclass(frozen=True)
class Side:
    results_id: int
    file_name: str
    sequence: int | None
    received_at: dt.datetime
    reviews: int
    conflicts: int
    unable: int

    def summary(self) -> str:
        parts = [f"{self.reviews} reviews", f"{self.conflicts} conflicts"]
        if self.unable:
            parts.append(f"{self.unable} unable to review")
        return ", ".join(parts)


@dataclass(frozen=True)
class DivergedListing:
    """A held export, the merged one it diverged from, and what differs between them."""

    judge: str
    round_name: str
    bundle_id: str
    merged: Side
    held: Side
    differences: tuple[Difference, ...]

    @property
    def held_id(self) -> int:
        return self.held.results_id


@dataclass
class _Said:
    """What one export says, per Application.id."""

    declared: dict[int, tuple[bool, str]]
    unable: dict[int, str]
    scores: dict[int, dict[str, tuple[float, str, str]]]  # value, comment, feedback
    overall: dict[int, tuple[str, int | None, str]]  # comment, confidence, feedback


def _said_by_file(content: ResultsContent, ids: dict[str, int]) -> _Said:
    return _Said(
        declared={ids[d.application_id]: (d.conflict, d.reason) for d in content.declarations},
        unable={ids[u.application_id]: u.reason for u in content.unable_to_review},
        scores={ids[r.application_id]: {s.criterion: (float(s.score), s.comment, s.feedback)
                                         for s in r.scores} for r in content.reviews},
        overall={ids[r.application_id]: (r.overall_comment, r.confidence, r.overall_feedback)
                 for r in content.reviews})


def _said_by_tables(session: Session, results_id: int) -> _Said:
    said = _Said({}, {}, {}, {})
    for d in session.scalars(select(Declaration).where(Declaration.results_id == results_id)):
        said.declared[d.application_id] = (d.conflict, d.reason)
    for u in session.scalars(select(UnableReview).where(UnableReview.results_id == results_id)):
        said.unable[u.application_id] = u.reason
    for r in session.scalars(select(Review).where(Review.results_id == results_id)):
        said.overall[r.application_id] = (r.overall_comment, r.confidence, r.overall_feedback)
    for s in session.scalars(select(Score).where(Score.results_id == results_id)):
        said.scores.setdefault(s.application_id, {})[s.criterion_key] = (
            s.value, s.comment, s.feedback)
    return said


def held_content(received: ReceivedResults) -> ResultsContent:
    """The held export's document (kept at merge time, after every check passed)."""
    if received.results_json is None:
        raise ValidationError("This export is no longer held.", path=str(received.id))
    return content_from_document(json.loads(received.results_json))


def _declaration_text(value: tuple[bool, str] | None) -> str:
    if value is None:
        return "—"
    return f"Conflict: {value[1]}" if value[0] else "No conflict"


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _compare(rubric: Rubric, apps: dict[int, Application], merged: _Said,
             held: _Said) -> list[Difference]:
    out: list[Difference] = []
    for app_id in sorted(apps, key=lambda a: apps[a].ref):
        app = apps[app_id]

        def add(what: str, a: str, b: str, app: Application = app) -> None:
            if a != b:
                out.append(Difference(app.ref, app.title, what, a, b))

        add("Declaration", _declaration_text(merged.declared.get(app_id)),
            _declaration_text(held.declared.get(app_id)))
        add("Unable to review", merged.unable.get(app_id, "—"), held.unable.get(app_id, "—"))
        a_scores, b_scores = merged.scores.get(app_id, {}), held.scores.get(app_id, {})
        totals = [weighted_total(rubric, {k: v[0] for k, v in s.items()}) if s else None
                  for s in (a_scores, b_scores)]
        add("Total", "—" if totals[0] is None else f"{totals[0]:.1f}",
            "—" if totals[1] is None else f"{totals[1]:.1f}")
        for criterion in rubric.criteria:
            a, b = a_scores.get(criterion.key), b_scores.get(criterion.key)
            add(criterion.title, _number(a[0] if a else None), _number(b[0] if b else None))
            add(f"{criterion.title}: comment for the panel", (a[1] if a else "") or "—",
                (b[1] if b else "") or "—")
            add(f"{criterion.title}: feedback for the applicant", (a[2] if a else "") or "—",
                (b[2] if b else "") or "—")
        a_over, b_over = merged.overall.get(app_id), held.overall.get(app_id)
        add("Overall comment for the panel", (a_over[0] if a_over else "") or "—",
            (b_over[0] if b_over else "") or "—")
        add("Overall feedback for the applicant", (a_over[2] if a_over else "") or "—",
            (b_over[2] if b_over else "") or "—")
        add("Confidence", _number(a_over[1] if a_over else None),
            _number(b_over[1] if b_over else None))
    return out


def _side(received: ReceivedResults, said: _Said) -> Side:
    return Side(received.id, received.file_name, received.sequence, received.received_at,
                reviews=len(said.overall), unable=len(said.unable),
                conflicts=sum(1 for conflict, _ in said.declared.values() if conflict))


def list_diverged(session: Session, program: Program) -> list[DivergedListing]:
    """Every held export of the program with the merged export of its bundle, oldest first."""
    held_rows = session.scalars(
        select(ReceivedResults).join(IssuedBundle).join(Round)
        .where(Round.program_id == program.id, ReceivedResults.status == HELD)
        .order_by(ReceivedResults.id))
    out = []
    for held in held_rows:
        issued = held.bundle
        assert issued is not None
        merged = session.scalars(select(ReceivedResults).where(
            ReceivedResults.issued_bundle_id == issued.id,
            ReceivedResults.status == ACCEPTED)).first()
        if merged is None:  # nothing to compare with (cannot happen through the merge)
            continue
        ids = bundle_contents(issued)
        apps = {a.id: a for a in session.scalars(
            select(Application).where(Application.id.in_(ids.values())))}
        rubric = rubric_for_round(session, issued.round)
        said_merged = _said_by_tables(session, merged.id)
        said_held = _said_by_file(held_content(held), ids)
        out.append(DivergedListing(
            judge=issued.judge.name, round_name=issued.round.name, bundle_id=issued.bundle_id,
            merged=_side(merged, said_merged), held=_side(held, said_held),
            differences=tuple(_compare(rubric, apps, said_merged, said_held))))
    return out


def choose_export(session: Session, program: Program, held_id: int, keep: str, note: str,
                  actor: str) -> None:
    """Staff's choice between a held export and the merged one (``keep``: "merged" or
    "held"), with a note saying why; audited."""
    if keep not in (KEEP_MERGED, TAKE_HELD):
        raise ValueError(f"keep must be {KEEP_MERGED!r} or {TAKE_HELD!r}")
    note = note.strip()
    if not note:
        raise ValidationError("Please say briefly why you chose this export (for example: "
                              "“the judge confirmed by phone that the laptop's is final”).",
                              path="note")
    held = session.get(ReceivedResults, held_id)
    issued = held.bundle if held is not None else None
    if held is None or held.status != HELD or issued is None or \
            issued.round.program_id != program.id:
        raise ValidationError("This export is not waiting for a choice (it may have been "
                              "decided already).", path=str(held_id))
    merged = session.scalars(select(ReceivedResults).where(
        ReceivedResults.issued_bundle_id == issued.id,
        ReceivedResults.status == ACCEPTED)).first()
    chosen: ReceivedResults | None
    other: ReceivedResults | None
    if keep == KEEP_MERGED:
        held.status = SET_ASIDE
        chosen, other = merged, held
    else:
        _take(session, held, merged, held_content(held), actor)
        chosen, other = held, merged
    audit.append(session, actor, "results.diverged_chosen", {
        "bundle_id": issued.bundle_id, "judge": issued.judge_id, "kept": keep,
        "chosen": chosen.id if chosen else None, "not_chosen": other.id if other else None,
        "not_chosen_is_now": SET_ASIDE if keep == KEEP_MERGED else "replaced",
        "note": note})
    session.flush()


def _take(session: Session, held: ReceivedResults, merged: ReceivedResults | None,
          content: ResultsContent, actor: str) -> None:
    issued = held.bundle
    assert issued is not None and held.judge_id is not None
    if merged is not None:
        retire(session, merged)
    held.status, held.results_json = ACCEPTED, None
    held.refusal_reason = held.refusal_message = None
    ids = bundle_contents(issued)
    session.flush()
    insert_all(session, [rows_of(held.id, held.judge_id, ids, content)])
    for entry in content.declarations:
        if entry.conflict:
            record_declared_conflict(session, issued.judge, ids[entry.application_id],
                                     entry.reason, actor)


def waiting(session: Session, program: Program) -> int:
    """How many held exports wait for a choice (the inbox's badge)."""
    return len(list(_held_ids(session, program)))


def _held_ids(session: Session, program: Program) -> Iterable[int]:
    return session.scalars(
        select(ReceivedResults.id).join(IssuedBundle).join(Round)
        .where(Round.program_id == program.id, ReceivedResults.status == HELD))
