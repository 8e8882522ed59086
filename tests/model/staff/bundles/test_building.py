"""Building the judges' bundles: keys, contents, blind review, records, and no half files."""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from judgepanel.crypto.age_keys import ScryptIdentity, format_identity_file
from judgepanel.crypto.identity import Identity
from judgepanel.errors import Cancelled, ValidationError, WorkspaceError, WrongKeyError
from judgepanel.formats.bundle import Bundle
from judgepanel.model.staff import audit
from judgepanel.model.staff.bundles.building import build_bundles, bundle_application_id
from judgepanel.model.staff.bundles.issued import (
    PASSPHRASE_RECIPIENT,
    all_issued_applications,
    issued_applications,
    outdated_bundles,
)
from judgepanel.model.staff.prepare.assignments import judge_applications, remove_assignment
from judgepanel.model.staff.prepare.judges import clear_flag
from judgepanel.model.staff.prepare.rounds import add_round, save_rubric, set_blind_review
from judgepanel.model.staff.schema.program import Application, Attachment, Judge, Program, Round
from judgepanel.model.staff.schema.results import IssuedBundle
from tests.conftest import need_tool
from tests.model.flows import (
    ACTOR,
    DUE,
    Flow,
    attachment_bytes,
    fetch,
    make_flow,
    open_bundle,
)


@pytest.fixture
def flow(tmp_path: Path) -> Iterator[Flow]:
    f = make_flow(tmp_path)
    yield f
    f.workspace.close()


def assigned_refs(flow: Flow, judge_id: int) -> list[str]:
    with flow.workspace.session() as session:
        judge = fetch(session, Judge, judge_id)
        assert judge is not None
        return [a.ref for a in judge_applications(session, flow.round(session), judge)]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_one_bundle_per_judge_opens_for_the_judge_and_the_staff(flow: Flow) -> None:
    out = flow.root / "out"
    built = build_bundles(flow.workspace, flow.round_id, flow.staff, out)
    assert sorted(b.judge_name for b in built) == sorted(flow.judges)
    assert files_in(out) == sorted(b.path.name for b in built)
    others = {name: identity for name, identity in flow.judges.items()}
    for item in built:
        identity = flow.identity_of(item.judge_id)
        with open_bundle(flow, item) as bundle:
            manifest = bundle.manifest
            assert bundle.manifest_sha256 == item.manifest_sha256
            assert manifest["bundle_id"] == item.bundle_id
            assert manifest["judge"] == {"name": identity.name,
                                         "fingerprint": identity.fingerprint}
            # Where the judge's results go: the staff recipient, in the signed manifest.
            assert manifest["staff"]["age_recipient"] == flow.staff.recipient.to_string()
            assert manifest["staff"]["fingerprint"] == flow.staff.fingerprint
            assert manifest["rubric"] == flow.rubric.to_dict()
            assert manifest["due"] == "2026-04-01T17:00:00Z"
            assert manifest["round"] == {"id": "round-1", "name": "First round"}
            assert bundle.application_ids() == assigned_refs(flow, item.judge_id)
            assert list(item.applications) == bundle.application_ids()
            bundle.verify_all()
        with Bundle.open(item.path, [flow.staff],
                         trusted_staff_keys=[flow.staff.public_key]) as staff_copy:
            assert staff_copy.manifest_sha256 == item.manifest_sha256
        stranger = next(i for n, i in others.items() if i is not identity)
        with pytest.raises(WrongKeyError):
            Bundle.open(item.path, [stranger])


def test_what_was_issued_is_recorded(flow: Flow) -> None:
    built = build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out")
    with flow.workspace.session() as session:
        program = session.get(Program, flow.workspace.program_id)
        assert program is not None
        assert program.staff_age_recipient == flow.staff.recipient.to_string()
        assert program.staff_minisign_key == flow.staff.public_key.base64
        rows = {r.bundle_id: r for r in session.scalars(select(IssuedBundle))}
        assert set(rows) == {b.bundle_id for b in built}
        for item in built:
            row = rows[item.bundle_id]
            judge = fetch(session, Judge, item.judge_id)
            assert judge is not None
            assert row.judge_id == item.judge_id and row.round_id == flow.round_id
            assert row.manifest_sha256 == item.manifest_sha256
            assert row.recipients == [judge.age_recipient, flow.staff.recipient.to_string()]
            assert Path(row.file_name) == item.path.resolve()
            assert row.size == item.path.stat().st_size and not row.superseded
            assert row.due_at == DUE
            held = issued_applications(session, item.bundle_id)
            assert held == {ref: flow.app_ids[ref] for ref in item.applications}
            # On the row, in bundle order, and the same list in the audit entry.
            assert row.applications == [[ref, flow.app_ids[ref]] for ref in item.applications]
        entries = audit.events(session, "bundle.issued")
        assert len(entries) == 4
        assert {e.details["bundle_id"]: e.details["applications"] for e in entries} == {
            r.bundle_id: r.applications for r in rows.values()}
        assert all_issued_applications(session) == {
            b: issued_applications(session, b) for b in rows}
        # The first build fixed the staff key, recorded once.
        assert [e.details["fingerprint"] for e in audit.events(session, "program.staff_key")
                ] == [flow.staff.fingerprint]
        assert audit.check(session) == []


