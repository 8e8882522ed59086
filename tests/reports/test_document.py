"""The page machinery: deferred parts are made when reached and freed once drawn."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from judgepanel.reports.document import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    Deferred,
    ReportDocument,
)

PARTS = 6


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_deferred_parts_are_made_in_order_and_freed_once_drawn(tmp_path: Path) -> None:
    doc = ReportDocument(title="T", program="P", round_name="R", subject="S")
    made: list[int] = []
    alive: dict[int, list[weakref.ref[Flowable]]] = {}
    leftovers: list[int] = []

    def part(i: int) -> Deferred:
        def make() -> list[Flowable]:
            gc.collect()
            # Two parts back is drawn and gone: nothing keeps a part's flowables.
            leftovers.extend(k for k, refs in alive.items()
                             if k < i - 1 and any(r() is not None for r in refs))
            made.append(i)
            flowables: list[Flowable] = [PageBreak()] if i else []
            flowables += [doc.section(f"Part {i}", f"part-{i}", level=1),
                          *[Paragraph(f"Line {n} of part {i}.", doc.styles.body)
                            for n in range(40)]]
            alive[i] = [weakref.ref(f) for f in flowables]
            return flowables
        return Deferred(make)

    story = doc.cover("T") + [doc.section("Parts", "parts")]  # keep-with-next heading first
    story += [part(i) for i in range(PARTS)]
    doc.build(story, tmp_path / "t.pdf")
    assert made == list(range(PARTS))
    assert leftovers == []
    text = _text(tmp_path / "t.pdf")
    for i in range(PARTS):
        assert f"Line 39 of part {i}." in text
    assert len(PdfReader(tmp_path / "t.pdf").pages) >= PARTS + 1


def test_a_heading_stays_with_the_deferred_part_after_it(tmp_path: Path) -> None:
    """The heading just fits at the foot of page 2; the part it heads does not, so both
    must move to page 3 together (reportlab decides that before the part would exist)."""
    doc = ReportDocument(title="T", program="P", round_name="R", subject="S")
    heading = doc.section("Heading of the late part", "h")
    frame_height = A4[1] - MARGIN_TOP - MARGIN_BOTTOM - 12  # the frame's own padding
    _, needed = heading.wrap(A4[0] - 2 * MARGIN_X - 12, frame_height)
    filler = Spacer(1, frame_height - needed - heading.getSpaceBefore() - 2)
    later = Deferred(lambda: [Paragraph("Made late but drawn. " * 30, doc.styles.body)])
    doc.build([*doc.cover("T"), filler, heading, later], tmp_path / "k.pdf")
    pages = [" ".join((page.extract_text() or "").split())
             for page in PdfReader(tmp_path / "k.pdf").pages]
    assert len(pages) == 3
    assert "Heading of the late part" in pages[2] and "Made late but drawn." in pages[2]
