"""Write the seed corpora: ``python -m fuzz.seeds`` (run once; the seeds are committed).

Each target starts from a few valid files of its kind, so the fuzzer mutates real
structure (a workbook's XML, a results document's fields) rather than noise. Keys in
the seeds are the targets' fuzzing keys, derived from public labels: they protect
nothing.
Files found by fuzzing (a crash, fixed) are added to the same folders by hand, named
``crash-*``: the suite replays every file here (tests/test_fuzz_targets.py).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl

from fuzz.targets import fuzz_keys
from judgepanel.crypto.age import encrypt_bytes
from judgepanel.crypto.identity import Identity
from judgepanel.formats.card import Card
from judgepanel.formats.jsonio import dumps_canonical

CORPUS = Path(__file__).resolve().parent / "corpus"
RESOURCES = Path(__file__).resolve().parents[1] / "resources"

CSV = ("Ref,Initiative,Organization,City,Email,Amount requested,Component,Attachments\n"
       'REC-1,Safe Streets,City of Springfield,Springfield,ana@example.org,"$12,500.00",'
       "Education,plan.pdf\n"
       'REC-2,"Open ""Doors""\nsecond line",Shelbyville,,bo@example.org,8000,'
       "Youth; Education,\n")


RUBRIC = """name = "Every field"
tie_break = "impact"
overall_feedback = "required"

[[criteria]]
key = "impact"
title = "Impact on the community"
guidance = "What changed, for whom?"
weight = 3
scale = { min = 1, max = 5, step = 0.5 }
counts = true
comment = { below = 3 }
applicant_feedback = { above = 4 }
levels = { 1 = "No evidence", "2.5" = "Some", 5 = "Strong evidence" }

[[criteria]]
key = "advice"
title = "Advice"
counts = false
comment = "always"
applicant_feedback = "required"
[[criteria.levels]]
score = 1
descriptor = "Low"
"""


def _xlsx(shared: bool) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Title", "City", "Amount", "Due"])
    sheet.append(["Safe Streets", "Springfield", 12500, "2026-03-01"])
    sheet.append(["Open Doors", None, 99.5, True])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    if not shared:
        return data
    from tests.model.staff.prepare.xlsx_crafting import shared_strings_workbook
    return shared_strings_workbook([["Title", "City"], ["Safe Streets", "Springfield"]])


def _parts(workbook: bytes) -> dict[str, bytes]:
    from fuzz.targets import XLSX_PARTS

    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return {f"{index}-{name.replace('/', '_')}": bytes([index]) + archive.read(name)
                for index, name in enumerate(XLSX_PARTS)}


def seeds() -> dict[str, dict[str, bytes]]:
    from tests.formats.crafting import BundleParts, Keys, results_document, results_document_v2
    from tests.formats.test_zip_hygiene import written

    staff, judge = fuzz_keys()
    keys = Keys(judge, staff, Identity.generate("Mallory", "staff"))
    signature = judge.signing.sign(b"message", trusted_comment="judgepanel card fuzz")
    return {
        "import_csv": {"applications.csv": CSV.encode(),
                       "semicolons.csv": CSV.replace(",", ";").encode("cp1252")},
        "import_xlsx": {"inline.xlsx": _xlsx(False), "shared.xlsx": _xlsx(True)},
        "xlsx_parts": _parts(_xlsx(True)),
        "import_json": {"applications.json": json.dumps({"applications": [
            {"Title": "Safe Streets", "Amount": 12500, "Tags": ["a", "b"], "Extra": {"x": 1}},
            {"Title": "Open Doors", "Amount": 99.5, "Ok": True, "None": None}]}).encode()},
        "rubric": {**{p.name: p.read_bytes() for p in sorted(RESOURCES.glob("**/*.toml"))},
                   "every-field.toml": RUBRIC.encode()},
        "results": {"results-v3.json": dumps_canonical(results_document(keys)),
                    "results-v2.json": dumps_canonical(results_document_v2(keys))},
        "manifest": {"manifest.json": BundleParts.valid(keys).manifest_data()},
        "card": {"maria.jpcard": Card.from_identity(judge).to_json()},
        "age_file": {"x25519.age": encrypt_bytes(b"payload", [keys.staff.recipient]),
                     "two.age": encrypt_bytes(b"x" * 1_000,
                                              [keys.staff.recipient, judge.recipient])},
        "zip_payload": {"stored.zip": written([("manifest.json", b"{}"),
                                                        ("a/b.txt", b"hello")])},
        "minisign": {"pub-sig.txt": (judge.public_key.to_string().strip() + "\n\n" + signature)
                     .encode()},
        "identity": {"identity.json": judge.secret_text().encode()},  # a public fuzz key
        "settings": {"settings.json": json.dumps({
            "disagreement_range": 25, "disagreement_sd": None, "ranking_basis": "raw",
            "summary_field": "Summary", "reports": {"name_judges": True},
            "feedback": {"legacy_comments_to_applicant": True},
            "round_settings": {"2": {"disagreement_range": 10}}}).encode()},
        "text": {"mixed.txt": "Łódź\r\nline\u2028two\u202eexe\x1b[2J\ttab".encode()},
    }


def main() -> None:
    for target, files in seeds().items():
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        print(f"{target}: {len(files)} seed(s)")


if __name__ == "__main__":
    main()
