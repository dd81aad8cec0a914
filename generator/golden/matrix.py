"""The golden model of a matrix layer (fully-connected, or a convolution on its windows):
products and accumulation, then qonnx MultiThreshold."""

from __future__ import annotations

import numpy as np

from generator.datatypes import from_codes
from generator.ir import MatrixLayer
from generator.multipliers import EXACT, Multiplier


def accumulate(x: np.ndarray, layer: MatrixLayer, mul: Multiplier = EXACT, chunk: int = 64) -> np.ndarray:
    """acc[n, m] = sum_k mul(x[n, k], w[m, k]) for a batch x of shape (N, MW)."""
    x = np.asarray(x, dtype=np.int64).reshape(len(x), -1)
    if mul.is_exact:
        return x @ layer.weights.T
    out = np.empty((x.shape[0], layer.mh), dtype=np.int64)
    for start in range(0, x.shape[0], chunk):
        xs = x[start:start + chunk, None, :]
        out[start:start + chunk] = mul(xs, layer.weights[None], layer.in_dtype, layer.weight_dtype).sum(axis=2)
    return out


def threshold(acc: np.ndarray, thresholds: np.ndarray, out_bias: int, out_dtype) -> np.ndarray:
    """qonnx MultiThreshold on (N, C) accumulators; returns values of out_dtype."""
    count = (acc[:, :, None] >= thresholds[None, :, :]).sum(axis=2)
    codes = count + out_bias
    if out_dtype.name == "BIPOLAR":
        return from_codes(codes.astype(np.uint64), out_dtype)
    return codes.astype(np.int64)


def run_matrix(x: np.ndarray, layer: MatrixLayer, mul: Multiplier) -> np.ndarray:
    """A fully-connected layer on (N, MW) values, or a convolution's (N * pixels, MW) windows."""
    acc = accumulate(x, layer, mul)
    if layer.thresholds is not None:
        acc = threshold(acc, layer.thresholds, layer.out_bias, layer.out_dtype)
    return acc
