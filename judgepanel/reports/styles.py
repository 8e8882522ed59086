"""One look for every report: palette, type scale, paragraph and table styles.

Why centralised: staff hand these PDFs to committees side by side; the same
colours, sizes and table rules in every report make them read as one set.
Colours are chosen to survive greyscale printing (dark ink, light fills) and
the chart palette stays distinguishable for common colour-vision deficiencies.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from judgepanel.reports.fonts import CONDENSED, SANS, register_fonts

# --- palette -----------------------------------------------------------------------
INK = colors.HexColor("#1d2433")
MUTED = colors.HexColor("#5b6474")
RULE = colors.HexColor("#c9ced8")
ZEBRA = colors.HexColor("#f3f5f9")
ACCENT = colors.HexColor("#1f5fa8")
ACCENT_LIGHT = colors.HexColor("#dbe7f5")
WARN = colors.HexColor("#b3541e")
WARN_LIGHT = colors.HexColor("#fbeadf")
GOOD = colors.HexColor("#2c7a4b")
GOOD_LIGHT = colors.HexColor("#e1f1e7")
# Okabe-Ito-derived series colours for charts.
SERIES = (
    colors.HexColor("#1f5fa8"),
    colors.HexColor("#e69f00"),
    colors.HexColor("#009e73"),
    colors.HexColor("#cc79a7"),
    colors.HexColor("#56b4e9"),
    colors.HexColor("#d55e00"),
)

# --- type scale (points) ------------------------------------------------------------
SIZE_TITLE = 26
SIZE_H1 = 16
SIZE_H2 = 12.5
SIZE_BODY = 9.5
SIZE_TABLE = 8.5
SIZE_SMALL = 7.5


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    small_heading: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_head: ParagraphStyle
    cell_head_right: ParagraphStyle
    quote: ParagraphStyle
    cover_fact: ParagraphStyle
    cover_fact_label: ParagraphStyle


@functools.cache
def make_styles() -> Styles:
    """Paragraph styles on the registered DejaVu fonts (built once: dossiers make many cells)."""
    register_fonts()
    body = ParagraphStyle(
        "body", fontName=SANS.regular, fontSize=SIZE_BODY, leading=SIZE_BODY * 1.42,
        textColor=INK, spaceAfter=5,
    )
    cell = ParagraphStyle(
        "cell", parent=body, fontName=CONDENSED.regular, fontSize=SIZE_TABLE,
        leading=SIZE_TABLE * 1.25, spaceAfter=0,
    )
    head = ParagraphStyle("cell_head", parent=cell, fontName=CONDENSED.bold, textColor=INK)
    return Styles(
        title=ParagraphStyle(
            "title", parent=body, fontName=SANS.bold, fontSize=SIZE_TITLE,
            leading=SIZE_TITLE * 1.18, textColor=INK, spaceAfter=10,
        ),
        subtitle=ParagraphStyle(
            "subtitle", parent=body, fontSize=14, leading=19, textColor=ACCENT, spaceAfter=24,
        ),
        h1=ParagraphStyle(
            "h1", parent=body, fontName=SANS.bold, fontSize=SIZE_H1, leading=SIZE_H1 * 1.25,
            textColor=INK, spaceBefore=4, spaceAfter=8, keepWithNext=1,
        ),
        h2=ParagraphStyle(
            "h2", parent=body, fontName=SANS.bold, fontSize=SIZE_H2, leading=SIZE_H2 * 1.3,
            textColor=ACCENT, spaceBefore=10, spaceAfter=5, keepWithNext=1,
        ),
        body=body,
        small=ParagraphStyle(
            "small", parent=body, fontSize=SIZE_SMALL, leading=SIZE_SMALL * 1.35, spaceAfter=2,
        ),
        small_heading=ParagraphStyle(
            "small_heading", parent=body, fontName=SANS.bold, fontSize=SIZE_SMALL + 0.5,
            leading=(SIZE_SMALL + 0.5) * 1.35, spaceBefore=4, spaceAfter=3, keepWithNext=1,
        ),
        muted=ParagraphStyle("muted", parent=body, textColor=MUTED),
        cell=cell,
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        cell_head=head,
        cell_head_right=ParagraphStyle("cell_head_right", parent=head, alignment=TA_RIGHT),
        quote=ParagraphStyle(
            "quote", parent=body, leftIndent=10, borderPadding=(2, 0, 2, 6),
            borderColor=RULE, borderWidth=0, textColor=INK, spaceAfter=6,
        ),
        cover_fact=ParagraphStyle(
            "cover_fact", parent=body, fontName=SANS.bold, fontSize=20, leading=24,
            alignment=TA_LEFT, textColor=INK, spaceAfter=0,
        ),
        cover_fact_label=ParagraphStyle(
            "cover_fact_label", parent=body, fontSize=8.5, leading=11, textColor=MUTED,
            spaceAfter=0,
        ),
    )


def table_style(
    *, header_rows: int = 1, zebra: bool = True, numeric_from: int | None = None
) -> TableStyle:
    """The house table: bold header over a rule, light zebra rows, no vertical lines."""
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), CONDENSED.regular, SIZE_TABLE),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
    ]
    if header_rows:
        commands += [
            ("FONT", (0, 0), (-1, header_rows - 1), CONDENSED.bold, SIZE_TABLE),
            ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 1.0, INK),
            ("VALIGN", (0, 0), (-1, header_rows - 1), "BOTTOM"),
        ]
    if numeric_from is not None:
        commands.append(("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"))
    style = TableStyle(commands)
    if zebra:
        style.add("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, ZEBRA])
    return style


def text(value: object) -> str:
    """Escape user text for a Paragraph (names like “A & B <Ltd>” must print as typed)."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


CENTER = TA_CENTER
