"""The pieces a rubric is made of: limits, level descriptors, comment rules, and the
field checks that ``Criterion`` and ``Rubric`` (in rubric.py) share when they read a
TOML file or a bundle's JSON. Split from rubric.py to keep each module readable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, cast

from judgepanel.errors import ValidationError

CommentWhen = Literal["never", "always", "below", "above"]

MAX_CRITERIA = 100
MAX_SCALE_POINTS = 10_001
MAX_TITLE = 200
MAX_NAME = 200
MAX_GUIDANCE = 20_000
MAX_DESCRIPTOR = 2_000

_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_CRITERION_FIELDS = frozenset(
    {"key", "title", "guidance", "weight", "scale", "levels", "counts", "comment"}
)
_RUBRIC_FIELDS = frozenset({"name", "tie_break", "criteria"})
_SCALE_FIELDS = frozenset({"min", "max", "step"})


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _dec(value: float) -> Decimal:
    """Exact decimal of what the person wrote: repr(0.1) is "0.1", not 0.1000000000000000055."""
    return Decimal(repr(float(value)))


def _num(value: float) -> int | float:
    """Whole numbers as int in dicts, so JSON and TOML show 3, not 3.0."""
    return int(value) if float(value).is_integer() else float(value)


def _fmt(value: float) -> str:
    return str(_num(value))


@dataclass(frozen=True)
class Level:
    """A descriptor anchoring one point of a scale ("3 = some evidence")."""

    score: float
    descriptor: str


@dataclass(frozen=True)
class CommentRule:
    """When a judge must explain a score; thresholds are strict (below 3 means 1 or 2)."""

    when: CommentWhen = "never"
    threshold: float | None = None

    def __post_init__(self) -> None:
        if self.when not in ("never", "always", "below", "above"):
            raise ValidationError(
                'A comment rule must be "never", "always", { below = N } or { above = N }.',
                path="comment",
            )
        if self.when in ("below", "above"):
            if not _is_number(self.threshold) or not math.isfinite(float(self.threshold or 0)):
                raise ValidationError(
                    f'The "{self.when}" comment rule needs a number.', path=f"comment.{self.when}"
                )
        elif self.threshold is not None:
            raise ValidationError(
                f'A "{self.when}" comment rule takes no threshold.', path="comment"
            )

    def requires_comment(self, score: float | None) -> bool:
        """Whether this score needs a comment; an unscored criterion needs one only if "always"."""
        if self.when == "always":
            return True
        if score is None or self.threshold is None:
            return False
        if self.when == "below":
            return score < self.threshold
        if self.when == "above":
            return score > self.threshold
        return False

    def describe(self) -> str:
        """Plain words for the judge's form and the problems list."""
        if self.when == "always":
            return "a comment is required"
        if self.when == "below":
            return f"a comment is required for scores below {_fmt(cast(float, self.threshold))}"
        if self.when == "above":
            return f"a comment is required for scores above {_fmt(cast(float, self.threshold))}"
        return "a comment is optional"

    def to_value(self) -> str | dict[str, int | float]:
        if self.when in ("below", "above"):
            return {self.when: _num(cast(float, self.threshold))}
        return self.when


def _prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    path = f"{prefix}.{exc.path}" if exc.path else prefix
    return ValidationError(exc.message, detail=exc.detail, path=path)


def _table(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError("This must be a table of fields.", path=path or None)
    return cast(Mapping[str, Any], value)


def _no_unknown(d: Mapping[str, Any], allowed: frozenset[str], prefix: str) -> None:
    for name in d:
        if name not in allowed:
            raise ValidationError(
                f"Unknown field “{name}”. Allowed here: {', '.join(sorted(allowed))}.",
                path=f"{prefix}{name}",
            )


def _check_text(value: object, path: str, limit: int, *, required: bool = False) -> None:
    if not isinstance(value, str):
        raise ValidationError("This must be text.", path=path)
    if required and not value.strip():
        raise ValidationError("This must not be empty.", path=path)
    if len(value) > limit:
        raise ValidationError(f"This is too long (at most {limit} characters).", path=path)


def _levels_from(raw: object) -> tuple[Level, ...]:
    levels: list[Level] = []
    if isinstance(raw, Mapping):
        for i, (score_text, descriptor) in enumerate(raw.items()):
            where = f"levels.{score_text}"
            if isinstance(descriptor, Mapping):  # 2.5 = "..." parses as {"2": {"5": "..."}}
                shown = f"{score_text}.{next(iter(descriptor), '')}"
                raise ValidationError(
                    f'Quote scores with a decimal point: write "{shown}" = "…", not {shown} = "…".',
                    path=where,
                )
            try:
                score = float(score_text)
            except ValueError:
                raise ValidationError(f"“{score_text}” is not a score.", path=where) from None
            levels.append(_level(score, descriptor, f"levels[{i}]"))
    elif isinstance(raw, list | tuple):
        for i, item in enumerate(raw):
            entry = _table(item, f"levels[{i}]")
            _no_unknown(entry, frozenset({"score", "descriptor"}), f"levels[{i}].")
            if "score" not in entry or "descriptor" not in entry:
                raise ValidationError(
                    "A level needs a score and a descriptor.", path=f"levels[{i}]"
                )
            levels.append(_level(entry["score"], entry["descriptor"], f"levels[{i}]"))
    else:
        raise ValidationError("Levels must be a table or a list of levels.", path="levels")
    if len(levels) > MAX_SCALE_POINTS:
        raise ValidationError("Too many levels.", path="levels")
    return tuple(levels)


def _level(score: object, descriptor: object, where: str) -> Level:
    if not _is_number(score):
        raise ValidationError("The level score must be a number.", path=f"{where}.score")
    _check_text(descriptor, f"{where}.descriptor", MAX_DESCRIPTOR, required=True)
    return Level(score=cast(float, score), descriptor=cast(str, descriptor))


def _comment_from(raw: object) -> CommentRule:
    if raw in ("never", "always"):
        return CommentRule(when=cast(CommentWhen, raw))
    if isinstance(raw, Mapping) and len(raw) == 1:
        ((when, threshold),) = raw.items()
        if when in ("below", "above"):
            if not _is_number(threshold):
                raise ValidationError(
                    f'The "{when}" comment rule needs a number.', path=f"comment.{when}"
                )
            return CommentRule(when=cast(CommentWhen, when), threshold=threshold)
    raise ValidationError(
        'A comment rule must be "never", "always", { below = N } or { above = N }.',
        path="comment",
    )
