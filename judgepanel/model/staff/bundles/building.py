"""Building the judges' bundles for a round, and the record of what was issued.

One bundle per judge: the applications assigned to them in the round, as blind
review allows (hidden fields left out, hidden and withheld attachments not
included), encrypted to the judge's key and the staff's own key (or to one
passphrase that staff hand over separately) and signed with the staff key. The
manifest names the staff age recipient, which is where the judge's results go.

Three phases, so that neither a crash nor a cancellation leaves anything half
done: (1) read everything needed from the database into plain data, (2) write
the files, each atomically, (3) record them (IssuedBundle rows, superseded
flags, audit entries) in one transaction. If (2) or (3) fails, every file this
run wrote is deleted again and the database is unchanged.

What each bundle held (its applications) is kept on its ``IssuedBundle`` row
(``applications``) and, for the record, in its ``bundle.issued`` audit entry:
the merge checks returned results against that list, not against today's
assignments, because the judge scored what they were sent.

Rebuilding a judge's bundle for the same round *supersedes* the older one: it
stays on record (``superseded = True``) but results answering it are refused at
merge. A bundle is rebuilt because what the judge should see changed (a conflict
found, an application added or withdrawn, blind review changed); accepting the
old one could bring back exactly the scores the rebuild was meant to prevent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.clock import stamp
from judgepanel.crypto.age_keys import ScryptRecipient, X25519Recipient
from judgepanel.crypto.identity import Identity
from judgepanel.errors import ValidationError
from judgepanel.formats.bundle_write import (
    AttachmentSource,
    BundleApplication,
    BundleHeader,
    WrittenBundle,
    write_bundle,
)
from judgepanel.formats.jsonio import ID_PATTERN
from judgepanel.model.staff.bundles.issued import PASSPHRASE_RECIPIENT
from judgepanel.model.staff.identity import check_staff_identity, set_staff_identity
from judgepanel.model.staff.prepare.assignments import judge_applications
from judgepanel.model.staff.prepare.categories import category_key
from judgepanel.model.staff.prepare.rounds import outside_round, rubric_for_round
from judgepanel.model.staff.schema.program import Application, Assignment, Judge, Program, Round
from judgepanel.model.staff.schema.results import IssuedBundle
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.progress import Progress, no_progress

ISSUED_ACTION = "bundle.issued"
_STEPS = 1000  # progress units per bundle
_SUMMARY_MAX = 2000


@dataclass(frozen=True)
class BuiltBundle:
    """One bundle written and recorded: hand ``path`` to the judge."""

    judge_id: int
    judge_name: str
    path: Path
    bundle_id: str
    manifest_sha256: str
    size: int
    applications: tuple[str, ...]  # the ids as the bundle names them
    passphrase: bool
    superseded: tuple[str, ...] = ()  # bundle ids this one replaces


@dataclass
class _Plan:
    """Everything needed to write one judge's bundle, read out of the database."""

    judge_id: int
    judge_name: str
    judge_recipient: str
    header: BundleHeader
    applications: list[BundleApplication]
    app_ids: dict[str, int]  # bundle application id -> Application.id
    passphrase: str | None
    path: Path
    written: WrittenBundle | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# --- ids ---------------------------------------------------------------------------


def bundle_application_id(application: Application) -> str:
    """The id a bundle (and the judge's results) use for an application.

    The reference when it is a valid file-format id (``REC-2026-014``), else
    ``app-<database id>``: references come from spreadsheets and may hold spaces.
    """
    if ID_PATTERN.fullmatch(application.ref):
        return application.ref
    return f"app-{application.id}"


def program_bundle_id(program: Program) -> str:
    return category_key(program.name)[:48].strip("-") or "program"


def round_bundle_id(round_: Round) -> str:
    return f"round-{round_.number}"


def _new_bundle_id(round_: Round, judge: Judge) -> str:
    return f"R{round_.number}-J{judge.id}-{secrets.token_hex(5)}"


