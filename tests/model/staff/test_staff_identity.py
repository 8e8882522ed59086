"""The program's staff identity: set once, the same again is a no-op, another only by rotation."""

from __future__ import annotations

import pytest

from judgepanel.crypto.identity import Identity
from judgepanel.errors import ValidationError
from judgepanel.formats.card import Card
from judgepanel.model.staff import audit
from judgepanel.model.staff.identity import (
    STAFF_KEY_ACTION,
    check_staff_identity,
    program_staff_fingerprint,
    set_staff_identity,
)
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.conftest import ACTOR

OFFICE = Identity.generate("Program Office", "staff")
SUCCESSOR = Identity.generate("New Office", "staff")


def test_set_once_then_the_same_keys_change_nothing(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        assert program_staff_fingerprint(program) is None
        assert check_staff_identity(program, OFFICE) is True  # none yet
        assert set_staff_identity(session, program, OFFICE, ACTOR) is True
        assert program.staff_age_recipient == OFFICE.recipient.to_string()
        assert program.staff_minisign_key == OFFICE.public_key.base64
        assert program_staff_fingerprint(program) == OFFICE.fingerprint
        # The same identity, or its card, again: nothing to record.
        assert set_staff_identity(session, program, OFFICE, ACTOR) is False
        assert set_staff_identity(session, program, Card.from_identity(OFFICE), ACTOR) is False
        assert check_staff_identity(program, Card.from_identity(OFFICE)) is False
        entries = audit.events(session, STAFF_KEY_ACTION)
        assert [(e.actor, e.details) for e in entries] == [
            (ACTOR, {"fingerprint": OFFICE.fingerprint, "name": "Program Office"})]


def test_another_key_is_refused_unless_rotating(workspace: StaffWorkspace) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        set_staff_identity(session, program, Card.from_identity(OFFICE), ACTOR)
        with pytest.raises(ValidationError, match="not the staff identity of this program"):
            set_staff_identity(session, program, SUCCESSOR, ACTOR)
        with pytest.raises(ValidationError, match="not the staff identity of this program"):
            check_staff_identity(program, SUCCESSOR)
        assert program_staff_fingerprint(program) == OFFICE.fingerprint
        assert set_staff_identity(session, program, SUCCESSOR, "chief", rotate=True) is True
        assert program.staff_minisign_key == SUCCESSOR.public_key.base64
        last = audit.events(session, STAFF_KEY_ACTION)[-1]
        assert (last.actor, last.details) == ("chief", {
            "fingerprint": SUCCESSOR.fingerprint, "name": "New Office",
            "replaces": OFFICE.fingerprint})
        assert audit.check(session) == []


def test_a_judge_identity_is_never_the_staff_identity(workspace: StaffWorkspace) -> None:
    judge = Identity.generate("Maria López", "judge")
    with workspace.session() as session:
        program = workspace.program(session)
        for given in (judge, Card.from_identity(judge)):
            with pytest.raises(ValidationError, match="is a judge identity"):
                set_staff_identity(session, program, given, ACTOR, rotate=True)
        assert program.staff_age_recipient is None and program.staff_minisign_key is None
        assert audit.events(session, STAFF_KEY_ACTION) == []
