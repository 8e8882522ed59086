"""Assignment in the workspace: who reviews what in a round, saved as Assignment rows.

``assignment_planner.plan_assignments`` is the pure planner; this module feeds it from
the database (the program's applications, its active judges, the conflicts nobody has cleared,
the category panels) and writes its answer back, audited. Staff can then add or
remove single pairs by hand; adding a pair with a conflict of interest is refused
with the reason, because a conflicted review must never be scored, however it got
into the plan.

Assignments are what the *next* bundle holds: changing them does not change a
bundle already sent. ``bundles.issued.outdated_bundles`` lists the judges whose bundle no
longer matches, so staff can rebuild (which supersedes the old bundle).

Panels: a judge listed for categories reviews applications of those categories;
a judge listed for none may review any application. An application whose
categories have no listed judge may go to anyone.

Only applications the round holds (``rounds.round_applications``: every one in
the first round, the shortlist in a later one) can be assigned in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.locks import claim_assignment_run, hold_assignments
from judgepanel.model.staff.prepare.assignment_planner import Shortfall, plan_assignments
from judgepanel.model.staff.prepare.conflicts import CONFIRMED, OPEN, conflicted_pairs
from judgepanel.model.staff.prepare.judges import list_judges
from judgepanel.model.staff.prepare.rounds import outside_round, round_applications
from judgepanel.model.staff.schema import Application, Assignment, Conflict, Judge, Program, Round
from judgepanel.model.storage.versions import stale


@dataclass
class AssignmentOutcome:
    """What an automatic assignment wrote (the planner's ``AssignmentPlan``, applied);
    ``loads`` counts every pair a judge holds."""

    added: list[tuple[int, int]] = field(default_factory=list)  # (judge id, application id)
    dropped: list[tuple[int, int]] = field(default_factory=list)  # removed for a conflict
    unmet: list[Shortfall] = field(default_factory=list)  # named by reference
    loads: dict[int, int] = field(default_factory=dict)

    def summary(self) -> str:
        text = f"{len(self.added)} assignments added"
        if self.dropped:
            text += f", {len(self.dropped)} removed because of a conflict of interest"
        if self.unmet:
            text += f"; {len(self.unmet)} applications still need judges"
        return text + "."


def list_assignments(session: Session, round_: Round) -> list[Assignment]:
    return list(session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id)
        .order_by(Assignment.judge_id, Assignment.application_id)))


def judge_applications(session: Session, round_: Round, judge: Judge) -> list[Application]:
    """The applications assigned to ``judge`` in ``round_``, in reference order."""
    return list(session.scalars(
        select(Application).join(Assignment, Assignment.application_id == Application.id)
        .where(Assignment.round_id == round_.id, Assignment.judge_id == judge.id)
        .order_by(Application.ref, Application.id)))


def blocking_conflicts(session: Session, judge: Judge, application: Application,
                       *, include_open: bool = True) -> list[Conflict]:
    """Conflicts that forbid this pair: confirmed ones, and undecided ones by default."""
    statuses = [CONFIRMED, OPEN] if include_open else [CONFIRMED]
    return list(session.scalars(select(Conflict).where(
        Conflict.judge_id == judge.id, Conflict.application_id == application.id,
        Conflict.status.in_(statuses)).order_by(Conflict.id)))


def _check_same_program(round_: Round, *items: Judge | Application) -> None:
    for item in items:
        if item.program_id != round_.program_id:
            raise ValidationError(
                "This judge or application belongs to another program.",
                detail=f"round program {round_.program_id}, {type(item).__name__} "
                f"{item.id} program {item.program_id}",
            )


def _check_in_round(session: Session, round_: Round, applications: Iterable[Application]
                    ) -> None:
    outside = outside_round(session, round_, applications)
    if outside:
        refs = ", ".join(a.ref for a in outside)
        raise ValidationError(
            f"{refs} {'is' if len(outside) == 1 else 'are'} not part of “{round_.name}”: "
            "this round holds only the applications chosen for it (its shortlist). "
            "Choose one of those.",
            detail=f"round id {round_.id}, application ids {[a.id for a in outside]}",
            path="application")


def _eligibility(judges: list[Judge], applications: list[Application]
                 ) -> dict[str, set[str]] | None:
    """Per application, the judges allowed by the category panels (None: no panels)."""
    generalists = {str(j.id) for j in judges if not j.categories}
    by_category: dict[int, set[str]] = {}
    for judge in judges:
        for category in judge.categories:
            by_category.setdefault(category.id, set()).add(str(judge.id))
    if not by_category:
        return None
    eligible: dict[str, set[str]] = {}
    for application in applications:
        panel: set[str] = set()
        for category in application.categories:
            panel |= by_category.get(category.id, set())
        if panel:
            eligible[str(application.id)] = panel | generalists
    return eligible


def auto_assign(
    session: Session,
    round_: Round,
    actor: str,
    *,
    per_application: int,
    max_load: int | None = None,
    applications: Iterable[Application] | None = None,
    by_category: bool = True,
    include_open_conflicts: bool = True,
    seed: int = 0,
) -> AssignmentOutcome:
    """Complete the round's assignment so each application has ``per_application`` judges.

    Existing pairs are kept (those now in conflict are removed and replaced). Without
    ``applications``, every application the round holds takes part. Open conflict
    findings block a pair unless ``include_open_conflicts`` is False: a pair nobody has
    cleared yet is not safe to hand out. Refused while another officer runs one for the
    same round (``locks``).
    """
    claim_assignment_run(session, round_)
    program_id = round_.program_id
    judges = list(session.scalars(
        select(Judge).where(Judge.program_id == program_id, Judge.active.is_(True))
        .options(selectinload(Judge.categories)).order_by(Judge.id)))
    if applications is None:
        apps = round_applications(session, round_)
    else:
        apps = sorted(set(applications), key=lambda a: a.id)
        _check_same_program(round_, *apps)
        _check_in_round(session, round_, apps)
    if not judges:
        raise ValidationError("Enroll at least one judge before assigning applications.")
    if not apps:
        raise ValidationError("Import applications before assigning them to judges.")
    statuses = [CONFIRMED, OPEN] if include_open_conflicts else [CONFIRMED]
    conflicts = {
        (str(j), str(a)) for j, a in session.execute(
            select(Conflict.judge_id, Conflict.application_id).join(Judge)
            .where(Judge.program_id == program_id, Conflict.status.in_(statuses)))
    }
    rows = list_assignments(session, round_)
    active = {j.id for j in judges}
    # A withdrawn judge's pairs stay in the table (for the record) but the planner
    # neither counts nor keeps them: their applications get someone else.
    existing = {(str(r.judge_id), str(r.application_id)) for r in rows if r.judge_id in active}
    result = plan_assignments(
        [str(a.id) for a in apps], [str(j.id) for j in judges],
        per_application=per_application, max_load=max_load, conflicts=conflicts,
        existing=existing, seed=seed,
        eligible=_eligibility(judges, apps) if by_category else None,
    )
    by_pair = {(str(r.judge_id), str(r.application_id)): r for r in rows}
    outcome = AssignmentOutcome()
    for judge_key, app_key in result.dropped:
        session.delete(by_pair[(judge_key, app_key)])
        outcome.dropped.append((int(judge_key), int(app_key)))
    session.flush()
    for judge_key, app_key in sorted(result.added, key=lambda p: (int(p[0]), int(p[1]))):
        session.add(Assignment(round_id=round_.id, judge_id=int(judge_key),
                               application_id=int(app_key)))
        outcome.added.append((int(judge_key), int(app_key)))
    session.flush()
    refs = {str(a.id): a.ref for a in apps}
    outcome.unmet = [replace(s, app_id=refs[s.app_id]) for s in result.unmet]
    outcome.loads = {int(j): n for j, n in result.loads.items()}
    audit.append(session, actor, "assignment.auto", {
        "round": round_.number, "per_application": per_application, "max_load": max_load,
        "seed": seed, "added": [list(p) for p in outcome.added],
        "dropped": [list(p) for p in outcome.dropped],
        "unmet": [str(u) for u in outcome.unmet],
    })
    return outcome


def _pair_words(round_: Round, judge: Judge, application: Application) -> str:
    return f"whether {judge.name} reviews {application.ref} in “{round_.name}”"


def add_assignment(session: Session, round_: Round, judge: Judge, application: Application,
                   actor: str, *, made_from: bool | None = None) -> Assignment:
    """Assign one pair by hand; refused for a conflicted pair, a withdrawn judge, or an
    application the round does not hold.

    Adding a pair that already exists returns it unchanged, unless ``made_from`` says
    the edit was made from a view where it was not assigned (another officer assigned
    it since: refused, ``storage.versions.stale``).
    """
    hold_assignments(session, round_.program_id)
    _check_same_program(round_, judge, application)
    _check_in_round(session, round_, [application])
    if not judge.active:
        raise ValidationError(
            f"{judge.name} has been withdrawn from the panel. Bring the judge back before "
            "assigning applications to them.", path="judge")
    blocking = blocking_conflicts(session, judge, application)
    if blocking:
        reasons = "; ".join(r for c in blocking for r in (c.reasons or [c.source]))
        undecided = any(c.status == OPEN for c in blocking)
        advice = (" If it is harmless, dismiss the conflict (with the reason) first."
                  if undecided else "")
        raise ValidationError(
            f"{judge.name} cannot review {application.ref}: there is a "
            f"{'possible ' if undecided else ''}conflict of interest ({reasons}).{advice}",
            detail=f"conflicts {[c.id for c in blocking]}", path="judge")
    existing = session.scalars(select(Assignment).where(
        Assignment.round_id == round_.id, Assignment.judge_id == judge.id,
        Assignment.application_id == application.id)).first()
    if existing is not None:
        if made_from is False:
            raise stale(_pair_words(round_, judge, application), "it is assigned now")
        return existing
    row = Assignment(round_id=round_.id, judge_id=judge.id, application_id=application.id)
    session.add(row)
    session.flush()
    audit.append(session, actor, "assignment.added", {
        "round": round_.number, "judge": judge.id, "application": application.id,
        "ref": application.ref})
    return row


def remove_assignment(session: Session, round_: Round, judge: Judge, application: Application,
                      actor: str, *, made_from: bool | None = None) -> None:
    """Take one pair out of the round (a bundle already sent keeps it until rebuilt).

    ``made_from`` True: the edit was made from a view where the pair was assigned; if
    another officer removed it since, that is said (``storage.versions.stale``).
    """
    hold_assignments(session, round_.program_id)
    _check_same_program(round_, judge, application)
    row = session.scalars(select(Assignment).where(
        Assignment.round_id == round_.id, Assignment.judge_id == judge.id,
        Assignment.application_id == application.id)).first()
    if row is None and made_from is True:
        raise stale(_pair_words(round_, judge, application), "it is not assigned now")
    if row is None:
        raise ValidationError(
            f"{application.ref} is not assigned to {judge.name} in “{round_.name}”.",
            path="application")
    session.delete(row)
    session.flush()
    audit.append(session, actor, "assignment.removed", {
        "round": round_.number, "judge": judge.id, "application": application.id,
        "ref": application.ref})


@dataclass(frozen=True)
class AssignmentMatrix:
    """Who reviews what in one round, for the assignment grid."""

    round_id: int
    judges: tuple[tuple[int, str], ...]  # (id, name)
    applications: tuple[tuple[int, str, str], ...]  # (id, ref, title)
    assigned: frozenset[tuple[int, int]]  # (judge id, application id)
    blocked: frozenset[tuple[int, int]]  # confirmed or open conflicts


def load_matrix(session: Session, program: Program, round_: Round) -> AssignmentMatrix:
    judges = tuple((j.id, j.name) for j in list_judges(session, program, active_only=True))
    apps = tuple((a.id, a.ref, a.title) for a in round_applications(session, round_))
    assigned = frozenset((a.judge_id, a.application_id) for a in list_assignments(session, round_))
    return AssignmentMatrix(round_.id, judges, apps, assigned,
                  frozenset(conflicted_pairs(session, program)))
