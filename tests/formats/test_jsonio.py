"""jsonio's fast paths must refuse exactly what the slow, obvious versions refused."""

from __future__ import annotations

from typing import Any

import pytest

from judgepanel.errors import FileFormatError
from judgepanel.formats.jsonio import json_depth, parse_json, short_repr


def slow_json_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((slow_json_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((slow_json_depth(v) for v in value), default=0)
    return 0


DEPTH_CASES: list[Any] = [
    3, "x", None, [], {}, [1, 2], {"a": {"b": []}}, [[[[]]]], [1, [2, [3, {"x": [4]}]]],
    {"a": 1, "b": [{"c": {"d": [[]]}}, 2], "e": {}}, [{}, [], [[{}]]],
]


@pytest.mark.parametrize("value", DEPTH_CASES, ids=repr)
def test_json_depth_matches_the_definition(value: Any) -> None:
    assert json_depth(value) == slow_json_depth(value)


def test_json_depth_of_a_deep_document_needs_no_recursion() -> None:
    deep: Any = []
    for _ in range(5000):
        deep = [deep, 1]
    assert json_depth(deep) == 5001


def test_duplicate_keys_are_refused_and_named() -> None:
    with pytest.raises(FileFormatError) as info:
        parse_json(b'{"a": 1, "b": {"c": 1, "d": 2, "c": 3}}', what="the results",
                   max_size=1000)
    assert "duplicate key 'c'" in info.value.detail
    assert parse_json(b'{"a": {"a": 1}, "b": [{"a": 2}]}', what="x", max_size=1000) == {
        "a": {"a": 1}, "b": [{"a": 2}]}


def test_nesting_above_the_cap_is_refused() -> None:
    ok = b"[" * 32 + b"]" * 32
    assert parse_json(ok, what="x", max_size=1000) == parse_json(ok, what="x", max_size=1000)
    with pytest.raises(FileFormatError) as info:
        parse_json(b"[" * 33 + b"]" * 33, what="x", max_size=1000)
    assert "nested deeper than 32" in info.value.detail


def test_short_repr_of_a_value_too_deep_to_print() -> None:
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    assert short_repr(deep) == "a list nested too deeply"
    assert short_repr({"a": deep}) == "an object nested too deeply"
