"""Opening checks the whole bundle with visible progress, attachments decrypt in the
background, the overview reads scores in one go, and every word goes through tr()."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

from judgepanel.ui.judge.autosave import write_scoresheet
from judgepanel.ui.judge.bundle_info import due_text
from tests.ui.judge.conftest import Program, build_bundle
from tests.ui.judge.test_judge_flow import WAIT, declare, open_bundle, page_of, score_all


def test_opening_checks_every_member_and_says_how_far_it_got(qtbot, tmp_path: Path,
                                                             program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    assert window.judge.page is not None
    dialog = window.judge.opening_dialog
    assert dialog is not None
    members = 5  # three application.json, budget.pdf, photo.png
    assert dialog.labelText() == f"Checking the bundle… {members} of {members}"
    assert dialog.maximum() == members
    assert not dialog.isVisible()


def test_a_damaged_bundle_is_refused_before_the_judge_starts(qtbot, tmp_path: Path,
                                                             people) -> None:
    judge, staff = people
    path = build_bundle(tmp_path, judge, staff, bundle_id="B-damaged", big=os.urandom(300_000))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1  # inside video.bin: opening alone would not notice
    path.write_bytes(bytes(data))
    window = open_bundle(qtbot, tmp_path, Program(path, judge, staff, "B-damaged", []))
    assert window.judge.page is None and window.judge.info_page is None
    errors = window.errors  # type: ignore[attr-defined]
    assert len(errors) == 1 and errors[0].endswith(
        "The bundle is damaged or was changed after the staff signed it. "
        "Ask the program staff to send it again.")


def test_attachments_decrypt_in_the_background_with_a_busy_indicator(
        qtbot, tmp_path: Path, program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    declare(page, "A-1", False)
    declare(page, "A-2", False)
    page.tabs.setCurrentWidget(page.reading)
    page._select_in(page.app_list, "A-1")
    real = page.session.attachment
    threads: list[threading.Thread] = []

    def slow(app_id: str, name: str) -> bytes:  # a large PDF, as far as the GUI can tell
        threads.append(threading.current_thread())
        time.sleep(0.4)
        return real(app_id, name)

    page.session.attachment = slow  # type: ignore[method-assign]
    view = page.app_view
    start = time.perf_counter()
    view.open_attachment("budget.pdf")
    assert time.perf_counter() - start < 0.1  # the GUI thread did not wait for it
    assert view.is_loading() and "budget.pdf" in view.busy_label.text()
    assert view.busy_bar.maximum() == 0  # an indeterminate (busy) bar
    qtbot.waitUntil(lambda: view.viewer.currentWidget() is view.pdf, timeout=WAIT)
    assert threads and threads[0] is not threading.main_thread()
    assert view.pdf is not None and view.pdf.document.pageCount() == 1

    # Moving on while an attachment decrypts: the late result is dropped.
    view.open_attachment("photo.png")
    page._select_in(page.app_list, "A-2")
    assert page.current == "A-2"
    assert page.runner.wait(5000)
    qtbot.wait(50)  # let the finished signal arrive
    assert view.viewer.currentWidget() is not view.image_scroll
    assert view.image.pixmap().isNull()


def test_the_overview_reads_all_scores_in_one_go(qtbot, tmp_path: Path, program: Program,
                                                 monkeypatch) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    for app_id in program.app_ids:
        declare(page, app_id, False)
    score_all(page, "A-1", 4)
    score_all(page, "A-3", 2)
    declare(page, "A-3", True, "It is my brother's project")  # its scores no longer count
    calls: list[str] = []
    monkeypatch.setattr(page.session, "review", lambda a: calls.append(a))
    page.tabs.setCurrentWidget(page.overview)
    assert calls == []  # no per-application reads
    counts = page.overview.chart.counts
    assert counts["impact"] == {4.0: 1}
    assert "· 1 conflict ·" in page.overview.summary.text()


class Marking(QTranslator):
    """Wraps every translated text in ⟦ ⟧, so untranslated words stand out."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str:
        return f"⟦{source}⟧"

    def isEmpty(self) -> bool:  # noqa: N802 (Qt override)
        return False


