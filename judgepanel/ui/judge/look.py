"""Colours for emphasis in rich text, taken from the palette so they read in light and dark.

Why: Qt rich text needs colours spelled out, and a fixed ``gray`` or dark orange
that is fine on a light window becomes hard to read on a dark one. These helpers
derive a muted text colour from the palette (a blend of text and background,
about 7:1 contrast either way) and pick a warning colour with at least 4.5:1
contrast for the current background.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

WARNING_ON_LIGHT = "#9a4a1e"
WARNING_ON_DARK = "#f0a070"


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def _blend(a: QColor, b: QColor, share_of_b: float) -> QColor:
    keep = 1.0 - share_of_b
    return QColor.fromRgbF(a.redF() * keep + b.redF() * share_of_b,
                           a.greenF() * keep + b.greenF() * share_of_b,
                           a.blueF() * keep + b.blueF() * share_of_b)


def muted(widget: QWidget) -> str:
    """Secondary text (weights, rules, unchosen levels): still comfortably readable."""
    palette = widget.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    window = palette.color(QPalette.ColorRole.Window)
    return _blend(text, window, 0.32).name()


def warning(widget: QWidget) -> str:
    """Something the judge must act on (a required comment, a save that failed)."""
    return WARNING_ON_DARK if is_dark(widget.palette()) else WARNING_ON_LIGHT


def span(colour: str, html_text: str) -> str:
    return f"<span style='color:{colour}'>{html_text}</span>"
