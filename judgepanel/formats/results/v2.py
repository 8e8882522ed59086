"""Version 2 of the results document: read, never written any more.

Version 2 had one text per score and one overall text per review, written for the
panel; version 3 adds feedback for the applicant beside each (docs/formats.md 5.7).
Its files stay readable: :func:`upgrade` turns one into the current structs with
empty feedback, keeping ``format_version`` 2 so that readers know the comments were
not written for the applicant (whether a program sends them anyway is its setting,
``feedback.legacy_comments_to_applicant``, applied by staff, never here).
"""

from __future__ import annotations

from judgepanel.formats.results.spec import (
    ResultsContent,
    ResultsContentV2,
    ReviewEntry,
    ReviewEntryV2,
    ScoreEntry,
)

VERSION = 2


def reviews_of(old: list[ReviewEntryV2]) -> list[ReviewEntry]:
    """Versions 1 and 2's reviews as version 3's, with empty feedback for the applicant."""
    return [ReviewEntry(application_id=r.application_id, confidence=r.confidence,
                        overall_comment=r.overall_comment, overall_feedback="",
                        scores=[ScoreEntry(comment=s.comment, criterion=s.criterion,
                                           score=s.score, feedback="") for s in r.scores],
                        updated_at=r.updated_at) for r in old]


def upgrade(old: ResultsContentV2) -> ResultsContent:
    """The current structs for a version-2 document (no feedback is invented)."""
    return ResultsContent(
        bundle_id=old.bundle_id, created=old.created, declarations=old.declarations,
        export_id=old.export_id, format=old.format, format_version=old.format_version,
        judge=old.judge, manifest_sha256=old.manifest_sha256, program=old.program,
        reviews=reviews_of(old.reviews), round=old.round, sequence=old.sequence,
        supersedes=old.supersedes, unable_to_review=old.unable_to_review,
        generator=old.generator)
