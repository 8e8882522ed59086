"""Reports read back: content, order, anonymisation, conflicts, determinism, layout."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from judgepanel.reports import REPORT_KINDS, render
from judgepanel.reports.common import alpha_sentence
from judgepanel.reports.data import letters
from tests.conftest import need_tool
from tests.reports.sample import SECRET_COMMENT, sample, total


def text_of(path: Path) -> str:
    """The PDF's text with whitespace collapsed (table cells wrap lines anywhere)."""
    raw = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return " ".join(raw.split())


def outline_titles(path: Path) -> list[str]:
    out: list[str] = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(item.title)

    walk(PdfReader(path).outline)
    return out


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdfs")
    return {kind: render(kind, sample(), folder / f"{kind}.pdf") for kind in REPORT_KINDS}


def test_ranking_order_numbers_and_unicode(pdfs: dict[str, Path]) -> None:
    text = text_of(pdfs["ranking"])
    # Means worked out by hand from sample.SCORES.
    rec1 = (total(5, 4) + total(4, 4) + total(5, 5)) / 3
    rec3 = (total(4, 4) + total(4, 3) + total(4, 4)) / 3
    assert f"{rec1:.1f}" in text and f"{rec3:.1f}" in text
    ranking_part = text[text.index("Rank Ref Application"):]
    order = [ranking_part.index(ref) for ref in ("REC-001", "REC-003", "REC-002", "REC-004",
                                                  "REC-005")]
    assert order == sorted(order)
    for name in ("Zoë", "José", "Łódź", "São Paulo", "Friends of the River & Co <Ltd>"):
        assert name in text
    assert "Not ranked yet" in text and "REC-006" in text
    assert "α = " in text
    assert re.search(r"Page 2 of \d+", text)


def test_ranking_funding_line_and_categories(pdfs: dict[str, Path]) -> None:
    text = text_of(pdfs["ranking"])
    # Budget 150,000: REC-001 (50k) and REC-003 (30k) fit, REC-002 (80k) does not fit in 70k.
    assert "awarded EUR 80,000.00" in text
    assert "funding line falls above REC-002" in text
    titles = outline_titles(pdfs["ranking"])
    assert {"How this ranking was made", "Ranking", "Charts", "Mobility", "Energy"} <= set(titles)


def test_dossier_anonymises_and_excludes_conflicted_scores(pdfs: dict[str, Path]) -> None:
    text = text_of(pdfs["dossier"])
    for name in ("Zoë Kowalska", "José Álvarez", "Bob Smith"):
        assert name not in text
    assert "Judge A" in text and "Judge D" in text
    # Judge D (Bob, id 4) declared a conflict with REC-001: his conflict is listed ...
    first = text[text.index("Bicycle lanes for Łódź"):text.index("Favela solar cooperative")]
    assert "Judge D" in first and "conflict" in first.lower()
    # ... but no score or comment of his appears in that application's table.
    assert "judge 4 on REC-001" not in text
    assert SECRET_COMMENT not in text
    titles = outline_titles(pdfs["dossier"])
    assert "REC-001 — Bicycle lanes for Łódź" in titles and len(titles) >= 7


def test_dossier_flags_follow_the_models_decisions(pdfs: dict[str, Path]) -> None:
    text = text_of(pdfs["dossier"])

    def page(title: str, following: str) -> str:
        return text[text.index(title):text.index(following)]

    first = page("Bicycle lanes for Łódź", "Favela solar cooperative")
    assert "not (completely) reviewed" not in first  # Judge D is conflicted, not missing
    assert "Judge D" not in first.split("Flags and conflicts")[0]  # no column of his
    river = page("Zoë's river clean-up", "José's heat shelters")
    assert "undecided" in river and "Until staff decide, Judge A's scores count" in river
    assert "Impact note by judge 1 on REC-003" in river  # the undecided review is shown
    tram = page("Tram night service", "Community gardens")
    assert "Judge D's review is not counted: its scores do not fit the rubric." in tram


def test_dossier_names_judges_when_the_program_says_so(tmp_path: Path) -> None:
    out = render("dossier", sample(name_judges=True), tmp_path / "d.pdf")
    text = text_of(out)
    assert "Zoë Kowalska" in text and "Judge A" not in text