def test_a_bundle_whose_record_is_lost_cannot_be_checked(flow: Flow) -> None:
    (item,) = build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out",
                            judges=[flow.judge_ids["Maria López"]])
    with flow.workspace.session() as session:
        row = session.scalars(select(IssuedBundle)).one()
        row.applications = None  # as after an upgrade that found no audit entry
    with flow.workspace.session() as session:
        assert all_issued_applications(session) == {}
        for known in (None, all_issued_applications(session)):
            with pytest.raises(WorkspaceError, match="Rebuild the judge's bundle"):
                issued_applications(session, item.bundle_id, known)
        with pytest.raises(WorkspaceError, match="Rebuild the judge's bundle"):
            issued_applications(session, "no-such-bundle")
        with pytest.raises(WorkspaceError, match="Rebuild the judge's bundle"):
            outdated_bundles(session, flow.round(session))


def test_contact_details_and_withheld_files_never_leave(flow: Flow) -> None:
    built = build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out")
    item = next(b for b in built if "REC-003" in b.applications)
    with open_bundle(flow, item) as bundle:
        document = bundle.application("REC-003")
        assert document["fields"]["summary"] == "What Hate-crime hotline does."
        assert document["fields"]["organisation"] == "Police of Graz"
        assert "contact_email" not in document["fields"]
        assert "contact_name" not in document["fields"]
        # budget.xlsx is withheld by staff: neither listed nor included.
        assert bundle.attachment_names("REC-003") == ["proposal.pdf"]
        assert [a["name"] for a in document["attachments"]] == ["proposal.pdf"]
        assert bundle.attachment("REC-003", "proposal.pdf") == attachment_bytes(
            "REC-003", "proposal.pdf")
        assert bundle.manifest["settings"] == {"blind_review": False}
        summary = bundle.summary("REC-003")
        assert (summary["organisation"], summary["city"]) == ("Police of Graz", "Graz")
        assert summary["categories"] == ["Youth engagement"]
        # The applicant's name is in the conflict-of-interest summary; the e-mail is not.
        assert summary["applicant"] == "Contact of REC-003"
        assert b"@" not in bundle.manifest_bytes.split(b'"staff"')[0]


def test_blind_review_hides_the_chosen_fields_and_attachments(flow: Flow) -> None:
    with flow.workspace.session() as session:
        set_blind_review(session, flow.round(session), ACTOR,
                         hidden_fields=["organisation", "city", "summary", "contact_name"],
                         hidden_attachment_labels=["support_letter"])
    built = build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out")
    seen_apps = set()
    for item in built:
        with open_bundle(flow, item) as bundle:
            assert bundle.manifest["settings"] == {"blind_review": True}
            for app_id in bundle.application_ids():
                seen_apps.add(app_id)
                summary = bundle.summary(app_id)
                assert summary["organisation"] is None and summary["city"] is None
                assert summary["applicant"] is None
                document = bundle.application(app_id)
                assert {"organisation", "city", "summary"}.isdisjoint(document["fields"])
                assert document["fields"]["team_size"] == 4  # not hidden, still there
                assert "letter.txt" not in bundle.attachment_names(app_id)
                raw = bundle.manifest_bytes
                assert b"Police of Graz" not in raw and b"letter.txt" not in raw
    assert seen_apps == set(flow.app_ids)
    with flow.workspace.session() as session:
        events = audit.events(session, "bundle.issued")
        assert events[0].details["hidden_fields"] == [
            "city", "contact_name", "organisation", "summary"]


