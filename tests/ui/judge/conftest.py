"""A small real bundle (staff-signed, encrypted to the judge) and a window to open it in."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from judgepanel.clock import stamp
from judgepanel.crypto.age_keys import X25519Recipient
from judgepanel.crypto.identity import Identity
from judgepanel.formats.bundle_write import BundleApplication, BundleHeader, write_bundle
from judgepanel.model.rubric.definition import load_rubric
from judgepanel.ui.main_window import MainWindow

RUBRIC = Path(__file__).resolve().parents[3] / "resources" / "rubrics" / "recognition.toml"

CITIES = [
    ("A-1", "Neighbours Against Hate", "Zoë Martin", "City of Springfield", "Springfield"),
    ("A-2", "Welcome Table Dinners", "José Álvarez", "Riverside Council", "Riverside"),
    ("A-3", "Youth Voices Radio", "Łucja Nowak", "Fairview Youth Office", "Fairview"),
]


def tiny_pdf(text: str = "Budget 2026") -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=1)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x2f\x6f\x8f" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@dataclass
class Program:
    bundle: Path
    judge: Identity
    staff: Identity
    bundle_id: str
    app_ids: list[str]


def build_bundle(tmp: Path, judge: Identity, staff: Identity, *, count: int = 3,
                 bundle_id: str = "B-ui-1", big: bytes = b"", rubric_toml: str = "") -> Path:
    """``big``: a large attachment (``video.bin``) of the first application, so the
    bundle spans several age chunks and damage can sit where opening does not look;
    ``rubric_toml``: another rubric than the example one."""
    rubric = load_rubric(rubric_toml or RUBRIC)
    rows = CITIES if count <= len(CITIES) else [
        (f"A-{i + 1}", f"Initiative {i + 1}", f"Applicant {i}", f"Org {i}", f"City {i}")
        for i in range(count)]
    rows = rows[:count]
    header = BundleHeader(
        program={"id": "P-2026", "name": "Mayors' Recognition 2026"},
        round={"id": "R-1", "name": "First round"},
        bundle_id=bundle_id,
        judge={"name": judge.name, "fingerprint": judge.fingerprint},
        staff={"name": staff.name, "fingerprint": staff.fingerprint,
               "age_recipient": staff.recipient.to_string()},
        created=stamp(), due="2026-04-01", rubric=rubric.to_dict(),
        applications=[{"id": a, "title": t, "applicant": p, "organisation": o, "city": c}
                      for a, t, p, o, c in rows],
    )
    apps = []
    for i, (a, t, _p, _o, c) in enumerate(rows):
        document = {"title": t, "problem": f"Hate incidents rose in {c}.\n\nWe acted.",
                    "approach": "<script>alert('x')</script> <b>bold?</b>",
                    "partners": ["Library", "Police", "Schools"],
                    "budget": {"requested": 25000, "currency": "USD"}}
        attachments: list[tuple[str, Path | bytes]] = []
        if i == 0:
            attachments = [("budget.pdf", tiny_pdf()), ("photo.png", tiny_png())]
            if big:
                attachments.append(("video.bin", big))
        apps.append(BundleApplication(a, document, attachments))
    dst = tmp / f"{bundle_id}.jpbundle"
    write_bundle(dst, header, apps,
                 recipients=[X25519Recipient.from_string(judge.recipient.to_string()),
                             staff.recipient],
                 staff_key=staff.signing)
    return dst


@pytest.fixture(scope="session")
def people() -> tuple[Identity, Identity]:
    return Identity.generate("Ana Judge", "judge"), Identity.generate("Program Staff", "staff")


@pytest.fixture
def program(tmp_path: Path, people: tuple[Identity, Identity]) -> Program:
    judge, staff = people
    path = build_bundle(tmp_path, judge, staff)
    return Program(path, judge, staff, "B-ui-1", [r[0] for r in CITIES])


def make_window(qtbot, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    return window
