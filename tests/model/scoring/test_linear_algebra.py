"""The plain-Python linear algebra of the judge-effect model against numpy.

Matrices like the model's (graph Laplacians made positive definite, block
diagonal ones, already tridiagonal or diagonal ones, 1 x 1 and 2 x 2) and plain
random symmetric ones; each result against what numpy's LAPACK computes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import numpy as np
import pytest

from judgepanel.model.scoring.linear_algebra import (
    InverseColumns,
    Tridiagonal,
    cholesky,
    inverse,
    solve,
    tridiagonalize,
)


def _random_symmetric(rng: random.Random, size: int) -> list[list[float]]:
    rows = [[0.0] * size for _ in range(size)]
    for i in range(size):
        for k in range(i + 1):
            rows[i][k] = rows[k][i] = rng.uniform(-1, 1)
        rows[i][i] += size  # positive definite
    return rows


def _laplacian(rng: random.Random, size: int, pieces: int = 1) -> list[list[float]]:
    """A judges x judges C as the model builds it (applications as weighted cliques),
    plus 11' on every piece so that it is positive definite."""
    rows = [[0.0] * size for _ in range(size)]
    groups = [list(range(size))[k::pieces] for k in range(pieces)]
    for group in groups:
        for _ in range(3 * len(group)):
            judges = rng.sample(group, min(len(group), rng.randint(2, 5)))
            for x in judges:
                for y in judges:
                    rows[x][y] += (1.0 if x == y else 0.0) - 1.0 / len(judges)
        for x in group:
            for y in group:
                rows[x][y] += 1.0 / len(group)
    return rows


def _dense(diagonal: list[float], off: list[float]) -> np.ndarray:
    return np.diag(diagonal) + np.diag(off, 1) + np.diag(off, -1)


Make = Callable[[random.Random], list[list[float]]]
MATRICES: list[tuple[str, Make]] = [
    ("random 1", lambda rng: _random_symmetric(rng, 1)),
    ("random 2", lambda rng: _random_symmetric(rng, 2)),
    ("random 3", lambda rng: _random_symmetric(rng, 3)),
    ("random 40", lambda rng: _random_symmetric(rng, 40)),
    ("laplacian 30", lambda rng: _laplacian(rng, 30)),
    ("laplacian 60 in 3 pieces", lambda rng: _laplacian(rng, 60, pieces=3)),
    ("diagonal", lambda rng: [[float(i + 1) if i == k else 0.0 for k in range(6)]
                              for i in range(6)]),
    ("tridiagonal", lambda rng: _dense([2.0] * 7, [-1.0] * 6).tolist()),
]


@pytest.mark.parametrize(("name", "make"), MATRICES, ids=[m[0] for m in MATRICES])
def test_tridiagonal_form_has_the_eigenvalues_and_carries_the_vector(name: str,
                                                                    make: Make) -> None:
    rng = random.Random(name)
    rows = make(rng)
    before = [row[:] for row in rows]
    vector = [rng.uniform(-5, 5) for _ in rows]
    diagonal, off, carried = tridiagonalize(rows, vector)
    assert rows == before  # left as it was
    a = np.array(rows)
    t = _dense(diagonal, off)
    scale = max(1.0, float(np.abs(a).max()))
    assert np.allclose(np.linalg.eigvalsh(t), np.linalg.eigvalsh(a), rtol=0, atol=1e-12 * scale)
    # H'v for an orthogonal H with A = H T H': the same norm, and every quadratic form
    # of a function of A in v is the same form in T and H'v.
    v, s = np.array(vector), np.array(carried)
    assert math.isclose(float(s @ s), float(v @ v), rel_tol=1e-12)
    for shift in (0.3, 7.0):
        expected = v @ np.linalg.solve(a + shift * np.eye(len(v)), v)
        got = s @ np.linalg.solve(t + shift * np.eye(len(v)), s)
        assert math.isclose(float(got), float(expected), rel_tol=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_tridiagonal_determinants_forms_and_slopes_equal_dense_ones(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.randint(1, 25)
    diagonal = [rng.uniform(0.5, 30) for _ in range(size)]
    off = [rng.uniform(-0.4, 0.4) * min(a, b)
           for a, b in zip(diagonal, diagonal[1:], strict=False)]
    if size > 3:
        off[size // 2] = 0.0  # two blocks that do not couple, as pieces are
    x = [rng.uniform(-3, 3) for _ in range(size)]
    y = [rng.uniform(-3, 3) for _ in range(size)]
    tri = Tridiagonal(diagonal, off)
    t_dense = _dense(diagonal, off)
    for t in (1e-10, 1e-3, 0.7, 40.0, 1e8):
        m = np.eye(size) + t * t_dense
        log_det, form = tri.log_det_and_form(t, x, y)
        assert math.isclose(log_det, float(np.linalg.slogdet(m)[1]), rel_tol=1e-12,
                            abs_tol=1e-12)
        expected_form = float(np.array(x) @ np.linalg.solve(m, np.array(y)))
        assert math.isclose(form, expected_form, rel_tol=1e-9, abs_tol=1e-15)
        form2, square, slope = tri.derivatives(t, x, y)
        assert math.isclose(form2, expected_form, rel_tol=1e-9, abs_tol=1e-15)
        solved = np.linalg.solve(m, np.array(y))
        assert math.isclose(square, float(solved @ solved), rel_tol=1e-9, abs_tol=1e-15)
        # d log det(I + tT) / d ln t = t tr((I + tT)^-1 T)
        expected_slope = t * float(np.trace(np.linalg.solve(m, t_dense)))
        assert math.isclose(slope, expected_slope, rel_tol=1e-9, abs_tol=1e-12)
    unshifted = np.linalg.solve(t_dense, np.array(y))
    assert np.allclose(tri.solve_unshifted(y), unshifted, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("name", "make"), MATRICES, ids=[m[0] for m in MATRICES])
def test_cholesky_solve_and_inverse_equal_numpy(name: str, make: Make) -> None:
    rng = random.Random(name)
    rows = make(rng)
    a = np.array(rows)
    factor = cholesky(rows)
    assert [len(row) for row in factor] == list(range(1, len(rows) + 1))
    lower = np.zeros_like(a)
    for i, row in enumerate(factor):
        lower[i, :i + 1] = row
    assert np.allclose(lower, np.linalg.cholesky(a), rtol=1e-12, atol=1e-12)
    y = [rng.uniform(-5, 5) for _ in rows]
    assert np.allclose(solve(factor, y), np.linalg.solve(a, np.array(y)), rtol=1e-10,
                       atol=1e-12)
    expected = np.linalg.inv(a)
    assert np.allclose(np.array(inverse(factor)), expected, rtol=1e-10, atol=1e-13)
    columns = InverseColumns(factor)
    entries = [[columns.entry(j, k) for k in range(len(rows))] for j in range(len(rows))]
    assert np.allclose(np.array(entries), expected, rtol=1e-10, atol=1e-13)


def test_cholesky_refuses_a_matrix_that_is_not_positive_definite() -> None:
    with pytest.raises(ValueError, match="positive definite"):
        cholesky([[1.0, 2.0], [2.0, 1.0]])
