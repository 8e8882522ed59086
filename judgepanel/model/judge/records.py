"""What a judging session hands out, and the pure rules behind it.

Kept apart from ``session`` so the session class stays readable: the value types the
UI and demo receive (summaries, declarations, review states, progress, problems,
export records), the checks every judge-entered text and confidence goes through,
the export blockers, and the builder of the ``results.json`` document
(docs/formats.md section 5). Nothing here touches the database or a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from judgepanel import __version__
from judgepanel.clock import stamp
from judgepanel.crypto.age_keys import ScryptIdentity
from judgepanel.crypto.identity import Identity
from judgepanel.errors import FileFormatError, IdentityError, ValidationError
from judgepanel.formats.detect import is_work_file
from judgepanel.formats.results.spec import MAX_COMMENT, RESULTS_FORMAT, RESULTS_VERSION
from judgepanel.formats.sealed import AnyIdentity
from judgepanel.model.judge.schema import DeclarationEvent, DeclarationRow, Snapshot
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.scoring.totals import review_problems
from judgepanel.text import normalise_breaks, text_problem

CONFIDENCE_LABELS = {1: "very low", 2: "low", 3: "moderate", 4: "high", 5: "very high"}
"""The named confidence scale; results files carry the number."""


@dataclass(frozen=True)
class ApplicationSummary:
    """What the conflict-of-interest step shows before the application is opened."""

    id: str
    title: str
    applicant: str | None = None
    organisation: str | None = None
    city: str | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class BundleInfo:
    """The manifest facts a screen shows (program, round, judge, staff, due date)."""

    bundle_id: str
    manifest_sha256: str
    path: Path
    program_id: str
    program_name: str
    round_id: str
    round_name: str
    judge_name: str
    judge_fingerprint: str
    staff_name: str
    staff_fingerprint: str
    created: str
    due: str | None

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], manifest_sha256: str,
                      path: Path) -> BundleInfo:
        m = manifest
        return cls(
            bundle_id=m["bundle_id"], manifest_sha256=manifest_sha256, path=path,
            program_id=m["program"]["id"], program_name=m["program"]["name"],
            round_id=m["round"]["id"], round_name=m["round"]["name"],
            judge_name=m["judge"]["name"], judge_fingerprint=m["judge"]["fingerprint"],
            staff_name=m["staff"]["name"], staff_fingerprint=m["staff"]["fingerprint"],
            created=m["created"], due=m["due"],
        )


@dataclass(frozen=True)
class DeclarationState:
    application_id: str
    conflict: bool
    reason: str
    declared_at: dt.datetime

    @classmethod
    def of(cls, row: DeclarationRow | DeclarationEvent) -> DeclarationState:
        return cls(row.application_id, row.conflict, row.reason, row.declared_at)


@dataclass(frozen=True)
class ExportProblem:
    """Something that blocks export; ``message`` is shown to the judge as is.

    ``kind``: "undeclared", or a ``totals.ReviewProblem`` kind ("missing_score",
    "comment_required", "feedback_required", "overall_feedback_required", "off_scale",
    "unknown_criterion"); ``criterion`` is None for "undeclared" and the overall
    feedback.
    """

    application_id: str
    criterion: str | None
    message: str
    kind: str = "undeclared"


@dataclass(frozen=True)
class ReviewState:
    """The current values of one application's review (scores kept even if conflicted)."""

    application_id: str
    declaration: DeclarationState | None
    scores: dict[str, float | None]
    comments: dict[str, str]
    overall_comment: str
    confidence: int | None
    private_note: str
    total: float | None
    problems: list[ExportProblem] = field(default_factory=list)
    unable_reason: str = ""
    """Set while the judge says they cannot review it (other than a conflict): why."""
    feedback: dict[str, str] = field(default_factory=dict)
    """Per criterion, the feedback for the applicant (``comments`` are for the panel)."""
    overall_feedback: str = ""

    @property
    def unable(self) -> bool:
        return bool(self.unable_reason)


@dataclass(frozen=True)
class AppProgress:
    application_id: str
    declared: bool
    conflict: bool
    scored: int
    criteria: int
    total: float | None
    complete: bool
    """Declared, and a conflict, unable to review, or a review with no problems."""
    unable: bool = False


@dataclass(frozen=True)
class Position:
    """Where the judge was: an application (or None) and a screen name the UI chooses."""

    application_id: str | None
    view: str = ""


