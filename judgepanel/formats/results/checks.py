"""Every rule of a ``results.json`` document (docs/formats.md section 5), checked entry by entry.

The writer checks what it is about to sign with these rules, and the reader falls back
to them for any file the quick path (``quick``) does not accept, so the message says
exactly what is wrong. Private notes never appear: the schema has no field for them and
unknown fields are refused.
"""

from __future__ import annotations

from typing import Any

from judgepanel.formats.jsonio import (
    FINGERPRINT_PATTERN,
    SHA256_PATTERN,
    Fields,
)
from judgepanel.formats.manifest import MAX_NAME
from judgepanel.formats.results.spec import (
    CONFIDENCE_RANGE,
    CRITERION_KEY,
    EXPORT_ID,
    MAX_COMMENT,
    MAX_ENTRIES,
    MAX_GENERATOR,
    MAX_SCORE,
    MAX_SCORES,
    MAX_SEQUENCE,
    MAX_SUPERSEDES,
    RESULTS_FORMAT,
    RESULTS_VERSION,
)


def _declaration(entry: Fields) -> tuple[str, bool]:
    app_id = entry.ident("application_id")
    conflict = entry.boolean("conflict")
    entry.req_text("reason", max_len=MAX_COMMENT)
    entry.timestamp("declared_at")
    entry.done()
    return app_id, conflict


# --- the full checks, which name the problem ---------------------------------------------


def _score(score: Fields, seen: set[str], version: int) -> str:
    key = score.pattern("criterion", CRITERION_KEY, "a criterion key")
    if key in seen:
        score.fail("criterion", f"{key!r} is scored twice")
    score.number("score", limit=MAX_SCORE)
    score.req_text("comment", max_len=MAX_COMMENT)
    if version >= 3:  # feedback for the applicant; the comment is for the panel
        score.req_text("feedback", max_len=MAX_COMMENT)
    score.done()
    return key


def _review(entry: Fields, version: int) -> str:
    app_id = entry.ident("application_id")
    keys: set[str] = set()
    where = entry.sub("scores")
    for index, item in enumerate(entry.array("scores", max_items=MAX_SCORES)):
        keys.add(_score(Fields(item, f"{where}[{index}]"), keys, version))
    entry.req_text("overall_comment", max_len=MAX_COMMENT)
    if version >= 3:
        entry.req_text("overall_feedback", max_len=MAX_COMMENT)
    low, high = CONFIDENCE_RANGE
    entry.integer("confidence", minimum=low, maximum=high, optional=True)
    if not entry.present("confidence"):
        entry.fail("confidence", "is missing (it may be null)")
    entry.timestamp("updated_at")
    entry.done()
    return app_id


def _entries(root: Fields, key: str) -> list[Any]:
    return root.array(key, max_items=MAX_ENTRIES)


_EXPORT_ID_MEANING = "an export id (8 to 64 of a-z, 0-9 and '-')"


def _ordering(root: Fields) -> None:
    """Version 2's export id and the exports it supersedes (docs/formats.md 5.5)."""
    export_id = root.pattern("export_id", EXPORT_ID, _EXPORT_ID_MEANING)
    earlier: set[str] = set()
    for index, item in enumerate(root.array("supersedes", max_items=MAX_SUPERSEDES)):
        if not isinstance(item, str) or not EXPORT_ID.fullmatch(item):
            root.fail(f"supersedes[{index}]", f"must be {_EXPORT_ID_MEANING}")
        if item in earlier or item == export_id:
            root.fail(f"supersedes[{index}]", f"names {item!r} twice")
        earlier.add(item)


def _unable(root: Fields, declared: dict[str, bool]) -> set[str]:
    """Version 2's applications the judge could not review, each declared without a conflict."""
    unable: set[str] = set()
    for index, item in enumerate(_entries(root, "unable_to_review")):
        entry = Fields(item, f"unable_to_review[{index}]")
        app_id = entry.ident("application_id")
        entry.req_text("reason", empty=False, max_len=MAX_COMMENT)
        entry.timestamp("declared_at")
        entry.done()
        if app_id in unable:
            entry.fail("application_id", f"{app_id!r} is listed twice")
        if declared.get(app_id) is not False:
            entry.fail("application_id", f"{app_id!r} needs a declaration without a conflict")
        unable.add(app_id)
    return unable


def check_results(document: Any) -> None:
    """Validate a results document of any version we read; SchemaError names the field.

    Entry by entry, to name the first problem. A file as JudgePanel writes it is read
    by ``quick`` instead, which checks the same rules in a fifth of the time. Version 1
    lacks ``export_id``, ``supersedes`` and ``unable_to_review`` (and refuses them as
    unknown fields); version 2 requires them. Version 3 adds ``feedback`` to every score
    and ``overall_feedback`` to every review (versions 1 and 2 refuse them).
    """
    root = Fields(document, "")
    root.literal("format", RESULTS_FORMAT)
    version = root.req_int("format_version", minimum=1, maximum=RESULTS_VERSION)
    for key in ("program", "round"):
        named = root.req_obj(key)
        named.ident("id")
        named.req_text("name", empty=False, max_len=MAX_NAME, multiline=False)
        named.done()
    root.ident("bundle_id")
    root.pattern("manifest_sha256", SHA256_PATTERN, "64 lowercase hexadecimal digits")
    judge = root.req_obj("judge")
    judge.req_text("name", empty=False, max_len=MAX_NAME, multiline=False)
    judge.pattern("fingerprint", FINGERPRINT_PATTERN, "a fingerprint like K7QF-3MZD-WX2P-9HTR")
    judge.done()
    root.req_int("sequence", minimum=1, maximum=MAX_SEQUENCE)
    root.timestamp("created")
    root.text("generator", optional=True, max_len=MAX_GENERATOR, multiline=False)
    declared: dict[str, bool] = {}
    for index, item in enumerate(_entries(root, "declarations")):
        entry = Fields(item, f"declarations[{index}]")
        app_id, conflict = _declaration(entry)
        if app_id in declared:
            entry.fail("application_id", f"{app_id!r} is declared twice")
        declared[app_id] = conflict
    unable = _unable(root, declared) if version >= 2 else set()
    if version >= 2:
        _ordering(root)
    reviewed: set[str] = set()
    for index, item in enumerate(_entries(root, "reviews")):
        entry = Fields(item, f"reviews[{index}]")
        app_id = _review(entry, version)
        if app_id in reviewed:
            entry.fail("application_id", f"{app_id!r} is reviewed twice")
        if app_id not in declared:
            entry.fail("application_id", f"{app_id!r} has a review but no declaration")
        if declared[app_id]:
            entry.fail("application_id", f"{app_id!r} is reviewed but declared a conflict")
        if app_id in unable:
            entry.fail("application_id", f"{app_id!r} is reviewed but listed as unable to "
                       "review")
        reviewed.add(app_id)
    root.done()


