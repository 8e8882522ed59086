"""What a results file is: its members, the format's limits, the document as typed structs.

The payload is a stored ZIP with exactly three members, in this order:
``results.json`` (the document, docs/formats.md section 5), ``results.json.minisig``
(the judge's signature, whose trusted comment names the bundle, the sequence number
and, from version 2, the export id) and ``judge.pub`` (the judge's public key, for
people checking by hand). Both readers (``checks`` and ``quick``) and the writer
(``file``) take their names and limits from here.

The structs below are the current version (3). Older versions stay readable: each
has a module of its own (``v1``, ``v2``) with the step that turns a document of that
version into these, so the merge reads one shape whatever the file's version. Their
structs are here too (``...V1``, ``...V2``), because each version's extend the last's.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec

RESULTS_FORMAT = "judgepanel-results"
RESULTS_VERSION = 3
"""The version JudgePanel writes; it reads every version from 1 up to this one."""
MAX_SEQUENCE = 2**53 - 1  # exact in every JSON implementation
MAX_ENTRIES = 100_000
MAX_COMMENT = 100_000
MAX_SCORES = 1000
MAX_GENERATOR = 200
MAX_SUPERSEDES = 10_000
CONFIDENCE_RANGE = (1, 5)
MAX_SCORE = 1_000_000
"""No score is larger in magnitude: a rubric's scale lies within ±1,000,000
(``model.rubric.fields.MAX_MAGNITUDE``; a test holds the two equal)."""
CRITERION_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
EXPORT_ID = re.compile(r"[0-9a-z][0-9a-z-]{7,63}")
"""An export id: 32 random hexadecimal digits as JudgePanel makes them (``lineage``)."""
RESULTS_NAME = "results.json"
SIGNATURE_NAME = "results.json.minisig"
PUBLIC_KEY_NAME = "judge.pub"
MEMBERS = [RESULTS_NAME, SIGNATURE_NAME, PUBLIC_KEY_NAME]

RESULTS_MAX = 32 * 1024 * 1024
SIGNATURE_MAX = 16 * 1024
PUBLIC_KEY_MAX = 4 * 1024

# Free text: length checked while decoding; control characters once per file (``quick``).
_Text = Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)]
# Scores: finite and within the bound while decoding (1e309 is out of range, as is a
# 4,300-digit integer, which msgspec stops reading at 20 digits).
_SCORE_RANGE = msgspec.Meta(ge=-MAX_SCORE, le=MAX_SCORE)
_Score = Annotated[int, _SCORE_RANGE] | Annotated[float, _SCORE_RANGE]


# The document as typed structs (docs/formats.md section 5, field for field). They
# hold only strings, numbers and lists of structs, never a cycle, so they are left
# out of the garbage collector's bookkeeping (``gc=False``): a national round
# decodes 80,000 of them, and tracking each cost a fifth of the decoding.
class ScoreEntryV2(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A score of versions 1 and 2: its one comment is for the panel."""

    comment: _Text
    criterion: str
    score: _Score


class ReviewEntryV2(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A review of versions 1 and 2: its one overall comment is for the panel."""

    application_id: str
    confidence: int | None  # required, may be null
    overall_comment: _Text
    scores: list[ScoreEntryV2]
    updated_at: str


class ScoreEntry(ScoreEntryV2, kw_only=True, forbid_unknown_fields=True, gc=False):
    """Version 3: the comment is for the panel, ``feedback`` for the applicant."""

    feedback: _Text


class ReviewEntry(ReviewEntryV2, kw_only=True, forbid_unknown_fields=True, gc=False):
    """Version 3: the overall comment is for the panel, ``overall_feedback`` for the
    applicant."""

    overall_feedback: _Text
    scores: list[ScoreEntry]  # type: ignore[assignment]


class DeclarationEntry(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    application_id: str
    conflict: bool
    declared_at: str
    reason: _Text


class UnableEntry(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An application the judge cannot review for a reason other than a conflict (v2)."""

    application_id: str
    declared_at: str
    reason: _Text


class NamedRef(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    id: str
    name: str


class JudgeRef(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    fingerprint: str
    name: str


class ResultsContentV1(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True,
                       gc=False):
    """A version-1 document, field for field: also every field the versions share."""

    bundle_id: str
    created: str
    declarations: list[DeclarationEntry]
    format: str
    format_version: int
    judge: JudgeRef
    manifest_sha256: str
    program: NamedRef
    reviews: list[ReviewEntryV2]
    round: NamedRef
    sequence: int
    # Optional. An explicit null decodes the same as an absent field, but is not
    # what re-serialising writes, so such a file takes the full path (which allows it).
    generator: str | None = None


class ResultsContentV2(ResultsContentV1, kw_only=True):
    """A version-2 document: version 1 and the order of exports and "unable to review"."""

    export_id: str
    supersedes: list[str]
    unable_to_review: list[UnableEntry]


class ResultsContent(ResultsContentV2, kw_only=True):
    """A checked results document, typed: what a merge reads (``ResultsFile.content``).

    The current version (3) adds feedback for the applicant to every score and review
    (two texts per review: comments for the panel, feedback for the applicant). Files of
    versions 1 and 2 are read into this shape too (``v1.upgrade``, ``v2.upgrade``): their
    feedback is empty, a version-1 file's ``export_id`` is empty and its ``supersedes``
    and ``unable_to_review`` are empty lists, and ``format_version`` stays what the file
    says, which is how a reader tells them apart (a program may treat an older file's
    comments as feedback too: ``feedback.legacy_comments_to_applicant``).
    """

    reviews: list[ReviewEntry]  # type: ignore[assignment]


def results_trusted_comment(document: dict[str, Any]) -> str:
    """What the judge's signature says it is for; minisign -V prints it."""
    return trusted_comment(document["format_version"], document["bundle_id"],
                           document["sequence"], document["judge"]["fingerprint"],
                           document.get("export_id", ""))


def trusted_comment(version: Any, bundle_id: Any, sequence: Any, fingerprint: Any,
                    export_id: Any = "") -> str:
    """Version 1 names bundle, sequence and judge; versions 2 and 3 also the export id."""
    export = f" export={export_id}" if version != 1 else ""
    return (f"judgepanel results v{version} bundle={bundle_id} seq={sequence}{export} "
            f"judge={fingerprint}")


def content_of(document: dict[str, Any]) -> ResultsContent:
    """A current-version document the full checks accepted, as the quick path's structs.

    Cannot fail for such a document: the structs say what ``check_results`` says
    (tests hold the two to that, both ways).
    """
    return msgspec.convert(document, ResultsContent, strict=True)


def document_of(content: ResultsContent) -> dict[str, Any]:
    """The plain JSON data of ``content`` (of its own version): dicts, lists, numbers."""
    result: dict[str, Any] = msgspec.to_builtins(content)
    if content.format_version == 1:  # the fields version 1 does not have
        for key in ("export_id", "supersedes", "unable_to_review"):
            result.pop(key, None)
    if content.format_version < 3:  # nor versions 1 and 2: feedback for the applicant
        for review in result["reviews"]:
            review.pop("overall_feedback", None)
            for score in review["scores"]:
                score.pop("feedback", None)
    return result
