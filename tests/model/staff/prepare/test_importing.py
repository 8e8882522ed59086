"""Importing applications from CSV, XLSX and JSON: every bad row named, nothing half-written."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from judgepanel.errors import Cancelled, FileFormatError, ImportRowsError, ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.prepare.importing.mapping import ColumnMapping
from judgepanel.model.staff.prepare.importing.rows import AmbiguousAmount, parse_amount
from judgepanel.model.staff.prepare.importing.sources import read_table
from judgepanel.model.staff.prepare.importing.workflow import commit, import_file, preview, validate
from judgepanel.model.staff.schema.audit_log import AuditEvent
from judgepanel.model.staff.schema.program import Application, Attachment
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.model.conftest import ACTOR, count

HEADER = "Ref,Initiative,Organization,City,Contact,Email,Amount requested,Component,Attachments"
GOOD_ROWS = [
    'REC-2026-001,Safe Streets,City of Springfield,Springfield,Ana Ruiz,ana@springfield.gov,'
    '"$12,500.00",Education,plan.pdf',
    "REC-2026-002,Open Doors,Shelbyville Council,Shelbyville,Bo Li,bo@shelbyville.org,8000,"
    "Public leadership; Education,",
    "REC-2026-003,Youth Voices,City of Ogdenville,Ogdenville,Cy Ng,cy@ogdenville.gov,,"
    "Youth engagement,plan.pdf;budget.xlsx",
]


def _csv(folder: Path, rows: list[str], name: str = "apps.csv") -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "plan.pdf").write_bytes(b"%PDF-1.7 plan")
    (folder / "budget.xlsx").write_bytes(b"PK budget")
    return folder


def _mapping() -> ColumnMapping:
    return ColumnMapping(
        ref="Ref", title="Initiative", organisation="Organization", city="City",
        contact_name="Contact", contact_email="Email", requested_amount="Amount requested",
        categories="Component", attachments=("Attachments",), extra=(),
    )


def _applications(ws: StaffWorkspace) -> list[Application]:
    with ws.session() as session:
        return list(session.scalars(select(Application).order_by(Application.ref)))


def test_guessing_the_mapping_from_headers(tmp_path: Path, files: Path) -> None:
    shown = preview(_csv(tmp_path, GOOD_ROWS), rows=2)
    assert shown.total_rows == 3 and len(shown.rows) == 2
    assert shown.rows[0]["Initiative"] == "Safe Streets"
    assert shown.mapping == _mapping().__class__(**{**_mapping().__dict__, "extra": None})


def test_a_clean_csv_imports_everything(workspace: StaffWorkspace, tmp_path: Path,
                                        files: Path) -> None:
    outcome = import_file(workspace, _csv(tmp_path, GOOD_ROWS), _mapping(), attachments_dir=files)
    assert outcome.report.ok and outcome.refs == ["REC-2026-001", "REC-2026-002", "REC-2026-003"]
    with workspace.session() as session:
        apps = list(session.scalars(select(Application).order_by(Application.ref)))
        first, second, third = apps
        assert first.title == "Safe Streets" and first.organisation == "City of Springfield"
        assert first.requested_amount == Decimal("12500.00")
        assert third.requested_amount is None
        assert [c.name for c in second.categories] == ["Public leadership", "Education"]
        assert [(a.name, a.label, a.size) for a in third.attachments] == [
            ("plan.pdf", "Attachments", 13), ("budget.xlsx", "Attachments", 9)]
        assert first.attachments[0].sha256 == third.attachments[0].sha256  # stored once
        assert workspace.attachments.read(first.attachments[0].sha256) == b"%PDF-1.7 plan"
        assert first.attachments[0].media_type == "application/pdf"
        event = audit.events(session, "applications.")[0]
        assert event.details["imported"] == 3 and event.details["source"] == "apps.csv"
        assert audit.check(session) == []


def test_a_bad_row_means_nothing_is_written(workspace: StaffWorkspace, tmp_path: Path,
                                            files: Path) -> None:
    rows = [*GOOD_ROWS[:2], "REC-2026-004,Bridges,Ogden,Ogdenville,Maria,maria at example,,"
            "Education,", GOOD_ROWS[2]]
    with pytest.raises(ImportRowsError) as caught:
        import_file(workspace, _csv(tmp_path, rows), _mapping(), attachments_dir=files)
    assert caught.value.rows == [(4, "'Email' is not an email address (got 'maria at example')")]
    assert "nothing was imported" in str(caught.value)
    assert _applications(workspace) == []
    with workspace.session() as session:
        assert count(session, Attachment) == 0
        assert audit.events(session, "applications.") == []


def test_good_rows_only_imports_the_rest(workspace: StaffWorkspace, tmp_path: Path,
                                         files: Path) -> None:
    rows = [GOOD_ROWS[0], "REC-2026-009,,Org,Town,X,x@y.org,,Education,", *GOOD_ROWS[1:]]
    outcome = import_file(workspace, _csv(tmp_path, rows), _mapping(), attachments_dir=files,
                          good_rows_only=True)
    assert outcome.report.bad_rows == [3]
    assert outcome.report.summary() == "4 rows: 3 good, 1 with problems."
    assert [a.ref for a in _applications(workspace)] == [
        "REC-2026-001", "REC-2026-002", "REC-2026-003"]
    with workspace.session() as session:
        assert audit.events(session, "applications.")[0].details["skipped_rows"] == [3]


def test_every_kind_of_bad_row_is_reported(workspace: StaffWorkspace, tmp_path: Path,
                                           files: Path) -> None:
    with workspace.session() as session:
        session.add(Application(program_id=workspace.program_id, ref="REC-OLD", title="Old"))
    rows = [
        GOOD_ROWS[0],                                                      # row 2: fine
        "REC-2026-001,Again,O,C,N,n@o.org,,Education,",                    # 3: duplicate ref
        "REC-OLD,Old one,O,C,N,n@o.org,,Education,",                       # 4: ref in workspace
        ",No ref,O,C,N,n@o.org,,Education,",                               # 5: ref empty
        "REC-5,Money,O,C,N,n@o.org,lots,Education,",                       # 6: amount
        "REC-6,Minus,O,C,N,n@o.org,-5,Education,",                         # 7: negative
        "REC-7,Cat,O,C,N,n@o.org,,Gardening,",                             # 8: category
        "REC-8,File,O,C,N,n@o.org,,Education,missing.pdf",                 # 9: no file
        "REC-9,Path,O,C,N,n@o.org,,Education,../secret.pdf",               # 10: not plain
        "REC-10,Nocat,O,C,N,n@o.org,,,",                                   # 11: no category
    ]
    with workspace.session() as session:
        table = read_table(_csv(tmp_path, rows))
        report = validate(session, workspace.program(session), table, _mapping(),
                          attachments_dir=files)
    problems = [str(p) for p in report.problems]
    assert [p.split(":")[0] for p in problems] == [f"Row {n}" for n in range(3, 12)]
    assert "'Ref' REC-2026-001 is also used on row 2" in problems[0]
    assert "REC-OLD is already in this workspace" in problems[1]
    assert "'Ref' is empty" in problems[2]
    assert "'Amount requested' is not an amount of money (got 'lots')" in problems[3]
    assert "cannot be negative" in problems[4]
    assert "“Gardening”, which is not a category of this program" in problems[5]
    assert "“missing.pdf”, which is not in the attachments folder" in problems[6]
    assert "not a plain file name" in problems[7]
    assert "'Component' is empty" in problems[8]
    assert [d.ref for d in report.good] == ["REC-2026-001"]
    # Each names the column as the sheet heads it (the dialog shows it), not the field.
    assert [p.column for p in report.problems] == [
        "Ref", "Ref", "Ref", "Amount requested", "Amount requested", "Component",
        "Attachments", "Attachments", "Component"]
    assert report.problems[3].field == "requested_amount"


def test_attachments_without_a_folder_are_a_row_problem(workspace: StaffWorkspace,
                                                        tmp_path: Path) -> None:
    with workspace.session() as session:
        report = validate(session, workspace.program(session),
                          read_table(_csv(tmp_path, GOOD_ROWS)), _mapping())
    assert report.bad_rows == [2, 4]
    assert "no attachments folder was chosen" in report.problems[0].reason


def test_a_mapping_naming_a_missing_column_is_refused(workspace: StaffWorkspace,
                                                      tmp_path: Path) -> None:
    mapping = ColumnMapping(ref="Ref", title="Project name")
    with pytest.raises(ValidationError, match="“Project name”.*is not in apps.csv"):
        import_file(workspace, _csv(tmp_path, GOOD_ROWS), mapping)
    with pytest.raises(ValidationError, match="title"):
        import_file(workspace, _csv(tmp_path, GOOD_ROWS), ColumnMapping(ref="Ref"))


def test_extra_columns_become_fields_and_refs_can_be_generated(
    workspace: StaffWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "semi.csv"
    path.write_bytes("Title;Summary;Mayor\nCafé pour tous;Un café;Zoë\n\nBus;Free bus;Al\n"
                     .encode("cp1252"))
    with workspace.session() as session:
        session.add(Application(program_id=workspace.program_id, ref="APP-0001", title="Old"))
    outcome = import_file(workspace, path, ColumnMapping(title="Title"))
    assert outcome.refs == ["APP-0002", "APP-0003"]
    cafe = [a for a in _applications(workspace) if a.ref == "APP-0002"][0]
    assert cafe.title == "Café pour tous"
    assert cafe.fields == {"Summary": "Un café", "Mayor": "Zoë"}


def test_xlsx_import_with_numbers_and_a_blank_row(workspace: StaffWorkspace, tmp_path: Path,
                                                  files: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ref", "Initiative", "City", "Email", "Amount requested", "Component"])
    sheet.append([14, "Safe Streets", "Springfield", "a@b.org", 12500, "Education"])
    sheet.append([None] * 6)
    sheet.append([15, "Bad mail", "Springfield", "maria at example", 99.5, "Education"])
    sheet.append([16, "Decimal", "Ogdenville", "c@d.org", 1234.56, "education"])
    path = tmp_path / "apps.xlsx"
    book.save(path)
    mapping = ColumnMapping.guess(read_table(path).headers)
    assert mapping.requested_amount == "Amount requested" and mapping.ref == "Ref"
    with pytest.raises(ImportRowsError) as caught:
        import_file(workspace, path, mapping)
    # Row 3 is blank: row numbers are the ones the spreadsheet shows.
    assert caught.value.rows == [(4, "'Email' is not an email address (got 'maria at example')")]
    outcome = import_file(workspace, path, mapping, good_rows_only=True)
    assert outcome.refs == ["14", "16"]
    amounts = {a.ref: a.requested_amount for a in _applications(workspace)}
    assert amounts == {"14": Decimal("12500.00"), "16": Decimal("1234.56")}


def test_json_import(workspace: StaffWorkspace, tmp_path: Path, files: Path) -> None:
    path = tmp_path / "apps.json"
    path.write_text(json.dumps([
        {"ref": "G-1", "title": "Tiny homes", "city": "Capital City", "email": "x@cc.gov",
         "categories": ["Education", "Youth engagement"], "attachments": ["plan.pdf"],
         "budget": {"staff": 2}, "requested": 5000},
        "not an object",
        {"ref": "G-3", "title": "", "categories": ["Education"]},
    ]), encoding="utf-8")
    mapping = ColumnMapping.guess(read_table(path).headers)
    with workspace.session() as session:
        report = validate(session, workspace.program(session), read_table(path), mapping,
                          attachments_dir=files)
    assert [str(p) for p in report.problems] == [
        "Row 2: it is not an object with named fields",
        "Row 3: 'title' is empty; every application needs a title",
    ]
    outcome = import_file(workspace, path, mapping, attachments_dir=files, good_rows_only=True)
    assert outcome.refs == ["G-1"]
    with workspace.session() as session:
        (app,) = session.scalars(select(Application))
        assert [c.key for c in app.categories] == ["education", "youth-engagement"]
        assert app.requested_amount == Decimal("5000.00")
        assert app.city == "Capital City" and app.contact_email == "x@cc.gov"
        assert app.fields == {"budget": '{"staff": 2}'}
        assert [a.name for a in app.attachments] == ["plan.pdf"]


def test_unreadable_files_are_refused_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"not": "a list"}')
    with pytest.raises(FileFormatError, match="list of applications"):
        read_table(tmp_path / "a.json")
    (tmp_path / "b.json").write_text("[{")
    with pytest.raises(FileFormatError, match="not valid JSON"):
        read_table(tmp_path / "b.json")
    (tmp_path / "c.xlsx").write_bytes(b"not a zip")
    with pytest.raises(FileFormatError, match="damaged or is not an .xlsx workbook"):
        read_table(tmp_path / "c.xlsx")
    (tmp_path / "d.pdf").write_bytes(b"%PDF")
    with pytest.raises(FileFormatError, match=".csv, .xlsx or .json"):
        read_table(tmp_path / "d.pdf")
    (tmp_path / "e.csv").write_text("Title,Title\nA,B\n")
    with pytest.raises(FileFormatError, match="appears twice"):
        read_table(tmp_path / "e.csv")
    (tmp_path / "f.csv").write_text("\n\n")
    with pytest.raises(FileFormatError, match="empty"):
        read_table(tmp_path / "f.csv")


def test_cancelling_during_commit_writes_nothing(workspace: StaffWorkspace, tmp_path: Path,
                                                 files: Path) -> None:
    def cancel_late(done: int, total: int, label: str) -> None:
        if label == "Importing applications" and done == 2:
            raise Cancelled()

    with pytest.raises(Cancelled):
        import_file(workspace, _csv(tmp_path, GOOD_ROWS), _mapping(), attachments_dir=files,
                    progress=cancel_late)
    assert _applications(workspace) == []
    with workspace.session() as session:
        assert count(session, AuditEvent) == 1


def test_commit_refuses_refs_added_since_validation(workspace: StaffWorkspace, tmp_path: Path,
                                                    files: Path) -> None:
    with workspace.session() as session:
        program = workspace.program(session)
        report = validate(session, program, read_table(_csv(tmp_path, GOOD_ROWS)), _mapping(),
                          attachments_dir=files)
        session.add(Application(program_id=program.id, ref="REC-2026-002", title="Sneaky"))
        session.flush()
        with pytest.raises(ValidationError, match="REC-2026-002"):
            commit(session, program, report, workspace.attachments, ACTOR)


def test_mapping_round_trips_through_a_dict() -> None:
    mapping = _mapping()
    assert ColumnMapping.from_dict(json.loads(json.dumps(mapping.to_dict()))) == mapping
    with pytest.raises(ValidationError, match="Unknown mapping field"):
        ColumnMapping.from_dict({"title": "T", "titel": "X"})


@pytest.mark.parametrize(("text", "amount"), [
    ("12500", "12500"), ("$12,500.00", "12500.00"), ("12 500", "12500"), ("1.234,56", "1234.56"),
    ("€ 1.234,56", "1234.56"), ("12500,5", "12500.5"), ("USD 300", "300"), ("1,234,567", "1234567"),
    # No thousands group starts with 0: these are decimals (more than two is refused later).
    ("0.500", "0.500"), ("0.001", "0.001"), ("-0.250", "-0.250"),
])
def test_parse_amount(text: str, amount: str) -> None:
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["lots", "12.500.000,00.1", "1e5", "", "$"])
def test_parse_amount_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(("text", "said"), [
    ("12.500", "“12.500” could mean 12.50 or 12,500: write it as 12.50 or as 12500"),
    ("€1.500", "“€1.500” could mean 1.50 or 1,500: write it as 1.50 or as 1500"),
    ("1.234", "“1.234” reads as 1,234 only with a dot between thousands: write it as 1234"),
])
def test_a_dot_and_three_digits_is_refused_not_guessed(text: str, said: str) -> None:
    """Read as a decimal point, "€1.500" was 1.50 (a thousand times off for a European
    sheet), and passed the two-decimals check since 1.500 equals 1.50."""
    with pytest.raises(AmbiguousAmount) as unclear:
        parse_amount(text)
    assert str(unclear.value) == said
    for clear, amount in (("1.500,00", "1500.00"), ("1,500", "1500"), ("1.50", "1.50"),
                          ("1500.000", "1500.000")):
        assert parse_amount(clear) == Decimal(amount)


def test_an_ambiguous_amount_is_a_row_problem_saying_both_readings(
        workspace: StaffWorkspace, tmp_path: Path) -> None:
    with workspace.session() as session:
        table = read_table(_csv(tmp_path, ["REC-1,One,O,C,N,n@o.org,12.500,Education,"]))
        report = validate(session, workspace.program(session), table, _mapping())
    assert [str(p) for p in report.problems] == [
        "Row 2: 'Amount requested': “12.500” could mean 12.50 or 12,500: write it as 12.50 "
        "or as 12500"]


def test_an_amount_in_a_number_cell_is_that_number_not_text(
        workspace: StaffWorkspace, tmp_path: Path) -> None:
    """A number cell holding 1.125 is one and an eighth: it has fractions of a cent, not
    a dot between thousands. Only text ("1.125" typed as text, a CSV) is ambiguous."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ref", "Initiative", "Amount requested"])
    rows = [("N-1", 1.125), ("N-2", 1.5), ("N-3", 1125), ("N-4", 1375.0000000000002),
            ("N-5", 1234.56), ("T-1", "1.125")]
    for ref, amount in rows:
        sheet.append([ref, f"Project {ref}", amount])
    path = tmp_path / "amounts.xlsx"
    book.save(path)
    mapping = ColumnMapping(ref="Ref", title="Initiative", requested_amount="Amount requested")
    with workspace.session() as session:
        report = validate(session, workspace.program(session), read_table(path), mapping)
    assert [str(p) for p in report.problems] == [
        "Row 2: 'Amount requested' has more than two decimals (got '1.125')",
        "Row 7: 'Amount requested': “1.125” reads as 1,125 only with a dot between "
        "thousands: write it as 1125"]
    # 1375.0000000000002 is a formula's binary rounding: the 1375 the cell shows.
    assert {d.ref: d.requested_amount for d in report.good} == {
        "N-2": Decimal("1.5"), "N-3": Decimal("1125"), "N-4": Decimal("1375"),
        "N-5": Decimal("1234.56")}
    # A JSON number is a number too; CSV cells are text, read as before.
    numbers = tmp_path / "amounts.json"
    numbers.write_text('[{"title": "One", "requested": 1.125}, '
                       '{"title": "Two", "requested": 12.500}]', encoding="utf-8")
    csv = _csv(tmp_path, ["REC-1,One,O,C,N,n@o.org,1.125,Education,"])
    with workspace.session() as session:
        program = workspace.program(session)
        json_report = validate(session, program, read_table(numbers),
                               ColumnMapping.guess(read_table(numbers).headers))
        csv_report = validate(session, program, read_table(csv), _mapping())
    assert [str(p) for p in json_report.problems] == [
        "Row 1: 'requested' has more than two decimals (got '1.125')"]
    assert [d.requested_amount for d in json_report.good] == [Decimal("12.5")]
    assert [str(p) for p in csv_report.problems] == [
        "Row 2: 'Amount requested': “1.125” reads as 1,125 only with a dot between "
        "thousands: write it as 1125"]
