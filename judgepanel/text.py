"""Text for people: folding names for comparison, file names and sorting; counts.

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


# --- the text policy ---------------------------------------------------------------------
#
# One rule for every piece of text that enters JudgePanel from outside (imported cells,
# rubrics, cards, bundles, results, what people type in the apps) and for every export:
#
# - Line breaks are normalised: CR LF, CR, VT, FF, NEL (U+0085), LINE SEPARATOR (U+2028)
#   and PARAGRAPH SEPARATOR (U+2029), Unicode's mandatory breaks (UAX #14), become LF.
# - Other control characters (C0 except TAB and LF, DEL, C1) are refused, or removed
#   with a note saying which and where; they can hide text or drive a terminal.
# - Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069)
#   are refused, or removed: they can make "exe.pdf" read as "fdp.exe" and reorder
#   a name or a comment in an export. The marks U+200E/U+200F stay: they are how
#   right-to-left writers fix punctuation, and cannot reorder text beyond them.
#
# The checks (``text_problem``) serve files we cannot change (signed documents) and
# rows a person should fix at the source; ``clean_text`` serves what we write out.

_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Unicode's category Cc is exactly U+0000-U+001F and U+007F-U+009F, and its stability
# policy fixes it for good; a regex scans text far faster than a per-character lookup
# (tests/model/test_text.py compares the two over every code point).
# In multi-line text CR and the Unicode separators count as line breaks (a signed file
# cannot be normalised, only checked); VT, FF and NEL do not, as before this policy.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FORBIDDEN_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2028\u2029\u2066-\u2069]")

_NAMES = {
    "\x00": "NUL", "\x07": "BELL", "\x08": "BACKSPACE", "\x09": "TAB", "\x0a": "LINE FEED",
    "\x0b": "VERTICAL TAB", "\x0c": "FORM FEED", "\x0d": "CARRIAGE RETURN", "\x1b": "ESCAPE",
    "\x7f": "DELETE", "\x85": "NEXT LINE", "\x9b": "CONTROL SEQUENCE INTRODUCER",
}


def character_name(ch: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: how a note names a character."""
    name = _NAMES.get(ch) or unicodedata.name(ch, "CONTROL CHARACTER")
    return f"U+{ord(ch):04X} ({name})"


def has_breaks_to_normalise(text: str) -> bool:
    """Whether ``normalise_breaks`` would change ``text`` (one search, for a whole row)."""
    return _BREAKS.search(text) is not None


def normalise_breaks(text: str) -> str:
    """Every mandatory line break (CR LF, CR, VT, FF, NEL, U+2028, U+2029) as LF."""
    return _BREAKS.sub("\n", text) if _BREAKS.search(text) else text


def text_problem(text: str, *, multiline: bool) -> str | None:
    """What the policy refuses in ``text``, in words, or None.

    ``multiline`` text may hold TAB and line breaks (LF, CR, U+2028, U+2029; VT, FF and
    NEL only once normalised); one-line text (a name, a title) holds neither. The answer
    names the character and where it is: "holds U+001B (ESCAPE) at character 7".
    """
    found = (_FORBIDDEN if multiline else _FORBIDDEN_ONE_LINE).search(text)
    if found is None:
        return None
    return f"holds {character_name(found.group())} at character {found.start() + 1}"


def clean_text(text: str, *, multiline: bool = True) -> tuple[str, list[str]]:
    """``text`` under the policy, and the names of the characters removed (for a note).

    Line breaks become LF (or, in one-line text, a space); refused characters go.
    """
    text = normalise_breaks(text)
    if not multiline and ("\n" in text or "\t" in text):
        text = " ".join(text.split())
    pattern = _FORBIDDEN if multiline else _FORBIDDEN_ONE_LINE
    removed = sorted({character_name(ch) for ch in pattern.findall(text)})
    return (pattern.sub("", text) if removed else text), removed


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and the word in its number: "1 application", "3 applications", "2 criteria"."""
    return f"{n} {word if n == 1 else (many or word + 's')}"
