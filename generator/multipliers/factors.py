"""A multiplier as a short sum of separable terms, mul(x, w) = sum_r act_r(x) * wgt_r(w), exact in
integers, so a layer's products become R matrix products (BLAS) instead of one lookup per product.

Three integer factorizations of the product table (activation values x distinct weight values) are
tried and the shortest kept: one term per group of proportional rows (one-hot by activation value,
always possible), a basis of the table's own rows (bit planes for truncated and broken arrays), and
the exact product plus a basis of the error rows. A basis is kept only if its rounded coefficients
reproduce the table exactly; exact and bipolar products are the one term x * w."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.datatypes import DataType, all_values
from generator.multipliers import Multiplier

BIPOLAR = DataType["BIPOLAR"]
MANY_TERMS = 32  # past this many matrix products, one lookup per product in a table is faster


@dataclass(frozen=True, eq=False)
class Factors:
    """mul(x, w) = sum_r act[x - x0, r] * wgt[r, index of w in wvals]; act None: the one term x * w."""

    x0: int
    act: np.ndarray | None  # (activation values, R) int64
    wvals: np.ndarray  # distinct weight values, ascending
    wgt: np.ndarray  # (R, len(wvals)) int64

    @property
    def terms(self) -> int:
        return len(self.wgt)

    def act_max(self, x_dt) -> np.ndarray:
        """max |act_r(x)| over the activation datatype, per term."""
        if self.act is None:
            return np.array([max(abs(int(x_dt.min())), abs(int(x_dt.max())))], dtype=np.int64)
        return np.abs(self.act).max(axis=0)

    def features(self, x: np.ndarray, dtype) -> np.ndarray:
        """x (N, K) values -> (N, R * K) activation terms, term r in columns r*K to (r+1)*K."""
        if self.act is None:
            return x.astype(dtype)
        index = x - self.x0
        out = np.empty((len(x), self.terms, x.shape[1]), dtype=dtype)
        identity = np.arange(len(self.act)) + self.x0
        for r, column in enumerate(self.act.T):
            if np.array_equal(column, identity):
                out[:, r] = x
            else:
                np.take(column.astype(dtype), index, out=out[:, r], mode="clip")
        return out.reshape(len(x), -1)

    def weights(self, w: np.ndarray, dtype) -> np.ndarray:
        """w (M, K) values -> (M, R * K) weight terms, in the order of `features`."""
        terms = self.wgt.astype(dtype)[:, np.searchsorted(self.wvals, w)]  # (R, M, K)
        return terms.transpose(1, 0, 2).reshape(len(w), -1)


def factorize(mul: Multiplier, x_dt, w_dt, wvals: np.ndarray) -> Factors:
    """The shortest exact factorization found of `mul` on x_dt activations and the weights `wvals`."""
    wvals = np.unique(np.asarray(wvals, dtype=np.int64))
    if mul.is_exact or BIPOLAR in (x_dt, w_dt):
        return Factors(0, None, wvals, wvals[None, :])
    xs = all_values(x_dt)
    table = mul(xs[:, None], wvals[None, :], x_dt, w_dt)
    error = table - xs[:, None] * wvals[None, :]
    found = [_grouped(table), _basis(table, xs, MANY_TERMS)]
    residual = _basis(error, xs, MANY_TERMS - 1)
    if residual is not None:
        act, wgt = residual
        found.append((np.concatenate([xs[:, None], act], axis=1), np.concatenate([wvals[None, :], wgt])))
    act, wgt = min((f for f in found if f is not None), key=lambda f: len(f[1]))
    return Factors(int(xs[0]), act, wvals, wgt)


def _grouped(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One term per set of rows that are integer multiples of one primitive row (zero rows: none)."""
    groups: dict[bytes, int] = {}
    prims, coefs = [], []
    for v, row in enumerate(table):
        nz = np.flatnonzero(row)
        if not len(nz):
            continue
        g = int(np.gcd.reduce(row[nz]))
        g = g if row[nz[0]] > 0 else -g
        prim = row // g
        key = prim.tobytes()
        if key not in groups:
            if len(prims) == table.shape[1]:  # more terms than weight columns: the table itself is shorter
                return table.copy(), np.eye(table.shape[1], dtype=np.int64)
            groups[key] = len(prims)
            prims.append(prim)
        coefs.append((v, groups[key], g))
    act = np.zeros((len(table), max(1, len(prims))), dtype=np.int64)
    for v, r, g in coefs:
        act[v, r] = g
    wgt = np.array(prims, dtype=np.int64) if prims else np.zeros((1, table.shape[1]), dtype=np.int64)
    return act, wgt


def _basis(table: np.ndarray, xs: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Linearly independent rows of the table (activations xs with the fewest set bits of their
    magnitude first: bit planes) and the integer coefficients of every row on them, or None if the
    coefficients are not integers or more than `limit` rows are needed (not worth finding)."""
    order = sorted(range(len(table)), key=lambda v: (bin(abs(int(xs[v]))).count("1"), abs(int(xs[v])), int(xs[v])))
    rows = []
    ortho = np.zeros((0, table.shape[1]))  # orthonormal rows spanning the chosen ones
    for v in order:
        r = table[v].astype(np.float64)
        residual = r - ortho.T @ (ortho @ r)
        residual -= ortho.T @ (ortho @ residual)  # twice is enough (Gram-Schmidt)
        size = np.linalg.norm(residual)
        if size > 1e-7 * max(1.0, np.linalg.norm(r)):
            ortho = np.vstack([ortho, residual / size])
            rows.append(v)
            if len(rows) > limit:
                return None
    if not rows:
        return None
    basis = table[rows]
    coef = np.linalg.lstsq(basis.T.astype(np.float64), table.T.astype(np.float64), rcond=None)[0].T
    act = np.rint(coef).astype(np.int64)
    if not np.array_equal(act @ basis, table):
        return None
    return act, basis
