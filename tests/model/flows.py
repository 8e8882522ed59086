"""A small, complete program for workflow tests: rubric, applications, judges, assignment.

``make_flow`` builds a workspace with a four-criterion rubric (one criterion that
needs a comment below 3, one on a 0-10 half-point scale, one that does not count),
six applications in two categories with attachments (one withheld), four judges
with real identities, a staff identity, and round 1 assigned two judges per
application (three applications per judge). ``complete_results`` and
``write_judge_results`` produce results files the way a judge's app would.

Other test modules may import this; keep names and shapes stable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from judgepanel.clock import stamp
from judgepanel.crypto.identity import Identity
from judgepanel.formats.bundle import Bundle
from judgepanel.formats.card import Card
from judgepanel.formats.results.file import write_results
from judgepanel.formats.results.spec import RESULTS_FORMAT
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric, load_rubric
from judgepanel.model.staff.bundles.building import BuiltBundle
from judgepanel.model.staff.prepare.assignments import auto_assign
from judgepanel.model.staff.prepare.categories import find_category
from judgepanel.model.staff.prepare.judges import enroll_card
from judgepanel.model.staff.prepare.rounds import add_round, save_rubric
from judgepanel.model.staff.schema.program import Application, Attachment, Round
from judgepanel.model.staff.workspace import StaffWorkspace

ACTOR = "tester"
CATEGORIES = ("Education", "Youth engagement")

RUBRIC_TOML = """
name = "Recognition 2026"
tie_break = "impact"

[[criteria]]
key = "impact"
title = "Impact on the community"
weight = 3
comment = { below = 3 }
levels = { 1 = "No evidence", 3 = "Some evidence", 5 = "Strong evidence" }

[[criteria]]
key = "partnership"
title = "Partnerships"

[[criteria]]
key = "innovation"
title = "Innovation"
weight = 2
scale = { min = 0, max = 10, step = 0.5 }

