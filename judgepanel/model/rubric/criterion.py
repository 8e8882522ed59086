"""A criterion: one scored question of a rubric, its scale, weight, levels and comment rule.

It validates itself on construction (an invalid criterion cannot exist), and it is the
one place that says which scores are on its scale and what each is worth in a total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import InvalidOperation
from functools import cached_property
from typing import Any, cast

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.comments import CommentRule, comment_rule_from
from judgepanel.model.rubric.fields import (
    CRITERION_FIELDS,
    KEY_PATTERN,
    MAX_DESCRIPTOR,
    MAX_GUIDANCE,
    MAX_SCALE_POINTS,
    MAX_TITLE,
    MAX_WEIGHT,
    SCALE_FIELDS,
    as_table,
    check_number,
    check_text,
    exact_decimal,
    format_number,
    is_number,
    plain_number,
    refuse_unknown,
)
from judgepanel.model.rubric.levels import Level, levels_from


@dataclass(frozen=True)
class Criterion:
    """One scored question. Validates itself; error paths are relative ("scale.max")."""

    key: str
    title: str
    guidance: str = ""
    weight: float = 1.0
    min: float = 1
    max: float = 5
    step: float = 1
    levels: tuple[Level, ...] = ()
    counts: bool = True
    comment: CommentRule = field(default_factory=CommentRule)
    applicant_feedback: CommentRule = field(default_factory=CommentRule)
    """When feedback for the applicant is required (issue #18); ``comment`` is for the panel."""

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not KEY_PATTERN.match(self.key):
            raise ValidationError(
                "A criterion key must start with a letter and use only letters, digits, "
                "_ and - (at most 64 characters).",
                path="key",
            )
        check_text(self.title, "title", MAX_TITLE, required=True, multiline=False)
        check_text(self.guidance, "guidance", MAX_GUIDANCE)
        check_number(self.weight, "weight", MAX_WEIGHT, positive=True)
        for name in ("min", "max", "step"):
            check_number(getattr(self, name), f"scale.{name}")
        if self.weight <= 0:
            raise ValidationError("The weight must be greater than 0.", path="weight")
        if not self.min < self.max:
            raise ValidationError(
                f"The highest score ({format_number(self.max)}) must be above the lowest "
                f"({format_number(self.min)}).",
                path="scale.max",
            )
        if self.step <= 0:
            raise ValidationError("The step must be greater than 0.", path="scale.step")
        # Size first (in floats, inf-safe): the decimal check below needs a bounded quotient.
        if (self.max - self.min) / self.step + 1 > MAX_SCALE_POINTS:
            raise ValidationError(
                f"The scale has too many points (at most {MAX_SCALE_POINTS}).", path="scale.step"
            )
        if (exact_decimal(self.max) - exact_decimal(self.min)) % exact_decimal(self.step) != 0:
            raise ValidationError(
                f"The step {format_number(self.step)} does not divide the range "
                f"{format_number(self.min)} to {format_number(self.max)}.",
                path="scale.step",
            )
        if not isinstance(self.counts, bool):
            raise ValidationError("This must be true or false.", path="counts")
        for name in ("comment", "applicant_feedback"):
            if not isinstance(getattr(self, name), CommentRule):
                noun = "a comment" if name == "comment" else "an applicant feedback"
                raise ValidationError(f"This must be {noun} rule.", path=name)
            self._check_threshold(name)
        object.__setattr__(self, "levels", self._checked_levels())

    def _check_threshold(self, name: str) -> None:
        rule: CommentRule = getattr(self, name)
        if rule.threshold is None:
            return
        t = rule.threshold
        noun = "A comment" if name == "comment" else "An applicant feedback"
        if rule.when == "below" and not self.min < t <= self.max:
            raise ValidationError(
                f"{noun} rule “below {format_number(t)}” must be above the lowest score "
                f"{format_number(self.min)} and at most {format_number(self.max)}, or it never "
                "applies.",
                path=f"{name}.below",
            )
        if rule.when == "above" and not self.min <= t < self.max:
            raise ValidationError(
                f"{noun} rule “above {format_number(t)}” must be at least the lowest score "
                f"{format_number(self.min)} and below the highest {format_number(self.max)}, or it "
                "never applies.",
                path=f"{name}.above",
            )

    def _checked_levels(self) -> tuple[Level, ...]:
        if not isinstance(self.levels, tuple | list):
            raise ValidationError("Levels must be a list.", path="levels")
        seen: set[float] = set()
        for i, level in enumerate(self.levels):
            where = f"levels[{i}]"
            if not isinstance(level, Level):
                raise ValidationError("This must be a level.", path=where)
            if not is_number(level.score) or not self._exactly_on_scale(level.score):
                shown = format_number(level.score) if is_number(level.score) else repr(level.score)
                raise ValidationError(
                    f"The level score {shown} is not on the scale {self.scale_text()}.",
                    path=f"{where}.score",
                )
            if float(level.score) in seen:
                raise ValidationError(
                    f"Two levels have the score {format_number(level.score)}.",
                    path=f"{where}.score",
                )
            seen.add(float(level.score))
            check_text(level.descriptor, f"{where}.descriptor", MAX_DESCRIPTOR, required=True)
        # Canonical order, so equality and to_dict do not depend on how the file listed them.
        return tuple(sorted(self.levels, key=lambda lv: lv.score))

    # --- the scale ------------------------------------------------------------

    def scale_text(self) -> str:
        step = "" if self.step == 1 else f" in steps of {format_number(self.step)}"
        return f"{format_number(self.min)} to {format_number(self.max)}{step}"

    def valid_scores(self) -> list[float]:
        """Every score a judge may give, lowest first (stepped in decimal: 0.3, not 0.300…04)."""
        lo, step = exact_decimal(self.min), exact_decimal(self.step)
        count = int((exact_decimal(self.max) - lo) / step) + 1
        return [float(lo + i * step) for i in range(count)]

    def is_on_scale(self, score: float) -> bool:
        """Whether a judge may give ``score``: a number on one of the scale's points.

        A merge asks this for every score of every review (60,000 times in a national
        round), so it looks the number up among the scale's points, found once per
        criterion (the criterion is frozen), instead of redoing the decimal arithmetic.
        The answer is exactly ``_exactly_on_scale``'s (see ``scale_points``).
        """
        return is_number(score) and score in self.scale_points

    @cached_property
    def scale_points(self) -> frozenset[float]:
        """Every float that ``_exactly_on_scale`` accepts, and nothing else.

        A finite score within the bounds is on the scale when its decimal form
        ``exact_decimal(score)`` is ``min + i * step``; that float is then
        ``float(min + i * step)``, one of ``valid_scores()``. Keeping only the points
        the exact rule itself accepts makes membership equal to the rule, even for a
        step whose points do not survive the trip through a float. NaN, infinities
        and ``-0.0`` behave as under the rule (set membership uses ``==``).
        """
        return frozenset(v for v in self.valid_scores() if self._exactly_on_scale(v))

    def _exactly_on_scale(self, score: float) -> bool:
        """The rule itself, in decimal arithmetic: 0.3 is on a 0..1 scale of step 0.1."""
        # The bounds first: a huge integer, an infinity and NaN all fail them, and
        # math.isfinite would overflow on the first.
        if not is_number(score) or not self.min <= score <= self.max:
            return False
        try:
            return (exact_decimal(score) - exact_decimal(self.min)) % exact_decimal(self.step) == 0
        except InvalidOperation:  # pragma: no cover - finite numbers always convert
            return False

    @cached_property
    def weighted_points(self) -> dict[float, float]:
        """Each scale point's share of a total, ``weight * normalise(point)``, found once.

        ``scoring.weighted_total`` looks a float score up here instead of checking and
        normalising it again for every review of a round. The keys are exactly
        ``scale_points``, so a float found here is one ``check_score`` accepts, and its
        share is bit for bit what ``weight * normalise(score)`` gives. (A bool or a
        Decimal can equal a key and still be refused: look up plain floats only.) A
        ``-0.0`` score finds the ``0.0`` point, whose share may differ in the sign of
        zero only; the total's ``fsum`` returns ``+0.0`` for a zero sum either way.
        """
        return {point: self.weight * self.normalise(point) for point in self.scale_points}

    def check_score(self, score: object) -> None:
        """Raise ValidationError (path = the criterion key) if a judge may not give this score."""
        if is_number(score) and score in self.scale_points:
            return
        if not is_number(score) or (isinstance(score, float) and not math.isfinite(score)):
            raise ValidationError(
                f"“{self.title}”: the score must be a number from {self.scale_text()}.",
                path=self.key,
                detail=f"got {repr(score)[:40]}",
            )
        raise ValidationError(
            f"“{self.title}”: {format_number(cast(float, score))} is not a score on this scale "
            f"({self.scale_text()}).",
            path=self.key,
        )

    def normalise(self, score: float) -> float:
        """Map a score to 0..100 so criteria with different scales can be averaged."""
        return (float(score) - self.min) / (self.max - self.min) * 100.0

    def descriptor(self, score: float) -> str | None:
        for level in self.levels:
            if level.score == score:
                return level.descriptor
        return None

    # --- dict form ------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "title": self.title,
            "guidance": self.guidance,
            "weight": plain_number(self.weight),
            "scale": {"min": plain_number(self.min), "max": plain_number(self.max),
                      "step": plain_number(self.step)},
            "levels": [
                {"score": plain_number(lv.score), "descriptor": lv.descriptor} for lv in self.levels
            ],
            "counts": self.counts,
            "comment": self.comment.to_value(),
        }
        # Only when set: a rubric without it travels exactly as before (older apps read it).
        if self.applicant_feedback.when != "never":
            out["applicant_feedback"] = self.applicant_feedback.to_value()
        return out

    @classmethod
    def from_dict(cls, data: object) -> Criterion:
        """Build from the TOML/JSON shape; error paths are relative to the criterion."""
        d = as_table(data, "")
        refuse_unknown(d, CRITERION_FIELDS, "")
        for name in ("key", "title"):
            if name not in d:
                raise ValidationError(f"The criterion needs a {name}.", path=name)
        scale = as_table(d.get("scale", {}), "scale")
        refuse_unknown(scale, SCALE_FIELDS, "scale.")
        kwargs: dict[str, Any] = {
            "key": d["key"],
            "title": d["title"],
            "guidance": d.get("guidance", ""),
            "weight": d.get("weight", 1.0),
            "min": scale.get("min", 1),
            "max": scale.get("max", 5),
            "step": scale.get("step", 1),
            "levels": levels_from(d.get("levels", ())),
            "counts": d.get("counts", True),
            "comment": comment_rule_from(d.get("comment", "never")),
            "applicant_feedback": comment_rule_from(d.get("applicant_feedback", "never"),
                                                    "applicant_feedback"),
        }
        return cls(**kwargs)
