"""Which staff the judge trusts: the staff key pinned per program, and forged bundles.

``Bundle.open`` without known staff keys only proves a bundle is consistent with
itself; anyone who knows a judge's public key can build one. The judge workspace
therefore pins the staff key of a program's first bundle and refuses a later bundle
of that program signed by another key unless the judge accepts the new fingerprint.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from judgepanel.crypto.age import decrypt_bytes, encrypt_bytes
from judgepanel.crypto.identity import Identity
from judgepanel.errors import IdentityError, SignatureError
from judgepanel.formats.bundle_write import BundleApplication, BundleHeader, write_bundle
from judgepanel.formats.jsonio import dumps_canonical
from judgepanel.model.judge.schema import STAFF_KEY_CHANGED, StaffKeyChangedError
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import SCHEMA_VERSION, JudgeWorkspace
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from tests.formats.crafting import RawEntry, build_zip

RUBRIC = Rubric("Recognition", (Criterion("impact", "Impact"),))
CREATED = "2026-03-01T09:00:00Z"


@dataclass(frozen=True)
class People:
    judge: Identity
    other_judge: Identity
    staff: Identity
    new_staff: Identity  # the program's staff after a (real) key change
    forger: Identity


@pytest.fixture(scope="module")
def people() -> People:
    return People(Identity.generate("Maria Okafor", "judge"),
                  Identity.generate("Olu Other", "judge"),
                  Identity.generate("Program Office", "staff"),
                  Identity.generate("Program Office", "staff"),
                  Identity.generate("Program Office", "staff"))  # same name, own keys


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[JudgeWorkspace]:
    ws = JudgeWorkspace.open(tmp_path / "judge.sqlite")
    yield ws
    ws.close()


def bundle(tmp: Path, judge: Identity, staff: Identity, bundle_id: str, *,
           program: str = "P-2026") -> Path:
    header = BundleHeader(
        program={"id": program, "name": "Mayors' Recognition 2026"},
        round={"id": "R-1", "name": "First round"}, bundle_id=bundle_id,
        judge={"name": judge.name, "fingerprint": judge.fingerprint},
        staff={"name": staff.name, "fingerprint": staff.fingerprint,
               "age_recipient": staff.recipient.to_string()},
        # A fixed time: the same bundle built twice must have the same manifest (with the
        # clock, a build on each side of a second boundary made this test flaky).
        created=CREATED, due=None, rubric=RUBRIC.to_dict(),
        applications=[{"id": "A-1", "title": "Unity Days"}])
    dst = tmp / f"{bundle_id}.jpbundle"
    write_bundle(dst, header, [BundleApplication("A-1", {"id": "A-1"}, [])],
                 recipients=[judge.recipient, staff.recipient], staff_key=staff.signing)
    return dst


def open_session(path: Path, people: People, ws: JudgeWorkspace, **kwargs: Any) -> None:
    with JudgingSession.open(path, people.judge, ws, **kwargs) as session:
        session.verify()


def everything(ws: JudgeWorkspace) -> list[tuple[Any, ...]]:
    """Every row of every table: 'nothing changed' is checked on all of it."""
    with sqlite3.connect(ws.path) as raw:
        tables = [r[0] for r in raw.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return [(t, *row) for t in tables for row in raw.execute(f"SELECT * FROM {t}")]


def pin_events(ws: JudgeWorkspace) -> list[tuple[str, dict[str, Any]]]:
    return [(e.action, dict(e.details or {})) for e in ws.audit_events("staff_key.")]


# --- trust on first use ------------------------------------------------------------------


def test_the_first_bundle_of_a_program_pins_its_staff_key(tmp_path: Path, people: People,
                                                          workspace: JudgeWorkspace) -> None:
    assert workspace.staff_key("P-2026") is None
    open_session(bundle(tmp_path, people.judge, people.staff, "B-1"), people, workspace)
    pin = workspace.staff_key("P-2026")
    assert pin is not None
    assert (pin.fingerprint, pin.staff_name, pin.bundle_id) == (
        people.staff.fingerprint, "Program Office", "B-1")
    assert pin.public_key == people.staff.public_key
    assert pin.age_recipient == people.staff.recipient.to_string()
    assert pin_events(workspace) == [("staff_key.pinned", {
        "program": "P-2026", "bundle": "B-1", "fingerprint": people.staff.fingerprint,
        "staff_name": "Program Office"})]
    assert workspace.check_audit() == []


def test_a_later_bundle_with_the_same_key_opens_and_pins_nothing_new(
        tmp_path: Path, people: People, workspace: JudgeWorkspace) -> None:
    open_session(bundle(tmp_path, people.judge, people.staff, "B-1"), people, workspace)
    open_session(bundle(tmp_path, people.judge, people.staff, "B-2"), people, workspace)
    open_session(bundle(tmp_path, people.judge, people.staff, "B-1"), people, workspace,
                 accept_staff_key=people.forger.fingerprint)  # an unneeded acceptance: no-op
    assert [b.bundle_id for b in workspace.bundles()] == ["B-1", "B-2"]
    assert [a for a, _ in pin_events(workspace)] == ["staff_key.pinned"]


def test_another_staff_key_for_a_known_program_is_refused_changing_nothing(
        tmp_path: Path, people: People, workspace: JudgeWorkspace) -> None:
    """The forger needs no trusted key list to be stopped: the pin is enough."""
    open_session(bundle(tmp_path, people.judge, people.staff, "B-1"), people, workspace)
    before = everything(workspace)
    for bundle_id in ("B-1", "B-9"):  # the same bundle id, or a new one
        forged = bundle(tmp_path / "..", people.judge, people.forger, bundle_id)
        with pytest.raises(StaffKeyChangedError) as info:
            open_session(forged, people, workspace)
        assert info.value.message == STAFF_KEY_CHANGED
        assert "call the program staff" in info.value.message
        assert isinstance(info.value, SignatureError)
        assert (info.value.program_id, info.value.pinned, info.value.offered) == (
            "P-2026", people.staff.fingerprint, people.forger.fingerprint)
        assert info.value.path == str(forged)
        assert everything(workspace) == before


def test_accepting_the_new_key_repins_the_program_and_is_audited(
        tmp_path: Path, people: People, workspace: JudgeWorkspace) -> None:
    open_session(bundle(tmp_path, people.judge, people.staff, "B-1"), people, workspace)
    changed = bundle(tmp_path, people.judge, people.new_staff, "B-2")
    with pytest.raises(StaffKeyChangedError) as info:
        open_session(changed, people, workspace)
    open_session(changed, people, workspace, accept_staff_key=info.value.offered)
    pin = workspace.staff_key("P-2026")
    assert pin is not None and pin.fingerprint == people.new_staff.fingerprint
    assert pin.bundle_id == "B-2"
    assert pin_events(workspace)[-1] == ("staff_key.replaced", {
        "program": "P-2026", "bundle": "B-2", "fingerprint": people.new_staff.fingerprint,
        "staff_name": "Program Office", "replaced": people.staff.fingerprint})
    assert workspace.check_audit() == []
    # From now on the old key is the stranger (even for the bundle it signed).
    with pytest.raises(StaffKeyChangedError):
        open_session(bundle(tmp_path, people.judge, people.staff, "B-1"), people, workspace)
    open_session(changed, people, workspace)


def test_accepting_one_fingerprint_does_not_let_another_in(
        tmp_path: Path, people: People, workspace: JudgeWorkspace) -> None:
    """The warning named one key; a file swapped after it is still refused."""
    open_session(bundle(tmp_path, people.judge, people.staff, "B-1"), people, workspace)
    before = everything(workspace)
    forged = bundle(tmp_path, people.judge, people.forger, "B-2")
    with pytest.raises(StaffKeyChangedError):
        open_session(forged, people, workspace, accept_staff_key=people.new_staff.fingerprint)
    assert everything(workspace) == before


def test_each_program_has_its_own_pin(tmp_path: Path, people: People,
                                      workspace: JudgeWorkspace) -> None:
    open_session(bundle(tmp_path, people.judge, people.staff, "B-1"), people, workspace)
    open_session(bundle(tmp_path, people.judge, people.new_staff, "B-2", program="P-other"),
                 people, workspace)
    pins = {p: workspace.staff_key(p) for p in ("P-2026", "P-other")}
    assert {p: r.fingerprint for p, r in pins.items() if r is not None} == {
        "P-2026": people.staff.fingerprint, "P-other": people.new_staff.fingerprint}


def test_a_pinned_key_and_an_explicit_trusted_key_must_both_agree(
        tmp_path: Path, people: People, workspace: JudgeWorkspace) -> None:
    path = bundle(tmp_path, people.judge, people.staff, "B-1")
    with pytest.raises(SignatureError, match="not signed by your program's staff"):
        open_session(path, people, workspace, trusted_staff_keys=[people.forger.public_key])
    assert workspace.staff_key("P-2026") is None  # a refused bundle pins nothing
    open_session(path, people, workspace, trusted_staff_keys=[people.staff.public_key])


SCHEMA_2_EXPORTS = """CREATE TABLE judge_exports (
    id INTEGER NOT NULL, bundle_row_id INTEGER NOT NULL, sequence INTEGER NOT NULL,
    path TEXT NOT NULL, sha256 VARCHAR(64), status VARCHAR(16) NOT NULL,
    revision INTEGER NOT NULL, created_at DATETIME NOT NULL,
    CONSTRAINT pk_judge_exports PRIMARY KEY (id),
    CONSTRAINT uq_judge_exports_bundle_row_id UNIQUE (bundle_row_id, sequence),
    CONSTRAINT fk_judge_exports_bundle_row_id_judge_bundles FOREIGN KEY(bundle_row_id)
        REFERENCES judge_bundles (id))"""


def back_to_schema_3(raw: sqlite3.Connection) -> None:
    """Turn a new workspace's tables into what JudgePanel with schema 3 left behind."""
    raw.execute("ALTER TABLE judge_scores DROP COLUMN feedback")
    raw.execute("ALTER TABLE judge_reviews DROP COLUMN overall_feedback")


