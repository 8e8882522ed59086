"""Rubric loading, validation with field paths, the scale, and the dict round trip."""

from __future__ import annotations

import copy
import functools
import json
import random
from pathlib import Path
from typing import Any

import pytest

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.comments import CommentRule
from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric, load_rubric
from judgepanel.model.rubric.levels import Level

EXAMPLE = Path(__file__).resolve().parents[3] / "resources" / "rubrics" / "recognition.toml"

MINIMAL = """
name = "Test"
[[criteria]]
key = "impact"
title = "Impact"
"""


def test_the_example_rubric_loads_with_its_weights_levels_and_rules() -> None:
    rubric = load_rubric(EXAMPLE)
    assert rubric.keys == (
        "impact",
        "participation",
        "innovation",
        "sustainability",
        "transferability",
        "compendium",
    )
    assert rubric.tie_break == "impact"
    assert [c.weight for c in rubric.counting] == [3, 2, 2, 2, 1]
    compendium = rubric.criterion("compendium")
    assert compendium.counts is False
    assert compendium.valid_scores() == [0.0, 1.0]
    assert compendium.descriptor(1) == "Yes"
    impact = rubric.criterion("impact")
    assert impact.comment == CommentRule("below", 3)
    assert impact.descriptor(5) == "Strong, independently confirmed change that lasts"
    assert [lv.score for lv in impact.levels] == [1, 2, 3, 4, 5]


def test_a_rubric_survives_the_dict_and_json_round_trip() -> None:
    rubric = load_rubric(EXAMPLE)
    assert Rubric.from_dict(rubric.to_dict()) == rubric
    assert Rubric.from_dict(json.loads(json.dumps(rubric.to_dict()))) == rubric
    # Whole numbers stay whole in the dict form, so JSON shows 3 and not 3.0.
    assert rubric.to_dict()["criteria"][0]["weight"] == 3
    assert isinstance(rubric.to_dict()["criteria"][0]["weight"], int)


def test_defaults_fill_a_minimal_criterion() -> None:
    c = load_rubric(MINIMAL).criteria[0]
    assert (c.min, c.max, c.step, c.weight, c.counts) == (1, 5, 1, 1.0, True)
    assert c.comment == CommentRule("never")
    assert c.valid_scores() == [1, 2, 3, 4, 5]


def test_both_level_forms_give_the_same_criterion() -> None:
    table = MINIMAL + 'levels = { 5 = "Top", 1 = "Bottom", "2.5" = "Middle" }\n'
    table = table.replace('title = "Impact"', 'title = "Impact"\nscale = {min=0, max=5, step=0.5}')
    array = (
        MINIMAL.replace('title = "Impact"', 'title = "Impact"\nscale = {min=0, max=5, step=0.5}')
        + '[[criteria.levels]]\nscore = 1\ndescriptor = "Bottom"\n'
        + '[[criteria.levels]]\nscore = 2.5\ndescriptor = "Middle"\n'
        + '[[criteria.levels]]\nscore = 5\ndescriptor = "Top"\n'
    )
    a, b = load_rubric(table), load_rubric(array)
    assert a == b
    # Sorted by score whatever the file's order.
    assert a.criteria[0].levels == (Level(1, "Bottom"), Level(2.5, "Middle"), Level(5, "Top"))


def test_valid_scores_are_exact_decimal_steps() -> None:
    tenths = Criterion("x", "X", min=0, max=1, step=0.1)
    scores = tenths.valid_scores()
    assert len(scores) == 11
    assert scores[3] == 0.3  # not 0.30000000000000004
    assert tenths.is_on_scale(0.3) and tenths.is_on_scale(0.7)
    assert not tenths.is_on_scale(0.35)
    assert Criterion("y", "Y", min=0, max=10, step=2.5).valid_scores() == [0, 2.5, 5, 7.5, 10]


def test_normalise_maps_the_scale_onto_0_to_100() -> None:
    five = Criterion("a", "A")  # 1..5
    assert five.normalise(1) == 0
    assert five.normalise(4) == 75  # (4-1)/(5-1)*100
    assert five.normalise(5) == 100
    ten = Criterion("b", "B", min=0, max=10)
    assert ten.normalise(7) == 70  # (7-0)/(10-0)*100


