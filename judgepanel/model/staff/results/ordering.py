"""Which export of a bundle is newer: the merge's rule for exports made on any computer.

Each results file names its export id and the exports it supersedes
(``formats.results.lineage``). For the bundle a file answers, the merge knows every
export it received before that counts for ordering (accepted, replaced, held or set
aside) and decides, in this order (docs/merging.md, "Which export is newer"):

1. the very same export was received before: ``replay`` (nothing changes, and the
   message says what became of it);
2. it builds on the accepted export, or none is accepted yet: accept it;
3. the accepted export, or any other received before, builds on it: ``older``;
4. otherwise the two diverged (made on two computers from one start, or after the
   judge started again): hold it for staff to compare and choose (``diverged``).

Version-1 files carry no ids; between two of them only the sequence orders them, and
an equal sequence with other content counts as diverged, never as a repeat.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from judgepanel.errors import ResultsRefusedError
from judgepanel.formats.results.lineage import LEGACY_PREFIX, Lineage, Relation, relation
from judgepanel.model.staff.results.checks import refusal
from judgepanel.model.staff.schema.results import ReceivedResults

ACCEPTED, REPLACED, HELD, SET_ASIDE = "accepted", "replaced", "held", "set_aside"
ORDERED = (ACCEPTED, REPLACED, HELD, SET_ASIDE)
NOT_NEEDED = ("replay", "older")
"""Refusals that mean nothing is wrong: the file was simply not needed. Such a file
changes nothing, so it says nothing about where a judge's results stand."""

_SAME = {
    REPLACED: "This very export was merged before, and a newer one has replaced it since. "
              "Nothing was changed.",
    HELD: "This very export is already waiting for you to compare it with the merged one "
          "and choose. Nothing was changed.",
    SET_ASIDE: "This very export was received before and set aside when another was "
               "chosen. Nothing was changed.",
}
"""What a repeat is told when the export is no longer the merged one (``replay``)."""


class Verdict(enum.Enum):
    ACCEPT = "accept"
    HOLD = "hold"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    accepted: ReceivedResults | None  # the export it is compared with, if any


def lineage_of(received: ReceivedResults) -> Lineage:
    export_id = received.export_id or ""
    return Lineage(export_id, received.sequence or 0, frozenset(received.supersedes or ()),
                   legacy=export_id.startswith(LEGACY_PREFIX))


class BundleExports:
    """What a batch knows of each bundle's exports, read once and kept current."""

    def __init__(self, session: Session, bundles: Any) -> None:
        self._known: dict[int, list[ReceivedResults]] = {}
        for received in session.scalars(
                select(ReceivedResults).where(ReceivedResults.issued_bundle_id.in_(bundles),
                                              ReceivedResults.status.in_(ORDERED))
                .options(load_only(ReceivedResults.id, ReceivedResults.issued_bundle_id,
                                   ReceivedResults.status, ReceivedResults.sequence,
                                   ReceivedResults.export_id, ReceivedResults.supersedes,
                                   ReceivedResults.received_at, ReceivedResults.judge_id))
                .order_by(ReceivedResults.id)):
            assert received.issued_bundle_id is not None
            self._known.setdefault(received.issued_bundle_id, []).append(received)

    def known(self, bundle: int) -> list[ReceivedResults]:
        return self._known.get(bundle, [])

    def accepted(self, bundle: int) -> ReceivedResults | None:
        return next((r for r in self.known(bundle) if r.status == ACCEPTED), None)

    def decide(self, bundle: int, incoming: Lineage) -> Decision:
        """Accept or hold ``incoming``; a repeat or an older export raises the refusal."""
        known = self.known(bundle)
        for received in known:
            if received.export_id == incoming.export_id:
                detail = (f"export {incoming.export_id} was received before (results "
                          f"{received.id}, {received.status})")
                if received.status == ACCEPTED:
                    raise refusal("replay", detail=detail)
                raise ResultsRefusedError(_SAME[received.status], "replay", detail=detail)
        accepted = self.accepted(bundle)
        if accepted is None:
            return Decision(Verdict.ACCEPT, None)
        if relation(lineage_of(accepted), incoming) is Relation.NEWER:
            return Decision(Verdict.ACCEPT, accepted)
        for received in [accepted] + [r for r in known if r is not accepted]:
            if relation(lineage_of(received), incoming) is Relation.OLDER:
                raise _older(incoming, received)
        return Decision(Verdict.HOLD, accepted)

    def add(self, bundle: int, received: ReceivedResults) -> None:
        self._known.setdefault(bundle, []).append(received)


def _older(incoming: Lineage, newer: ReceivedResults) -> ResultsRefusedError:
    where = {
        ACCEPTED: "was merged",
        REPLACED: "was merged before being replaced",
        HELD: "is waiting for your choice",
        SET_ASIDE: "was received and set aside",
    }[newer.status]
    how = "" if incoming.legacy else ", which builds on it,"  # version 1: numbers only
    return refusal("older", f"(This is export {incoming.sequence}; export {newer.sequence}"
                   f"{how} {where}.)",
                   detail=f"export {incoming.export_id} is superseded by "
                   f"{newer.export_id} (results {newer.id}, {newer.status})")
