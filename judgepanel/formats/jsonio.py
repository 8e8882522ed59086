"""JSON as our files carry it: capped parsing, one deterministic serialisation, field checks.

Every JSON document inside a bundle or results file comes from a file that someone
else made, so parsing is defensive: a size cap before decoding, UTF-8 only (no BOM),
no duplicate keys (two readers could disagree on which one wins), no NaN/Infinity,
and a nesting cap (so a crafted file cannot exhaust the stack).

Schema checks go through :class:`Fields`, which raises :class:`SchemaError` naming the
field path ("applications[3].title"). Readers turn that into a
:class:`~judgepanel.errors.FileFormatError`; writers turn it into a
:class:`~judgepanel.errors.ValidationError` — the same rules on both sides.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, NoReturn

from judgepanel.errors import FileFormatError
from judgepanel.text import text_problem

MAX_DEPTH = 32
"""Deepest nesting of arrays/objects any of our documents may use."""

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
"""Program, round, bundle and application ids: safe in ZIP paths and signature comments."""

FINGERPRINT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
"""Fingerprints are defined with identities (section 3); here only their character set."""

SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
TIMESTAMP_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")

MAX_TEXT = 1_000_000
"""Longest single string field (characters); comments and application fields included."""

MAX_DIGITS = 20
"""Longest integer any of our documents holds (sizes fit in 20 digits, sequence numbers
in 16): a longer one is refused while parsing, before Python spends time on it."""

MAX_NUMBER = 1e15
"""Largest magnitude :meth:`Fields.number` accepts unless told a smaller one."""


class SchemaError(Exception):
    """A document breaks a rule; ``field`` is the path of the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message


# --- parsing -----------------------------------------------------------------------


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):  # rare: only then look for the key to name
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return result


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not allowed")


def _bounded_int(text: str) -> int:
    if len(text) > MAX_DIGITS + 1 and len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"an integer of {len(text)} digits (at most {MAX_DIGITS})")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e309 parses as infinity
        raise ValueError(f"a number too large to be finite ({text[:20]}…)")
    return value


