"""When the board warns that the adjusted or the z basis is weak."""

from __future__ import annotations

import random

from judgepanel.model.scoring.basis_checks import basis_warnings, reviews_per_judge
from judgepanel.model.scoring.judge_effects import JudgeEffects, fit_judge_effects


def _fit(rows: list[tuple[str, str, float]]) -> JudgeEffects:
    return fit_judge_effects([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])


def _round(n_apps: int, judges: list[str], per_app: int, seed: int = 1
           ) -> list[tuple[str, str, float]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n_apps):
        quality = rng.uniform(30, 90)
        for judge in rng.sample(judges, per_app):
            rows.append((f"A{i:03d}", judge, round(quality + rng.gauss(0, 8), 1)))
    return rows


def _kinds(effects: JudgeEffects, categories: dict[str, list[str]] | None = None
           ) -> set[tuple[str, str]]:
    return {(w.basis, w.kind) for w in basis_warnings(effects, categories)}


def test_a_well_connected_round_with_many_reviews_per_judge_gets_no_warning() -> None:
    judges = [f"J{k}" for k in range(6)]
    fit = _fit(_round(60, judges, 3))  # 30 reviews per judge
    assert min(reviews_per_judge(fit)) >= 20
    spanning = {j: ["youth", "housing"] for j in judges}
    assert _kinds(fit, spanning) == set()


def test_few_reviews_per_judge_warn_both_bases_at_their_own_thresholds() -> None:
    judges = [f"J{k:02d}" for k in range(30)]
    fit = _fit(_round(20, judges, 3))  # 2 reviews per judge on average
    assert {("adjusted", "few_reviews"), ("z", "few_reviews")} <= _kinds(fit)
    fit = _fit(_round(40, [f"J{k}" for k in range(12)], 3))  # 10 per judge: z only
    kinds = _kinds(fit)
    assert ("z", "few_reviews") in kinds and ("adjusted", "few_reviews") not in kinds
    warning = next(w for w in basis_warnings(fit) if w.basis == "z")
    assert warning.values["median"] == 10 and "median of 10 reviews" in warning.text


def test_judges_confined_to_one_category_warn_the_z_basis() -> None:
    judges = [f"J{k}" for k in range(6)]
    fit = _fit(_round(60, judges, 3))
    confined = {j: ["youth"] if k < 4 else ["housing"] for k, j in enumerate(judges)}
    assert ("z", "confined") in _kinds(fit, confined)
    one_category = {j: ["youth"] for j in judges}  # a program with one category: no warning
    assert ("z", "confined") not in _kinds(fit, one_category)


def test_pieces_and_nothing_to_estimate_warn_the_adjusted_basis() -> None:
    rows = _round(30, ["J1", "J2", "J3"], 2) + [
        (f"B{i}", j, 50.0 + i + (5 if j == "K1" else 0)) for i in range(30) for j in ("K1", "K2")]
    fit = _fit(rows)
    assert len(fit.pieces) == 2
    pieces = next(w for w in basis_warnings(fit) if w.kind == "pieces")
    assert pieces.basis == "adjusted" and pieces.values == {"groups": 2, "big": 2}
    lonely = _fit([("A", "J1", 50.0), ("B", "J2", 60.0)])
    assert ("adjusted", "not_estimable") in _kinds(lonely)
    assert basis_warnings(_fit([])) == ()
