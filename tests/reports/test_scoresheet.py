"""The judge's score sheet: declarations, scores and comments; no private notes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from pypdf import PdfReader

from judgepanel.model.judge.records import DeclarationState, ReviewState
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.reports import scoresheet

T0 = dt.datetime(2026, 4, 2, 10, 30, tzinfo=dt.UTC)


class FakeSession:
    """The part of JudgingSession the sheet reads (the real one needs a signed bundle)."""

    def __init__(self) -> None:
        self.rubric = Rubric("R", (Criterion("impact", "Impact", weight=2),
                                   Criterion("reach", "Reach")))
        self.info = SimpleNamespace(program_name="Prix Łódź", round_name="Final",
                                    judge_name="Zoë Lefèvre", bundle_id="bundle-123")
        self.applications = [SimpleNamespace(id="A-1", title="São Paulo tram"),
                             SimpleNamespace(id="A-2", title="José's shelters"),
                             SimpleNamespace(id="A-3", title="Not yet")]

    def review(self, app_id: str) -> ReviewState:
        conflict = app_id == "A-2"
        declared = app_id != "A-3"
        return ReviewState(
            application_id=app_id,
            declaration=DeclarationState(app_id, conflict, "My cousin" if conflict else "", T0)
            if declared else None,
            scores={"impact": 4, "reach": 5} if declared else {"impact": None, "reach": None},
            comments={"impact": f"COMMENT-{app_id}", "reach": ""},
            overall_comment=f"OVERALL-{app_id}", confidence=4,
            private_note=f"PRIVATE-NOTE-{app_id}", total=81.25 if declared else None,
        )


def test_score_sheet(tmp_path: Path) -> None:
    sheet = scoresheet.sheet_from_session(FakeSession(), sequence=3)  # type: ignore[arg-type]
    out = scoresheet.build(sheet, tmp_path / "sheet.pdf")
    text = " ".join("".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "Zoë Lefèvre" in text and "Prix Łódź" in text and "results file #3" in text
    assert "COMMENT-A-1" in text and "OVERALL-A-1" in text and "81.2" in text
    assert "My cousin" in text and "conflict declared" in text
    assert "COMMENT-A-2" not in text and "OVERALL-A-2" not in text  # not sent, not shown
    assert "PRIVATE-NOTE" not in text
    assert "no declaration yet" in text