_CONTAINERS = (dict, list)


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed value (a scalar is 0, ``[]`` is 1); iterative, no recursion.

    Walks one level at a time and queues containers only: this runs on every document
    a merge reads, so it must cost little next to parsing.
    """
    depth = 0
    level = [value] if isinstance(value, _CONTAINERS) else []
    while level:
        depth += 1
        below: list[Any] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            below += [child for child in children if isinstance(child, _CONTAINERS)]
        level = below
    return depth


def parse_json(data: bytes, *, what: str, max_size: int,
               max_depth: int | None = MAX_DEPTH) -> Any:
    """Parse ``data`` strictly or raise FileFormatError naming ``what`` ("the manifest").

    The size cap is checked before anything is decoded. ``max_depth=None`` skips the
    nesting walk, for a caller whose schema check runs next and accepts only a fixed
    shape (results.json: four levels), so nesting is refused there; the walk costs
    a third of the parse on a national round's results.
    """
    damaged = "The file is damaged or was not made by JudgePanel."
    if len(data) > max_size:
        raise FileFormatError(
            f"{what.capitalize()} is too large to be a JudgePanel document. {damaged}",
            detail=f"{what}: {len(data)} bytes, the limit is {max_size}",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        raise FileFormatError(damaged, detail=f"{what}: starts with a byte-order mark")
    try:
        text = data.decode("utf-8")
        value = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse_constant,
            parse_int=_bounded_int, parse_float=_finite_float,
        )
    except RecursionError:
        raise FileFormatError(damaged, detail=f"{what}: JSON nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as error:  # JSONDecodeError is a ValueError
        raise FileFormatError(damaged, detail=f"{what}: not valid JSON: {error}") from None
    if max_depth is not None and json_depth(value) > max_depth:
        raise FileFormatError(
            damaged, detail=f"{what}: JSON nested deeper than {max_depth} levels"
        )
    return value


def dumps_canonical(value: Any) -> bytes:
    """The one serialisation we write: sorted keys, 2-space indent, UTF-8, final newline.

    Deterministic, so the same document always hashes the same, and readable, so a
    person who unzips a file with standard tools can read what was signed.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def is_timestamp(text: str) -> bool:
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` naming a real instant."""
    if not TIMESTAMP_PATTERN.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text[:-1] + "+00:00")
    except ValueError:
        return False
    return True


# --- field checks ----------------------------------------------------------------


class Fields:
    """Checked access to one JSON object; :meth:`done` refuses keys nobody asked for.

    >>> f = Fields({"id": "A-1"}, "applications[0]")
    >>> f.ident("id")
    'A-1'
    >>> f.done()
    """

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise SchemaError(path, f"must be an object, not {type_name(value)}")
        self.value: dict[str, Any] = value
        self.path = path
        self._seen: set[str] = set()

    def sub(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, message: str) -> NoReturn:
        raise SchemaError(self.sub(key), message)

    def _get(self, key: str, optional: bool) -> Any:
        self._seen.add(key)
        if key not in self.value:
            if optional:
                return None
            self.fail(key, "is missing")
        return self.value[key]

    def present(self, key: str) -> bool:
        return key in self.value

    def text(self, key: str, *, optional: bool = False, empty: bool = True,
             max_len: int = MAX_TEXT, multiline: bool = True) -> str | None:
        """A string (None only when ``optional`` and absent or null)."""
        value = self._get(key, optional)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            self.fail(key, f"must be text, not {type_name(value)}")
        if not empty and not value.strip():
            self.fail(key, "must not be empty")
        if len(value) > max_len:
            self.fail(key, f"is longer than {max_len} characters")
        if (problem := text_problem(value, multiline=multiline)) is not None:
            self.fail(key, problem)  # control and bidi characters (judgepanel/text.py)
        return value

    def req_text(self, key: str, **kwargs: Any) -> str:
        value = self.text(key, **kwargs)
        assert value is not None
        return value

    def ident(self, key: str) -> str:
        return self.pattern(key, ID_PATTERN, "an id of letters, digits, '.', '_' or '-'")

    def pattern(self, key: str, pattern: re.Pattern[str], meaning: str) -> str:
        value = self._get(key, False)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.fail(key, f"must be {meaning}, not {short_repr(value)}")
        return value

    def timestamp(self, key: str, *, optional: bool = False) -> str | None:
        value = self._get(key, optional)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not is_timestamp(value):
            self.fail(key, f"must be a UTC time like 2026-03-01T09:30:00Z, not {short_repr(value)}")
        return value

    def integer(self, key: str, *, minimum: int | None = None, maximum: int | None = None,
                optional: bool = False) -> int | None:
        value = self._get(key, optional)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"must be a whole number, not {short_repr(value)}")
        if minimum is not None and value < minimum:
            self.fail(key, f"must be at least {minimum}, not {value}")
        if maximum is not None and value > maximum:
            self.fail(key, f"must be at most {maximum}, not {value}")
        return value

    def req_int(self, key: str, **kwargs: Any) -> int:
        value = self.integer(key, **kwargs)
        assert value is not None
        return value

    def number(self, key: str, *, optional: bool = False,
               limit: float = MAX_NUMBER) -> float | int | None:
        """A finite number within ±``limit``."""
        value = self._get(key, optional)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"must be a number, not {short_repr(value)}")
        if not (math.isfinite(value) if isinstance(value, float) else True) \
                or not -limit <= value <= limit:
            self.fail(key, f"must be a number from {-limit:g} to {limit:g}, not "
                      f"{short_repr(value)}")
        return value

    def boolean(self, key: str) -> bool:
        value = self._get(key, False)
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, not {short_repr(value)}")
        return value

    def obj(self, key: str, *, optional: bool = False) -> Fields | None:
        value = self._get(key, optional)
        if value is None and optional:
            return None
        return Fields(value, self.sub(key))

    def req_obj(self, key: str) -> Fields:
        value = self.obj(key)
        assert value is not None
        return value

    def any_object(self, key: str) -> dict[str, Any]:
        """An object whose inside another module defines (rubric, settings, documents)."""
        value = self._get(key, False)
        if not isinstance(value, dict):
            self.fail(key, f"must be an object, not {type_name(value)}")
        return value

    def array(self, key: str, *, max_items: int = 1_000_000) -> list[Any]:
        value = self._get(key, False)
        if not isinstance(value, list):
            self.fail(key, f"must be a list, not {type_name(value)}")
        if len(value) > max_items:
            self.fail(key, f"has more than {max_items} entries")
        return value

    def objects(self, key: str, *, max_items: int = 1_000_000) -> Iterator[Fields]:
        """Each entry of a list of objects, as Fields with an indexed path."""
        for index, item in enumerate(self.array(key, max_items=max_items)):
            yield Fields(item, f"{self.sub(key)}[{index}]")

    def literal(self, key: str, expected: Any) -> None:
        value = self._get(key, False)
        if value != expected or type(value) is not type(expected):
            self.fail(key, f"must be {expected!r}, not {short_repr(value)}")

    def done(self) -> None:
        extra = sorted(set(self.value) - self._seen)
        if extra:
            raise SchemaError(self.path, f"has unknown field(s): {', '.join(extra)}")


def type_name(value: Any) -> str:
    names: Mapping[type, str] = {
        dict: "an object", list: "a list", str: "text", bool: "true/false",
        int: "a number", float: "a number", type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


def short_repr(value: Any, limit: int = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False) if _jsonable(value) else repr(value)
    except RecursionError:  # a crafted, deeply nested value in a field meant for a scalar
        return f"{type_name(value)} nested too deeply"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def check_schema(
    check: Callable[[Any], Any], value: Any, *, on_error: Callable[[SchemaError], Exception]
) -> Any:
    """Run ``check(value)``; a SchemaError becomes whatever ``on_error`` makes of it."""
    try:
        return check(value)
    except SchemaError as error:
        raise on_error(error) from None