def back_to_schema_2(raw: sqlite3.Connection, exports: list[tuple[object, ...]] = ()) -> None:
    """Turn a new workspace's tables into what JudgePanel with schema 2 left behind."""
    back_to_schema_3(raw)
    raw.execute("DROP TABLE judge_exports")
    raw.execute(SCHEMA_2_EXPORTS)
    raw.execute("CREATE INDEX ix_judge_exports_bundle_row_id ON judge_exports (bundle_row_id)")
    raw.executemany("INSERT INTO judge_exports VALUES (?, ?, ?, ?, ?, ?, ?, ?)", exports)
    raw.execute("ALTER TABLE judge_reviews DROP COLUMN unable_reason")
    raw.execute("ALTER TABLE judge_reviews DROP COLUMN unable_at")


def test_a_schema_1_workspace_is_upgraded_and_keeps_its_work(
        tmp_path: Path, people: People) -> None:
    path = tmp_path / "old.sqlite"
    first = bundle(tmp_path, people.judge, people.staff, "B-1")
    with JudgeWorkspace.open(path) as ws, JudgingSession.open(first, people.judge, ws) as s:
        s.declare("A-1", False)
    with sqlite3.connect(path) as raw:  # what JudgePanel with schema 1 left behind
        raw.execute("DROP TABLE judge_staff_keys")
        back_to_schema_2(raw)
        raw.execute("UPDATE judge_meta SET value='1' WHERE key='schema_version'")
    with JudgeWorkspace.open(path) as ws:
        assert ws.schema_version() == SCHEMA_VERSION == 4
        assert ws.staff_key("P-2026") is None
        with JudgingSession.open(first, people.judge, ws) as session:
            declaration = session.declaration("A-1")
            assert declaration is not None and not declaration.conflict
        pin = ws.staff_key("P-2026")
        assert pin is not None and pin.fingerprint == people.staff.fingerprint
        assert ws.check_audit() == []