def test_a_passphrase_bundle_opens_only_with_the_passphrase(flow: Flow) -> None:
    maria = flow.judge_ids["Maria López"]
    built = build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out",
                          passphrases={maria: "correct horse battery"}, scrypt_work_factor=10)
    item = next(b for b in built if b.judge_id == maria)
    assert item.passphrase
    with Bundle.open(item.path, [ScryptIdentity("correct horse battery")],
                     trusted_staff_keys=[flow.staff.public_key]) as bundle:
        assert bundle.application_ids() == assigned_refs(flow, maria)
    for wrong in ([flow.judges["Maria López"]], [flow.staff], [ScryptIdentity("wrong")]):
        with pytest.raises(WrongKeyError):
            Bundle.open(item.path, wrong)
    with flow.workspace.session() as session:
        row = session.scalars(select(IssuedBundle).where(IssuedBundle.judge_id == maria)).one()
        assert row.recipients == [PASSPHRASE_RECIPIENT]
    with pytest.raises(ValidationError, match="cannot be empty"):
        build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out2",
                      passphrases={maria: "  "})


def test_progress_is_reported_to_the_end(flow: Flow) -> None:
    calls: list[tuple[int, int, str]] = []
    build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out",
                  progress=lambda done, total, label: calls.append((done, total, label)))
    assert len(calls) > 8
    done = [c[0] for c in calls]
    assert done == sorted(done), "progress never goes backwards"
    assert {c[1] for c in calls} == {4000}
    assert calls[-1][:2] == (4000, 4000)
    assert any("Maria López" in label for _, _, label in calls)


def test_rebuilding_a_bundle_supersedes_the_old_one(flow: Flow) -> None:
    maria = flow.judge_ids["Maria López"]
    first = build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out")
    old = next(b for b in first if b.judge_id == maria)
    (rebuilt,) = build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out",
                               judges=[maria])
    assert rebuilt.bundle_id != old.bundle_id and rebuilt.superseded == (old.bundle_id,)
    assert old.path.exists() and rebuilt.path.exists()  # history kept, nothing overwritten
    with flow.workspace.session() as session:
        rows = session.scalars(select(IssuedBundle).where(IssuedBundle.judge_id == maria)
                               .order_by(IssuedBundle.id)).all()
        assert [(r.bundle_id, r.superseded) for r in rows] == [
            (old.bundle_id, True), (rebuilt.bundle_id, False)]
        assert audit.events(session, "bundle.issued")[-1].details["supersedes"] == [
            old.bundle_id]
        others = session.scalars(select(IssuedBundle).where(IssuedBundle.judge_id != maria))
        assert not any(r.superseded for r in others)


def test_outdated_bundles_follow_assignment_changes(flow: Flow) -> None:
    built = build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out")
    item = built[0]
    with flow.workspace.session() as session:
        assert outdated_bundles(session, flow.round(session)) == []
        remove_assignment(session, flow.round(session), fetch(session, Judge, item.judge_id),
                          fetch(session, Application, flow.app_ids[item.applications[0]]), ACTOR)
        assert [b.bundle_id for b in outdated_bundles(session, flow.round(session))] == [
            item.bundle_id]
    build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out",
                  judges=[item.judge_id])
    with flow.workspace.session() as session:
        assert outdated_bundles(session, flow.round(session)) == []


def snapshot(flow: Flow) -> tuple[list[tuple[str, bool]], int, str | None]:
    with flow.workspace.session() as session:
        program = session.get(Program, flow.workspace.program_id)
        assert program is not None
        rows = [(r.bundle_id, r.superseded) for r in session.scalars(select(IssuedBundle))]
        return rows, len(audit.events(session)), program.staff_minisign_key


def test_cancelling_leaves_no_file_and_no_record(flow: Flow) -> None:
    out = flow.root / "out"
    before = snapshot(flow)

    def cancel_in_third(done: int, total: int, label: str) -> None:
        if done >= 2500:
            raise Cancelled()

    with pytest.raises(Cancelled):
        build_bundles(flow.workspace, flow.round_id, flow.staff, out, progress=cancel_in_third)
    assert files_in(out) == []  # neither finished bundles nor .part files
    assert snapshot(flow) == before


