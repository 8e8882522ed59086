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
    comment = { below = 3 }               # optional, default "never":
                                          # "never" | "always" | { below = N } |
                                          # { above = N }   (strictly below/above)

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
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from decimal import InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.fields import (  # noqa: F401 (Level, CommentRule re-exported)
    _CRITERION_FIELDS,
    _KEY_RE,
    _RUBRIC_FIELDS,
    _SCALE_FIELDS,
    MAX_CRITERIA,
    MAX_DESCRIPTOR,
    MAX_GUIDANCE,
    MAX_NAME,
    MAX_SCALE_POINTS,
    MAX_TITLE,
    CommentRule,
    CommentWhen,
    Level,
    _check_text,
    _comment_from,
    _dec,
    _fmt,
    _is_number,
    _level,
    _levels_from,
    _no_unknown,
    _num,
    _prefixed,
    _table,
)


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

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not _KEY_RE.match(self.key):
            raise ValidationError(
                "A criterion key must start with a letter and use only letters, digits, "
                "_ and - (at most 64 characters).",
                path="key",
            )
        _check_text(self.title, "title", MAX_TITLE, required=True)
        _check_text(self.guidance, "guidance", MAX_GUIDANCE)
        for name in ("weight", "min", "max", "step"):
            value = getattr(self, name)
            if not _is_number(value) or not math.isfinite(value):
                where = "weight" if name == "weight" else f"scale.{name}"
                raise ValidationError("This must be a number.", path=where)
        if self.weight <= 0:
            raise ValidationError("The weight must be greater than 0.", path="weight")
        if not self.min < self.max:
            raise ValidationError(
                f"The highest score ({_fmt(self.max)}) must be above the lowest "
                f"({_fmt(self.min)}).",
                path="scale.max",
            )
        if self.step <= 0:
            raise ValidationError("The step must be greater than 0.", path="scale.step")
        # Size first (in floats, inf-safe): the decimal check below needs a bounded quotient.
        if (self.max - self.min) / self.step + 1 > MAX_SCALE_POINTS:
            raise ValidationError(
                f"The scale has too many points (at most {MAX_SCALE_POINTS}).", path="scale.step"
            )
        if (_dec(self.max) - _dec(self.min)) % _dec(self.step) != 0:
            raise ValidationError(
                f"The step {_fmt(self.step)} does not divide the range "
                f"{_fmt(self.min)} to {_fmt(self.max)}.",
                path="scale.step",
            )
        if not isinstance(self.counts, bool):
            raise ValidationError("This must be true or false.", path="counts")
        if not isinstance(self.comment, CommentRule):
            raise ValidationError("This must be a comment rule.", path="comment")
        self._check_comment_threshold()
        object.__setattr__(self, "levels", self._checked_levels())

    def _check_comment_threshold(self) -> None:
        rule = self.comment
        if rule.threshold is None:
            return
        t = rule.threshold
        if rule.when == "below" and not self.min < t <= self.max:
            raise ValidationError(
                f"A comment rule “below {_fmt(t)}” must be above the lowest score "
                f"{_fmt(self.min)} and at most {_fmt(self.max)}, or it never applies.",
                path="comment.below",
            )
        if rule.when == "above" and not self.min <= t < self.max:
            raise ValidationError(
                f"A comment rule “above {_fmt(t)}” must be at least the lowest score "
                f"{_fmt(self.min)} and below the highest {_fmt(self.max)}, or it never applies.",
                path="comment.above",
            )

    def _checked_levels(self) -> tuple[Level, ...]:
        if not isinstance(self.levels, tuple | list):
            raise ValidationError("Levels must be a list.", path="levels")
        seen: set[float] = set()
        for i, level in enumerate(self.levels):
            where = f"levels[{i}]"
            if not isinstance(level, Level):
                raise ValidationError("This must be a level.", path=where)
            if not _is_number(level.score) or not self._exactly_on_scale(level.score):
                shown = _fmt(level.score) if _is_number(level.score) else repr(level.score)
                raise ValidationError(
                    f"The level score {shown} is not on the scale {self.scale_text()}.",
                    path=f"{where}.score",
                )
            if float(level.score) in seen:
                raise ValidationError(
                    f"Two levels have the score {_fmt(level.score)}.", path=f"{where}.score"
                )
            seen.add(float(level.score))
            _check_text(level.descriptor, f"{where}.descriptor", MAX_DESCRIPTOR, required=True)
        # Canonical order, so equality and to_dict do not depend on how the file listed them.
        return tuple(sorted(self.levels, key=lambda lv: lv.score))

    # --- the scale ------------------------------------------------------------

    def scale_text(self) -> str:
        step = "" if self.step == 1 else f" in steps of {_fmt(self.step)}"
        return f"{_fmt(self.min)} to {_fmt(self.max)}{step}"

    def valid_scores(self) -> list[float]:
        """Every score a judge may give, lowest first (stepped in decimal: 0.3, not 0.300…04)."""
        lo, step = _dec(self.min), _dec(self.step)
        count = int((_dec(self.max) - lo) / step) + 1
        return [float(lo + i * step) for i in range(count)]

    def is_on_scale(self, score: float) -> bool:
        """Whether a judge may give ``score``: a number on one of the scale's points.

        A merge asks this for every score of every review (60,000 times in a national
        round), so it looks the number up among the scale's points, found once per
        criterion (the criterion is frozen), instead of redoing the decimal arithmetic.
        The answer is exactly ``_exactly_on_scale``'s (see ``scale_points``).
        """
        return _is_number(score) and score in self.scale_points

    @cached_property
    def scale_points(self) -> frozenset[float]:
        """Every float that ``_exactly_on_scale`` accepts, and nothing else.

        A finite score within the bounds is on the scale when its decimal form
        ``_dec(score)`` is ``min + i * step``; that float is then
        ``float(min + i * step)``, one of ``valid_scores()``. Keeping only the points
        the exact rule itself accepts makes membership equal to the rule, even for a
        step whose points do not survive the trip through a float. NaN, infinities
        and ``-0.0`` behave as under the rule (set membership uses ``==``).
        """
        return frozenset(v for v in self.valid_scores() if self._exactly_on_scale(v))

    def _exactly_on_scale(self, score: float) -> bool:
        """The rule itself, in decimal arithmetic: 0.3 is on a 0..1 scale of step 0.1."""
        if not _is_number(score) or not math.isfinite(score):
            return False
        if score < self.min or score > self.max:
            return False
        try:
            return (_dec(score) - _dec(self.min)) % _dec(self.step) == 0
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
        if _is_number(score) and score in self.scale_points:
            return
        if not _is_number(score) or not math.isfinite(cast(float, score)):
            raise ValidationError(
                f"“{self.title}”: the score must be a number from {self.scale_text()}.",
                path=self.key,
                detail=f"got {score!r}",
            )
        raise ValidationError(
            f"“{self.title}”: {_fmt(cast(float, score))} is not a score on this scale "
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
        return {
            "key": self.key,
            "title": self.title,
            "guidance": self.guidance,
            "weight": _num(self.weight),
            "scale": {"min": _num(self.min), "max": _num(self.max), "step": _num(self.step)},
            "levels": [
                {"score": _num(lv.score), "descriptor": lv.descriptor} for lv in self.levels
            ],
            "counts": self.counts,
            "comment": self.comment.to_value(),
        }

    @classmethod
    def from_dict(cls, data: object) -> Criterion:
        """Build from the TOML/JSON shape; error paths are relative to the criterion."""
        d = _table(data, "")
        _no_unknown(d, _CRITERION_FIELDS, "")
        for name in ("key", "title"):
            if name not in d:
                raise ValidationError(f"The criterion needs a {name}.", path=name)
        scale = _table(d.get("scale", {}), "scale")
        _no_unknown(scale, _SCALE_FIELDS, "scale.")
        kwargs: dict[str, Any] = {
            "key": d["key"],
            "title": d["title"],
            "guidance": d.get("guidance", ""),
            "weight": d.get("weight", 1.0),
            "min": scale.get("min", 1),
            "max": scale.get("max", 5),
            "step": scale.get("step", 1),
            "levels": _levels_from(d.get("levels", ())),
            "counts": d.get("counts", True),
            "comment": _comment_from(d.get("comment", "never")),
        }
        return cls(**kwargs)


@dataclass(frozen=True)
class Rubric:
    """A named set of criteria; ``tie_break`` names the criterion that breaks ranking ties."""

    name: str
    criteria: tuple[Criterion, ...]
    tie_break: str | None = None

    def __post_init__(self) -> None:
        _check_text(self.name, "name", MAX_NAME, required=True)
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
        out["criteria"] = [c.to_dict() for c in self.criteria]
        return out

    @classmethod
    def from_dict(cls, data: object) -> Rubric:
        """Build and validate from the TOML/JSON shape; errors carry full field paths."""
        d = _table(data, "")
        _no_unknown(d, _RUBRIC_FIELDS, "")
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
                raise _prefixed(exc, f"criteria[{i}]") from None
        return cls(name=d["name"], criteria=tuple(criteria), tie_break=d.get("tie_break"))


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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = f" “{Path(filename).name}”" if filename else ""
        raise ValidationError(
            f"The rubric file{where} is not valid TOML ({exc}). Check the quotes and "
            "brackets on that line.",
            detail=str(exc),
        ) from None
    try:
        return Rubric.from_dict(data)
    except ValidationError as exc:
        if filename:
            exc.detail = f"{filename}" + (f": {exc.detail}" if exc.detail else "")
        raise


# --- helpers -----------------------------------------------------------------

