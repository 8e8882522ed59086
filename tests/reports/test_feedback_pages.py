"""Applicant feedback is laid out one application at a time (``document.Deferred``).

Why a test: the report used to build every page up front (300 MiB for 2,000
applicants); this checks the story holds placeholders, that each is made only
when the layout reaches it, and that the PDF still has one page per application
in order, each with its own outline entry.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from judgepanel.reports import feedback, render
from judgepanel.reports.document import Deferred, ReportDocument
from tests.reports.sample import APPS, sample


def test_every_page_is_deferred_and_made_in_order(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    placeholders: list[int] = []
    real_story = feedback.application_story
    real_build = ReportDocument.build

    def story(doc, data, ref, index, reviews):  # type: ignore[no-untyped-def]
        made.append(ref)
        return real_story(doc, data, ref, index, reviews)

    def build(self, flowables, out_path):  # type: ignore[no-untyped-def]
        placeholders.append(sum(isinstance(f, Deferred) for f in flowables))
        assert made == []  # nothing laid out before the build starts
        return real_build(self, flowables, out_path)

    monkeypatch.setattr(feedback, "application_story", story)
    monkeypatch.setattr(ReportDocument, "build", build)
    out = render("feedback", sample(), tmp_path / "f.pdf")
    refs = [a.ref for a in APPS]
    assert placeholders == [len(refs)]
    assert made == refs  # each made exactly once, in order

    reader = PdfReader(out)
    pages = [page.extract_text() or "" for page in reader.pages]
    starts = [next(i for i, text in enumerate(pages) if ref in text) for ref in refs]
    assert starts == sorted(starts) and len(set(starts)) == len(refs)  # a page each
    titles = [item.title for item in _flat(reader.outline)]
    assert [t.split(" — ")[0] for t in titles if t.split(" — ")[0] in refs] == refs


def test_selected_applications_only(tmp_path: Path) -> None:
    wanted = (APPS[2].ref, APPS[0].ref)
    out = render("feedback", sample(applications=wanted), tmp_path / "f.pdf")
    text = " ".join((p.extract_text() or "") for p in PdfReader(out).pages)
    assert APPS[0].ref in text and APPS[2].ref in text
    assert APPS[1].ref not in text


def _flat(items: list) -> list:  # type: ignore[type-arg]
    out = []
    for item in items:
        out += _flat(item) if isinstance(item, list) else [item]
    return out