@dataclass(frozen=True)
class ExportRecord:
    """One results file in the export history (``restored``: the file a judge continued
    from, made on another computer or before a reinstall). A work file (``.jpwork``: the
    judge's work, complete or not, for the judge alone) is in the history too, told
    apart by its name, since its content is a results document like any other."""

    bundle_id: str
    sequence: int
    path: Path
    sha256: str
    created: dt.datetime
    export_id: str = ""
    restored: bool = False

    @property
    def work_file(self) -> bool:
        """A work file to carry the work to another computer: never sent to the staff."""
        return is_work_file(self.path)


# --- checks --------------------------------------------------------------------------


def checked_text(text: object, what: str, path: str) -> str:
    """Judge-entered text, held to the results format's rules when typed, not at export."""
    if not isinstance(text, str):
        raise ValidationError(f"The {what} must be text.", path=path)
    if len(text) > MAX_COMMENT:
        raise ValidationError(
            f"The {what} is too long: at most {MAX_COMMENT:,} characters, please.", path=path)
    text = normalise_breaks(text)  # the text policy (judgepanel/text.py)
    if (problem := text_problem(text, multiline=True)) is not None:
        raise ValidationError(
            f"The {what} {problem}, an invisible character that cannot be sent. Delete "
            "it (or type that part again).", path=path)
    return text


def confidence_level(value: int | str | None) -> int | None:
    """1-5, or a name from :data:`CONFIDENCE_LABELS` (any case); None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        named = {label: level for level, label in CONFIDENCE_LABELS.items()}
        level = named.get(value.strip().lower())
        if level is None:
            raise ValidationError(
                "Confidence must be one of: " + ", ".join(CONFIDENCE_LABELS.values()) + ".",
                path="confidence")
        return level
    if isinstance(value, bool) or not isinstance(value, int) or value not in CONFIDENCE_LABELS:
        raise ValidationError("Confidence must be a whole number from 1 to 5.", path="confidence")
    return value


def unable_reason(snap: Snapshot, app_id: str) -> str:
    """Why the judge cannot review ``app_id`` (empty: they can, or have not said otherwise)."""
    review = snap.reviews.get(app_id)
    return review.unable_reason if review is not None else ""


def problems_of(rubric: Rubric, snap: Snapshot, app_id: str, title: str) -> list[ExportProblem]:
    """What blocks exporting this application: undeclared, or an incomplete review.

    A conflicted application blocks nothing: only its declaration is exported; nor does
    one the judge is unable to review (with the reason they gave).
    """
    declaration = snap.declarations.get(app_id)
    name = f"{app_id} “{title}”"  # the reference too: two applications may share a title
    if declaration is None:
        return [ExportProblem(app_id, None,
                              f"{name}: declare whether you have a conflict of interest.")]
    if declaration.conflict or unable_reason(snap, app_id):
        return []
    rows = snap.scores.get(app_id, {})
    review = snap.reviews.get(app_id)
    found = review_problems(rubric, {k: r.value for k, r in rows.items()},
                            {k: r.comment for k, r in rows.items()},
                            {k: r.feedback for k, r in rows.items()},
                            review.overall_feedback if review is not None else "")
    return [ExportProblem(app_id, p.criterion, f"{name} — {p.message}", p.kind) for p in found]


def rubric_of(manifest: dict[str, Any]) -> Rubric:
    """The bundle's rubric; one our scoring rules cannot use makes the bundle unusable."""
    try:
        return Rubric.from_dict(manifest["rubric"])
    except ValidationError as error:
        raise FileFormatError(
            "The scoring rubric in this bundle cannot be used. Ask the program staff to "
            "send the bundle again.", detail=f"rubric {error.path or ''}: {error.message}",
        ) from None


def check_judge(manifest: dict[str, Any], identities: Sequence[AnyIdentity]) -> None:
    """A person's identity that opened someone else's bundle (e.g. a staff key) is refused.

    Skipped for a passphrase bundle or bare age keys: there is no fingerprint to compare.
    """
    expected = manifest["judge"]["fingerprint"]
    people = [i for i in identities if isinstance(i, Identity)]
    if any(isinstance(i, ScryptIdentity) for i in identities) or not people:
        return
    if not any(p.fingerprint == expected for p in people):
        raise IdentityError(
            f"This bundle was made for another judge ({manifest['judge']['name']}). "
            "Ask the program staff to send you your own bundle.",
            detail=f"bundle judge {expected}; identities: "
            + ", ".join(p.fingerprint for p in people))


