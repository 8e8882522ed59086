"""Rubrics: the criteria judges score, and the rules a score must follow.

A rubric is plain data. It travels inside every bundle (``Rubric.to_dict``) and
comes back implicitly in every results file, so the same rules must hold on the
staff machine, on the judge's machine and in the merge check. For that reason
the dataclasses validate themselves on construction: an invalid ``Rubric`` or
``Criterion`` cannot exist, and every error names the offending field
(``ValidationError.path``, e.g. ``criteria[2].scale.max``).

Rubric file format (TOML, read with ``load_rubric``)::

    name = "Mayors' Recognition 2026"     # required
    tie_break = "impact"                  # optional: key of a criterion
    overall_feedback = "optional"         # optional: "optional" (default) or
                                          # "required": overall feedback for the
                                          # applicant in every review

    [[criteria]]
    key = "impact"                        # required; letters, digits, _ and -,
                                          # starting with a letter; unique
    title = "Impact on the community"     # required
    guidance = "What changed, for whom?"  # optional, shown to the judge
    weight = 3                            # optional, default 1; must be > 0
    scale = { min = 1, max = 5, step = 1 }  # optional, default 1..5 step 1;
                                          # min < max, step must divide max - min
    counts = true                         # optional, default true: counts toward
                                          # the total (false = advice only)
    comment = { below = 3 }               # optional, default "never": when a
                                          # comment for the panel is required:
                                          # "never" | "always" | { below = N } |
                                          # { above = N }   (strictly below/above);
                                          # "optional" = "never", "required" = "always"
    applicant_feedback = "optional"       # optional, default "optional": when
                                          # feedback for the applicant is required,
                                          # the same values as ``comment``

    # Level descriptors, either as a table (quote non-integer scores,
    # "2.5" = "...", because a bare 2.5 is a dotted TOML key) ...
    levels = { 1 = "No evidence", 3 = "Some evidence", 5 = "Strong evidence" }
    # ... or as an array of tables:
    # [[criteria.levels]]
    # score = 1
    # descriptor = "No evidence"

Rules checked: unknown fields are refused (a typo such as ``wieght`` must not
silently fall back to a default); keys are unique; weights are finite and > 0;
level scores lie on the scale and are unique; a comment threshold lies inside
the scale where it can actually trigger; ``tie_break`` names a criterion; at
least one criterion counts toward the total. Sizes are capped (criteria, text
lengths, points on a scale) because rubrics also arrive inside bundles.

``to_dict`` produces the same shape as the TOML file (levels always as a list
of ``{score, descriptor}``), so ``Rubric.from_dict(r.to_dict()) == r``.

A rubric file with mistakes is refused with *every* mistake listed
(:func:`rubric_problems`), not only the first: fixing a file one error at a time, a
run each, is what officers complained of.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.fields import (
    MAX_CRITERIA,
    MAX_NAME,
    MAX_RUBRIC_BYTES,
    OVERALL_FEEDBACK,
    RUBRIC_FIELDS,
    as_table,
    check_text,
    prefixed,
    refuse_unknown,
)

MAX_PROBLEMS_PER_CRITERION = 12
# Where a criterion's error points -> the field to leave out (its default stands in) so
# the next problem of the same criterion can be found.
_FIELD_OF_PATH = {"scale": "scale", "levels": "levels", "comment": "comment",
                  "applicant_feedback": "applicant_feedback"}


@dataclass(frozen=True)
class Rubric:
    """A named set of criteria; ``tie_break`` names the criterion that breaks ranking ties."""

    name: str
    criteria: tuple[Criterion, ...]
    tie_break: str | None = None
    overall_feedback_required: bool = False
    """Whether every review needs overall feedback for the applicant (``overall_feedback``)."""

    def __post_init__(self) -> None:
        check_text(self.name, "name", MAX_NAME, required=True, multiline=False)
        if not isinstance(self.overall_feedback_required, bool):
            raise ValidationError(_OVERALL_FEEDBACK_RULE, path="overall_feedback")
        if not isinstance(self.criteria, tuple | list) or not self.criteria:
            raise ValidationError("The rubric needs at least one criterion.", path="criteria")
        object.__setattr__(self, "criteria", tuple(self.criteria))
        if len(self.criteria) > MAX_CRITERIA:
            raise ValidationError(
                f"A rubric may have at most {MAX_CRITERIA} criteria.", path="criteria"
            )
        seen: dict[str, int] = {}
        for i, criterion in enumerate(self.criteria):
            if not isinstance(criterion, Criterion):
                raise ValidationError("This must be a criterion.", path=f"criteria[{i}]")
            if criterion.key in seen:
                raise ValidationError(
                    f"The key “{criterion.key}” is already used by criteria[{seen[criterion.key]}]."
                    " Each criterion needs its own key.",
                    path=f"criteria[{i}].key",
                )
            seen[criterion.key] = i
        if not any(c.counts for c in self.criteria):
            raise ValidationError(
                "At least one criterion must count toward the total.", path="criteria"
            )
        if self.tie_break is not None and (
            not isinstance(self.tie_break, str) or self.tie_break not in seen
        ):
            raise ValidationError(
                f"The tie-break “{self.tie_break!s}” is not the key of any criterion.",
                path="tie_break",
            )

    # Cached (the rubric is frozen): every review's total and check asks for these.
    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.criteria)

    @cached_property
    def key_set(self) -> frozenset[str]:
        """The criterion keys as a set, for checking the keys a review names."""
        return frozenset(self.keys)

    @cached_property
    def counting(self) -> tuple[Criterion, ...]:
        """The criteria that make up the total."""
        return tuple(c for c in self.criteria if c.counts)

    @cached_property
    def counting_shares(self) -> tuple[tuple[str, dict[float, float], Criterion], ...]:
        """(key, ``weighted_points``, criterion) of each counting criterion, for totals."""
        return tuple((c.key, c.weighted_points, c) for c in self.counting)

    @cached_property
    def counting_weight(self) -> float:
        """The sum of the counting criteria's weights: the divisor of every total."""
        return math.fsum(c.weight for c in self.counting)

    def criterion(self, key: str) -> Criterion:
        for c in self.criteria:
            if c.key == key:
                return c
        raise ValidationError(f"The rubric “{self.name}” has no criterion “{key}”.", path=key)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.tie_break is not None:
            out["tie_break"] = self.tie_break
        if self.overall_feedback_required:  # only when set, as a criterion's feedback rule
            out["overall_feedback"] = "required"
        out["criteria"] = [c.to_dict() for c in self.criteria]
        return out

    @classmethod
    def from_dict(cls, data: object) -> Rubric:
        """Build and validate from the TOML/JSON shape; errors carry full field paths."""
        d = as_table(data, "")
        refuse_unknown(d, RUBRIC_FIELDS, "")
        if "name" not in d:
            raise ValidationError("The rubric needs a name.", path="name")
        raw = d.get("criteria")
        if not isinstance(raw, list) or not raw:
            raise ValidationError(
                "The rubric needs at least one criterion ([[criteria]]).", path="criteria"
            )
        if len(raw) > MAX_CRITERIA:
            raise ValidationError(
                f"A rubric may have at most {MAX_CRITERIA} criteria.", path="criteria"
            )
        criteria = []
        for i, item in enumerate(raw):
            try:
                criteria.append(Criterion.from_dict(item))
            except ValidationError as exc:
                raise prefixed(exc, f"criteria[{i}]") from None
        return cls(name=d["name"], criteria=tuple(criteria), tie_break=d.get("tie_break"),
                   overall_feedback_required=overall_feedback_of(d))


