"""The page machinery shared by every report.

What every report gets from here: an A4 cover without running header; body
pages with a running header (program, report, round) and a footer with
"Page n of N" and the printed date; a PDF outline (bookmarks) built from the
headings; title/author/subject metadata; and reproducible bytes.

Why "of N" is a form XObject: the total is unknown until the last page, and
keeping every page in memory to stamp it afterwards (the usual two-pass
trick) costs memory and time on 4,000-page dossiers. Each page draws a
reference to a form named ``page-total``; the form is defined once, at the
end, when N is known.

Why ``Deferred``: reportlab lays out a story that is a list, and a list built
up front keeps every flowable (with its line-breaking caches) alive until the
build ends: 770 MiB for 2,000 dossier pages. A report with one part per
application instead puts one ``Deferred`` per part in the story; the
document expands it just before it is laid out, and the part's flowables are
freed once drawn, so memory stays flat whatever the number of applications.

Reproducible bytes: the canvas runs with ``invariant=1`` (fixed creation
date, content-derived document id), and no clock is read here: the printed
date is whatever the caller passes (``ReportOptions.generated_at``).

The file is written to a temporary name and moved into place at the end, so
a failure or a cancellation (``Progress`` raising ``Cancelled``) never leaves
half a PDF where the reader expects a report.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from judgepanel.progress import Progress
from judgepanel.reports import styles as st
from judgepanel.reports.fonts import SANS

MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
_TOTAL_FORM = "page-total"


def format_date(when: dt.datetime | None) -> str:
    """A date as printed on covers and footers: "24 November 2026"."""
    if when is None:
        return ""
    return f"{when.day} {when:%B %Y}"


def format_time(when: dt.datetime | None) -> str:
    """A timestamp in UTC, as registers print it: "2026-11-24 14:05" (headers say UTC)."""
    if when is None:
        return "—"
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return f"{when:%Y-%m-%d %H:%M}"


class Heading(Paragraph):
    """A heading that also becomes a PDF bookmark at the place it is drawn.

    ``level`` 0 is a section, 1 an application or sub-section. Keys must be
    unique in the document; the outline title may differ from the printed one.
    """

    def __init__(self, text: str, style: Any, *, key: str, level: int = 0,
                 outline: str | None = None) -> None:
        super().__init__(text, style)
        self.key = key
        self.level = level
        self.outline = outline

    def draw(self) -> None:
        super().draw()
        canvas = self.canv
        canvas.bookmarkHorizontal(self.key, 0, self.height + 4)
        title = self.outline if self.outline is not None else self.getPlainText()
        canvas.addOutlineEntry(title, self.key, level=self.level, closed=self.level == 0)


class Deferred(Flowable):
    """A placeholder for flowables that are made only when the layout reaches them.

    ``make`` returns the flowables; it is called once, just before they are laid
    out, and nothing keeps them afterwards. Put it directly in the story (not in a
    table or ``KeepTogether``, where the document cannot see it). It draws nothing
    itself, should anything ever lay it out unexpanded.
    """

    def __init__(self, make: Callable[[], list[Flowable]]) -> None:
        super().__init__()
        self.make = make

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        """Nothing: the document replaces a ``Deferred`` before drawing."""


class _Doc(BaseDocTemplate):
    def __init__(self, target: str, report: ReportDocument, **kwargs: Any) -> None:
        self.report = report
        super().__init__(target, **kwargs)

    def filterFlowables(self, flowables: list[Any]) -> None:
        """Expand the ``Deferred`` placeholders about to be laid out (reportlab's hook).

        reportlab looks ahead through a run of keep-with-next flowables and binds the
        run to the one after it, so a placeholder right after such a run is expanded
        too, before it could be wrapped unseen.
        """
        i = 0
        while i < len(flowables):
            item = flowables[i]
            if isinstance(item, Deferred):
                flowables[i:i + 1] = item.make()
                continue
            if item is None or not item.getKeepWithNext():
                return
            i += 1

    def afterPage(self) -> None:
        if self.report.progress is not None:
            self.report.progress(self.page, 0, f"Page {self.page}")


class ReportDocument:
    """One PDF: build it with a story (a list of flowables) that starts with ``cover()``."""

    def __init__(
        self,
        *,
        title: str,
        program: str,
        round_name: str,
        subject: str,
        author: str = "JudgePanel",
        printed: dt.datetime | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.title = title
        self.program = program
        self.round_name = round_name
        self.subject = subject
        self.author = author
        self.printed = printed
        self.progress = progress
        self.styles = st.make_styles()
        self.pages = 0

    # --- page decoration ------------------------------------------------------------

    def _cover_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = doc.pagesize
        canvas.saveState()
        canvas.setFillColor(st.ACCENT)
        canvas.rect(0, height - 16 * mm, width, 16 * mm, stroke=0, fill=1)
        canvas.setFillColor(st.ACCENT_LIGHT)
        canvas.rect(0, 0, width, 10 * mm, stroke=0, fill=1)
        self._footer(canvas, doc, on_cover=True)
        canvas.restoreState()

    def _body_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = doc.pagesize
        canvas.saveState()
        top = height - MARGIN_TOP + 8 * mm
        canvas.setFont(SANS.bold, 7.5)
        canvas.setFillColor(st.INK)
        canvas.drawString(MARGIN_X, top, self.program)
        canvas.setFont(SANS.regular, 7.5)
        canvas.setFillColor(st.MUTED)
        canvas.drawRightString(width - MARGIN_X, top, f"{self.title} · {self.round_name}")
        canvas.setStrokeColor(st.RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 2.5 * mm, width - MARGIN_X, top - 2.5 * mm)
        self._footer(canvas, doc, on_cover=False)
        canvas.restoreState()

    def _footer(self, canvas: Canvas, doc: BaseDocTemplate, *, on_cover: bool) -> None:
        width, _ = doc.pagesize
        y = MARGIN_BOTTOM - 10 * mm if not on_cover else 3.6 * mm
        canvas.setFont(SANS.regular, 7.5)
        canvas.setFillColor(st.MUTED)
        label = f"Page {doc.page} of "
        canvas.drawString(MARGIN_X, y, label)
        canvas.saveState()
        canvas.translate(MARGIN_X + canvas.stringWidth(label, SANS.regular, 7.5), y)
        canvas.doForm(_TOTAL_FORM)
        canvas.restoreState()
        printed = format_date(self.printed)
        right = f"Printed {printed}" if printed else "JudgePanel"
        canvas.drawRightString(width - MARGIN_X, y, right)
        self.pages = doc.page

    # --- building ----------------------------------------------------------------------

    def build(self, story: Sequence[Flowable], out_path: Path | str) -> Path:
        """Lay out ``story`` into ``out_path`` (atomically); returns the path."""
        out = Path(out_path)
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=out.parent)
        os.close(fd)
        try:
            doc = _Doc(
                tmp_name,
                self,
                pagesize=A4,
                leftMargin=MARGIN_X,
                rightMargin=MARGIN_X,
                topMargin=MARGIN_TOP,
                bottomMargin=MARGIN_BOTTOM,
                title=self.title,
                author=self.author,
                subject=self.subject,
                creator="JudgePanel",
                producer="JudgePanel (reportlab)",
                invariant=1,
            )
            width, height = A4
            cover_frame = Frame(
                26 * mm, 22 * mm, width - 52 * mm, height - 70 * mm, id="cover",
                showBoundary=0,
            )
            body_frame = Frame(
                MARGIN_X, MARGIN_BOTTOM, width - 2 * MARGIN_X,
                height - MARGIN_TOP - MARGIN_BOTTOM, id="body", showBoundary=0,
            )
            doc.addPageTemplates(
                [
                    PageTemplate("cover", [cover_frame], onPage=self._cover_page),
                    PageTemplate("body", [body_frame], onPage=self._body_page),
                ]
            )
            doc.build(list(story), canvasmaker=self._canvas_maker())
            os.replace(tmp_name, out)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise
        return out

    def _canvas_maker(self) -> type[Canvas]:
        report = self

        class _Canvas(Canvas):
            def save(self) -> None:
                # Now N is known: define the form every footer refers to.
                self.beginForm(_TOTAL_FORM, 0, -2, 60, 10)
                self.setFont(SANS.regular, 7.5)
                self.setFillColor(st.MUTED)
                self.drawString(0, 0, str(report.pages))
                self.endForm()
                self.showOutline()
                super().save()

        return _Canvas

    # --- story pieces ------------------------------------------------------------------

    def cover(
        self,
        heading: str,
        facts: Sequence[tuple[str, str]] = (),
        intro: str = "",
    ) -> list[Flowable]:
        """Cover flowables: program, report title, round, key figures, then a page break."""
        s = self.styles
        story: list[Flowable] = [
            Spacer(1, 30 * mm),
            Paragraph(st.text(self.program), s.subtitle),
            Heading(st.text(heading), s.title, key="cover", outline=heading),
            Paragraph(st.text(self.round_name), s.muted),
            Spacer(1, 14 * mm),
        ]
        if facts:
            cells = [
                [Paragraph(st.text(value), s.cover_fact) for _, value in facts],
                [Paragraph(st.text(label), s.cover_fact_label) for label, _ in facts],
            ]
            table = Table(cells, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 14),
                        ("LINEABOVE", (0, 0), (-1, 0), 2, st.ACCENT),
                        ("TOPPADDING", (0, 0), (-1, 0), 6),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [table, Spacer(1, 12 * mm)]
        if intro:
            story.append(Paragraph(intro, s.body))
        printed = format_date(self.printed)
        if printed:
            story.append(Paragraph(f"Printed {st.text(printed)}", s.muted))
        story += [NextPageTemplate("body"), PageBreak()]
        return story

    def section(self, title: str, key: str, *, level: int = 0,
                outline: str | None = None) -> Heading:
        style = self.styles.h1 if level == 0 else self.styles.h2
        return Heading(st.text(title), style, key=key, level=level, outline=outline or title)