def test_every_word_on_the_judge_screens_goes_through_tr(qtbot, tmp_path: Path,
                                                         program: Program) -> None:
    marking = Marking()
    QCoreApplication.installTranslator(marking)
    try:
        assert due_text("2026-04-01", today=__import__("datetime").date(2026, 3, 20)) == \
            "⟦2026-04-01 (in 12 days)⟧"
        window = open_bundle(qtbot, tmp_path, program)
        info = window.judge.info_page
        assert info is not None
        page = page_of(window)
        declare(page, "A-1", False)
        declare(page, "A-2", True, "I advise this council")
        score_all(page, "A-1", 4)
        untranslated: set[str] = set()
        data = {program.judge.name, program.staff.name, program.staff.fingerprint,
                "Mayors' Recognition 2026", "First round", "I advise this council"}
        data |= {x for a in page.session.applications for x in (a.id, a.title)}
        data |= {x for a in page.session.applications
                 for x in (a.applicant, a.organisation, a.city) if x}
        rubric = page.session.rubric.criteria
        rubric_words = {c.title for c in rubric} | {c.guidance.split()[0] for c in rubric
                                                    if c.guidance.strip()}
        rubric_words |= {level.descriptor for c in rubric for level in c.levels}
        for screen in [info, *(page.tabs.widget(i) for i in range(page.tabs.count()))]:
            page.tabs.setCurrentWidget(screen) if screen is not info else None
            qtbot.wait(1)
            for widget in screen.findChildren(QLabel) + screen.findChildren(QAbstractButton):
                text = widget.text()
                if (not any(ch.isalpha() for ch in text) or "⟦" in text
                        or all(part in data for part in text.split(" · "))
                        or any(word in text for word in rubric_words)
                        or text.startswith("20")):  # dates and fingerprints are data
                    continue
                untranslated.add(text)
            for edit in screen.findChildren(QLineEdit):
                if edit.placeholderText() and "⟦" not in edit.placeholderText():
                    untranslated.add(edit.placeholderText())
        tabs = [page.tabs.tabText(i) for i in range(page.tabs.count())]
        assert all("⟦" in t for t in tabs)
        assert "⟦" in window.windowTitle()
        assert not untranslated, sorted(untranslated)
    finally:
        QCoreApplication.removeTranslator(marking)


def test_the_score_sheet_note_is_translated(tmp_path: Path, program: Program) -> None:
    class Broken:
        def __getattr__(self, name: str) -> object:
            raise OSError("disk full")

    marking = Marking()
    QCoreApplication.installTranslator(marking)
    try:
        from judgepanel.model.judge.records import ExportRecord

        record = ExportRecord("B", 1, tmp_path / "r.jpresults", "", __import__("datetime")
                              .datetime.now())
        note = write_scoresheet(Broken(), record)  # type: ignore[arg-type]
        assert note == "" or note.startswith("⟦")
    finally:
        QCoreApplication.removeTranslator(marking)


def test_a_staff_made_application_shows_its_fields_summary_first() -> None:
    from judgepanel.ui.judge.application_view import document_html

    html = document_html({
        "id": "REC-1", "title": "Columbia Stands Together",
        "fields": {"Approach": "A pledge", "Summary": "In short", "title": "Columbia Stands "
                   "Together", "requested_amount": None},
        "attachments": [{"name": "REC-1-summary.pdf", "label": "Attachments", "size": 4}]})
    assert html.index("Summary") < html.index("Approach") < html.index("Requested amount")
    assert "REC-1-summary.pdf" not in html and "Fields" not in html
    assert "Columbia" not in html  # the title is the heading already


def test_rubric_text_is_recoloured_when_the_criteria_are_enabled_again(qtbot) -> None:
    from judgepanel.model.rubric.criterion import Criterion
    from judgepanel.model.rubric.levels import Level
    from judgepanel.ui.judge.look import muted
    from judgepanel.ui.judge.scoring_panel import CriterionEditor

    criterion = Criterion("impact", "Impact", levels=(Level(1, "None"), Level(5, "Lasting")))
    editor = CriterionEditor(criterion)
    qtbot.addWidget(editor)
    editor.setEnabled(False)
    disabled = muted(editor)
    assert disabled in editor.levels.text()
    editor.setEnabled(True)
    assert muted(editor) != disabled and muted(editor) in editor.levels.text()


def test_the_overview_model_announces_only_the_rows_that_changed(qtbot, tmp_path: Path,
                                                                 program: Program) -> None:
    window = open_bundle(qtbot, tmp_path, program)
    page = page_of(window)
    declare(page, "A-1", False)
    page.model.set_progress(page.session.progress())
    announced: list[tuple[int, int]] = []
    page.model.dataChanged.connect(lambda top, bottom, _roles: announced.append(
        (top.row(), bottom.row())))
    page.model.set_progress(page.session.progress())
    assert announced == []  # nothing new: no repaint, no re-sort of thousands of rows
    page.session.declare("A-3", False)
    page.model.set_progress(page.session.progress())
    assert announced == [(2, 2)]
