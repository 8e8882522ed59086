"""The small dense linear algebra the judge-effect model needs, in plain Python.

Matrices are lists of rows of floats. The model's matrices are judges x judges
(a few hundred at most), so this is the standard library's job: numpy and its
BLAS would add about 48 MB to the installer for the one computation that needs
them. Inner products are ``sum(map(mul, x, y))`` (the loop runs in C) and row
updates list comprehensions over ``zip``; a Python loop over indices would be
several times slower. At 120 judges a Householder reduction takes about 45 ms
and a Cholesky factorisation with the inverse about 25 ms (LAPACK: under 5).

- ``tridiagonalize``: Householder reduction of a symmetric matrix to a
  tridiagonal one with the same eigenvalues (Golub & Van Loan, Matrix
  Computations, 4th ed., 8.3.1), a vector carried through the same reflections.
- ``Tridiagonal``: solves and determinants with ``I + t T``, O(size) each.
- ``cholesky``, ``solve``, ``inverse``, ``InverseColumns``: a symmetric positive
  definite system, its inverse, or single entries of it.
"""

from __future__ import annotations

import math
from operator import mul


def tridiagonalize(rows: list[list[float]], vector: list[float]
                   ) -> tuple[list[float], list[float], list[float]]:
    """Householder reduction of the symmetric matrix ``rows``: ``A = H T H'``.

    Returns T's diagonal, T's off-diagonal (entry k couples k and k + 1) and
    ``H' vector``. Reads the lower triangle of ``rows`` and leaves it as it was.
    About ``(4/3) size^3`` flops, on the lower triangle only; H is never formed.

    Each reflection ``I - tau v v'`` changes the rest of the matrix by
    ``- v w' - w v'``. Those updates are applied two at a time (one pass over the
    rows subtracting four products costs less than two passes subtracting two):
    in between, ``pending`` holds the update not applied yet, and the step reads the
    matrix through it.
    """
    diagonal: list[float] = []
    off: list[float] = []
    done: list[float] = []  # H' vector: the entries no later reflection touches
    rest = list(vector)
    active = [row[:i + 1] for i, row in enumerate(rows)]  # lower triangle, by rows
    pending: tuple[list[float], list[float]] | None = None  # (a, b): subtract a b' + b a'
    while len(active) > 2:
        top, body = active[0], active[1:]
        if pending is None:
            diagonal.append(top[0])
            x = [row[0] for row in body]
        else:
            a, b = pending
            a0, b0 = a[0], b[0]
            diagonal.append(top[0] - 2.0 * a0 * b0)
            x = [row[0] - ai * b0 - bi * a0 for row, ai, bi in zip(body, a[1:], b[1:],
                                                                    strict=True)]
        done.append(rest[0])
        rest = rest[1:]
        below = [row[1:] for row in body]
        norm = math.hypot(*x)
        if norm == 0.0:  # the column is zero already: nothing to reflect
            off.append(0.0)
            v = w = [0.0] * len(x)
        else:
            # Reflector taking x to alpha e_1, alpha of the sign that avoids cancellation
            # in v = x - alpha e_1; then v'v = 2 norm (norm + |x_1|) = 2 / tau.
            lead = x[0]
            alpha = -math.copysign(norm, lead)
            v = x
            v[0] = lead - alpha
            tau = 1.0 / (norm * (norm + abs(lead)))
            p = _lower_product(below, v)  # B v, then less what is pending
            if pending is not None:
                a, b = pending[0][1:], pending[1][1:]
                bv, av = sum(map(mul, b, v)), sum(map(mul, a, v))
                p = [pi - ai * bv - bi * av for pi, ai, bi in zip(p, a, b, strict=True)]
            kappa = 0.5 * tau * tau * sum(map(mul, p, v))
            w = [tau * pi - kappa * vi for pi, vi in zip(p, v, strict=True)]
            off.append(alpha)
            c = tau * sum(map(mul, v, rest))
            rest = [r - c * vi for r, vi in zip(rest, v, strict=True)]
        if pending is None:
            active, pending = below, (v, w)
        else:
            a, b = pending[0][1:], pending[1][1:]
            active = [_update(row, (ai, bi, vi, wi), (b, a, w, v))
                      for row, ai, bi, vi, wi in zip(below, a, b, v, w, strict=True)]
            pending = None
    if pending is not None:
        a, b = pending
        active = [_update(row, (ai, bi), (b, a)) for row, ai, bi in zip(active, a, b,
                                                                          strict=True)]
    if len(active) == 2:
        diagonal += (active[0][0], active[1][1])
        off.append(active[1][0])
    elif active:
        diagonal.append(active[0][0])
    return diagonal, off, done + rest


