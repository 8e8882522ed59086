"""Folding names for comparison, file names and sorting.

Why a module: NFKD decomposition drops accents (é -> e) but leaves letters that
have no decomposition (Ł, Ø, ß, Æ, ...), so a plain ASCII encode would turn
"Łukasz" into "ukasz". Every place that folds or slugs text uses these two, and
every list sorted by a title a person reads uses :func:`natural_key`.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose, with their usual Latin spelling.
_LETTERS = str.maketrans({
    "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h",
    "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "ß": "ss", "Þ": "Th", "þ": "th",
    "Ð": "D", "ð": "d", "ı": "i",
})


def fold_accents(text: str) -> str:
    """Accents removed and special Latin letters spelled out; other scripts kept."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def ascii_slug(text: str, separator: str = "-") -> str:
    """Lowercase ASCII words joined by ``separator``: "Łódź Pride Week" -> "lodz-pride-week"."""
    plain = fold_accents(text).encode("ascii", "ignore").decode("ascii").casefold()
    return re.sub(r"[^a-z0-9]+", separator, plain).strip(separator)


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> list[str | int]:
    """Sort key that reads numbers as numbers: "Project 3" before "Project 19"; case
    and accents aside. Strings and numbers alternate, so any two keys compare."""
    parts = _DIGITS.split(fold_accents(text).casefold())
    return [int(part) if i % 2 else " ".join(part.split()) for i, part in enumerate(parts)]
