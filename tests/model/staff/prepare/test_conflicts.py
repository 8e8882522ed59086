"""Conflict screening: the expected pairs are found, webmail ignored, decisions recorded."""

from __future__ import annotations

import pytest

from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.prepare.conflicts import (
    confirm,
    conflicted_pairs,
    declare,
    dismiss,
    email_domain,
    list_conflicts,
    normalise,
    screen,
)
from judgepanel.model.staff.prepare.judges import enroll_card, set_affiliations, set_profile
from judgepanel.model.staff.schema.program import Application, Judge
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.conftest import ACTOR, StandInCard


class Ids(dict[str, int]):
    """Judge and application ids by short name (the two namespaces kept apart)."""

    judges: dict[int, str]
    apps: dict[int, str]


def _setup(ws: StaffWorkspace) -> Ids:
    """Three judges, four applications; returns ids by short name."""
    ids = Ids()
    with ws.session() as session:
        program = ws.program(session)
        apps = {
            "montreal": Application(program_id=program.id, ref="A1", title="Vivre ensemble",
                                    organisation="Ville de Montréal", city="Montréal",
                                    contact_email="info@ville.montreal.qc.ca"),
            "gmail": Application(program_id=program.id, ref="A2", title="Book club",
                                 organisation="Readers", city="Shelbyville",
                                 contact_email="readers@gmail.com"),
            "urban": Application(program_id=program.id, ref="A3", title="Parks",
                                 organisation="Urban  Institute", city="Capital City",
                                 contact_email="x@parks.org"),
            "clean": Application(program_id=program.id, ref="A4", title="Buses",
                                 organisation="Transit Co", city="Ogdenville",
                                 contact_email="y@transit.example"),
        }
        session.add_all(apps.values())
        judges = {
            name: enroll_card(session, program, StandInCard(name, f"age1{name}", f"RW{name}",
                                                            f"FP-{name}"), ACTOR).judge
            for name in ("ana", "bo", "cy")
        }
        set_profile(session, judges["ana"], ACTOR, city="MONTREAL ", email="ana@gmail.com")
        set_profile(session, judges["bo"], ACTOR, organisation="urban institute",
                    email="bo@montreal.qc.ca")
        set_affiliations(session, judges["cy"], ["Readers", "Capital   City"], ACTOR)
        set_profile(session, judges["cy"], ACTOR, email="cy@gmail.com")
        session.flush()
        ids.update({k: v.id for k, v in apps.items()})
        ids.update({k: v.id for k, v in judges.items()})
        ids.apps = {v.id: k for k, v in apps.items()}
        ids.judges = {v.id: k for k, v in judges.items()}
    return ids


def _found(ws: StaffWorkspace, ids: Ids) -> dict[tuple[str, str], list[str]]:
    with ws.session() as session:
        return {(ids.judges[c.judge_id], ids.apps[c.application_id]): list(c.reasons)
                for c in list_conflicts(session, ws.program(session))}


def test_normalise_and_email_domain() -> None:
    assert normalise("  Ville de MONTRÉAL ") == normalise("ville de montreal")
    assert normalise("St. John's") == "st john s"
    assert email_domain("Ana@Example.ORG") == "example.org"
    assert email_domain("ana@gmail.com") is None
    assert email_domain("no-at-sign") is None


def test_screening_finds_the_expected_pairs_and_ignores_webmail(
    workspace: StaffWorkspace,
) -> None:
    ids = _setup(workspace)
    with workspace.session() as session:
        result = screen(session, workspace.program(session), ACTOR)
        assert (result.new, result.open) == (5, 5)
    assert _found(workspace, ids) == {
        ("ana", "montreal"): ["Same city: Montréal"],
        # bo's domain montreal.qc.ca is a parent of the applicant's ville.montreal.qc.ca
        ("bo", "montreal"): ["Same email domain: ville.montreal.qc.ca"],
        ("bo", "urban"): ["Same organisation: Urban  Institute"],
        ("cy", "gmail"): ["Declared affiliation “Readers” is the applicant organisation"],
        ("cy", "urban"): ["Declared affiliation “Capital City” is the applicant city"],
    }
    # ana and cy both use gmail.com, as does application A2: that is not a conflict.
    with workspace.session() as session:
        assert audit.events(session, "conflicts.")[0].details["new"] == 5


