"""The read queries the staff screens and the command line share, on the demo program.

Each returns plain frozen data (what a worker thread hands to the GUI thread); these
tests hold them to what the database says, independently counted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.audit import broken_links, load_audit
from judgepanel.model.staff.bundles.issued import (
    PASSPHRASE_RECIPIENT,
    load_bundles,
    set_passphrase_hints,
)
from judgepanel.model.staff.overview import load_dashboard, round_summaries, rounds_of
from judgepanel.model.staff.prepare.applications import (
    application_titles,
    find_application,
    load_applications,
)
from judgepanel.model.staff.prepare.assignments import load_matrix
from judgepanel.model.staff.prepare.conflicts import load_conflicts
from judgepanel.model.staff.prepare.judges import find_judge, load_judges
from judgepanel.model.staff.prepare.rounds import find_round, round_by_id
from judgepanel.model.staff.results.received import load_received
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.program import (
    Application,
    Assignment,
    Conflict,
    Judge,
    JudgeAffiliation,
)
from judgepanel.model.staff.schema.results import IssuedBundle, ReceivedResults
from judgepanel.model.staff.workspace import StaffWorkspace


@pytest.fixture
def workspace(demo: Path) -> Iterator[StaffWorkspace]:
    ws = StaffWorkspace.open(demo / "program", actor="tester")
    yield ws
    ws.close()


def count(session: Session, query: object) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)  # type: ignore[attr-defined]


def test_the_dashboard_counts_what_the_tables_hold(workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        program = workspace.program(s)
        dashboard = load_dashboard(s, program, None)
        rounds = rounds_of(s, program)
        apps = count(s, select(Application.id).where(Application.program_id == program.id))
        accepted = count(s, select(ReceivedResults.id).where(ReceivedResults.status == "accepted"))
    assert dashboard.program == program.name and dashboard.round == rounds[-1]
    assert dashboard.applications == apps == 8
    assert sum(j.results == "accepted" for j in dashboard.judges) == accepted > 0
    assert [r.label for r in rounds] == ["1. First round"]


def test_round_summaries_and_finding_rounds(workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        program = workspace.program(s)
        (summary,) = round_summaries(s, program)
        first = find_round(s, program, None)
        assigned = count(s, select(Assignment.id).where(Assignment.round_id == first.id))
        assert find_round(s, program, 1) is first
        assert round_by_id(s, first.id) is first
        with pytest.raises(ValidationError, match="There is no round 7"):
            find_round(s, program, 7)
        with pytest.raises(ValidationError, match="no longer exists"):
            round_by_id(s, None)
    assert dataclasses.astuple(summary)[:3] == (1, "First round", 8)
    assert summary.assignments == assigned and summary.bundles == 6 and summary.rubric


def test_applications_are_listed_found_and_titled(workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        program = workspace.program(s)
        listed = load_applications(s, program)
        first = listed[0]
        assert [a.ref for a in listed] == sorted(a.ref for a in listed)
        assert find_application(s, program, f"  {first.ref} ").id == first.id
        assert application_titles(s, program, [first.ref, "NOPE"]) == {first.ref: first.title}
        with pytest.raises(ValidationError, match="No application with the reference"):
            find_application(s, program, "NOPE")
    assert len(listed) == 8 and any(a.attachments for a in listed)


def test_judges_are_listed_and_found_by_name_fingerprint_or_id(
        workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        program = workspace.program(s)
        judges = load_judges(s, program)
        one = judges[0]
        assert find_judge(s, program, one.name.upper()).id == one.id
        assert find_judge(s, program, one.fingerprint).id == one.id
        assert find_judge(s, program, str(one.id)).id == one.id
        with pytest.raises(ValidationError, match="No judge"):
            find_judge(s, program, "Nobody Here")
        enrolled = count(s, select(Judge.id).where(Judge.program_id == program.id))
    assert len(judges) == enrolled == 6


def test_listing_judges_takes_the_same_queries_however_many_judges(
        workspace: StaffWorkspace) -> None:
    """Not two queries per judge (their affiliations, their categories): at 120 judges
    those 240 round trips made a background read starve the GUI thread (each one lets
    go of the interpreter lock and takes it straight back)."""
    def statements_to_list() -> int:
        seen: list[str] = []

        def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
            seen.append(statement)

        event.listen(workspace.engine, "before_cursor_execute", note)
        try:
            with workspace.session() as s:
                listed = load_judges(s, workspace.program(s))
        finally:
            event.remove(workspace.engine, "before_cursor_execute", note)
        assert listed and any(j.affiliations for j in listed)
        return sum(text.lstrip().upper().startswith("SELECT") for text in seen)

    few = statements_to_list()
    with workspace.session() as s:
        program = workspace.program(s)
        categories = list(program.categories)
        for number in range(20):
            s.add(Judge(program_id=program.id, name=f"Extra Judge {number}",
                        age_recipient=f"age1extra{number}", minisign_public_key="RWextra",
                        fingerprint=f"extra-{number}", categories=categories[:1],
                        affiliations=[JudgeAffiliation(value=f"Town {number}")]))
    assert statements_to_list() == few


def test_conflicts_and_the_assignment_matrix(workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        program = workspace.program(s)
        conflicts = load_conflicts(s, program)
        matrix = load_matrix(s, program, find_round(s, program, 1))
        stored = count(s, select(Conflict.id))
        pairs = set(s.execute(select(Assignment.judge_id, Assignment.application_id)).all())
    assert len(conflicts) == stored
    assert matrix.assigned == frozenset(pairs) and len(matrix.applications) == 8


def test_bundles_received_files_and_hints(workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        program = workspace.program(s)
        bundles = load_bundles(s, find_round(s, program, 1))
        received = load_received(s, program)
        files = count(s, select(ReceivedResults.id))
        assert not any(b.passphrase for b in bundles)
        issued = s.scalars(select(IssuedBundle)).first()
        assert issued is not None
        with pytest.raises(ValidationError, match="Only a bundle that opens with a passphrase"):
            set_passphrase_hints(s, {issued.bundle_id: "read out by phone"}, "tester")
        issued.recipients = [PASSPHRASE_RECIPIENT]
        set_passphrase_hints(s, {issued.bundle_id: "read out by phone"}, "tester")
        assert issued.passphrase_hint == "read out by phone"
    assert len(bundles) == 6 and {b.results for b in bundles} == {"accepted"}
    assert len(received) == files == 6


def test_the_audit_log_in_words(workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        listed = load_audit(s)
        assert broken_links(s) == []
        assert len(listed) == len(audit.events(s))
        s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="someone"))
        assert broken_links(s) == ["Audit entry 2: its contents were changed after it was "
                                   "written."]
    assert [e.seq for e in listed] == list(range(1, len(listed) + 1))


def test_the_dashboard_leads_to_the_meeting_until_every_application_is_decided(
        demo: Path, tmp_path: Path) -> None:
    import shutil

    from judgepanel.model.staff.decide.decisions import set_decision

    shutil.copytree(demo / "program", tmp_path / "program")
    with StaffWorkspace.open(tmp_path / "program", actor="tester") as ws, ws.session() as s:
        program = ws.program(s)
        step = load_dashboard(s, program, None).next_step
        assert (step.code, step.screen) == ("meeting", "meeting")
        round_ = program.rounds[-1]
        apps = list(s.scalars(select(Application).where(
            Application.program_id == program.id).order_by(Application.ref)))
        for app in apps[:-1]:
            set_decision(s, round_, app, "not selected", "Below the line", "tester")
        assert load_dashboard(s, program, None).next_step.code == "meeting"  # one left
        set_decision(s, round_, apps[-1], "winner", "The panel's choice", "tester")
        step = load_dashboard(s, program, None).next_step
        assert (step.code, step.screen) == ("done", "leaderboard")


def test_a_repeated_results_file_leaves_the_judge_as_accepted(demo: Path) -> None:
    """A replay is refused as not needed: the dashboard still shows the merged export."""
    from judgepanel.formats.identity_file import read_identity_file
    from judgepanel.model.staff.results.merging import merge_results

    workspace = StaffWorkspace.open(demo / "program", actor="tester")
    try:
        with workspace.session() as s:
            before = load_dashboard(s, workspace.program(s), None).judges
        replay = sorted((demo / "results").glob("*.jpresults"))[0]
        row = merge_results(workspace, [replay],
                            read_identity_file(demo / "keys" / "staff.identity")).rows[0]
        assert (row.status, row.reason) == ("refused", "replay")
        with workspace.session() as s:
            after = load_dashboard(s, workspace.program(s), None).judges
    finally:
        workspace.close()
    assert [(j.name, j.results, j.sequence) for j in after] == [
        (j.name, j.results, j.sequence) for j in before]
    assert {j.results for j in after} == {"accepted"}