# --- the results document ------------------------------------------------------------


def _num(value: float) -> int | float:
    """3.0 is written 3: a person reading results.json sees the score they gave."""
    return int(value) if float(value).is_integer() else float(value)


@dataclass(frozen=True)
class ExportOrder:
    """Where an export stands among the judge's exports of the bundle (``lineage``)."""

    export_id: str
    sequence: int
    supersedes: tuple[str, ...]


def results_document(manifest: dict[str, Any], manifest_sha256: str, rubric: Rubric,
                     app_ids: list[str], snap: Snapshot, *, order: ExportOrder,
                     created: str) -> dict[str, Any]:
    """results.json for a snapshot: complete for a results file (callers check
    :func:`problems_of`), or as far as the judge got for a work file.

    Declarations and reviews follow the bundle's order, scores the rubric's. Scores
    kept from before a conflict was declared (or the judge said they cannot review)
    are left out; private notes have no field. Work not done yet is simply absent: an
    application not declared has no entry, a review not started none, a criterion not
    scored no score (so its texts, if any, are left out: :func:`unscored_texts`).
    """
    declarations: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    unable: list[dict[str, Any]] = []
    for app_id in app_ids:
        declaration = snap.declarations.get(app_id)
        if declaration is None:
            continue
        declarations.append({"application_id": app_id, "conflict": declaration.conflict,
                             "reason": declaration.reason,
                             "declared_at": stamp(declaration.declared_at)})
        if declaration.conflict:
            continue
        review_row = snap.reviews.get(app_id)
        if review_row is not None and review_row.unable_reason:
            unable.append({"application_id": app_id, "reason": review_row.unable_reason,
                           "declared_at": stamp(review_row.unable_at
                                                or declaration.declared_at)})
            continue
        rows = snap.scores.get(app_id, {})
        scored = [rows[c.key] for c in rubric.criteria
                  if c.key in rows and rows[c.key].value is not None]
        review = snap.reviews.get(app_id)
        if not scored and (review is None or not (review.overall_comment
                                                  or review.overall_feedback
                                                  or review.confidence is not None)):
            continue  # not started (only in a work file: an export has every score)
        reviews.append({
            "application_id": app_id,
            "scores": [{"criterion": r.criterion_key, "score": _num(r.value or 0),
                        "comment": r.comment, "feedback": r.feedback} for r in scored],
            "overall_comment": review.overall_comment if review else "",
            "overall_feedback": review.overall_feedback if review else "",
            "confidence": review.confidence if review else None,
            "updated_at": stamp(review.updated_at if review else declaration.declared_at),
        })
    m = manifest
    return {
        "format": RESULTS_FORMAT, "format_version": RESULTS_VERSION,
        "program": {"id": m["program"]["id"], "name": m["program"]["name"]},
        "round": {"id": m["round"]["id"], "name": m["round"]["name"]},
        "bundle_id": m["bundle_id"], "manifest_sha256": manifest_sha256,
        "judge": {"name": m["judge"]["name"], "fingerprint": m["judge"]["fingerprint"]},
        "export_id": order.export_id, "sequence": order.sequence,
        "supersedes": list(order.supersedes),
        "created": created, "generator": f"JudgePanel {__version__}",
        "declarations": declarations, "reviews": reviews, "unable_to_review": unable,
    }


def unscored_texts(rubric: Rubric, snap: Snapshot, app_ids: Sequence[str]) -> list[str]:
    """"A-1 — Impact", for each criterion with a comment or feedback but no score yet.

    A results document carries a criterion's texts with its score only, so a work file
    (incomplete work) cannot carry these: the judge is told, to score them or keep them.
    """
    found = []
    for app_id in app_ids:
        declaration = snap.declarations.get(app_id)
        if declaration is None or declaration.conflict or unable_reason(snap, app_id):
            continue
        rows = snap.scores.get(app_id, {})
        found += [f"{app_id} — {c.title}" for c in rubric.criteria
                  if (row := rows.get(c.key)) is not None and row.value is None
                  and (row.comment.strip() or row.feedback.strip())]
    return found
