"""Passphrases: the ones staff generate for judges, and how strong a chosen one is.

A passphrase bundle's passphrase is its only key, and staff often read it to a
judge over the phone, so it avoids symbols that look or sound alike (no 0, 1, I,
L or O) and comes in groups of four that are easy to repeat back. Six groups of
a 31-symbol alphabet give about 119 bits; age's scrypt stretching sits on top.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

PASSPHRASE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS, GROUP_SIZE = 6, 4


def new_passphrase(groups: int = GROUPS, size: int = GROUP_SIZE) -> str:
    """A random passphrase like ``K7QF-3MZD-WX2P-9HTR-5NCE-A8GB``."""
    return "-".join(
        "".join(secrets.choice(PASSPHRASE_ALPHABET) for _ in range(size)) for _ in range(groups)
    )


MIN_LENGTH = 10
MIN_SCORE = 3
"""zxcvbn's 0-4 scale; 3 = "safely unguessable" at 10^8 guesses, behind age's scrypt."""
_ESTIMATE_LIMIT = 72  # zxcvbn refuses longer input; the start is what an attacker tries


@dataclass(frozen=True)
class Strength:
    """How a chosen passphrase fares: ``ok`` when it may be used; ``problem`` says why not
    ("short" or "guessable"), for the screens to explain in their own words."""

    ok: bool
    problem: str = ""
    score: int = 0  # zxcvbn's 0-4


def passphrase_strength(text: str) -> Strength:
    """At least :data:`MIN_LENGTH` characters and not easily guessed (zxcvbn's estimate,
    which knows common passwords, names, keyboard runs, dates and repeats)."""
    if len(text) < MIN_LENGTH:
        return Strength(False, "short", 0)
    from zxcvbn import zxcvbn  # loads its word lists on first use only

    score = int(zxcvbn(text[:_ESTIMATE_LIMIT])["score"])
    return Strength(score >= MIN_SCORE, "" if score >= MIN_SCORE else "guessable", score)
