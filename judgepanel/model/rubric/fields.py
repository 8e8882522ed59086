"""The limits and field checks every part of a rubric shares.

A rubric is read from a staff TOML file and from every bundle's JSON, so each field is
checked the same way wherever it comes from; errors name the field's path
(``criteria[2].scale.max``). Sizes are capped because rubrics also arrive inside bundles.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from judgepanel.errors import ValidationError
from judgepanel.text import text_problem

MAX_CRITERIA = 100
MAX_SCALE_POINTS = 10_001
MAX_TITLE = 200
MAX_NAME = 200
MAX_GUIDANCE = 20_000
MAX_DESCRIPTOR = 2_000
MAX_MAGNITUDE = 1_000_000
"""Scale bounds, steps, level scores and comment thresholds lie within ±this."""
MAX_WEIGHT = 1_000
"""Weights lie in (0, MAX_WEIGHT]: a weighted total of 100 criteria stays exact."""
MAX_RUBRIC_BYTES = 1024 * 1024

KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
CRITERION_FIELDS = frozenset(
    {"key", "title", "guidance", "weight", "scale", "levels", "counts", "comment",
     "applicant_feedback"}
)
RUBRIC_FIELDS = frozenset({"name", "tie_break", "criteria", "overall_feedback"})
OVERALL_FEEDBACK = {"optional": False, "required": True}
"""The rubric's ``overall_feedback`` values: whether each review needs overall feedback."""
SCALE_FIELDS = frozenset({"min", "max", "step"})


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def exact_decimal(value: float) -> Decimal:
    """Exact decimal of what the person wrote: repr(0.1) is "0.1", not 0.1000000000000000055."""
    return Decimal(repr(float(value)))


def plain_number(value: float) -> int | float:
    """Whole numbers as int in dicts, so JSON and TOML show 3, not 3.0."""
    return int(value) if float(value).is_integer() else float(value)


def format_number(value: float) -> str:
    """A number for a message; one too long to read (a crafted file's) is cut short."""
    try:
        text = str(plain_number(value))
    except (OverflowError, ValueError):  # float() of a huge int; str() past 4,300 digits
        return "a number too large to show"
    return text if len(text) <= 24 else f"{text[:12]}… ({len(text)} digits)"


def prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    path = f"{prefix}.{exc.path}" if exc.path else prefix
    return ValidationError(exc.message, detail=exc.detail, path=path)


def as_table(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError("This must be a table of fields.", path=path or None)
    return cast(Mapping[str, Any], value)


def refuse_unknown(d: Mapping[str, Any], allowed: frozenset[str], prefix: str) -> None:
    for name in d:
        if name not in allowed:
            raise ValidationError(
                f"Unknown field “{name}”. Allowed here: {', '.join(sorted(allowed))}.",
                path=f"{prefix}{name}",
            )


def check_number(value: object, path: str, limit: float = MAX_MAGNITUDE, *,
                 positive: bool = False) -> float:
    """A finite number within ±``limit`` (a 400-digit integer or 1e308 is refused here,
    before any arithmetic could overflow on it); above 0 too when ``positive``."""
    if not is_number(value):
        raise ValidationError("This must be a number.", path=path)
    number = cast(float, value)
    within = (abs(number) <= limit if isinstance(number, int)
              else math.isfinite(number) and abs(number) <= limit)
    if positive and within and number <= 0:
        raise ValidationError("This must be greater than 0.", path=path)
    if not within:
        span = f"above 0 and at most {limit:,}" if positive else \
            f"between -{limit:,} and {limit:,}"
        raise ValidationError(f"This number is out of range: it must lie {span}.",
                              path=path, detail=f"got {format_number(number)}")
    return number


def check_text(value: object, path: str, limit: int, *, required: bool = False,
               multiline: bool = True) -> None:
    """Text within ``limit`` characters that the text policy accepts (judgepanel/text.py)."""
    if not isinstance(value, str):
        raise ValidationError("This must be text.", path=path)
    if required and not value.strip():
        raise ValidationError("This must not be empty.", path=path)
    if len(value) > limit:
        raise ValidationError(f"This is too long (at most {limit} characters).", path=path)
    if (problem := text_problem(value, multiline=multiline)) is not None:
        raise ValidationError(f"This text {problem}. Remove that character.", path=path)