def _lower_product(lower: list[list[float]], v: list[float]) -> list[float]:
    """``B v`` for a symmetric B given by its lower rows. Row j's inner product covers
    the columns up to j; the rest of row j is column j of the rows below, summed from
    the last row up (each row shortens the running sum ``upper`` by one)."""
    size = len(lower)
    product = [0.0] * size
    upper = product[:]
    for j in range(size - 1, -1, -1):
        row = lower[j]
        vj = v[j]
        product[j] = sum(map(mul, row, v)) + upper[j]
        upper = [u + vj * e for u, e in zip(upper, row, strict=False)]
    return product


def _update(row: list[float], scales: tuple[float, ...], vectors: tuple[list[float], ...]
            ) -> list[float]:
    """``row - sum of scale * vector``, over the row's length: two terms or four."""
    if len(scales) == 2:
        c1, c2 = scales
        x1, x2 = vectors
        return [e - c1 * y1 - c2 * y2 for e, y1, y2 in zip(row, x1, x2, strict=False)]
    c1, c2, c3, c4 = scales
    x1, x2, x3, x4 = vectors
    return [e - c1 * y1 - c2 * y2 - c3 * y3 - c4 * y4
            for e, y1, y2, y3, y4 in zip(row, x1, x2, x3, x4, strict=False)]


class Tridiagonal:
    """``I + t T`` for a symmetric tridiagonal T (positive semi-definite) and t >= 0.

    ``I + t T = L D L'`` with L unit lower bidiagonal: pivots ``d_k`` by the
    recurrence ``d_k = 1 + t a_k - (t b_{k-1})^2 / d_{k-1}``, all at least 1.
    """

    def __init__(self, diagonal: list[float], off: list[float]) -> None:
        self.diagonal = diagonal
        self.before = [0.0, *off][:len(diagonal)]  # b_{k-1}: couples k and k - 1

    def log_det_and_form(self, t: float, x: list[float], y: list[float]
                         ) -> tuple[float, float]:
        """``log det(I + t T)`` and ``x' (I + t T)^-1 y``: one pass, no storage."""
        log_det = form = 0.0
        d = 1.0
        zx = zy = 0.0
        log1p = math.log1p
        for a, b, xk, yk in zip(self.diagonal, self.before, x, y, strict=True):
            tb = t * b
            ratio = tb / d
            e = t * a - ratio * tb
            d = 1.0 + e
            zx = xk - ratio * zx  # L^-1 x and L^-1 y, forward
            zy = yk - ratio * zy
            log_det += log1p(e)
            form += zx * zy / d
        return log_det, form

    def derivatives(self, t: float, x: list[float], y: list[float]
                    ) -> tuple[float, float, float]:
        """``x' (I + t T)^-1 y``, ``|(I + t T)^-1 y|^2`` and ``d log det(I + t T) / d ln t``.

        The last by differentiating the pivots' recurrence: with ``e_k = d ln d_k /
        d ln t``, ``t d'_k = t a_k - (t b_{k-1})^2 / d_{k-1} (2 - e_{k-1})``.
        """
        form = elasticity_sum = e = 0.0
        d = 1.0
        zx = zy = 0.0
        ratios: list[float] = []
        scaled: list[float] = []  # D^-1 L^-1 y
        for a, b, xk, yk in zip(self.diagonal, self.before, x, y, strict=True):
            tb = t * b
            ratio = tb / d
            coupling = ratio * tb
            d = 1.0 + t * a - coupling
            e = (t * a - coupling * (2.0 - e)) / d
            elasticity_sum += e
            zx = xk - ratio * zx
            zy = yk - ratio * zy
            form += zx * zy / d
            ratios.append(ratio)
            scaled.append(zy / d)
        square = solved = 0.0
        following = 0.0  # the ratio that couples k with k + 1
        for ratio, value in zip(reversed(ratios), reversed(scaled), strict=True):
            solved = value - following * solved  # (I + t T)^-1 y, backward
            square += solved * solved
            following = ratio
        return form, square, elasticity_sum

    def solve_unshifted(self, y: list[float]) -> list[float]:
        """``T^-1 y`` for a positive definite T (as ``lim t^-1 (I/t + T)``: no I)."""
        pivots: list[float] = []
        ratios: list[float] = []
        z: list[float] = []
        d, previous = 1.0, 0.0
        for a, b, yk in zip(self.diagonal, self.before, y, strict=True):
            ratio = b / d
            d = a - ratio * b
            previous = yk - ratio * previous
            pivots.append(d)
            ratios.append(ratio)
            z.append(previous)
        solution = [0.0] * len(z)
        following, after = 0.0, 0.0
        for k in range(len(z) - 1, -1, -1):
            after = z[k] / pivots[k] - following * after
            solution[k] = after
            following = ratios[k]
        return solution


