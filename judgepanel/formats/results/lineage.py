"""How exports of one bundle are ordered, on every computer a judge uses (docs/formats.md 5.5).

Why not a plain counter: a judge whose data folder is new (a second computer, a
reinstall, a replaced laptop) would count from 1 again, and staff would take a real,
different export for "the same one again". So each export carries:

- ``export_id``: random (128 bits), so two exports never share one, whichever
  computers made them;
- ``supersedes``: the ids of every earlier export its content builds on, oldest
  first (on the computer that made it, and any a judge continued from with
  "Continue from my results file or work file…");
- ``sequence``: a Lamport counter, one more than the highest sequence among those
  earlier exports, so a later export of one line of work always has a higher number
  (the order in which a batch applies them), though two lines may share a number.

Two exports are then in one of four relations (:func:`relation`): the same export;
one an ancestor of the other (its id is among the other's ``supersedes``); or they
diverged (neither names the other: made on two computers from one start, or started
afresh). Version-1 files carry no ids; they are given one made from the file's
SHA-256 (:func:`legacy_export_id`), which the judge's workspace gives its own
version-1 exports too when it is upgraded, so a version-2 export made after them
names them among what it supersedes.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Collection
from dataclasses import dataclass

LEGACY_PREFIX = "v1-"


def new_export_id() -> str:
    """32 random hexadecimal digits."""
    return secrets.token_hex(16)


def legacy_export_id(file_sha256: str) -> str:
    """The id a version-1 export is known by: made from the SHA-256 of its whole file."""
    return LEGACY_PREFIX + file_sha256[:32]


class Relation(enum.Enum):
    SAME = "same"  # the very same export
    OLDER = "older"  # the incoming export is an ancestor of the known one
    NEWER = "newer"  # the incoming export builds on the known one
    DIVERGED = "diverged"  # neither builds on the other


@dataclass(frozen=True)
class Lineage:
    """Where an export sits: its id, its sequence, and the ids of the exports it supersedes.

    ``legacy`` marks a version-1 export, whose only order is its sequence.
    """

    export_id: str
    sequence: int
    supersedes: Collection[str] = ()
    legacy: bool = False


def relation(known: Lineage, incoming: Lineage) -> Relation:
    """How ``incoming`` stands to ``known`` (both of one bundle).

    Between two version-1 exports nothing but the sequence tells the order, so a lower
    sequence is older and a higher one newer, and an equal sequence with other content
    (another id: another file) has diverged rather than being taken for a repeat.
    """
    if incoming.export_id == known.export_id:
        return Relation.SAME
    if known.export_id in incoming.supersedes:
        return Relation.NEWER
    if incoming.export_id in known.supersedes:
        return Relation.OLDER
    if known.legacy and incoming.legacy:
        if incoming.sequence == known.sequence:
            return Relation.DIVERGED
        return Relation.NEWER if incoming.sequence > known.sequence else Relation.OLDER
    return Relation.DIVERGED
