"""The program officer's round on the command line (issue 15, items 8, 10, 11, 12): who
acted, the rubric file's every error, past due dates, judges' details, exports with
contact details."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from judgepanel.cli import main
from judgepanel.crypto.identity import Identity
from judgepanel.formats.card import Card, write_card
from judgepanel.formats.keystore import IdentityStore
from judgepanel.model.staff import audit
from judgepanel.model.staff.prepare import conflicts
from judgepanel.model.staff.prepare.applications import find_application
from judgepanel.model.staff.prepare.judges import find_judge
from judgepanel.model.staff.workspace import StaffWorkspace

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "resources" / "rubrics" / "recognition.toml"
TOMORROW = (dt.date.today() + dt.timedelta(days=30)).isoformat()
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def program(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A program made with the staff identity "Program Office" kept on this computer."""
    IdentityStore(work_factor=4).create("Program Office", "staff")
    folder = tmp_path / "program"
    assert run(capsys, "staff", "init", "-w", folder, "--name", "Grants",
               "--category", "Youth", "--due", TOMORROW, "--budget", "50000")[0] == 0
    assert run(capsys, "staff", "rubric", "-w", folder, RUBRIC)[0] == 0
    sheet = tmp_path / "apps.csv"
    sheet.write_text("Ref,Title,Organisation,City,Contact,Email,Amount,Category\n"
                     "G-1,Safe Streets,City A,Atlanta,Ana Ruiz,ana@a.org,1000,Youth\n"
                     "G-2,Open Doors,City B,Boston,Bo Li,bo@b.org,2000,Youth\n",
                     encoding="utf-8")
    assert run(capsys, "staff", "import", "-w", folder, sheet)[0] == 0
    return folder