_OVERALL_FEEDBACK_RULE = 'The overall feedback rule must be "optional" or "required".'


def overall_feedback_of(d: Mapping[str, Any]) -> bool:
    """The rubric's ``overall_feedback`` (absent: optional) as required or not."""
    raw = d.get("overall_feedback", "optional")
    if not isinstance(raw, str) or raw not in OVERALL_FEEDBACK:
        raise ValidationError(_OVERALL_FEEDBACK_RULE, path="overall_feedback")
    return OVERALL_FEEDBACK[raw]


def _criterion_problems(item: object, i: int) -> tuple[list[ValidationError], str | None,
                                                       bool]:
    """Every problem of one criterion (each found, its field set aside, the rest checked
    again), with its key and whether it counts, as far as they can be read."""
    problems: list[ValidationError] = []
    if not isinstance(item, Mapping):
        return [ValidationError("This must be a table of fields.", path=f"criteria[{i}]")], \
            None, False
    data = dict(item)
    key = data.get("key") if isinstance(data.get("key"), str) else None
    counts = data.get("counts", True) is not False
    for _attempt in range(MAX_PROBLEMS_PER_CRITERION):
        try:
            Criterion.from_dict(data)
            break
        except ValidationError as exc:
            problems.append(prefixed(exc, f"criteria[{i}]"))
            head = (exc.path or "").split(".")[0].split("[")[0]
            field = _FIELD_OF_PATH.get(head, head)
            if field in ("key", "title"):
                data[field] = f"x{i}" if field == "key" else "?"
            elif field in data:
                del data[field]
            else:
                break  # nothing left to set aside: the rest cannot be told apart
    return problems, key, counts


