from __future__ import annotations

import pytest

from judgepanel.model.staff.prepare.categories import category_key
from judgepanel.model.staff.prepare.conflicts import normalise
from judgepanel.text import ascii_slug, fold_accents


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
