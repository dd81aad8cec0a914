"""The golden model of a matrix layer (fully-connected, or a convolution on its windows):
products and accumulation, then qonnx MultiThreshold.

The products go through matrix products: the multiplier factored into R separable integer terms
(generator.multipliers.factors; exact: one term), summed by BLAS in float64 when every partial sum is
provably below 2^53 (generator.multipliers.bounds), else by the same products in int64 (wrapping
like the straightforward sum). `accumulate_reference`, one lookup per product, is the oracle."""

from __future__ import annotations

import numpy as np

from generator.datatypes import from_codes
from generator.ir import MatrixLayer
from generator.multipliers import EXACT, Multiplier
from generator.multipliers.bounds import exact_in_float, partial_sum_bound
from generator.multipliers.factors import MANY_TERMS, Factors, factorize

CHUNK_ELEMENTS = 1 << 22  # activation terms per matrix product (32 MiB of float64)


def accumulate_reference(x: np.ndarray, layer: MatrixLayer, mul: Multiplier = EXACT, chunk: int = 64) -> np.ndarray:
    """acc[n, m] = sum_k mul(x[n, k], w[m, k]) for a batch x of shape (N, MW), one product at a time."""
    x = np.asarray(x, dtype=np.int64).reshape(len(x), -1)
    if mul.is_exact:
        return x @ layer.weights.T
    out = np.empty((x.shape[0], layer.mh), dtype=np.int64)
    for start in range(0, x.shape[0], chunk):
        xs = x[start:start + chunk, None, :]
        out[start:start + chunk] = mul(xs, layer.weights[None], layer.in_dtype, layer.weight_dtype).sum(axis=2)
    return out


class _Accumulation:
    """A layer's accumulation in two steps: `features` maps values (N, C) to activation terms (N, R*C),
    `sums` maps a batch of term rows (N, R*MW) to int64 accumulators (N, MH). A convolution takes the
    terms per pixel and sums its windows of them; `zero` holds the R terms of a value 0 (padding)."""

    terms: int
    mh: int
    zero: np.ndarray

    def features(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def sums(self, features: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(N, MW) values -> (N, MH) accumulators; equal to accumulate_reference."""
        x = np.asarray(x, dtype=np.int64).reshape(len(x), -1)
        return np.concatenate([self.sums(self.features(part)) for part in _chunks(x, x.shape[1] * self.terms)]
                              or [np.zeros((0, self.mh), dtype=np.int64)])


def _chunks(rows: np.ndarray, row_elements: int):
    step = max(1, CHUNK_ELEMENTS // max(1, row_elements))
    return [rows[start:start + step] for start in range(0, len(rows), step)]


class Products(_Accumulation):
    """Matrix products of the multiplier's activation and weight terms (columns ordered tap, term,
    channel, so a convolution's windows of term images line up), float64 when provably exact."""

    def __init__(self, layer: MatrixLayer, factors: Factors, taps: int = 1):
        self.factors, self.terms, self.mh = factors, factors.terms, layer.mh
        weights = factors.weights(layer.weights, np.int64)  # (MH, R * MW), term-major
        exact = exact_in_float(partial_sum_bound(factors.act_max(layer.in_dtype), weights))
        self.dtype = np.float64 if exact else np.int64
        weights = weights.reshape(layer.mh, self.terms, taps, layer.mw // taps).transpose(0, 2, 1, 3)
        self.weights_t = np.ascontiguousarray(weights.reshape(layer.mh, -1).T.astype(self.dtype))
        self.zero = self.features(np.zeros((1, 1), dtype=np.int64))[0]

    def features(self, x: np.ndarray) -> np.ndarray:
        return self.factors.features(np.asarray(x, dtype=np.int64), self.dtype)

    def sums(self, features: np.ndarray) -> np.ndarray:
        return np.concatenate([(part @ self.weights_t).astype(np.int64) for part in _chunks(features, features.shape[1])])


class Lookup(_Accumulation):
    """One lookup per product in the layer's product table: for multipliers of too many terms
    (a random 8 x 8 table has 255), where this beats as many matrix products."""

    def __init__(self, layer: MatrixLayer, factors: Factors):
        self.x0, self.terms, self.mh = factors.x0, 1, layer.mh
        wgt = factors.wgt  # (activation values, distinct weights); the table itself when wgt is the identity
        square = wgt.shape[0] == wgt.shape[1] and np.array_equal(wgt, np.eye(len(wgt), dtype=wgt.dtype))
        self.table = factors.act if square else factors.act @ wgt
        self.w_index = np.searchsorted(factors.wvals, layer.weights)
        self.zero = np.zeros(1, dtype=np.int64)

    def features(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.int64)

    def sums(self, features: np.ndarray) -> np.ndarray:
        return np.concatenate([self.table[part[:, None, :] - self.x0, self.w_index[None]].sum(axis=2)
                               for part in _chunks(features, self.w_index.size)])


def products(layer: MatrixLayer, mul: Multiplier = EXACT, taps: int = 1) -> _Accumulation:
    """The layer's accumulation: matrix products of the factored multiplier, or table lookups when
    it has more than MANY_TERMS terms; `taps` > 1: a convolution's weights ordered for term windows."""
    factors = factorize(mul, layer.in_dtype, layer.weight_dtype, layer.weights)
    return Lookup(layer, factors) if factors.terms > MANY_TERMS else Products(layer, factors, taps)


def accumulate(x: np.ndarray, layer: MatrixLayer, mul: Multiplier = EXACT) -> np.ndarray:
    """acc[n, m] = sum_k mul(x[n, k], w[m, k]) for a batch x of shape (N, MW)."""
    return products(layer, mul)(x)


def threshold(acc: np.ndarray, thresholds: np.ndarray, out_bias: int, out_dtype) -> np.ndarray:
    """qonnx MultiThreshold on (N, C) accumulators; returns values of out_dtype."""
    codes = np.full(acc.shape, out_bias, dtype=np.int64)
    for column in thresholds.T:  # one pass per threshold: no (N, C, L) temporary
        codes += acc >= column[None, :]
    if out_dtype.name == "BIPOLAR":
        return from_codes(codes.astype(np.uint64), out_dtype)
    return codes


def activate(acc: np.ndarray, layer: MatrixLayer) -> np.ndarray:
    """The layer's thresholds on its accumulators, if it has any."""
    if layer.thresholds is not None:
        return threshold(acc, layer.thresholds, layer.out_bias, layer.out_dtype)
    return acc


def run_matrix(x: np.ndarray, layer: MatrixLayer, mul: Multiplier) -> np.ndarray:
    """A fully-connected layer on (N, MW) values."""
    return activate(accumulate(x, layer, mul), layer)
