"""Searching a PDF attachment in the reading pane: Enter and Shift+Enter step through the
matches, the view follows, and the count says where the judge is."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.judge.test_judge_flow import WAIT


def test_pdf_search_steps_through_matches_and_counts_them(qtbot) -> None:
    from judgepanel.ui.judge.application_view import HAVE_PDF_SEARCH, PdfViewer

    if not HAVE_PDF_SEARCH:
        pytest.skip("QtPdf search is not installed")
    viewer = PdfViewer()
    qtbot.addWidget(viewer)
    viewer.resize(600, 500)
    viewer.show()
    assert viewer.load(_pdf_with("Budget", pages=3))
    assert viewer.search is not None
    viewer.search.setText("Budget")
    qtbot.waitUntil(lambda: viewer.match_count() == 3, timeout=WAIT)
    qtbot.keyClick(viewer.search, Qt.Key.Key_Return)  # raised TypeError before
    assert viewer.hits.text() == "1 of 3"
    qtbot.keyClick(viewer.search, Qt.Key.Key_Return)
    assert viewer.hits.text() == "2 of 3"
    assert viewer.view.currentSearchResultIndex() == 1
    assert viewer.view.pageNavigator().currentPage() == 1  # the view followed
    qtbot.keyClick(viewer.search, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert viewer.hits.text() == "1 of 3"
    viewer.previous_hit.click()
    assert viewer.hits.text() == "3 of 3"
    viewer.search.setText("nothing like this")
    qtbot.waitUntil(lambda: viewer.hits.text() == "No match", timeout=WAIT)


def _pdf_with(word: str, pages: int) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=1)
    for number in range(pages):
        pdf.drawString(72, 720, f"Page {number + 1}: {word} for the year")
        pdf.showPage()
    pdf.save()
    return out.getvalue()
