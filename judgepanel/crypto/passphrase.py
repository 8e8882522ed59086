"""Passphrases that staff generate for judges without an identity.

A passphrase bundle's passphrase is its only key, and staff often read it to a
judge over the phone, so it avoids symbols that look or sound alike (no 0, 1, I,
L or O) and comes in groups of four that are easy to repeat back. Six groups of
a 31-symbol alphabet give about 119 bits; age's scrypt stretching sits on top.
"""

from __future__ import annotations

import secrets

PASSPHRASE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS, GROUP_SIZE = 6, 4


def new_passphrase(groups: int = GROUPS, size: int = GROUP_SIZE) -> str:
    """A random passphrase like ``K7QF-3MZD-WX2P-9HTR-5NCE-A8GB``."""
    return "-".join(
        "".join(secrets.choice(PASSPHRASE_ALPHABET) for _ in range(size)) for _ in range(groups)
    )
