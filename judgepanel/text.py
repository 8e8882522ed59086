"""Folding names for comparison and for file names.

Why a module: NFKD decomposition drops accents (é -> e) but leaves letters that
have no decomposition (Ł, Ø, ß, Æ, ...), so a plain ASCII encode would turn
"Łukasz" into "ukasz". Every place that folds or slugs text uses these two.
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