def test_only_the_programs_staff_identity_may_sign(flow: Flow) -> None:
    out = flow.root / "out"
    with pytest.raises(ValidationError, match="judge identity"):
        build_bundles(flow.workspace, flow.round_id, flow.judges["Maria López"], out)
    build_bundles(flow.workspace, flow.round_id, flow.staff, out)
    before = files_in(out), snapshot(flow)
    intruder = Identity.generate("Someone Else", "staff")
    with pytest.raises(ValidationError, match="not the staff identity of this program"):
        build_bundles(flow.workspace, flow.round_id, intruder, out)
    assert (files_in(out), snapshot(flow)) == before


def test_a_flagged_judge_blocks_the_build_until_cleared(flow: Flow) -> None:
    kwame = flow.judge_ids["Kwame Mensah"]
    with flow.workspace.session() as session:
        judge = fetch(session, Judge, kwame)
        assert judge is not None
        judge.flag = "A judge named Kwame Mensah is already enrolled with different keys."
    with pytest.raises(ValidationError, match="Resolve the warning on Kwame Mensah"):
        build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out")
    assert files_in(flow.root / "out") == []
    others = [j for n, j in flow.judge_ids.items() if j != kwame]
    assert len(build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out",
                             judges=others)) == 3
    with flow.workspace.session() as session:
        clear_flag(session, fetch(session, Judge, kwame), ACTOR, "Fingerprint read back by phone")
    assert len(build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out",
                             judges=[kwame])) == 1


def test_a_damaged_attachment_is_refused_before_anything_is_written(flow: Flow) -> None:
    with flow.workspace.session() as session:
        attachment = session.scalars(select(Attachment).where(
            Attachment.name == "proposal.pdf")).first()
        assert attachment is not None
        path = flow.workspace.attachments.path_for(attachment.sha256)
    path.write_bytes(b"changed")
    with pytest.raises(ValidationError, match="missing or damaged"):
        build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out")
    assert files_in(flow.root / "out") == []


def test_a_round_without_rubric_or_assignments_is_refused(flow: Flow) -> None:
    with flow.workspace.session() as session:
        second = add_round(session, flow.workspace.program(session), "Final", ACTOR)
        second_id = second.id
    with pytest.raises(ValidationError, match="has no rubric"):
        build_bundles(flow.workspace, second_id, flow.staff, flow.root / "out")
    with flow.workspace.session() as session:
        save_rubric(session, fetch(session, Round, second_id), flow.rubric, ACTOR)
    with pytest.raises(ValidationError, match="No judge has applications assigned"):
        build_bundles(flow.workspace, second_id, flow.staff, flow.root / "out")
    maria = flow.judge_ids["Maria López"]
    with pytest.raises(ValidationError, match="Maria López has no applications assigned"):
        build_bundles(flow.workspace, second_id, flow.staff, flow.root / "out",
                      judges=[maria])
    with pytest.raises(ValidationError, match="not enrolled"):
        build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out",
                      judges=[9999])
    assert files_in(flow.root / "out") == []


def test_references_that_are_not_file_ids_get_a_safe_id(flow: Flow) -> None:
    application = Application(id=42, ref="REC 7/2026", title="x")
    assert bundle_application_id(application) == "app-42"
    assert bundle_application_id(Application(id=1, ref="REC-2026-014", title="x")) == (
        "REC-2026-014")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60)


@pytest.mark.interop
def test_a_built_bundle_checks_out_with_age_and_minisign(flow: Flow, tmp_path: Path) -> None:
    age, minisign = need_tool("age"), need_tool("minisign")
    item = build_bundles(flow.workspace, flow.round_id, flow.staff, flow.root / "out")[0]
    judge = flow.identity_of(item.judge_id)
    key = tmp_path / "judge.key"
    key.write_text(format_identity_file(judge.age))
    plain = tmp_path / "payload.zip"
    result = run(age, "-d", "-i", key, "-o", plain, item.path)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(plain) as archive:
        assert archive.testzip() is None
        assert archive.namelist()[:2] == ["manifest.json", "manifest.json.minisig"]
        for name in ("manifest.json", "manifest.json.minisig"):
            (tmp_path / name).write_bytes(archive.read(name))
    pub = tmp_path / "staff.pub"
    pub.write_text(flow.staff.public_key.to_string())
    result = run(minisign, "-V", "-p", pub, "-m", tmp_path / "manifest.json")
    assert result.returncode == 0, result.stderr
    assert f"bundle={item.bundle_id}" in result.stdout
    other = tmp_path / "other.pub"
    other.write_text(judge.public_key.to_string())
    assert run(minisign, "-V", "-p", other, "-m", tmp_path / "manifest.json").returncode != 0
