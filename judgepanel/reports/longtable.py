"""Tables of hundreds or thousands of rows, laid out one page at a time.

Why not one reportlab ``Table``: a 2,000-row table is measured whole (every
cell's paragraph wrapped) before anything is drawn, and every page split
makes a new table of the remaining rows, which is measured again. The
ranking report spent most of its 11 s and 300 MiB there: 72,000 cell
paragraphs made up front, each wrapped three to four times.

``long_table`` keeps the rows as plain values and makes cells only for the
page being laid out: ``RowStream`` builds a table of the rows that can fit
in the space left, lets reportlab cut it where the page ends, and hands the
rest on as a new ``RowStream``. So each page is one table with the header on
top (never a header in mid-page), zebra stripes continue across pages, and
memory holds one page of cells.

The first few rows come as an ordinary table, so a heading that keeps with
the next flowable is kept with those rows, not with the whole table (which
would push every heading over a long table to a new page).

Numeric cells that fit their column are plain strings drawn by the table
(no paragraph to parse and wrap); text that might wrap becomes a paragraph.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table, TableStyle

from judgepanel.reports import styles as st
from judgepanel.reports.common import cell, is_markup
from judgepanel.reports.fonts import CONDENSED

HEAD_ROWS = 5  # rows kept with the heading above the table
_PAD = 4  # left and right cell padding (styles.table_style)
_MIN_ROW = st.SIZE_TABLE * 1.25 + 6  # one line of table text plus top and bottom padding


class RowStream(Flowable):
    """Rows ``start``… of a long table; lays out as many as fit, passes the rest on."""

    def __init__(self, spec: _Spec, start: int) -> None:
        super().__init__()
        self.spec = spec
        self.start = start
        self._whole: Table | None = None

    def _at_top(self) -> bool:
        frame = getattr(self, "_frame", None)
        return bool(getattr(frame, "_atTop", True))

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The true height when the remaining rows fit here, else "too tall" to get a split."""
        self._whole = None
        rows = len(self.spec.rows) - self.start
        if rows * _MIN_ROW > availHeight:
            return availWidth, 0xFFFFFF
        whole = self.spec.chunk(self.start, len(self.spec.rows), header=self._at_top())
        w, h = whole.wrap(availWidth, availHeight)
        if h > availHeight:
            return availWidth, 0xFFFFFF
        self._whole = whole
        return w, h

    def draw(self) -> None:
        if self._whole is not None:
            self._whole.drawOn(self.canv, 0, 0)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        spec = self.spec
        header = self._at_top()
        head_h = _MIN_ROW if header else 0.0
        # Make a few more rows than are likely to fit (rows measured so far tell how
        # tall they run), so that reportlab cuts the table where the page ends.
        fit = max(1, math.ceil((availHeight - head_h) / spec.row_estimate) + 2)
        end = min(len(spec.rows), self.start + fit)
        chunk = spec.chunk(self.start, end, header=header)
        parts = chunk.split(availWidth, availHeight)
        if not parts:
            return []
        first: Table = parts[0]  # type: ignore[assignment]  # row heights measured already
        heights = first._rowHeights[1 if header else 0:]
        taken = len(heights)
        if taken:
            spec.row_estimate = max(_MIN_ROW, 0.9 * sum(heights) / taken)
        if self.start + taken >= len(spec.rows):
            return [first]
        return [first, RowStream(spec, self.start + taken)]


class _Spec:
    """What every chunk of one long table shares: header, values, widths, rules."""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[Any]],
                 widths: Sequence[float], right: Collection[int],
                 rule_above: dict[int, tuple[float, Any]]) -> None:
        self.header = list(header)
        self.rows = rows
        self.widths = list(widths)
        self.right = set(right)
        self.rule_above = rule_above
        self.row_estimate = _MIN_ROW
        self.head_cells = [cell(h, right=i in self.right, head=True)
                           for i, h in enumerate(self.header)]

    def value(self, i: int, v: Any) -> Any:
        """A plain string when it fits on one line of its column, else a paragraph."""
        if isinstance(v, Flowable):
            return v
        if is_markup(v):
            return cell(v, right=i in self.right)
        text = "" if v is None else str(v)
        if ("\n" not in text and stringWidth(text, CONDENSED.regular, st.SIZE_TABLE)
                <= self.widths[i] - 2 * _PAD - 0.5):
            return text
        return cell(v, right=i in self.right)

    def chunk(self, start: int, end: int, *, header: bool) -> Table:
        body = [[self.value(i, v) for i, v in enumerate(row)] for row in self.rows[start:end]]
        data = ([self.head_cells] if header else []) + body
        t = Table(data, colWidths=self.widths, repeatRows=1 if header else 0, hAlign="LEFT")
        first = 1 if header else 0
        style = st.table_style(header_rows=first, zebra=False)
        if end < len(self.rows):
            # the house style rules off the last row; a chunk that continues has no end rule
            style = TableStyle([c for c in style.getCommands() if c[:3] !=
                                ("LINEBELOW", (0, -1), (-1, -1))])
        style.add("FONT", (0, first), (-1, -1), CONDENSED.regular, st.SIZE_TABLE,
                  st.SIZE_TABLE * 1.25)
        for col in self.right:
            style.add("ALIGN", (col, first), (col, -1), "RIGHT")
        if end > start:
            stripes = [colors.white, st.ZEBRA] if start % 2 == 0 else [st.ZEBRA, colors.white]
            style.add("ROWBACKGROUNDS", (0, first), (-1, -1), stripes)
        for index, (weight, colour) in self.rule_above.items():
            if start <= index < end:
                row = index - start + first
                style.add("LINEABOVE", (0, row), (-1, row), weight, colour)
        t.setStyle(style)
        return t


def fit_width(values: Sequence[Any], *, at_least: float, bold_header: str = "") -> float:
    """The width (points) that shows every value of a column on one line, padding included.

    For short codes (application refs) that must not break: "REC-2026-02 / 2" reads as
    two references.
    """
    widest = max([stringWidth(str(v), CONDENSED.regular, st.SIZE_TABLE) for v in values]
                 + [stringWidth(bold_header, CONDENSED.bold, st.SIZE_TABLE)])
    return max(at_least, widest + 2 * _PAD + 1)


def long_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    right: Collection[int] = (),
    rule_above: dict[int, tuple[float, Any]] | None = None,
) -> list[Flowable]:
    """A house-style table of any length, as flowables to put straight into the story.

    ``rows`` hold plain values (or flowables); ``right`` the right-aligned columns;
    ``rule_above`` maps a row index (0 = first body row) to the (width, colour) of a
    rule drawn above it (the funding line).
    """
    spec = _Spec(header, rows, widths, right, rule_above or {})
    if len(rows) <= HEAD_ROWS:
        return [spec.chunk(0, len(rows), header=True)]
    return [spec.chunk(0, HEAD_ROWS, header=True), RowStream(spec, HEAD_ROWS)]
