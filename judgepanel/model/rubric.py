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
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
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
        The answer is exactly ``_exactly_on_scale``'s (see ``_scale_points``).
        """
        return _is_number(score) and score in self._scale_points

    @cached_property
    def _scale_points(self) -> frozenset[float]:
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

    def check_score(self, score: object) -> None:
        """Raise ValidationError (path = the criterion key) if a judge may not give this score."""
        if _is_number(score) and score in self._scale_points:
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
