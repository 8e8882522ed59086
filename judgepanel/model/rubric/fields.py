"""The limits and field checks every part of a rubric shares.

A rubric is read from a staff TOML file and from every bundle's JSON, so each field is
checked the same way wherever it comes from; errors name the field's path
(``criteria[2].scale.max``). Sizes are capped because rubrics also arrive inside bundles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from judgepanel.errors import ValidationError

MAX_CRITERIA = 100
MAX_SCALE_POINTS = 10_001
MAX_TITLE = 200
MAX_NAME = 200
MAX_GUIDANCE = 20_000
MAX_DESCRIPTOR = 2_000

KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
CRITERION_FIELDS = frozenset(
    {"key", "title", "guidance", "weight", "scale", "levels", "counts", "comment"}
)
RUBRIC_FIELDS = frozenset({"name", "tie_break", "criteria"})
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
    return str(plain_number(value))


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


def check_text(value: object, path: str, limit: int, *, required: bool = False) -> None:
    if not isinstance(value, str):
        raise ValidationError("This must be text.", path=path)
    if required and not value.strip():
        raise ValidationError("This must not be empty.", path=path)
    if len(value) > limit:
        raise ValidationError(f"This is too long (at most {limit} characters).", path=path)