def test_decisions_are_recorded_kept_and_audited(workspace: StaffWorkspace) -> None:
    ids = _setup(workspace)
    with workspace.session() as session:
        program = workspace.program(session)
        screen(session, program, ACTOR)
        by_pair = {(c.judge_id, c.application_id): c for c in list_conflicts(session, program)}
        same_city = by_pair[(ids["ana"], ids["montreal"])]
        domain = by_pair[(ids["bo"], ids["montreal"])]
        confirm(session, same_city, ACTOR, "Lives there and works for the city")
        with pytest.raises(ValidationError, match="Say why"):
            dismiss(session, domain, ACTOR, "")
        dismiss(session, domain, ACTOR, "Provincial domain, different body")
        assert (domain.status, domain.decided_by) == ("dismissed", ACTOR)
        assert domain.decided_at is not None
        again = screen(session, program, ACTOR)  # re-screening keeps decisions
        assert (again.new, again.reopened, again.open) == (0, 0, 3)
        assert same_city.status == "confirmed" and domain.status == "dismissed"
        actions = [e.action for e in audit.events(session, "conflict.")]
        assert actions == ["conflict.confirmed", "conflict.dismissed"]
        assert conflicted_pairs(session, program, include_open=False) == {
            (ids["ana"], ids["montreal"])}
        assert len(conflicted_pairs(session, program)) == 4


def test_a_dismissed_pair_reopens_only_for_a_new_reason(workspace: StaffWorkspace) -> None:
    ids = _setup(workspace)
    with workspace.session() as session:
        program = workspace.program(session)
        screen(session, program, ACTOR)
        (conflict,) = [c for c in list_conflicts(session, program)
                       if (c.judge_id, c.application_id) == (ids["ana"], ids["montreal"])]
        dismiss(session, conflict, ACTOR, "Moved away years ago")
        judge = session.get(Judge, ids["ana"])
        assert judge is not None
        set_profile(session, judge, ACTOR, organisation="Ville de Montreal")
        result = screen(session, program, ACTOR)
        assert result.reopened == 1 and conflict.status == "open"
        assert conflict.reasons == ["Same city: Montréal",
                                    "Same organisation: Ville de Montréal"]


def test_undecided_findings_that_no_longer_match_are_cleared(workspace: StaffWorkspace) -> None:
    ids = _setup(workspace)
    with workspace.session() as session:
        program = workspace.program(session)
        screen(session, program, ACTOR)
        judge = session.get(Judge, ids["bo"])
        assert judge is not None
        set_profile(session, judge, ACTOR, organisation="Someone else")
        result = screen(session, program, ACTOR)
        assert result.cleared == 1
    assert ("bo", "urban") not in _found(workspace, ids)


def test_inactive_judges_are_not_screened(workspace: StaffWorkspace) -> None:
    ids = _setup(workspace)
    with workspace.session() as session:
        judge = session.get(Judge, ids["cy"])
        assert judge is not None
        judge.active = False
        screen(session, workspace.program(session), ACTOR)
    assert {j for j, _ in _found(workspace, ids)} == {"ana", "bo"}


def test_declared_conflicts(workspace: StaffWorkspace) -> None:
    ids = _setup(workspace)
    with workspace.session() as session:
        program = workspace.program(session)
        judge, app = session.get(Judge, ids["ana"]), session.get(Application, ids["clean"])
        assert judge is not None and app is not None
        staff = declare(session, judge, app, "Sits on the transit board", ACTOR)
        assert (staff.source, staff.status) == ("staff", "confirmed")
        by_judge = declare(session, judge, app, "My cousin wrote it", ACTOR, source="declared",
                           status="open")
        assert (by_judge.source, by_judge.status) == ("declared", "open")
        assert (ids["ana"], ids["clean"]) in conflicted_pairs(session, program,
                                                              include_open=False)
        with pytest.raises(ValueError):
            declare(session, judge, app, "x", ACTOR, source="detected")
