"""The fonts every report embeds: DejaVu Sans, shipped inside the package.

Why embedded TrueType and not reportlab's built-in Helvetica: the standard
PDF fonts only cover Latin-1, so names such as Łódź would print as boxes.
DejaVu covers Latin, Greek and Cyrillic and its license (LICENSE-DejaVu.txt,
next to the files) allows redistribution. The files live in this package
(``judgepanel/reports/fonts``) so that an installed JudgePanel finds them
without the source tree; package-data must list ``reports/fonts/*``.

Registration is idempotent and per process; reportlab keeps registered fonts
in its own module-level table, which we cannot avoid.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from judgepanel.errors import JudgePanelError

FONT_DIR = Path(__file__).resolve().parent / "fonts"
LICENSE_FILE = FONT_DIR / "LICENSE-DejaVu.txt"


@dataclass(frozen=True)
class FontFamily:
    """The registered names of one family's four faces."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


# Body text, and a condensed face for wide tables.
SANS = FontFamily("JPSans", "JPSans-Bold", "JPSans-Oblique", "JPSans-BoldOblique")
CONDENSED = FontFamily("JPSansCond", "JPSansCond-Bold", "JPSansCond", "JPSansCond-Bold")

_FILES = {
    SANS.regular: "DejaVuSans.ttf",
    SANS.bold: "DejaVuSans-Bold.ttf",
    SANS.italic: "DejaVuSans-Oblique.ttf",
    SANS.bold_italic: "DejaVuSans-BoldOblique.ttf",
    CONDENSED.regular: "DejaVuSansCondensed.ttf",
    CONDENSED.bold: "DejaVuSansCondensed-Bold.ttf",
}


def font_path(file_name: str) -> Path:
    """Where a shipped font file is; a clear error if the installation lost it."""
    path = FONT_DIR / file_name
    if not path.is_file():
        raise JudgePanelError(
            "The fonts needed for PDF reports are missing from this installation. "
            "Reinstall JudgePanel.",
            detail=f"not found: {path}",
            path=str(path),
        )
    return path


def register_fonts() -> FontFamily:
    """Register the report fonts with reportlab (once) and return the body family."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, file_name in _FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(font_path(file_name))))
    # <b> and <i> in paragraphs pick the right face through these mappings.
    for family in (SANS, CONDENSED):
        addMapping(family.regular, 0, 0, family.regular)
        addMapping(family.regular, 1, 0, family.bold)
        addMapping(family.regular, 0, 1, family.italic)
        addMapping(family.regular, 1, 1, family.bold_italic)
    return SANS
