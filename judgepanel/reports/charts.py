"""Charts drawn with reportlab.graphics: vector, embedded fonts, no raster images.

Three pictures staff ask for: how the applications' totals are distributed,
how each criterion's scores are distributed (is one criterion always a 4?),
and how each judge scores compared with the others on the same applications
(leniency) and how widely (spread). They are drawn from plain numbers, so
they are testable without a database, and with explicit axes from 0 so that
a small difference never looks large.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from judgepanel.reports import styles as st
from judgepanel.reports.fonts import CONDENSED, SANS

FONT = CONDENSED.regular
FONT_BOLD = SANS.bold


def _label(d: Drawing, x: float, y: float, text: str, *, size: float = 7, anchor: str = "start",
           color: colors.Color = st.MUTED, bold: bool = False) -> None:
    d.add(String(x, y, text, fontName=FONT_BOLD if bold else FONT, fontSize=size,
                 fillColor=color, textAnchor=anchor))


def fit_lines(text: str, *, width: float, size: float, bold: bool = True,
              max_lines: int = 2) -> list[str]:
    """``text`` broken into at most ``max_lines`` lines of ``width``; an ellipsis ends a cut.

    Chart titles are criterion titles, which programs write long ("Recommend for the
    best-practices compendium"); cut at a fixed character count they ran into the next
    chart or off the page.
    """
    font = FONT_BOLD if bold else FONT
    lines = simpleSplit(text, font, size, width)
    if len(lines) <= max_lines:
        return lines
    last = " ".join(lines[max_lines - 1:])
    while last and stringWidth(last + "…", font, size) > width:
        last = last[:-1].rstrip()
    return [*lines[:max_lines - 1], last + "…"]


def _nice_max(value: float) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5, 10, 20, 50, ...)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power) if step * power >= 1 else 1
    return int(10 * power)


def histogram(values: Sequence[float], *, width: float, height: float = 150, lo: float = 0,
              hi: float = 100, bins: int = 10, title: str = "", xlabel: str = "") -> Drawing:
    """Counts of ``values`` in equal bins over [lo, hi] (the last bin includes hi)."""
    counts = [0] * bins
    span = (hi - lo) / bins
    for v in values:
        index = min(bins - 1, max(0, int((v - lo) // span)))
        counts[index] += 1
    d = Drawing(width, height)
    left, bottom, top = 30, 26, height - (26 if title else 12)
    plot_w, plot_h = width - left - 8, top - bottom
    step = _nice_max(max(counts, default=0) / 4)
    ymax = step * max(1, math.ceil(max(counts, default=0) / step))
    if title:
        _label(d, 0, height - 10, title, size=8.5, color=st.INK, bold=True)
    for value in range(0, ymax + 1, step):
        y = bottom + plot_h * value / ymax
        d.add(Line(left, y, left + plot_w, y, strokeColor=st.RULE, strokeWidth=0.4))
        _label(d, left - 4, y - 2.5, str(value), anchor="end")
    bar_w = plot_w / bins
    for i, count in enumerate(counts):
        h = plot_h * count / ymax
        x = left + i * bar_w
        if count:
            d.add(Rect(x + 1.5, bottom, bar_w - 3, h, fillColor=st.ACCENT, strokeColor=None))
            _label(d, x + bar_w / 2, bottom + h + 2, str(count), anchor="middle", color=st.INK)
        _label(d, x, bottom - 10, f"{lo + i * span:g}", anchor="middle")
    _label(d, left + plot_w, bottom - 10, f"{hi:g}", anchor="middle")
    d.add(Line(left, bottom, left + plot_w, bottom, strokeColor=st.INK, strokeWidth=0.8))
    if xlabel:
        _label(d, left + plot_w / 2, 2, xlabel, anchor="middle")
    return d


def score_bars(counts: Mapping[float, int], *, width: float, height: float = 92,
               title: str = "") -> Drawing:
    """One criterion: how many reviews gave each score on its scale."""
    title_lines = fit_lines(title, width=width, size=7.5)
    d = Drawing(width, height)
    left, bottom, top = 4, 14, height - 15 - 9 * max(1, len(title_lines))
    plot_w, plot_h = width - left - 4, top - bottom
    for i, line in enumerate(title_lines):
        _label(d, 0, height - 9 - 9 * i, line, size=7.5, color=st.INK, bold=True)
    levels = sorted(counts)
    ymax = max(counts.values(), default=0) or 1
    if not levels:
        return d
    bar_w = plot_w / len(levels)
    for i, level in enumerate(levels):
        n = counts[level]
        h = plot_h * n / ymax
        x = left + i * bar_w
        d.add(Rect(x + 1, bottom, max(bar_w - 2, 0.5), h,
                   fillColor=st.SERIES[2] if n else None, strokeColor=None))
        if n:
            _label(d, x + bar_w / 2, bottom + h + 1.5, str(n), anchor="middle", size=6,
                   color=st.INK)
        if len(levels) <= 11 or i % max(1, len(levels) // 10) == 0:
            _label(d, x + bar_w / 2, bottom - 9, f"{level:g}", anchor="middle", size=6.5)
    d.add(Line(left, bottom, left + plot_w, bottom, strokeColor=st.INK, strokeWidth=0.6))
    return d


def judge_chart(rows: Sequence[tuple[str, float | None, float | None, int]], *,
                width: float) -> Drawing:
    """Per judge: leniency as a bar either side of 0 and spread as a bar, same scale.

    ``rows`` are (label, leniency, spread, number of reviews). Leniency is in
    total points (0..100 scale); a judge with no co-reviewed application has none.
    """
    row_h, head = 15, 28
    height = head + row_h * len(rows) + 8
    d = Drawing(width, height)
    name_w = 78
    gap = 16
    left_w = (width - name_w - gap) * 0.58
    right_w = width - name_w - gap - left_w
    zero = name_w + left_w / 2
    right_x = name_w + left_w + gap
    bound = max([abs(r[1]) for r in rows if r[1] is not None] + [1.0])
    bound = _nice_max(bound)
    smax = _nice_max(max([r[2] for r in rows if r[2] is not None] + [1.0]))
    y0 = height - head
    _label(d, zero, height - 10, "Leniency: mean difference from the other judges",
           anchor="middle", size=7.5, color=st.INK, bold=True)
    _label(d, right_x + right_w / 2, height - 10, "Spread (SD of totals)", anchor="middle",
           size=7.5, color=st.INK, bold=True)
    _label(d, name_w, height - 21, f"−{bound} harsher", size=6.5)
    _label(d, name_w + left_w, height - 21, f"more lenient +{bound}", anchor="end", size=6.5)
    _label(d, right_x, height - 21, "0", size=6.5)
    _label(d, right_x + right_w, height - 21, f"{smax}", anchor="end", size=6.5)
    for i, (label, leniency, spread, n) in enumerate(rows):
        y = y0 - (i + 1) * row_h
        if i % 2 == 0:
            d.add(Rect(0, y - 2, width, row_h, fillColor=st.ZEBRA, strokeColor=None))
        _label(d, 2, y + 3, f"{label} ({n})", size=7, color=st.INK)
        if leniency is not None:
            w = (left_w / 2) * leniency / bound
            color = st.SERIES[0] if leniency >= 0 else st.SERIES[5]
            d.add(Rect(min(zero, zero + w), y + 1, abs(w), row_h - 6, fillColor=color,
                       strokeColor=None))
            anchor = "start" if leniency >= 0 else "end"
            _label(d, zero + w + (2 if leniency >= 0 else -2), y + 3, f"{leniency:+.1f}",
                   anchor=anchor, size=6.5, color=st.INK)
        else:
            _label(d, zero + 3, y + 3, "no shared applications", size=6.5)
        if spread is not None:
            w = right_w * spread / smax
            d.add(Rect(right_x, y + 1, w, row_h - 6, fillColor=st.SERIES[1], strokeColor=None))
            _label(d, right_x + w + 2, y + 3, f"{spread:.1f}", size=6.5, color=st.INK)
    bottom = y0 - len(rows) * row_h - 2
    d.add(Line(zero, y0, zero, bottom, strokeColor=st.INK, strokeWidth=0.7))
    d.add(Line(right_x, y0, right_x, bottom, strokeColor=st.INK, strokeWidth=0.7))
    return d


def alpha_gauge(alpha: float | None, *, width: float) -> Drawing:
    """Krippendorff's alpha on a -0.2..1 bar with the usual 0.667 and 0.8 marks."""
    d = Drawing(width, 40)
    lo, hi = -0.2, 1.0
    x0, bar_w = 4, width - 8

    def at(v: float) -> float:
        return x0 + bar_w * (min(max(v, lo), hi) - lo) / (hi - lo)

    bands = ((lo, 0.667, st.WARN_LIGHT), (0.667, 0.8, st.ACCENT_LIGHT), (0.8, hi, st.GOOD_LIGHT))
    for a, b, color in bands:
        d.add(Rect(at(a), 14, at(b) - at(a), 10, fillColor=color, strokeColor=None))
    _label(d, at(lo), 3, "poor", size=6.5)
    for mark in (0.0, 0.667, 0.8, 1.0):  # 0.667 and 0.8: Krippendorff's usual thresholds
        d.add(Line(at(mark), 12, at(mark), 26, strokeColor=st.MUTED, strokeWidth=0.4))
        _label(d, at(mark), 3, f"{mark:g}", anchor="middle", size=6.5)
    if alpha is not None:
        d.add(Circle(at(alpha), 19, 4.2, fillColor=st.INK, strokeColor=colors.white,
                     strokeWidth=1))
    return d
