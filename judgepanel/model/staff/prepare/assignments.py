"""Assignment in the workspace: who reviews what in a round, saved as Assignment rows.

``assignment_planner.plan_assignments`` is the pure planner; this module feeds it from
the database (the program's applications, its active judges, the confirmed conflicts,
the category panels) and writes its answer back, audited, all or nothing: a run that
cannot be done as asked (an undecided conflict finding, judges already over the load
cap, applications that would stay short) is refused and writes nothing, and
``check=True`` shows the plan without writing. Staff can then add or
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

from collections import Counter
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
from judgepanel.model.staff.schema.program import (
    Application,
    Assignment,
    Conflict,
    Judge,
    Program,
    Round,
)
from judgepanel.model.storage.versions import stale


@dataclass
class AssignmentOutcome:
    """What an automatic assignment would write, or wrote (the planner's ``AssignmentPlan``
    in the workspace's terms); ``loads`` counts every pair a judge would hold."""

    added: list[tuple[int, int]] = field(default_factory=list)  # (judge id, application id)
    dropped: list[tuple[int, int]] = field(default_factory=list)  # removed for a conflict
    unmet: list[Shortfall] = field(default_factory=list)  # named by reference
    loads: dict[int, int] = field(default_factory=dict)
    written: bool = False  # False: only planned (``--check``), nothing was changed

    def summary(self) -> str:
        verb = "added" if self.written else "to add"
        text = f"{len(self.added)} assignments {verb}"
        if self.dropped:
            removed = "removed" if self.written else "to remove"
            text += f", {len(self.dropped)} {removed} because of a conflict of interest"
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


def open_findings(session: Session, round_: Round, judges: Iterable[Judge],
                  applications: Iterable[Application]) -> list[Conflict]:
    """Undecided conflict findings between these judges and applications of the round."""
    judge_ids = {j.id for j in judges}
    app_ids = {a.id for a in applications}
    found = session.scalars(select(Conflict).join(Judge).where(
        Judge.program_id == round_.program_id, Conflict.status == OPEN)
        .order_by(Conflict.id))
    return [c for c in found if c.judge_id in judge_ids and c.application_id in app_ids]


def _refuse_open(found: list[Conflict]) -> ValidationError:
    shown = "; ".join(f"#{c.id} {c.judge.name} × {c.application.ref}" for c in found[:5])
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    return ValidationError(
        f"{len(found)} possible conflict{'s' if len(found) != 1 else ''} of interest "
        f"{'are' if len(found) != 1 else 'is'} still undecided ({shown}{more}), so nothing "
        "was assigned: a pair nobody has cleared may be unsafe, and one cleared later "
        "should be assignable. Confirm or dismiss each first (Conflicts, or `judgepanel "
        "staff conflicts list --status open`).",
        detail=f"open conflicts {[c.id for c in found]}", path="conflicts")


def _refuse_over_cap(over: dict[str, int], max_load: int) -> ValidationError:
    names = ", ".join(f"{name} ({n})" for name, n in sorted(over.items()))
    return ValidationError(
        f"{names} already {'hold' if len(over) != 1 else 'holds'} more than {max_load} "
        f"applications, so a limit of {max_load} per judge cannot be kept and nothing was "
        "assigned. Raise the limit, or remove some of their assignments first.",
        path="max_load")


def _refuse_short(outcome: AssignmentOutcome) -> ValidationError:
    shown = "; ".join(str(u) for u in outcome.unmet[:5])
    more = f"; and {len(outcome.unmet) - 5} more" if len(outcome.unmet) > 5 else ""
    return ValidationError(
        f"This assignment cannot be completed: {len(outcome.unmet)} application"
        f"{'s' if len(outcome.unmet) != 1 else ''} would stay short of judges ({shown}"
        f"{more}). Nothing was assigned. Ask for fewer judges per application, allow more "
        "applications per judge or enroll more judges; or accept the shortfall "
        "(`--allow-short`).",
        detail="; ".join(str(u) for u in outcome.unmet), path="per_application")


def auto_assign(
    session: Session,
    round_: Round,
    actor: str,
    *,
    per_application: int,
    max_load: int | None = None,
    applications: Iterable[Application] | None = None,
    by_category: bool = True,
    seed: int = 0,
    allow_short: bool = False,
    check: bool = False,
) -> AssignmentOutcome:
    """Complete the round's assignment so each application has ``per_application`` judges.

    Existing pairs are kept (those now in conflict are removed and replaced). Without
    ``applications``, every application the round holds takes part. Refused, writing
    nothing: while a conflict finding between the judges and applications concerned is
    still open (docs/staff-guide.md: undecided findings block assignment); when judges
    already hold more than ``max_load``; and when the plan would leave applications short
    of judges, unless ``allow_short``. With ``check`` the plan is worked out and returned
    (``written`` False) without writing anything, refusals included. A run that writes is
    refused while another officer runs one for the same round (``locks``).
    """
    if not check:
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
    undecided = open_findings(session, round_, judges, apps)
    if undecided:
        raise _refuse_open(undecided)
    conflicts = {
        (str(j), str(a)) for j, a in session.execute(
            select(Conflict.judge_id, Conflict.application_id).join(Judge)
            .where(Judge.program_id == program_id, Conflict.status == CONFIRMED))
    }
    rows = list_assignments(session, round_)
    active = {j.id for j in judges}
    # A withdrawn judge's pairs stay in the table (for the record) but the planner
    # neither counts nor keeps them: their applications get someone else.
    existing = {(str(r.judge_id), str(r.application_id)) for r in rows if r.judge_id in active}
    if max_load is not None:
        held = Counter(j for j, _a in existing)
        names = {str(j.id): j.name for j in judges}
        over = {names[j]: n for j, n in held.items() if n > max_load}
        if over:
            raise _refuse_over_cap(over, max_load)
    result = plan_assignments(
        [str(a.id) for a in apps], [str(j.id) for j in judges],
        per_application=per_application, max_load=max_load, conflicts=conflicts,
        existing=existing, seed=seed,
        eligible=_eligibility(judges, apps) if by_category else None,
    )
    refs = {str(a.id): a.ref for a in apps}
    outcome = AssignmentOutcome(
        added=sorted((int(j), int(a)) for j, a in result.added),
        dropped=[(int(j), int(a)) for j, a in result.dropped],
        unmet=[replace(s, app_id=refs[s.app_id]) for s in result.unmet],
        loads={int(j): n for j, n in result.loads.items()})
    if check:
        return outcome
    if outcome.unmet and not allow_short:
        raise _refuse_short(outcome)
    by_pair = {(r.judge_id, r.application_id): r for r in rows}
    for pair in outcome.dropped:
        session.delete(by_pair[pair])
    session.flush()
    for judge_id, app_id in outcome.added:
        session.add(Assignment(round_id=round_.id, judge_id=judge_id, application_id=app_id))
    session.flush()
    outcome.written = True
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
    blocked: frozenset[tuple[int, int]]  # confirmed (also judge-declared) or open conflicts

    def coverage(self) -> dict[int, tuple[int, int]]:
        """Per application id: (reviews that can count, pairs assigned).

        A pair in conflict (a judge declared one, or staff confirmed or have not yet
        decided one) can never give a review that counts, so it is not coverage, and
        neither is a withdrawn judge's pair."""
        active = {j for j, _name in self.judges}
        counted = dict.fromkeys((a for a, _r, _t in self.applications), 0)
        assigned = dict(counted)
        for judge_id, app_id in self.assigned:
            if judge_id in active and app_id in counted:
                assigned[app_id] += 1
                if (judge_id, app_id) not in self.blocked:
                    counted[app_id] += 1
        return {a: (counted[a], assigned[a]) for a in counted}


def load_matrix(session: Session, program: Program, round_: Round) -> AssignmentMatrix:
    judges = tuple((j.id, j.name) for j in list_judges(session, program, active_only=True))
    apps = tuple((a.id, a.ref, a.title) for a in round_applications(session, round_))
    assigned = frozenset((a.judge_id, a.application_id) for a in list_assignments(session, round_))
    return AssignmentMatrix(round_.id, judges, apps, assigned,
                  frozenset(conflicted_pairs(session, program)))