@pytest.mark.parametrize("score", [0, 6, 2.5, float("nan"), float("inf"), True, "3", None])
def test_check_score_refuses_scores_off_the_scale_naming_the_criterion(score: object) -> None:
    c = Criterion("impact", "Impact on the community")
    with pytest.raises(ValidationError) as caught:
        c.check_score(score)
    assert caught.value.path == "impact"
    assert "Impact on the community" in caught.value.message


def test_check_score_accepts_every_valid_score() -> None:
    c = Criterion("impact", "Impact", min=0, max=10, step=0.5)
    for score in c.valid_scores():
        c.check_score(score)
    c.check_score(3)  # an int is fine


def test_weighted_points_hold_exactly_the_scale_with_each_share() -> None:
    c = Criterion("impact", "Impact", min=0, max=1, step=0.1, weight=2.5)
    points = c.weighted_points
    assert sorted(points) == c.valid_scores()
    for score, share in points.items():
        c.check_score(score)
        assert share == c.weight * c.normalise(score)
    assert 0.30000000000000004 not in points  # 0.1 + 0.2 is not on the scale


@pytest.mark.parametrize(
    ("rule", "score", "required"),
    [
        (CommentRule("never"), 1, False),
        (CommentRule("always"), 5, True),
        (CommentRule("always"), None, True),
        (CommentRule("below", 3), 2, True),
        (CommentRule("below", 3), 3, False),  # strictly below
        (CommentRule("below", 3), None, False),
        (CommentRule("above", 4), 5, True),
        (CommentRule("above", 4), 4, False),  # strictly above
    ],
)
def test_comment_rules(rule: CommentRule, score: float | None, required: bool) -> None:
    assert rule.requires_comment(score) is required


def _criterion(**fields: str) -> str:
    body = "\n".join(f"{k} = {v}" for k, v in fields.items())
    return f'[[criteria]]\nkey = "c{len(body)}"\ntitle = "T"\n{body}\n'


