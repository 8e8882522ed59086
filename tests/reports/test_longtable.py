"""Long tables laid out a page at a time: every row once, in order, a header on every page."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.units import mm

from judgepanel.reports.document import ReportDocument
from judgepanel.reports.longtable import RowStream, fit_width, long_table
from judgepanel.reports.styles import make_styles


def _build(tmp_path: Path, n: int) -> list[str]:
    doc = ReportDocument(title="T", program="Prix Łódź", round_name="R", subject="S")
    rows = [(f"ROW-{i:04d}", "Ein langer Titel für São Paulo " * (1 + i % 3), i)
            for i in range(n)]
    story = [*doc.cover("T"), doc.section("Table", "t"),
             *long_table(["Ref", "Title", "Number"], rows, [30 * mm, 100 * mm, 20 * mm],
                         right=(2,))]
    out = doc.build(story, tmp_path / "long.pdf")
    return [p.extract_text() for p in PdfReader(out).pages]


def test_every_row_once_in_order_with_a_header_on_every_page(tmp_path: Path) -> None:
    pages = _build(tmp_path, 300)
    refs = [r for page in pages for r in re.findall(r"ROW-\d{4}", page)]
    assert refs == [f"ROW-{i:04d}" for i in range(300)]
    body = [p for p in pages[1:] if "ROW-" in p]
    assert len(body) > 5
    assert all(p.count("Number") == 1 for p in body)  # one header per page, never mid-page


def test_a_short_table_is_one_plain_table(tmp_path: Path) -> None:
    flowables = long_table(["A"], [("x",), ("y",)], [20 * mm])
    assert len(flowables) == 1 and not isinstance(flowables[0], RowStream)
    pages = _build(tmp_path, 3)
    assert "ROW-0002" in pages[1]


def test_fit_width_keeps_refs_on_one_line() -> None:
    make_styles()
    narrow = fit_width(["R-1"], at_least=10 * mm)
    wide = fit_width(["REC-2026-022-LONGER"], at_least=10 * mm)
    assert narrow == 10 * mm and wide > 30 * mm
