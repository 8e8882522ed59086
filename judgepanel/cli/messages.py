"""How a refusal is worded on the command line.

Why: a :class:`~judgepanel.errors.JudgePanelError` carries ``path``, which is
sometimes a file the person named (worth repeating: ``applications.xlsx: The
file could not be opened``) and sometimes the name of an internal field
(``judges``, ``attachments_dir``), which means nothing to a program officer.
The command line shows the first and keeps the second for ``--verbose``.
"""

from __future__ import annotations

from judgepanel.errors import JudgePanelError


def names_a_file(path: str) -> bool:
    """Whether ``path`` looks like something a person typed (a file or folder)."""
    return any(mark in path for mark in ("/", "\\", ".")) or path.startswith("~")


def plain_message(error: JudgePanelError) -> str:
    """The message to print: prefixed by the file it is about, never by a field name."""
    path = error.path or ""
    if path and names_a_file(path) and path.rstrip("/\\") not in error.message:
        return f"{path}: {error.message}"
    return error.message


def technical_detail(error: JudgePanelError) -> str:
    """What ``--verbose`` adds: the detail, and the field a refusal is about."""
    parts = [error.detail] if error.detail else []
    if error.path and not names_a_file(error.path):
        parts.append(f"field: {error.path}")
    return "; ".join(parts)


MAX_ROWS_SHOWN = 25


def refusal_lines(error: JudgePanelError, verbose: bool = False) -> list[str]:
    """Everything printed on stderr for a refusal: the message, then (for an import)
    every row it names, so "fix the rows listed" has a list to go by."""
    lines = [f"judgepanel: {plain_message(error)}"]
    rows = getattr(error, "rows", None) or []
    for row, problem in rows[:MAX_ROWS_SHOWN]:
        lines.append(f"  row {row}: {problem}")
    if len(rows) > MAX_ROWS_SHOWN:
        lines.append(f"  … and {len(rows) - MAX_ROWS_SHOWN} more rows (all of them with --json)")
    detail = technical_detail(error)
    if verbose and detail:
        lines.append(f"  detail: {detail}")
    return lines