def test_feedback_has_no_names_or_scores_by_default(pdfs: dict[str, Path],
                                                    tmp_path: Path) -> None:
    text = text_of(pdfs["feedback"])
    assert "Feedback on impact by judge 1 for REC-001" in text
    assert "Overall feedback for REC-001 from 1." in text
    for hidden in ("Zoë Kowalska", "Judge A", "Mean total", "of 5]"):
        assert hidden not in text
    allowed = text_of(render("feedback", sample(feedback_scores=True,
                                                feedback_judge_names=True), tmp_path / "f.pdf"))
    assert "[5 of 5]" in allowed and "Zoë Kowalska" in allowed


def test_feedback_never_prints_the_panels_comments(pdfs: dict[str, Path]) -> None:
    """Two texts per review: the applicant reads the feedback written for them only."""
    text = text_of(pdfs["feedback"])
    assert "Feedback on impact by judge" in text
    for panel_only in ("Impact note by judge", "Overall view of"):
        assert panel_only not in text


def test_dossier_shows_both_texts_each_labelled(pdfs: dict[str, Path]) -> None:
    text = " ".join(text_of(pdfs["dossier"]).split())
    assert "for the panel: Impact note by judge 1 on REC-001" in text
    assert "for the applicant: Feedback on impact by judge 1 for REC-001." in text
    assert "Overall, for the applicant: Overall feedback for REC-001 from 1." in text


def test_compendium_has_no_scores_or_judges(pdfs: dict[str, Path]) -> None:
    text = text_of(pdfs["compendium"])
    assert "Volunteers cleared 12 km of banks." in text
    for hidden in ("Judge A", "Mean", "89.6", "Zoë Kowalska"):
        assert hidden not in text


def test_registers(pdfs: dict[str, Path]) -> None:
    coi = text_of(pdfs["coi"])
    assert "Board member of Miasto Łódź" in coi and "Different district" in coi
    assert "Bob Smith" in coi  # staff register: named
    activity = text_of(pdfs["activity"])
    assert "LATE" in activity and "replay" in activity and "#2 on 2026-03-05" in activity
    audit = text_of(pdfs["audit"])
    assert "intact" in audit and "judge.enrolled" in audit


def test_audit_appendix_reports_a_broken_chain(tmp_path: Path) -> None:
    import dataclasses

    broken = dataclasses.replace(sample(), audit_problems=("Audit entry 2: changed.",))
    text = text_of(render("audit", broken, tmp_path / "a.pdf"))
    assert "broken" in text and "Audit entry 2: changed." in text


def test_same_data_same_bytes(tmp_path: Path) -> None:
    for kind in ("ranking", "dossier"):
        a = render(kind, sample(), tmp_path / f"{kind}-a.pdf").read_bytes()
        b = render(kind, sample(), tmp_path / f"{kind}-b.pdf").read_bytes()
        assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()


def test_metadata(pdfs: dict[str, Path]) -> None:
    meta = PdfReader(pdfs["ranking"]).metadata
    assert meta is not None
    assert meta.title == "Ranking report"
    assert "Zoë & José" in (meta.subject or "")
    assert meta.author == "JudgePanel"


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    from judgepanel.errors import ValidationError

    with pytest.raises(ValidationError, match="no report called"):
        render("leaderboard", sample(), tmp_path / "x.pdf")
    assert not list(tmp_path.iterdir())


def test_pages_render_to_png(pdfs: dict[str, Path], tmp_path: Path) -> None:
    tool = need_tool("pdftoppm")
    for kind in ("ranking", "dossier"):
        subprocess.run([tool, "-png", "-r", "40", "-f", "1", "-l", "3", str(pdfs[kind]),
                        str(tmp_path / kind)], check=True, capture_output=True)
    pngs = sorted(tmp_path.glob("*.png"))
    assert len(pngs) == 6 and all(p.stat().st_size > 1000 for p in pngs)


def test_small_helpers() -> None:
    assert [letters(i) for i in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]
    assert "agree well" in alpha_sentence(0.9)
    assert "hardly" in alpha_sentence(0.1)
    assert "cannot be measured" in alpha_sentence(None)


def test_dossier_of_chosen_applications_only(tmp_path: Path) -> None:
    text = text_of(render("dossier", sample(applications=("REC-003",)), tmp_path / "one.pdf"))
    assert "Zoë's river clean-up" in text
    assert "Bicycle lanes for Łódź" not in text and "Favela solar cooperative" not in text
