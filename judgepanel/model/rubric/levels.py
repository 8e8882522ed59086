"""Level descriptors: the words that anchor points of a criterion's scale ("3 = some evidence")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.fields import (
    MAX_DESCRIPTOR,
    MAX_SCALE_POINTS,
    as_table,
    check_number,
    check_text,
    is_number,
    refuse_unknown,
)


@dataclass(frozen=True)
class Level:
    """A descriptor anchoring one point of a scale ("3 = some evidence")."""

    score: float
    descriptor: str


def levels_from(raw: object) -> tuple[Level, ...]:
    levels: list[Level] = []
    if isinstance(raw, Mapping):
        for i, (score_text, descriptor) in enumerate(raw.items()):
            where = f"levels.{str(score_text)[:64]}"
            if isinstance(descriptor, Mapping):  # 2.5 = "..." parses as {"2": {"5": "..."}}
                shown = f"{score_text}.{next(iter(descriptor), '')}"
                raise ValidationError(
                    f'Quote scores with a decimal point: write "{shown}" = "…", not {shown} = "…".',
                    path=where,
                )
            try:
                if len(str(score_text)) > 64:
                    raise ValueError(score_text)
                score = float(score_text)
            except ValueError:
                raise ValidationError(f"“{str(score_text)[:64]}” is not a score.",
                                      path=where) from None
            levels.append(make_level(score, descriptor, f"levels[{i}]"))
    elif isinstance(raw, list | tuple):
        for i, item in enumerate(raw):
            entry = as_table(item, f"levels[{i}]")
            refuse_unknown(entry, frozenset({"score", "descriptor"}), f"levels[{i}].")
            if "score" not in entry or "descriptor" not in entry:
                raise ValidationError(
                    "A level needs a score and a descriptor.", path=f"levels[{i}]"
                )
            levels.append(make_level(entry["score"], entry["descriptor"], f"levels[{i}]"))
    else:
        raise ValidationError("Levels must be a table or a list of levels.", path="levels")
    if len(levels) > MAX_SCALE_POINTS:
        raise ValidationError("Too many levels.", path="levels")
    return tuple(levels)


def make_level(score: object, descriptor: object, where: str) -> Level:
    if not is_number(score):
        raise ValidationError("The level score must be a number.", path=f"{where}.score")
    check_number(score, f"{where}.score")
    check_text(descriptor, f"{where}.descriptor", MAX_DESCRIPTOR, required=True)
    return Level(score=cast(float, score), descriptor=cast(str, descriptor))
