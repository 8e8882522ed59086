"""Version 1 of the results document: read, never written any more.

Version 1 had no export id, no list of the exports it supersedes and no "unable to
review" (docs/formats.md 5.6), nor feedback for the applicant (5.7). Its files stay
readable: :func:`upgrade` turns one into the current structs with an empty
``export_id``, empty lists and empty feedback, keeping
``format_version`` 1 so that readers (the signature's trusted comment, the merge's
ordering rules) know what they hold. A later version adds a module like this one.
"""

from __future__ import annotations

from judgepanel.formats.results.spec import ResultsContent, ResultsContentV1
from judgepanel.formats.results.v2 import reviews_of

VERSION = 1


def upgrade(old: ResultsContentV1) -> ResultsContent:
    """The current structs for a version-1 document (nothing is invented: no export id)."""
    return ResultsContent(
        bundle_id=old.bundle_id, created=old.created, declarations=old.declarations,
        export_id="", format=old.format, format_version=old.format_version, judge=old.judge,
        manifest_sha256=old.manifest_sha256, program=old.program,
        reviews=reviews_of(old.reviews),
        round=old.round, sequence=old.sequence, supersedes=[], unable_to_review=[],
        generator=old.generator)
