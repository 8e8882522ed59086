"""Program settings: one declaration each, defaults, per-round overrides, checks, audit."""

from __future__ import annotations

import pytest

from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit, settings
from judgepanel.model.staff.prepare.rounds import add_round
from judgepanel.model.staff.settings import (
    DISAGREEMENT_RANGE,
    RANKING_BASIS,
    REPORTS_NAME_JUDGES,
    SETTINGS,
    Setting,
    set_setting,
    setting_value,
)
from judgepanel.model.staff.workspace import StaffWorkspace


def test_every_declared_setting_is_listed_once() -> None:
    declared = [v for v in vars(settings).values() if isinstance(v, Setting)]
    assert sorted(s.key for s in declared) == sorted(s.key for s in SETTINGS)
    assert len({s.key for s in SETTINGS}) == len(SETTINGS)
    for setting in SETTINGS:  # every default passes its own rule
        assert setting.check(setting.default) == setting.default


def test_absent_settings_take_their_defaults(workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        program = workspace.program(s)
        assert {st.key: setting_value(program, st) for st in SETTINGS} == {
            "disagreement_range": 30.0, "disagreement_sd": 20.0, "ranking_basis": "adjusted",
            "summary_field": None, "reports.name_judges": False,
            "reports.feedback_scores": False, "reports.feedback_judge_names": False,
            "feedback.legacy_comments_to_applicant": False,
            "exports.contact_details": False, "decisions.outcomes": None,
            "reports.feedback_outcome": False}


def test_a_round_override_wins_for_that_round_only(workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        program = workspace.program(s)
        first = add_round(s, program, "First", "tester")
        second = add_round(s, program, "Final", "tester")
        set_setting(s, program, DISAGREEMENT_RANGE, 40, "tester")
        set_setting(s, program, DISAGREEMENT_RANGE, None, "tester", round_=second)
        assert setting_value(program, DISAGREEMENT_RANGE, first) == 40.0
        assert setting_value(program, DISAGREEMENT_RANGE, second) is None  # switched off
        assert program.settings == {"disagreement_range": 40.0,
                                    "round_settings": {"2": {"disagreement_range": None}}}
        with pytest.raises(ValidationError, match="for the whole program"):
            set_setting(s, program, RANKING_BASIS, "raw", "tester", round_=second)
        entries = [e.details for e in audit.events(s, "program.setting")]
    assert entries == [{"setting": "disagreement_range", "value": 40.0, "round": None},
                       {"setting": "disagreement_range", "value": None, "round": 2}]


def test_a_bad_value_is_refused_when_set_and_when_read(workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        program = workspace.program(s)
        for value in ("wide", -1, 101, float("nan"), True):
            with pytest.raises(ValidationError, match="number of points from 0 to 100"):
                set_setting(s, program, DISAGREEMENT_RANGE, value, "tester")
        with pytest.raises(ValidationError, match="true or false"):
            set_setting(s, program, REPORTS_NAME_JUDGES, "yes", "tester")
        program.settings = {"reports": {"name_judges": "yes"}, "ranking_basis": "best"}
        with pytest.raises(ValidationError, match="“reports.name_judges”") as caught:
            setting_value(program, REPORTS_NAME_JUDGES)
        assert caught.value.path == "reports.name_judges"
        with pytest.raises(ValidationError, match="“ranking_basis”"):
            setting_value(program, RANKING_BASIS)
        assert audit.events(s, "program.setting") == []


def test_the_old_name_of_the_z_basis_still_means_z(workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        program = workspace.program(s)
        program.settings = {"ranking_basis": "normalised"}  # as stored by earlier versions
        assert setting_value(program, RANKING_BASIS) == "z"
        assert set_setting(s, program, RANKING_BASIS, "normalised", "tester") == "z"
        assert program.settings == {"ranking_basis": "z"}
        for name in ("raw", "adjusted", "z"):
            assert set_setting(s, program, RANKING_BASIS, name, "tester") == name


@pytest.mark.parametrize("value", [10**400, -(10**400), float("inf"), float("nan"), 1e308])
def test_absurd_numbers_in_stored_settings_are_refused_in_words(value: object) -> None:
    from judgepanel.model.staff.schema.program import Program
    from judgepanel.model.staff.settings import DISAGREEMENT_RANGE, setting_value

    program = Program(name="P", settings={"disagreement_range": value})
    with pytest.raises(ValidationError, match="from 0 to 100"):
        setting_value(program, DISAGREEMENT_RANGE)


def test_a_field_name_setting_is_held_to_the_text_policy() -> None:
    from judgepanel.model.staff.schema.program import Program
    from judgepanel.model.staff.settings import SUMMARY_FIELD, setting_value

    program = Program(name="P", settings={"summary_field": "Sum\u202emary"})
    with pytest.raises(ValidationError, match="one line"):
        setting_value(program, SUMMARY_FIELD)