# --- forged and re-targeted bundles ---------------------------------------------------------


def members_of(path: Path, staff: Identity) -> list[tuple[str, bytes]]:
    """A bundle's ZIP members, as anyone holding the staff (or judge) key can read them."""
    payload = decrypt_bytes(path.read_bytes(), [staff.age])
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def reseal(dst: Path, members: list[tuple[str, bytes]], to: list[Identity]) -> Path:
    dst.write_bytes(encrypt_bytes(build_zip([RawEntry(n, d) for n, d in members]),
                                  [p.recipient for p in to]))
    return dst


def test_another_judges_bundle_re_encrypted_to_this_judge_is_refused(
        tmp_path: Path, people: People, workspace: JudgeWorkspace) -> None:
    """Genuine and unchanged, but made for Olu: the signed manifest names Olu."""
    olus = bundle(tmp_path, people.other_judge, people.staff, "B-olu")
    moved = reseal(tmp_path / "moved.jpbundle", members_of(olus, people.staff),
                   [people.judge, people.staff])
    with pytest.raises(IdentityError, match="made for another judge"):
        open_session(moved, people, workspace, trusted_staff_keys=[people.staff.public_key])
    assert workspace.bundles() == [] and workspace.staff_key("P-2026") is None


@pytest.mark.parametrize("trusted", [True, False])
def test_the_staffs_old_signature_over_a_changed_manifest_is_refused(
        tmp_path: Path, people: People, workspace: JudgeWorkspace, trusted: bool) -> None:
    """Olu edits his own genuine bundle to name Maria, keeps the staff's signature,
    and re-encrypts it to her: the signature no longer covers the manifest."""
    members = members_of(bundle(tmp_path, people.other_judge, people.staff, "B-olu"),
                         people.staff)
    assert members[0][0] == "manifest.json"
    manifest = json.loads(members[0][1])
    manifest["judge"] = {"name": people.judge.name, "fingerprint": people.judge.fingerprint}
    members[0] = ("manifest.json", dumps_canonical(manifest))
    forged = reseal(tmp_path / "forged.jpbundle", members, [people.judge])
    keys = [people.staff.public_key] if trusted else []
    with pytest.raises(SignatureError, match="changed after"):
        open_session(forged, people, workspace, trusted_staff_keys=keys)
    assert workspace.bundles() == [] and workspace.audit_events() == []


def test_the_session_says_when_its_bundle_pinned_the_key(
        tmp_path: Path, people: People, workspace: JudgeWorkspace) -> None:
    for bundle_id, first in (("B-1", True), ("B-2", False), ("B-1", True)):
        path = bundle(tmp_path, people.judge, people.staff, bundle_id)
        with JudgingSession.open(path, people.judge, workspace) as session:
            assert session.first_bundle_from_this_staff_key() is first