def test_audit_entries_and_decisions_name_the_staff_identity(
        program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with StaffWorkspace.open(program) as ws:
        assert ws.actor == "Program Office"
        with ws.session() as session:
            assert {e.actor for e in audit.events(session)} == {"Program Office"}
    judge = Identity.generate("Amara Okafor", "judge")
    card = tmp_path / "amara.jpcard"
    write_card(card, Card.from_identity(judge))
    assert run(capsys, "staff", "judges", "enroll", "-w", program, card, "--city",
               "Atlanta")[0] == 0
    assert run(capsys, "staff", "conflicts", "screen", "-w", program)[0] == 0
    code, out, _err = run(capsys, "staff", "conflicts", "list", "-w", program, "--json")
    (finding,) = json.loads(out)["conflicts"]
    assert run(capsys, "staff", "conflicts", "confirm", "-w", program,
               str(finding["id"]))[0] == 0
    with StaffWorkspace.open(program) as ws, ws.session() as session:
        program_row = ws.program(session)
        (decided,) = conflicts.list_conflicts(session, program_row, status="confirmed")
        assert decided.decided_by == "Program Office"
        assert find_judge(session, program_row, "Amara Okafor").city == "Atlanta"
        assert find_application(session, program_row, "G-1").title == "Safe Streets"


def test_a_past_due_date_needs_asking_for(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    IdentityStore(work_factor=4).create("Program Office", "staff")
    folder = tmp_path / "late"
    code, _out, err = run(capsys, "staff", "init", "-w", folder, "--name", "Late",
                          "--due", YESTERDAY)
    assert code == 2 and "already past" in err and "--allow-past-due" in err
    assert not (folder / "program.sqlite").exists()
    assert run(capsys, "staff", "init", "-w", folder, "--name", "Late", "--due", YESTERDAY,
               "--allow-past-due")[0] == 0


def test_the_rubric_file_lists_every_problem_and_prints_comment_rules(
        program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "Bad"\ntie_break = "nope"\n[[criteria]]\nkey = "a"\ntitle = "A"\n'
                   'weight = 0\n[[criteria]]\nkey = "b"\ntitle = ""\n'
                   'scale = { min = 5, max = 1 }\n', encoding="utf-8")
    code, _out, err = run(capsys, "staff", "rubric", "-w", program, bad)
    assert code == 2 and "has 4 problems" in err
    for path in ("criteria[0].weight", "criteria[1].title", "criteria[1].scale.max",
                 "tie_break"):
        assert path in err
    code, out, _err = run(capsys, "staff", "rubric", "-w", program)
    assert code == 0 and "a comment is required" in out


def test_judges_list_and_re_enrolment_say_what_changed(
        program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    judge = Identity.generate("Zoë Lefèvre", "judge")
    card = tmp_path / "zoe.jpcard"
    write_card(card, Card.from_identity(judge))
    assert run(capsys, "staff", "judges", "enroll", "-w", program, card, "--city", "Lyon",
               "--affiliation", "Cities for All")[0] == 0
    code, out, _err = run(capsys, "staff", "judges", "list", "-w", program)
    assert "CITY" in out and "AFFILIATIONS" in out
    assert any("Zoë Lefèvre" in line and "Lyon" in line and "Cities for All" in line
               for line in out.splitlines())
    code, out, _err = run(capsys, "staff", "judges", "enroll", "-w", program, card, "--city",
                          "Paris", "--affiliation", "Paris Forum")
    assert code == 0 and "Already enrolled" in out
    assert "updated city: Lyon → Paris" in out
    assert "updated affiliation added: Paris Forum" in out
    assert "updated affiliation removed: Cities for All" in out
    code, out, _err = run(capsys, "staff", "judges", "enroll", "-w", program, card, "--city",
                          "Paris", "--affiliation", "Paris Forum")
    assert "profile unchanged" in out


def test_exports_include_contact_details_only_when_asked(
        program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def export(name: str, *extra: str) -> tuple[list[dict[str, str]], dict[str, str]]:
        folder = tmp_path / name
        assert run(capsys, "staff", "export", "-w", program, "--out", folder, "--format",
                   "csv", *extra)[0] == 0
        with open(folder / "round-1-rankings.csv", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        with open(folder / "round-1-summary.csv", encoding="utf-8-sig") as handle:
            summary = {r["Item"]: r["Value"] for r in csv.DictReader(handle)}
        return rows, summary

    rows, summary = export("plain")
    assert "Contact e-mail" not in rows[0]
    assert summary["Applicants' contact details"].startswith("not included")
    rows, summary = export("once", "--contacts")
    assert {r["Contact e-mail"] for r in rows} == {"ana@a.org", "bo@b.org"}
    assert summary["Applicants' contact details"].startswith("included")
    code, out, _err = run(capsys, "staff", "setting", "set", "-w", program,
                          "exports.contact_details", "true")
    assert code == 0 and "exports.contact_details = true" in out
    rows, _summary = export("setting")
    assert {r["Contact name"] for r in rows} == {"Ana Ruiz", "Bo Li"}
    rows, _summary = export("override", "--no-contacts")
    assert "Contact name" not in rows[0]
    code, out, _err = run(capsys, "staff", "setting", "list", "-w", program, "--json")
    listed = {s["key"]: s["value"] for s in json.loads(out)["settings"]}
    assert listed["exports.contact_details"] is True
    assert run(capsys, "staff", "setting", "set", "-w", program, "no.such", "1")[0] == 2


def test_the_legacy_comments_setting_is_listed_and_set(
        program: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue #18: whether older results files' comments may reach applicants."""
    key = "feedback.legacy_comments_to_applicant"
    code, out, _err = run(capsys, "staff", "setting", "list", "-w", program, "--json")
    assert code == 0 and {s["key"]: s["value"] for s in json.loads(out)["settings"]}[key] \
        is False
    code, out, _err = run(capsys, "staff", "setting", "set", "-w", program, key, "true")
    assert code == 0 and f"{key} = true" in out
    code, out, _err = run(capsys, "staff", "setting", "list", "-w", program, "--json")
    assert {s["key"]: s["value"] for s in json.loads(out)["settings"]}[key] is True
    assert run(capsys, "staff", "setting", "set", "-w", program, key, "maybe")[0] != 0