def rubric_problems(data: object) -> list[ValidationError]:
    """Every problem of a rubric in its file shape (TOML/JSON), in file order; empty
    when it is valid. Each problem's ``path`` names the field (``criteria[2].weight``)."""
    try:
        d = as_table(data, "")
    except ValidationError as exc:
        return [exc]
    problems: list[ValidationError] = []
    for name in d:
        if name not in RUBRIC_FIELDS:
            problems.append(ValidationError(
                f"Unknown field “{name}”. Allowed here: {', '.join(sorted(RUBRIC_FIELDS))}.",
                path=name))
    if "name" not in d:
        problems.append(ValidationError("The rubric needs a name.", path="name"))
    else:
        try:
            check_text(d["name"], "name", MAX_NAME, required=True)
        except ValidationError as exc:
            problems.append(exc)
    raw = d.get("criteria")
    if not isinstance(raw, list) or not raw:
        problems.append(ValidationError(
            "The rubric needs at least one criterion ([[criteria]]).", path="criteria"))
        return problems
    if len(raw) > MAX_CRITERIA:
        return [*problems, ValidationError(
            f"A rubric may have at most {MAX_CRITERIA} criteria.", path="criteria")]
    seen: dict[str, int] = {}
    any_counts = False
    for i, item in enumerate(raw):
        found, key, counts = _criterion_problems(item, i)
        problems += found
        any_counts = any_counts or (counts and not found)
        if key is not None:
            if key in seen:
                problems.append(ValidationError(
                    f"The key “{key}” is already used by criteria[{seen[key]}]. Each "
                    "criterion needs its own key.", path=f"criteria[{i}].key"))
            else:
                seen[key] = i
    if not any_counts and not problems:
        problems.append(ValidationError(
            "At least one criterion must count toward the total.", path="criteria"))
    try:
        overall_feedback_of(d)
    except ValidationError as exc:
        problems.append(exc)
    tie_break = d.get("tie_break")
    if tie_break is not None and (not isinstance(tie_break, str) or tie_break not in seen):
        problems.append(ValidationError(
            f"The tie-break “{tie_break!s}” is not the key of any criterion.",
            path="tie_break"))
    return problems


def load_rubric(source: str | Path) -> Rubric:
    """Read a rubric from a TOML file (a ``Path``, or a ``str`` naming a file) or TOML text.

    A ``str`` counts as TOML text when it contains a newline or an "=" sign; otherwise it
    is a file name.
    """
    filename: str | None = None
    if isinstance(source, Path) or ("\n" not in source and "=" not in source):
        filename = str(source)
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(
                f"Could not read the rubric file “{Path(source).name}”. Check that it exists "
                "and is a UTF-8 text file.",
                detail=f"{filename}: {exc}",
            ) from None
    else:
        text = source
    where = f" “{Path(filename).name}”" if filename else ""
    if len(text) > MAX_RUBRIC_BYTES:
        raise ValidationError(
            f"The rubric file{where} is too large (at most {MAX_RUBRIC_BYTES:,} characters): "
            "check that you chose the rubric.", detail=filename or "")
    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib descends once per nested array or inline table
        raise ValidationError(
            f"The rubric file{where} nests arrays or tables too deeply to be a rubric.",
            detail=filename or "") from None
    except ValueError as exc:  # an integer past Python's 4,300 digits
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise ValidationError(
                f"The rubric file{where} is not valid TOML ({exc}). Check the quotes and "
                "brackets on that line.",
                detail=str(exc),
            ) from None
        raise ValidationError(
            f"The rubric file{where} holds a number too long to be a rubric's.",
            detail=str(exc)[:200]) from None
    try:
        return Rubric.from_dict(data)
    except ValidationError as exc:
        found = rubric_problems(data) or [exc]
        if len(found) > 1:
            where = f" “{Path(filename).name}”" if filename else ""
            listed = "\n".join(f"  {problem}" for problem in found)
            exc = ValidationError(
                f"The rubric file{where} has {len(found)} problems; fix them all, then load "
                f"it again:\n{listed}", detail=exc.detail)
        if filename:
            exc.detail = f"{filename}" + (f": {exc.detail}" if exc.detail else "")
        raise exc from None
