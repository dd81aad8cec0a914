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
from generator.multipliers.factors import factorize

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


class Products:
    """A layer's accumulation as matrix products: `features` maps values to the multiplier's
    activation terms, `sums` multiplies them with the weight terms (columns ordered tap, term,
    channel: a convolution's windows of feature images line up with them)."""

    def __init__(self, layer: MatrixLayer, mul: Multiplier = EXACT, taps: int = 1):
        self.factors = factorize(mul, layer.in_dtype, layer.weight_dtype, layer.weights)
        weights = self.factors.weights(layer.weights, np.int64)  # (MH, R * MW), term-major
        exact = exact_in_float(partial_sum_bound(self.factors.act_max(layer.in_dtype), weights))
        self.dtype = np.float64 if exact else np.int64
        terms = self.factors.terms
        weights = weights.reshape(layer.mh, terms, taps, layer.mw // taps).transpose(0, 2, 1, 3)
        self.weights_t = np.ascontiguousarray(weights.reshape(layer.mh, -1).T.astype(self.dtype))
        self.zero = self.features(np.zeros((1, 1), dtype=np.int64))[0]  # (R,) the terms of a value 0

    def features(self, x: np.ndarray) -> np.ndarray:
        """(N, C) values -> (N, R * C) activation terms, term-major."""
        return self.factors.features(np.asarray(x, dtype=np.int64), self.dtype)

    def sums(self, features: np.ndarray) -> np.ndarray:
        """(N, R * MW) activation terms -> (N, MH) int64 accumulators, in chunks of rows."""
        step = max(1, CHUNK_ELEMENTS // max(1, features.shape[1]))
        out = np.empty((len(features), self.weights_t.shape[1]), dtype=np.int64)
        for start in range(0, len(features), step):
            out[start:start + step] = features[start:start + step] @ self.weights_t
        return out

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(N, MW) values -> (N, MH) accumulators; equal to accumulate_reference."""
        x = np.asarray(x, dtype=np.int64).reshape(len(x), -1)
        step = max(1, CHUNK_ELEMENTS // max(1, self.weights_t.shape[0]))
        out = np.empty((len(x), self.weights_t.shape[1]), dtype=np.int64)
        for start in range(0, len(x), step):
            out[start:start + step] = self.sums(self.features(x[start:start + step]))
        return out


def accumulate(x: np.ndarray, layer: MatrixLayer, mul: Multiplier = EXACT) -> np.ndarray:
    """acc[n, m] = sum_k mul(x[n, k], w[m, k]) for a batch x of shape (N, MW)."""
    return Products(layer, mul)(x)


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