def _timestamp(value: dt.datetime | None) -> str | None:
    """A due date as files spell it; a naive time (never stored, but possible in a new
    row) counts as UTC."""
    if value is None:
        return None
    return stamp(value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC))


def _one_line(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text[:_SUMMARY_MAX]


def _jsonable(value: Any) -> Any:
    """Form fields as JSON data: text, numbers, booleans, lists and objects; others as text."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


# --- reading what was issued ----------------------------------------------------------


def _choose_judges(session: Session, round_: Round, judge_ids: Iterable[int] | None
                   ) -> list[Judge]:
    assigned = set(session.scalars(
        select(Assignment.judge_id).where(Assignment.round_id == round_.id)))
    if judge_ids is None:
        judges = list(session.scalars(select(Judge).where(
            Judge.id.in_(assigned), Judge.active.is_(True)).order_by(Judge.name, Judge.id)))
        if not judges:
            raise ValidationError(
                f"No judge has applications assigned in “{round_.name}”. Assign "
                "applications to judges first.", path="assignments")
    else:
        judges = []
        for judge_id in dict.fromkeys(judge_ids):
            judge = session.get(Judge, judge_id)
            if judge is None or judge.program_id != round_.program_id:
                raise ValidationError("This judge is not enrolled in the program.",
                                      detail=f"judge id {judge_id}", path="judges")
            if not judge.active:
                raise ValidationError(
                    f"{judge.name} has been withdrawn from the panel; no bundle was built.",
                    path="judges")
            if judge_id not in assigned:
                raise ValidationError(
                    f"{judge.name} has no applications assigned in “{round_.name}”.",
                    path="judges")
            judges.append(judge)
    flagged = [j for j in judges if j.flag]
    if flagged:
        names = ", ".join(j.name for j in flagged)
        raise ValidationError(
            f"Resolve the warning on {names} before sending a bundle (call the judge and "
            "read the fingerprint aloud), or build the other judges' bundles first.",
            detail=" | ".join(j.flag for j in flagged), path="judges")
    return judges


def _application_view(round_: Round, application: Application, app_id: str,
                      workspace: StaffWorkspace, checked: dict[str, bool]
                      ) -> tuple[dict[str, Any], BundleApplication]:
    visible = round_.visible_fields(application)
    # The applicant's name goes in the conflict-of-interest summary (a judge must
    # know who applies to declare honestly) unless blind review hides it; the
    # e-mail address never leaves the staff workspace.
    hidden = set(round_.hidden_fields or ())
    summary: dict[str, Any] = {
        "id": app_id,
        "title": _one_line(application.title) or "",
        "applicant": None if "contact_name" in hidden else _one_line(application.contact_name),
        "organisation": _one_line(visible.get("organisation")),
        "city": _one_line(visible.get("city")),
    }
    categories = [_one_line(c) for c in visible.get("categories") or () if str(c).strip()]
    if categories:
        summary["categories"] = categories[:100]
    attachments: list[tuple[str, AttachmentSource]] = []
    listed: list[dict[str, Any]] = []
    for attachment in application.attachments:
        if not round_.shows_attachment(attachment):
            continue
        if attachment.sha256 not in checked:
            checked[attachment.sha256] = workspace.attachments.verify(attachment.sha256)
        if not checked[attachment.sha256]:
            raise ValidationError(
                f"The attachment “{attachment.name}” of {application.ref} is missing or "
                f"damaged in {workspace.attachments.where}. Restore it from a "
                "backup or import the application again.",
                detail=f"blob {attachment.sha256}", path=str(application.ref))
        attachments.append((attachment.name, workspace.attachments.opener(attachment.sha256)))
        listed.append({"name": attachment.name, "label": attachment.label,
                       "media_type": attachment.media_type, "size": attachment.size})
    document = {"id": app_id, "title": application.title, "fields": _jsonable(visible),
                "attachments": listed}
    return summary, BundleApplication(app_id, document, attachments)


def _plan(session: Session, workspace: StaffWorkspace, round_: Round, staff: Identity,
          out_dir: Path, judge_ids: Iterable[int] | None,
          passphrases: Mapping[int, str]) -> list[_Plan]:
    program = workspace.program(session)
    if round_.program_id != program.id:
        raise ValidationError("This round belongs to another program.", path="round")
    check_staff_identity(program, staff)
    rubric = rubric_for_round(session, round_)
    judges = _choose_judges(session, round_, judge_ids)
    building = {j.id for j in judges}
    for judge_id, passphrase in passphrases.items():
        if judge_id not in building:
            raise ValidationError("A passphrase was given for a judge whose bundle is not "
                                  "being built.", detail=f"judge id {judge_id}",
                                  path="passphrases")
        if not passphrase or not passphrase.strip():
            raise ValidationError("A bundle passphrase cannot be empty.", path="passphrases")
    assigned = {judge.id: judge_applications(session, round_, judge) for judge in judges}
    outside = outside_round(session, round_, (a for apps in assigned.values() for a in apps))
    if outside:
        raise ValidationError(
            f"{', '.join(a.ref for a in outside)} {'is' if len(outside) == 1 else 'are'} "
            f"assigned in “{round_.name}” but not part of this round. Remove those "
            "assignments, then build the bundles again.",
            detail=f"application ids {[a.id for a in outside]}", path="assignments")
    checked: dict[str, bool] = {}
    plans = []
    for judge in judges:
        summaries: list[dict[str, Any]] = []
        apps: list[BundleApplication] = []
        app_ids: dict[str, int] = {}
        for application in assigned[judge.id]:
            app_id = bundle_application_id(application)
            if app_id in app_ids:
                raise ValidationError(
                    f"Two applications would share the id “{app_id}” in {judge.name}'s "
                    "bundle. Change the reference of one of them.", path="ref")
            app_ids[app_id] = application.id
            summary, app = _application_view(round_, application, app_id, workspace, checked)
            summaries.append(summary)
            apps.append(app)
        bundle_id = _new_bundle_id(round_, judge)
        header = BundleHeader(
            program={"id": program_bundle_id(program), "name": _one_line(program.name)},
            round={"id": round_bundle_id(round_), "name": _one_line(round_.name)},
            bundle_id=bundle_id,
            judge={"name": judge.name, "fingerprint": judge.fingerprint},
            staff={"name": staff.name, "fingerprint": staff.fingerprint,
                   "age_recipient": staff.recipient.to_string()},
            created=stamp(),
            due=_timestamp(round_.due_at),
            rubric=rubric.to_dict(),
            settings={"blind_review": round_.is_blind},
            applications=summaries,
        )
        stem = category_key(judge.name)[:40].strip("-") or "judge"
        plans.append(_Plan(
            judge_id=judge.id, judge_name=judge.name, judge_recipient=judge.age_recipient,
            header=header, applications=apps, app_ids=app_ids,
            passphrase=passphrases.get(judge.id), path=out_dir / f"{stem}-{bundle_id}.jpbundle",
            extra={"hidden_fields": list(round_.hidden_fields or ()),
                   "hidden_attachment_labels": list(round_.hidden_attachment_labels or ())},
        ))
    return plans


# --- phases 2 and 3 ---------------------------------------------------------------------


def _recipients(plan: _Plan, staff: Identity, work_factor: int | None
                ) -> list[X25519Recipient | ScryptRecipient]:
    if plan.passphrase is not None:
        if work_factor is None:
            return [ScryptRecipient(plan.passphrase)]
        return [ScryptRecipient(plan.passphrase, work_factor)]
    return [X25519Recipient.from_string(plan.judge_recipient), staff.recipient]


def _record(session: Session, workspace: StaffWorkspace, round_id: int, staff: Identity,
            plans: list[_Plan]) -> list[BuiltBundle]:
    # The first build fixes the program's staff key (``_plan`` refused any other).
    set_staff_identity(session, workspace.program(session), staff, workspace.actor)
    round_ = session.get(Round, round_id)
    assert round_ is not None
    built = []
    for plan in plans:
        written = plan.written
        assert written is not None, "record only bundles that were written"
        older = list(session.scalars(select(IssuedBundle).where(
            IssuedBundle.round_id == round_id, IssuedBundle.judge_id == plan.judge_id,
            IssuedBundle.superseded.is_(False)).order_by(IssuedBundle.id)))
        for old in older:
            old.superseded = True
        recipients = ([PASSPHRASE_RECIPIENT] if plan.passphrase is not None
                      else [plan.judge_recipient, staff.recipient.to_string()])
        path_text = str(plan.path.resolve())
        row = IssuedBundle(
            round_id=round_id, judge_id=plan.judge_id, bundle_id=plan.header.bundle_id,
            manifest_sha256=written.manifest_sha256, recipients=recipients,
            applications=[[k, v] for k, v in plan.app_ids.items()],
            file_name=path_text if len(path_text) <= 255 else plan.path.name,
            size=written.size, due_at=round_.due_at,
        )
        session.add(row)
        session.flush()
        workspace.record(session, ISSUED_ACTION, {
            "bundle_id": row.bundle_id, "round": round_.number, "judge": plan.judge_id,
            "manifest_sha256": row.manifest_sha256, "recipients": recipients,
            "file": plan.path.name, "size": row.size,
            "applications": row.applications,
            "supersedes": [o.bundle_id for o in older], **plan.extra,
        })
        built.append(BuiltBundle(
            judge_id=plan.judge_id, judge_name=plan.judge_name, path=plan.path,
            bundle_id=row.bundle_id, manifest_sha256=row.manifest_sha256, size=row.size or 0,
            applications=tuple(plan.app_ids), passphrase=plan.passphrase is not None,
            superseded=tuple(o.bundle_id for o in older),
        ))
    return built


def _scaled(progress: Progress, base: int, overall: int, text: str) -> Progress:
    """One bundle's own progress as its share of the whole build, never going backwards
    (the writer refines its total once it has measured the attachments)."""
    reached = base

    def report(done: int, total: int, label: str) -> None:
        nonlocal reached
        reached = max(reached, base + (done * (_STEPS - 1)) // max(total, 1))
        progress(reached, overall, text)

    return report


def build_bundles(
    workspace: StaffWorkspace,
    round_: Round | int,
    staff_identity: Identity,
    out_dir: Path,
    *,
    passphrases: Mapping[int, str] | None = None,
    judges: Iterable[int] | None = None,
    scrypt_work_factor: int | None = None,
    progress: Progress = no_progress,
) -> list[BuiltBundle]:
    """Build, write and record one bundle per judge with applications in ``round_``.

    ``judges`` (judge ids) limits the build to those judges, e.g. to rebuild one
    bundle; ``passphrases`` maps a judge id to the passphrase their bundle is
    encrypted to instead of keys (staff hand it over separately; staff cannot reopen
    such a bundle). ``scrypt_work_factor`` is for tests; the default is age's.
    ``progress`` may raise Cancelled: files written so far are then deleted.
    """
    round_id = round_ if isinstance(round_, int) else round_.id
    out_dir = Path(out_dir)
    with workspace.session() as session:
        round_row = session.get(Round, round_id)
        if round_row is None:
            raise ValidationError("This round does not exist.", detail=f"round id {round_id}",
                                  path="round")
        plans = _plan(session, workspace, round_row, staff_identity, out_dir, judges,
                      dict(passphrases or {}))
    total = len(plans) * _STEPS
    written: list[Path] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for index, plan in enumerate(plans):
            label = f"Building the bundle for {plan.judge_name}"
            progress(index * _STEPS, total, label)
            plan.written = write_bundle(
                plan.path, plan.header, plan.applications,
                recipients=_recipients(plan, staff_identity, scrypt_work_factor),
                staff_key=staff_identity.signing,
                progress=_scaled(progress, index * _STEPS, total, label),
            )
            written.append(plan.path)
        with workspace.session() as session:
            built = _record(session, workspace, round_id, staff_identity, plans)
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    progress(total, total, "Bundles ready")
    return built