[[criteria]]
key = "presentation"
title = "Quality of the application"
counts = false
"""

# ref, title, organisation, city, category, attachments (name, label, withheld)
APPLICATIONS: tuple[tuple[str, str, str, str, str, tuple[tuple[str, str, bool], ...]], ...] = (
    ("REC-001", "Unity Days", "City of Lyon", "Lyon", "Education",
     (("proposal.pdf", "proposal", False), ("letter.txt", "support_letter", False))),
    ("REC-002", "Open Parks", "Parks Trust", "Porto", "Education",
     (("proposal.pdf", "proposal", False),)),
    ("REC-003", "Hate-crime hotline", "Police of Graz", "Graz", "Youth engagement",
     (("proposal.pdf", "proposal", False), ("budget.xlsx", "budget", True))),
    ("REC-004", "Youth councils", "Youth Forum", "Ghent", "Youth engagement", ()),
    ("REC-005", "Library talks", "City Library", "Turku", "Education",
     (("letter.txt", "support_letter", False),)),
    ("REC-006", "Neighbour meals", "Food Bank", "Split", "Youth engagement",
     (("proposal.pdf", "proposal", False),)),
)
JUDGES = ("Maria López", "Kwame Mensah", "Sofia Rossi", "Ahmed Haddad")
T = TypeVar("T")
DUE = dt.datetime(2026, 4, 1, 17, 0, tzinfo=dt.UTC)


def fetch(session: Session, entity: type[T], ident: int) -> T:
    """``session.get`` for a row the test knows exists."""
    row = session.get(entity, ident)
    assert row is not None, f"no {entity.__name__} {ident}"
    return row


@dataclass
class Flow:
    """Handles on the program: ids (not ORM objects, which belong to one session)."""

    workspace: StaffWorkspace
    root: Path
    staff: Identity
    judges: dict[str, Identity]  # name -> identity
    judge_ids: dict[str, int]  # name -> Judge.id
    app_ids: dict[str, int]  # ref -> Application.id
    round_id: int
    rubric: Rubric

    def identity_of(self, judge_id: int) -> Identity:
        for name, identity in self.judges.items():
            if self.judge_ids[name] == judge_id:
                return identity
        raise KeyError(judge_id)

    def round(self, session: Session) -> Round:
        return fetch(session, Round, self.round_id)


def attachment_bytes(ref: str, name: str) -> bytes:
    return f"{name} of {ref}\n".encode() * 50


def make_flow(root: Path, *, assign: bool = True, per_application: int = 2,
              url: str | None = None) -> Flow:
    """Build the program in ``root``; with ``assign``, round 1 is assigned (seed 1).

    ``url``: a database URL (PostgreSQL) to hold the workspace instead of ``root``.
    """
    workspace = StaffWorkspace.create(url or root / "program", "Mayors' Recognition 2026",
                                      categories=CATEGORIES, actor=ACTOR)
    staff = Identity.generate("Program Office", "staff")
    judges = {name: Identity.generate(name, "judge") for name in JUDGES}
    rubric = load_rubric(RUBRIC_TOML)
    with workspace.session() as session:
        program = workspace.program(session)
        app_ids: dict[str, Application] = {}
        for ref, title, organisation, city, category, attachments in APPLICATIONS:
            application = Application(
                program_id=program.id, ref=ref, title=title, organisation=organisation,
                city=city, contact_name=f"Contact of {ref}",
                contact_email=f"{ref.lower()}@example.org",
                requested_amount=Decimal("10000.00"),
                fields={"summary": f"What {title} does.", "team_size": 4, "partners": "None"},
                categories=[find_category(session, program, category)],
            )
            for position, (name, label, withheld) in enumerate(attachments):
                stored = workspace.attachments.put_bytes(attachment_bytes(ref, name),
                                                         session=session)
                application.attachments.append(Attachment(
                    position=position, name=name, label=label, sha256=stored.sha256,
                    size=stored.size, withheld=withheld))
            session.add(application)
            app_ids[ref] = application
        judge_rows = {name: enroll_card(session, program, Card.from_identity(identity),
                                        ACTOR).judge for name, identity in judges.items()}
        round_ = add_round(session, program, "First round", ACTOR, due_at=DUE)
        save_rubric(session, round_, rubric, ACTOR)
        session.flush()
        if assign:
            auto_assign(session, round_, ACTOR, per_application=per_application, seed=1)
        flow = Flow(workspace, root, staff, judges,
                    {n: j.id for n, j in judge_rows.items()},
                    {r: a.id for r, a in app_ids.items()}, round_.id, rubric)
    return flow


# --- the judge's side ------------------------------------------------------------------


def open_bundle(flow: Flow, built: BuiltBundle) -> Bundle:
    """Open a built bundle as its judge would (staff key trusted)."""
    identity = flow.identity_of(built.judge_id)
    return Bundle.open(built.path, [identity], trusted_staff_keys=[flow.staff.public_key])


def default_score(app_id: str, criterion: Criterion) -> float:
    """A valid score that varies with the application (never below a comment threshold)."""
    scale = criterion.valid_scores()
    return scale[-1 - (sum(map(ord, app_id)) % 2)]


def complete_results(
    bundle: Bundle,
    *,
    sequence: int = 1,
    conflicts: Mapping[str, str] | None = None,
    score: Callable[[str, Criterion], float] = default_score,
    export_id: str | None = None,
    supersedes: Sequence[str] = (),
    unable: Mapping[str, str] | None = None,
    feedback: bool = False,
) -> dict[str, Any]:
    """A complete results document for ``bundle``: every application declared, every
    one without a conflict scored on every criterion, with a comment each.

    Format version 1 (no export id) unless ``export_id`` is given: then version 2,
    superseding ``supersedes``, with ``unable`` (application id -> reason) not
    reviewed but marked unable to review; with ``feedback`` too, version 3, with
    feedback for the applicant beside every comment for the panel."""
    manifest = bundle.manifest
    rubric = Rubric.from_dict(manifest["rubric"])
    conflicts = dict(conflicts or {})
    unable = dict(unable or {})
    now = stamp()
    declarations = []
    reviews = []
    for summary in manifest["applications"]:
        app_id = summary["id"]
        declarations.append({"application_id": app_id, "conflict": app_id in conflicts,
                             "reason": conflicts.get(app_id, ""), "declared_at": now})
        if app_id in conflicts or app_id in unable:
            continue
        reviews.append({
            "application_id": app_id,
            "scores": [{"criterion": c.key, "score": score(app_id, c),
                        "comment": f"Comment on {c.key}."} for c in rubric.criteria],
            "overall_comment": "A solid initiative.",
            "confidence": 4,
            "updated_at": now,
        })
    document: dict[str, Any] = {
        "format": RESULTS_FORMAT,
        "format_version": 1,
        "program": dict(manifest["program"]),
        "round": dict(manifest["round"]),
        "bundle_id": manifest["bundle_id"],
        "manifest_sha256": bundle.manifest_sha256,
        "judge": dict(manifest["judge"]),
        "sequence": sequence,
        "created": now,
        "generator": "tests",
        "declarations": declarations,
        "reviews": reviews,
    }
    if export_id is not None:
        document.update(format_version=2, export_id=export_id, supersedes=list(supersedes),
                        unable_to_review=[{"application_id": a, "reason": r,
                                           "declared_at": now} for a, r in unable.items()])
    if feedback:
        assert export_id is not None, "version 3 has an export id"
        document["format_version"] = 3
        for review in reviews:
            review["overall_feedback"] = f"Feedback overall for {review['application_id']}."
            for entry in review["scores"]:
                entry["feedback"] = f"Feedback on {entry['criterion']}."
    return document


def write_judge_results(flow: Flow, path: Path, document: dict[str, Any],
                        signer: Identity, *, staff: Identity | None = None) -> Path:
    """Sign ``document`` as ``signer`` and encrypt it to the staff (or to ``staff``)."""
    recipient = (staff or flow.staff).recipient
    write_results(path, document, judge_key=signer.signing, judge_public=signer.public_key,
                  staff_recipient=recipient)
    return path