@pytest.mark.parametrize(
    ("toml", "path"),
    [
        (MINIMAL + MINIMAL.split("\n", 2)[2], "criteria[1].key"),  # duplicate key
        (MINIMAL + "weight = 0\n", "criteria[0].weight"),
        (MINIMAL + "weight = -2\n", "criteria[0].weight"),
        (MINIMAL + "weight = true\n", "criteria[0].weight"),
        (MINIMAL + "weight = nan\n", "criteria[0].weight"),
        (MINIMAL + "scale = { min = 5, max = 5 }\n", "criteria[0].scale.max"),
        (MINIMAL + "scale = { min = 0, max = 10, step = 3 }\n", "criteria[0].scale.step"),
        (MINIMAL + "scale = { min = 0, max = 10, step = 0 }\n", "criteria[0].scale.step"),
        (MINIMAL + "scale = { min = 0, max = 100000, step = 1 }\n", "criteria[0].scale.step"),
        (MINIMAL + "scale = { min = 0, max = 1e300, step = 1e-300 }\n", "criteria[0].scale.max"),
        (MINIMAL + "scale = { min = -1.7e308, max = 1.7e308 }\n", "criteria[0].scale.min"),
        (MINIMAL + "scale = { min = 0, max = 10, step = 1e-300 }\n", "criteria[0].scale.step"),
        # Magnitudes past the bounds: refused before any arithmetic could overflow.
        (MINIMAL + "weight = 1e308\n", "criteria[0].weight"),
        (MINIMAL + "weight = " + "9" * 400 + "\n", "criteria[0].weight"),
        (MINIMAL + "scale = { min = 1, max = " + "9" * 400 + " }\n", "criteria[0].scale.max"),
        (MINIMAL + "comment = { below = " + "9" * 400 + " }\n", "criteria[0].comment.below"),
        (MINIMAL + 'levels = { ' + "9" * 400 + ' = "a" }\n', None),
        (MINIMAL + "guidance = " + '"' + "x" * 30 + '\\u001b[2J"' + "\n", "criteria[0].guidance"),
        (MINIMAL.replace('title = "Impact"', 'title = "Imp\\u202eact"'), "criteria[0].title"),
        ("x = " + "[" * 100_000 + "]" * 100_000 + "\n", None),
        ("x = " + "9" * 5000 + "\n", None),
        (MINIMAL + "scale = { min = 0, max = inf }\n", "criteria[0].scale.max"),
        (MINIMAL + "scale = { min = 0, max = 10, size = 3 }\n", "criteria[0].scale.size"),
        (MINIMAL + 'levels = { 1 = "a", 7 = "b" }\n', "criteria[0].levels[1].score"),
        (MINIMAL + 'levels = { 1.5 = "a" }\n', "criteria[0].levels.1"),
        (MINIMAL + 'levels = { x = "a" }\n', "criteria[0].levels.x"),
        (MINIMAL + 'levels = { 1 = "" }\n', "criteria[0].levels[0].descriptor"),
        (MINIMAL + "wieght = 2\n", "criteria[0].wieght"),
        (MINIMAL + 'comment = "sometimes"\n', "criteria[0].comment"),
        (MINIMAL + "comment = { below = 1 }\n", "criteria[0].comment.below"),  # never applies
        (MINIMAL + "comment = { above = 5 }\n", "criteria[0].comment.above"),  # never applies
        (MINIMAL + 'comment = { below = "3" }\n', "criteria[0].comment.below"),
        (MINIMAL + "counts = false\n", "criteria"),  # nothing counts toward the total
        (MINIMAL.replace('name = "Test"', 'name = "Test"\ntie_break = "cost"'), "tie_break"),
        (MINIMAL.replace('name = "Test"', ""), "name"),
        ('name = "Empty"\n', "criteria"),
        (MINIMAL.replace('title = "Impact"', 'title = "  "'), "criteria[0].title"),
        (MINIMAL.replace('key = "impact"', 'key = "2 words"'), "criteria[0].key"),
    ],
)
def test_invalid_rubrics_name_the_field(toml: str, path: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        load_rubric(toml)
    if path is not None:
        assert caught.value.path == path, caught.value
    assert caught.value.message  # something a person can read


def test_a_rubric_with_a_duplicate_key_points_at_the_first_use() -> None:
    with pytest.raises(ValidationError, match=r"already used by criteria\[0\]"):
        load_rubric(MINIMAL + MINIMAL.split("\n", 2)[2])


def test_a_decimal_level_score_must_be_quoted_and_says_so() -> None:
    with pytest.raises(ValidationError, match='Quote .* write "1.5" = '):
        load_rubric(MINIMAL + 'levels = { 1.5 = "a" }\n')


def test_broken_toml_is_a_validation_error_not_a_crash() -> None:
    with pytest.raises(ValidationError, match="not valid TOML"):
        load_rubric('name = "x\n[[criteria]]\n')


def test_load_from_a_path_string_and_a_missing_file(tmp_path: Path) -> None:
    target = tmp_path / "rubric.toml"
    target.write_text(MINIMAL, encoding="utf-8")
    assert load_rubric(str(target)).name == "Test"
    assert load_rubric(target).name == "Test"
    with pytest.raises(ValidationError, match="Could not read the rubric file") as caught:
        load_rubric(tmp_path / "nope.toml")
    assert "nope.toml" in caught.value.detail


def test_errors_in_a_file_name_the_file_in_the_detail(tmp_path: Path) -> None:
    target = tmp_path / "bad.toml"
    target.write_text(MINIMAL + "weight = 0\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_rubric(target)
    assert caught.value.path == "criteria[0].weight"
    assert "bad.toml" in caught.value.detail


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"name": "x", "criteria": "impact"},
        {"name": "x", "criteria": [7]},
        {"name": 3, "criteria": [{"key": "a", "title": "A"}]},
        {"name": "x", "criteria": [{"key": "a", "title": "A", "scale": [1, 5]}]},
        {"name": "x", "criteria": [{"key": "a", "title": "A", "levels": 5}]},
        {"name": "x", "criteria": [{"key": "a", "title": "A", "levels": [{"score": 1}]}]},
        {"name": "x", "criteria": [{"key": "a", "title": "A", "comment": {"below": 2, "x": 1}}]},
        {"name": "x", "criteria": [{"key": "a", "title": "A", "counts": "yes"}]},
        {"name": "x", "criteria": [{"key": "a", "title": "A"}] * 101},
    ],
)
def test_from_dict_refuses_malformed_data_with_validation_errors_only(data: object) -> None:
    # Rubrics arrive inside bundles: any shape of JSON must give a ValidationError.
    with pytest.raises(ValidationError):
        Rubric.from_dict(data)


def test_constructing_invalid_dataclasses_directly_is_refused_too() -> None:
    with pytest.raises(ValidationError):
        Criterion("a", "A", min=3, max=1)
    with pytest.raises(ValidationError):
        CommentRule("below")  # no threshold
    with pytest.raises(ValidationError):
        CommentRule("always", 3)
    with pytest.raises(ValidationError):
        Rubric("R", (Criterion("a", "A"),), tie_break="b")
    with pytest.raises(ValidationError, match="no criterion"):
        Rubric("R", (Criterion("a", "A"),)).criterion("b")


