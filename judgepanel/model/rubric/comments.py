"""Comment rules: when a judge must explain a score (never, always, below or above a score)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.fields import check_number, format_number, is_number, plain_number

CommentWhen = Literal["never", "always", "below", "above"]


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

    def describe(self) -> str:
        """Plain words for the judge's form and the problems list."""
        if self.when == "always":
            return "a comment is required"
        if self.when in ("below", "above"):
            threshold = format_number(cast(float, self.threshold))
            return f"a comment is required for scores {self.when} {threshold}"
        return "a comment is optional"

    def to_value(self) -> str | dict[str, int | float]:
        if self.when in ("below", "above"):
            return {self.when: plain_number(cast(float, self.threshold))}
        return self.when


def comment_rule_from(raw: object) -> CommentRule:
    if raw in ("never", "always"):
        return CommentRule(when=cast(CommentWhen, raw))
    if isinstance(raw, Mapping) and len(raw) == 1:
        ((when, threshold),) = raw.items()
        if when in ("below", "above"):
            if not is_number(threshold):
                raise ValidationError(
                    f'The "{when}" comment rule needs a number.', path=f"comment.{when}"
                )
            return CommentRule(when=cast(CommentWhen, when), threshold=threshold)
    raise ValidationError(
        'A comment rule must be "never", "always", { below = N } or { above = N }.',
        path="comment",
    )
