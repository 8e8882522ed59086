"""What kind of JudgePanel file is this? (bundle, results, work file, card, or not ours)

Bundles, results and work files are all age files, and age deliberately reveals
nothing about its payload, so from the outside only the suffix tells them apart. Once
decrypted, the first ZIP member does: ``manifest.json`` for a bundle, ``results.json``
for results (a work file is a results document too, encrypted to its judge alone).
Cards are plain JSON. Used by ``judgepanel verify`` and by anything that opens whatever
file the person dropped on the window.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path

AGE_MAGIC = b"age-encryption.org/v1\n"
AGE_ARMOR = b"-----BEGIN AGE ENCRYPTED FILE-----"
BUNDLE_SUFFIX = ".jpbundle"
RESULTS_SUFFIX = ".jpresults"
CARD_SUFFIX = ".jpcard"
WORK_SUFFIX = ".jpwork"
WORK_FILE_IS_NOT_RESULTS = (
    "This is a judge's unfinished work, saved to carry it to another computer: it is not "
    "results, and only the judge can open it. Ask the judge to export their results and "
    "send you that file (it ends in .jpresults)."
)
"""What staff are told when a work file is given to a merge or a check (never opened)."""
CARD_FORMAT = "judgepanel-card"
SNIFF_CARD_MAX = 64 * 1024


class FileKind(enum.Enum):
    BUNDLE = "bundle"
    RESULTS = "results"
    WORK = "work"  # a judge's unfinished work, for the judge alone (docs/formats.md)
    CARD = "card"
    ENCRYPTED = "encrypted"  # an age file whose kind only its payload can tell
    UNKNOWN = "unknown"

    @property
    def description(self) -> str:
        return {
            FileKind.BUNDLE: "JudgePanel judging bundle",
            FileKind.RESULTS: "JudgePanel results file",
            FileKind.WORK: "JudgePanel work file (a judge's unfinished work)",
            FileKind.CARD: "JudgePanel identity card",
            FileKind.ENCRYPTED: "age-encrypted file",
            FileKind.UNKNOWN: "file JudgePanel does not recognise",
        }[self]


def detect_file(path: Path) -> FileKind:
    """Guess from the first bytes and the suffix; never decrypts. Unreadable -> UNKNOWN."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_CARD_MAX + 1)
    except OSError:
        return FileKind.UNKNOWN
    if head.startswith(AGE_MAGIC):
        suffix = path.suffix.lower()
        if suffix == BUNDLE_SUFFIX:
            return FileKind.BUNDLE
        if suffix == RESULTS_SUFFIX:
            return FileKind.RESULTS
        if suffix == WORK_SUFFIX:
            return FileKind.WORK
        return FileKind.ENCRYPTED
    if head.lstrip()[:1] == b"{" and len(head) <= SNIFF_CARD_MAX:
        import json  # only for what may be a card: the desktop app starts through here

        try:
            document = json.loads(head.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return FileKind.UNKNOWN
        if isinstance(document, dict) and document.get("format") == CARD_FORMAT:
            return FileKind.CARD
    return FileKind.UNKNOWN


def is_work_file(path: Path | str) -> bool:
    """Whether ``path`` is named as a work file (by its suffix: its content cannot tell)."""
    return Path(path).suffix.lower() == WORK_SUFFIX


def detect_payload(member_names: Sequence[str]) -> FileKind:
    """The kind of a decrypted container, from its first member."""
    first = member_names[0] if member_names else ""
    if first == "manifest.json":
        return FileKind.BUNDLE
    if first == "results.json":
        return FileKind.RESULTS
    return FileKind.UNKNOWN
