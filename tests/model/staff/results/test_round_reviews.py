"""Reading a round's score rows into one dict per review (round_reviews._group_scores).

The database hands the rows over grouped by review today (its index is in that
order), but nothing promises it: the dicts must come out the same in any order.
"""

from __future__ import annotations

import random

from judgepanel.model.staff.results.round_reviews import _group_scores

ROWS = [
    (1, 10, "impact", 4.0, "Clear results."),
    (1, 10, "reach", 3.0, ""),
    (1, 11, "impact", 2.0, ""),
    (2, 10, "impact", 5.0, "Strong."),
    (1, 10, "cost", 1.0, "Cheap."),  # a late row of the first review
    (2, 10, "other", 2.0, "Not in the rubric."),
]


def _grouped(rows: list[tuple[int, int, str, float, str]], keys: tuple[str, ...] = ()
             ) -> tuple[dict[tuple[int, int], dict[str, float]],
                        dict[tuple[int, int], dict[str, str]]]:
    scores: dict[tuple[int, int], dict[str, float]] = {}
    comments: dict[tuple[int, int], dict[str, str]] = {}
    _group_scores(rows, keys, scores, comments)
    return scores, comments


def test_rows_in_any_order_give_the_same_reviews() -> None:
    scores, comments = _grouped(ROWS)
    assert scores == {(1, 10): {"impact": 4.0, "reach": 3.0, "cost": 1.0},
                      (1, 11): {"impact": 2.0},
                      (2, 10): {"impact": 5.0, "other": 2.0}}
    # Only non-empty comments are kept; every review has a comments dict.
    assert comments == {(1, 10): {"impact": "Clear results.", "cost": "Cheap."},
                        (1, 11): {},
                        (2, 10): {"impact": "Strong.", "other": "Not in the rubric."}}
    rng = random.Random(5)
    for _ in range(20):
        shuffled = ROWS[:]
        rng.shuffle(shuffled)
        assert _grouped(shuffled) == (scores, comments)


def test_rubric_keys_are_shared_and_other_keys_kept() -> None:
    # Keys as a driver returns them: equal text, a new string each row.
    rubric_keys = ("impact", "reach", "cost")
    rows = [(rid, app, "".join(list(key)), value, comment)
            for rid, app, key, value, comment in ROWS]
    scores, comments = _grouped(rows, rubric_keys)
    stored = [k for d in scores.values() for k in d] + [k for d in comments.values() for k in d]
    shared = [k for k in stored if k in rubric_keys]
    assert len(shared) == 8  # 5 scores and 3 comments under rubric keys
    assert all(k is rubric_keys[rubric_keys.index(k)] for k in shared)
    assert "other" in scores[(2, 10)]
