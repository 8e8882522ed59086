from __future__ import annotations

import sys
import unicodedata

import pytest

from judgepanel.model.staff.prepare.categories import category_key
from judgepanel.model.staff.prepare.conflicts import normalise
from judgepanel.text import (
    ascii_slug,
    clean_text,
    fold_accents,
    normalise_breaks,
    plural,
    text_problem,
)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Łukasz Kowalczyk", "lukasz-kowalczyk"),
        ("Zoë Lefèvre", "zoe-lefevre"),
        ("Siobhán Ní Bhriain", "siobhan-ni-bhriain"),
        ("Søren Ærø", "soren-aero"),
        ("Straße der Vielfalt", "strasse-der-vielfalt"),
        ("  Policing and hate-crime reporting ", "policing-and-hate-crime-reporting"),
        ("東京", ""),
    ],
)
def test_ascii_slug_spells_out_letters_without_accents(text: str, slug: str) -> None:
    assert ascii_slug(text) == slug


def test_folding_keeps_other_scripts_and_matches_cities() -> None:
    assert fold_accents("Łódź") == "Lodz"
    assert fold_accents("東京") == "東京"
    assert normalise("Łódź ") == normalise("lodz") == "lodz"
    assert category_key("Łódź Pride") == "lodz-pride"


# --- the text policy (docs/formats.md section 10) ---------------------------------------

_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def slow_refused(ch: str, *, multiline: bool) -> bool:
    """The definition: Unicode category Cc (TAB, LF, CR aside in free text), the
    bidirectional embeddings, overrides and isolates, and in one-line text the
    line and paragraph separators."""
    if multiline and ch in "\t\n\r\u2028\u2029":
        return False
    return unicodedata.category(ch) == "Cc" or ch in _BIDI or ch in "\u2028\u2029"


@pytest.mark.parametrize("multiline", [True, False])
def test_the_policy_refuses_exactly_its_definition(multiline: bool) -> None:
    everything = [chr(cp) for cp in range(sys.maxunicode + 1)]
    refused = {ch for ch in everything if slow_refused(ch, multiline=multiline)}
    assert text_problem("".join(ch for ch in everything if ch not in refused),
                        multiline=multiline) is None
    assert all(text_problem(ch, multiline=multiline) for ch in refused)
    assert {"\x85", "\x7f", "\x00", "\u202e", "\u2066"} <= refused
    assert "\u200e" not in refused and "\u200b" not in refused  # marks and ZWSP stay
    assert ("\n" in refused) is not multiline


@pytest.mark.parametrize(("text", "problem"), [
    ("bell\x07", "holds U+0007 (BELL) at character 5"),
    ("exe.\u202efdp", "holds U+202E (RIGHT-TO-LEFT OVERRIDE) at character 5"),
    ("\x1b[2J", "holds U+001B (ESCAPE) at character 1"),
])
def test_a_problem_names_the_character_and_where(text: str, problem: str) -> None:
    assert text_problem(text, multiline=True) == problem


def test_cleaning_normalises_breaks_and_removes_with_a_note() -> None:
    assert clean_text("a\r\nb\rc\u2028d\u2029e\x0bf\x0cg\x85h") == ("a\nb\nc\nd\ne\nf\ng\nh", [])
    assert clean_text("Maria \u202egnp.exe\x00") == (
        "Maria gnp.exe", ["U+0000 (NUL)", "U+202E (RIGHT-TO-LEFT OVERRIDE)"])
    assert clean_text("Two\nlines\tand tab", multiline=False) == ("Two lines and tab", [])
    assert normalise_breaks("no breaks") == "no breaks"


@pytest.mark.parametrize(("n", "word", "many", "expected"), [
    (0, "application", None, "0 applications"), (1, "application", None, "1 application"),
    (2, "criterion", "criteria", "2 criteria"), (1, "criterion", "criteria", "1 criterion")])
def test_counts_in_words(n: int, word: str, many: str | None, expected: str) -> None:
    assert plural(n, word, many) == expected
