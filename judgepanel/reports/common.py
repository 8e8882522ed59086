"""Small pieces several reports share: number formats, tables, the alpha sentence.

Kept apart from ``styles`` (which is about looks) because these decide what a
reader is told: how many decimals a mean gets, how money is written, what an
alpha of 0.55 means in words.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from reportlab.platypus import Flowable, Paragraph, Table

from judgepanel.reports import styles as st

DASH = "—"


def num(value: float | None, places: int = 1) -> str:
    return DASH if value is None else f"{value:.{places}f}"


def score(value: float | None) -> str:
    """A raw criterion score as the judge gave it (3, 2.5)."""
    return DASH if value is None else f"{value:g}"


def money(amount: Decimal | None, currency: str) -> str:
    """1234567.5 USD -> "USD 1,234,567.50"; amounts are shown exactly, never rounded away."""
    if amount is None:
        return DASH
    sign = "−" if amount < 0 else ""
    return f"{currency} {sign}{abs(amount):,.2f}"


def amount(value: Decimal | None) -> str:
    """Money in a table column whose header names the currency: "1,234,567.50"."""
    if value is None:
        return DASH
    return f"{'−' if value < 0 else ''}{abs(value):,.2f}"


def alpha_sentence(alpha: float | None) -> str:
    """One sentence a committee member can act on, for Krippendorff's alpha."""
    if alpha is None:
        return (
            "Agreement cannot be measured yet: it needs at least two judges' totals on some "
            "applications, and some difference between the totals."
        )
    shown = f"α = {alpha:.2f}"
    if alpha >= 0.8:
        return f"{shown}: the judges agree well, so the ranking reflects a shared view of merit."
    if alpha >= 0.667:
        return (
            f"{shown}: the judges agree moderately; the ranking is usable, but look closely at "
            "the applications flagged for disagreement."
        )
    if alpha >= 0.4:
        return (
            f"{shown}: the judges agree only weakly; close ranks may depend on who reviewed an "
            "application, so compare with the adjusted ranking and discuss flagged cases."
        )
    return (
        f"{shown}: the judges hardly agree; treat small differences in rank as noise and "
        "discuss the applications before deciding."
    )


def cell(value: Any, *, right: bool = False, head: bool = False) -> Paragraph:
    styles = st.make_styles()
    style = (
        (styles.cell_head_right if right else styles.cell_head)
        if head
        else (styles.cell_right if right else styles.cell)
    )
    return Paragraph(value if isinstance(value, _Markup) else st.text(value), style)


class _Markup(str):
    """Text already escaped and marked up for a Paragraph."""


def markup(text: str) -> _Markup:
    return _Markup(text)


def is_markup(value: object) -> bool:
    """True for text made by ``markup`` (already escaped; may hold tags such as <br/>)."""
    return isinstance(value, _Markup)


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    right: Collection[int] = (),
    extra: Sequence[tuple[Any, ...]] = (),
) -> Flowable:
    """A house-style table of Paragraph cells; the header repeats on every page.

    ``right`` lists the (numeric) columns aligned right.
    """
    def is_right(i: int) -> bool:
        return i in right

    data = [[cell(h, right=is_right(i), head=True) for i, h in enumerate(header)]]
    for row in rows:
        data.append(
            [v if isinstance(v, Flowable) else cell(v, right=is_right(i))
             for i, v in enumerate(row)]
        )
    t = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    style = st.table_style()
    for command in extra:
        style.add(*command)
    t.setStyle(style)
    return t
