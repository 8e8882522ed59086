"""Text rules: when a judge must write a text for a score (never, always, below or above a score).

One rule type serves both texts of a review (issue #18): ``comment`` (for the panel,
never shown to applicants) and ``applicant_feedback`` (for the applicant). "optional"
and "required" are accepted as other names of "never" and "always".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.fields import check_number, format_number, is_number, plain_number

CommentWhen = Literal["never", "always", "below", "above"]
_ALIASES = {"optional": "never", "required": "always", "never": "never", "always": "always"}
RULE_NOUNS = {"comment": "comment", "applicant_feedback": "applicant feedback"}
"""The rubric field of each text rule, and what its messages call it."""


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
            if not is_number(self.threshold):
                raise ValidationError(
                    f'The "{self.when}" comment rule needs a number.', path=f"comment.{self.when}"
                )
            check_number(self.threshold, f"comment.{self.when}")
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

    def describe(self, what: str = "a comment") -> str:
        """Plain words for the judge's form and the problems list (``what``: the text)."""
        if self.when == "always":
            return f"{what} is required"
        if self.when in ("below", "above"):
            threshold = format_number(cast(float, self.threshold))
            return f"{what} is required for scores {self.when} {threshold}"
        return f"{what} is optional"

    def to_value(self) -> str | dict[str, int | float]:
        if self.when in ("below", "above"):
            return {self.when: plain_number(cast(float, self.threshold))}
        return self.when


def comment_rule_from(raw: object, field: str = "comment") -> CommentRule:
    """The rule of the rubric field ``field`` (``comment`` or ``applicant_feedback``);
    errors name that field and say which rule it is."""
    try:
        return _rule_from(raw)
    except ValidationError as exc:
        if field == "comment":
            raise
        noun = RULE_NOUNS.get(field, field)
        path = field + (exc.path or "comment")[len("comment"):]
        raise ValidationError(exc.message.replace("comment rule", f"{noun} rule")
                              .replace("A applicant", "An applicant"),
                              path=path, detail=exc.detail) from None


def _rule_from(raw: object) -> CommentRule:
    if isinstance(raw, str) and raw in _ALIASES:
        return CommentRule(when=cast(CommentWhen, _ALIASES[raw]))
    if isinstance(raw, Mapping) and len(raw) == 1:
        ((when, threshold),) = raw.items()
        if when in ("below", "above"):
            if not is_number(threshold):
                raise ValidationError(
                    f'The "{when}" comment rule needs a number.', path=f"comment.{when}"
                )
            return CommentRule(when=cast(CommentWhen, when), threshold=threshold)
    raise ValidationError(
        'A comment rule must be "never" (or "optional"), "always" (or "required"), '
        '{ below = N } or { above = N }.',
        path="comment",
    )