def cholesky(rows: list[list[float]]) -> list[list[float]]:
    """Lower factor L of a symmetric positive definite matrix, ``A = L L'``, as rows
    (row i has i + 1 entries). Reads the lower triangle only."""
    factor: list[list[float]] = []
    inverse_pivots: list[float] = []
    for i, row in enumerate(rows):
        new: list[float] = []
        for lj, rj, aij in zip(factor, inverse_pivots, row, strict=False):
            new.append((aij - sum(map(mul, new, lj))) * rj)  # lj is one longer: stops at j
        pivot = row[i] - sum(map(mul, new, new))
        if not pivot > 0.0:
            raise ValueError("the matrix is not positive definite")
        root = math.sqrt(pivot)
        new.append(root)
        factor.append(new)
        inverse_pivots.append(1.0 / root)
    return factor


def solve(factor: list[list[float]], y: list[float]) -> list[float]:
    """``(L L')^-1 y`` from the Cholesky factor: forward, then backward substitution."""
    z: list[float] = []
    for row, yi in zip(factor, y, strict=True):
        z.append((yi - sum(map(mul, row, z))) / row[-1])
    for i in range(len(z) - 1, -1, -1):  # L' x = z, a column of L' (a row of L) at a time
        row = factor[i]
        xi = z[i] / row[i]
        z[i] = xi
        if xi and i:
            z[:i] = [zk - xi * lk for zk, lk in zip(z, row[:i], strict=False)]
    return z


def inverse(factor: list[list[float]]) -> list[list[float]]:
    """``A^-1`` (full rows) from A's Cholesky factor L, by Takahashi's recurrence.

    ``A^-1 L = L^-T`` is upper triangular with diagonal ``1/L_jj``; read column by
    column from the last, it gives ``(A^-1)_ij = ([i = j]/L_jj - sum over k > j of
    (A^-1)_ik L_kj) / L_jj`` for i >= j, every sum over entries already known.
    About ``size^3 / 3`` multiply-adds, all inner products.
    """
    size = len(factor)
    backward: list[list[float]] = [[] for _ in range(size)]  # row i, from column size-1 down
    for j in range(size - 1, -1, -1):
        below = [factor[k][j] for k in range(size - 1, j, -1)]  # L_kj, k from size-1 down
        reciprocal = 1.0 / factor[j][j]
        column = [-sum(map(mul, backward[i], below)) * reciprocal
                  for i in range(size - 1, j, -1)]
        for i, value in zip(range(size - 1, j, -1), column, strict=True):
            backward[i].append(value)
        column.append((reciprocal - sum(map(mul, column, below))) * reciprocal)
        backward[j] = column
    return [row[::-1] for row in backward]


class InverseColumns:
    """Single entries of ``A^-1 = L^-T L^-1`` from the columns of ``L^-1``: when a few
    entries are wanted, cheaper than ``inverse`` (``size^3 / 6`` multiply-adds for the
    columns, then one inner product an entry)."""

    def __init__(self, factor: list[list[float]]) -> None:
        size = len(factor)
        self.columns: list[list[float]] = []  # column j of L^-1: rows j..size-1
        for j in range(size):
            column = [1.0 / factor[j][j]]
            for i in range(j + 1, size):
                row = factor[i]
                column.append(-sum(map(mul, row[j:], column)) / row[i])  # stops at i - j
            self.columns.append(column)

    def entry(self, j: int, k: int) -> float:
        if j > k:
            j, k = k, j
        return sum(map(mul, self.columns[j][k - j:], self.columns[k]))
