"""Every version of the results document this JudgePanel reads, as the current structs.

A document the full checks accepted becomes the structs a merge reads here, whatever
its version: the current one directly (``spec.content_of``), versions 1 and 2 through
their upgrade steps (``v1.upgrade``, ``v2.upgrade``). A new version adds its step
here and a module like ``v2`` for the version it replaces.
"""

from __future__ import annotations

from typing import Any

import msgspec

from judgepanel.formats.results import v1, v2
from judgepanel.formats.results.spec import (
    ResultsContent,
    ResultsContentV1,
    ResultsContentV2,
    content_of,
)


def content_from_document(document: dict[str, Any]) -> ResultsContent:
    """A checked document of any version we read, as the current structs."""
    if document["format_version"] == v1.VERSION:
        return v1.upgrade(msgspec.convert(document, ResultsContentV1, strict=True))
    if document["format_version"] == v2.VERSION:
        return v2.upgrade(msgspec.convert(document, ResultsContentV2, strict=True))
    return content_of(document)