WEIRD: list[object] = [
    None, True, 0, -1, 1e308, float("nan"), float("inf"), 1e-320, "", "x", "1",
    [], {}, [1], {"a": 1}, 2**70, 0.5, "always", {"below": 2}, {"above": 1e308},
]  # fmt: skip


def _paths(node: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


def test_randomly_damaged_rubric_dicts_never_escape_as_other_errors() -> None:
    base: Any = load_rubric(EXAMPLE).to_dict()
    paths = [p for p in _paths(base) if p]
    rng = random.Random(0)
    accepted = 0
    for _ in range(1500):
        data: Any = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(paths)
            try:
                parent: Any = functools.reduce(lambda node, k: node[k], path[:-1], data)
                parent[path[-1]] = rng.choice(WEIRD)
            except (KeyError, IndexError, TypeError):
                pass  # an earlier change removed this branch
        try:
            rubric = Rubric.from_dict(data)
        except ValidationError as exc:
            assert exc.message
            continue
        accepted += 1
        assert Rubric.from_dict(rubric.to_dict()) == rubric
    assert 0 < accepted < 1500  # some damage is harmless (a guidance text), most is not


def _exact_rule(c: Criterion, score: float) -> bool:
    """The scale rule spelled out in decimals, independently of the cached lookup."""
    from decimal import Decimal

    if isinstance(score, bool) or not isinstance(score, int | float):
        return False
    if score != score or score in (float("inf"), float("-inf")):
        return False
    if not c.min <= score <= c.max:
        return False
    lo, step = Decimal(repr(float(c.min))), Decimal(repr(float(c.step)))
    return (Decimal(repr(float(score))) - lo) % step == 0


@pytest.mark.parametrize("scale", [(1, 5, 1), (0, 1, 0.1), (0, 10, 2.5), (-1, 1, 0.25),
                                   (0.05, 0.95, 0.15), (0, 3, 0.3), (0, 10000, 1), (0, 1, 0.001),
                                   # a step whose middle points do not survive a float:
                                   (0, 20.87802767438562, 2.087802767438562)])
def test_the_cached_scale_lookup_gives_the_decimal_rules_answer(scale: tuple[float, ...]) -> None:
    """is_on_scale looks scores up in a set found once; it must agree with the rule itself."""
    lo, hi, step = scale
    c = Criterion("k", "K", min=lo, max=hi, step=step)
    rng = random.Random(5)
    points = c.valid_scores()
    candidates: list[Any] = [*points[:50], *points[-50:], 0, -0.0, 0.1 + 0.2, 0.3, 0.35,
                             lo - step, hi + step, hi + 1e-9, lo - 1e-12, 10**400, -(10**400),
                             float("nan"), float("inf"), True, False, "1", None]
    candidates += [rng.uniform(lo - 1, hi + 1) for _ in range(200)]
    candidates += [round(rng.uniform(lo, hi), 2) for _ in range(200)]
    candidates += [p + d for p in points[:20] for d in (1e-15, -1e-15, 1e-9)]
    for score in candidates:
        assert c.is_on_scale(score) == _exact_rule(c, score), score
        if c.is_on_scale(score):
            c.check_score(score)
        else:
            with pytest.raises((ValidationError, OverflowError)):
                c.check_score(score)


def test_a_score_of_another_numeric_type_is_not_on_the_scale() -> None:
    """Decimal(3) hashes like 3.0: the lookup must still refuse what is not an int or float."""
    from decimal import Decimal

    c = Criterion("k", "K")
    assert not c.is_on_scale(Decimal(3))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        c.check_score(Decimal(3))


def test_rubric_lookups_are_cached_but_equality_ignores_the_cache() -> None:
    rubric = Rubric("R", (Criterion("a", "A", weight=2), Criterion("b", "B", counts=False),
                          Criterion("c", "C", weight=0.5)))
    assert rubric.counting is rubric.counting
    assert [c.key for c in rubric.counting] == ["a", "c"]
    assert rubric.counting_weight == 2.5
    assert rubric.key_set == {"a", "b", "c"}
    fresh = Rubric.from_dict(rubric.to_dict())
    rubric.criteria[0].is_on_scale(3)  # fills one criterion's cache only
    assert fresh == rubric and hash(fresh.criteria[0]) == hash(rubric.criteria[0])
