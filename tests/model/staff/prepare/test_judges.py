"""Enrolling judges from cards: idempotent by fingerprint, suspicious keys flagged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from judgepanel.crypto.identity import Identity
from judgepanel.errors import DamagedFileError, FileFormatError, ValidationError
from judgepanel.formats.card import Card, write_card
from judgepanel.model.staff import audit
from judgepanel.model.staff.prepare.judges import (
    clear_flag,
    enroll_card,
    enroll_file,
    list_judges,
    set_active,
    set_affiliations,
    set_profile,
)
from judgepanel.model.staff.schema.program import Judge
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.conftest import ACTOR, StandInCard, count


def _card(name: str, role: str = "judge") -> Card:
    return Card.from_identity(Identity.generate(name, role))


def test_enroll_from_a_card_file(workspace: StaffWorkspace, tmp_path: Path) -> None:
    card = _card("Maria López")
    write_card(tmp_path / "maria.jpcard", card)
    with workspace.session() as session:
        result = enroll_file(session, workspace.program(session), tmp_path / "maria.jpcard",
                             ACTOR, email="maria@Example.ORG", city=" Springfield ")
        assert result.created and result.warning == ""
        assert result.fingerprint == card.fingerprint
    with workspace.session() as session:
        judge = session.scalars(select(Judge)).one()
        assert (judge.name, judge.role) == ("Maria López", "judge")
        assert judge.age_recipient == card.age_recipient
        assert judge.minisign_public_key == card.minisign_public_key
        assert judge.email == "maria@example.org" and judge.city == "Springfield"
        assert Card.from_json(judge.card_text.encode()) == card  # kept verbatim, re-checkable
        (event,) = audit.events(session, "judge.")
        assert event.details["fingerprint"] == card.fingerprint


def test_a_tampered_card_is_refused_and_nothing_enrolled(workspace: StaffWorkspace,
                                                         tmp_path: Path) -> None:
    card = _card("Maria López")
    path = tmp_path / "maria.jpcard"
    path.write_bytes(card.to_json().replace(b"Maria L", b"Mario L"))
    with pytest.raises(DamagedFileError), workspace.session() as session:
        enroll_file(session, workspace.program(session), path, ACTOR)
    (tmp_path / "junk.jpcard").write_text("hello")
    with pytest.raises(FileFormatError), workspace.session() as session:
        enroll_file(session, workspace.program(session), tmp_path / "junk.jpcard", ACTOR)
    with workspace.session() as session:
        assert count(session, Judge) == 0


def test_enrolling_the_same_card_twice_changes_nothing(workspace: StaffWorkspace) -> None:
    card = _card("Ben Okafor")
    with workspace.session() as session:
        program = workspace.program(session)
        first = enroll_card(session, program, card, ACTOR)
        again = enroll_card(session, program, card, ACTOR)
        assert again.judge.id == first.judge.id and not again.created
        assert again.warning == ""
        assert count(session, Judge) == 1
        assert len(audit.events(session, "judge.enrolled")) == 1


def test_a_new_key_under_a_known_name_is_flagged(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        original = enroll_card(session, program, _card("Chen Wei"), ACTOR)
        second = enroll_card(session, program, _card("  chen   WEI"), ACTOR)
        assert second.created and original.judge.flag == ""
        assert "already enrolled with different keys" in second.warning
        assert original.fingerprint in second.judge.flag
        with pytest.raises(ValidationError, match="how the judge was checked"):
            clear_flag(session, second.judge, ACTOR, " ")
        clear_flag(session, second.judge, ACTOR, "Read fingerprint back by phone, 3 May")
        assert second.judge.flag == ""
        cleared = audit.events(session, "judge.flag_cleared")
        assert cleared[0].details["note"].startswith("Read")


def test_shared_keys_and_staff_cards_are_flagged(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        enroll_card(session, program, StandInCard("Ann", "age1same", "RWkeyA", "FP-A"), ACTOR)
        copy = enroll_card(session, program, StandInCard("Bob", "age1same", "RWkeyB", "FP-B"),
                           ACTOR)
        assert "shares a key with “Ann”" in copy.warning
        staff = enroll_card(session, program, _card("Pat Staff", "staff"), ACTOR)
        assert "staff card, not a judge's card" in staff.warning


def test_same_fingerprint_under_another_name_is_reported_not_changed(
    workspace: StaffWorkspace,
) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        enroll_card(session, program, StandInCard("Ann", "age1a", "RWa", "FP-A"), ACTOR)
        result = enroll_card(session, program, StandInCard("Annie", "age1a", "RWa", "FP-A"),
                             ACTOR)
        assert not result.created and result.judge.name == "Ann"
        assert "already enrolled as “Ann”" in result.warning


def test_profile_affiliations_and_withdrawal(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        judge = enroll_card(session, program, _card("Dana"), ACTOR).judge
        set_profile(session, judge, ACTOR, organisation=" Urban  Institute ", city="Ogdenville")
        set_affiliations(session, judge, ["City of Springfield", "city of  springfield", "",
                                          "Ogden Foundation"], ACTOR)
        assert [a.value for a in judge.affiliations] == ["City of Springfield",
                                                         "Ogden Foundation"]
        assert judge.organisation == "Urban Institute"
        set_affiliations(session, judge, ["Ogden Foundation"], ACTOR)
        set_active(session, judge, False, ACTOR)
        assert list_judges(session, program, active_only=True) == []
    with workspace.session() as session:
        (judge,) = list_judges(session, workspace.program(session))
        assert [a.value for a in judge.affiliations] == ["Ogden Foundation"]
        assert not judge.active
        assert [e.action for e in audit.events(session, "judge.")] == [
            "judge.enrolled", "judge.profile", "judge.affiliations", "judge.affiliations",
            "judge.active"]
