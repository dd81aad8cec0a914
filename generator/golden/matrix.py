"""The golden model: numpy on the integer IR, vectorized over a batch.

It defines what the hardware must compute; RTL and HLS simulations are compared with it for
exact equality.
"""

from __future__ import annotations

import numpy as np

from generator.datatypes import all_values, from_codes
from generator.ir import MatrixLayer
from generator.multipliers import Multiplier, parse

EXACT = parse("exact")


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


def run_layer(x: np.ndarray, layer, mul: Multiplier = EXACT) -> np.ndarray:
    """One layer on flattened channels-last values (N, elements) -> (N, elements)."""
    from generator.golden_conv import im2col, maxpool
    from generator.ir import PoolLayer
    n = len(x)
    if isinstance(layer, PoolLayer):
        image = np.asarray(x, dtype=np.int64).reshape(n, *layer.in_shape)
        return maxpool(image, layer.kernel, layer.stride).reshape(n, -1)
    if layer.conv is not None:
        g = layer.conv
        windows = im2col(np.asarray(x, dtype=np.int64).reshape(n, g.in_h, g.in_w, g.channels), g.kernel, g.stride, g.pads)
        x = windows.reshape(n * g.pixels, layer.mw)
    acc = accumulate(x, layer, mul)
    if layer.thresholds is not None:
        acc = threshold(acc, layer.thresholds, layer.out_bias, layer.out_dtype)
    return acc.reshape(n, -1)


def run_layers(x: np.ndarray, layers: list, muls: list[Multiplier | None] | None = None) -> np.ndarray:
    """Input values (N, input elements of the first layer) -> output values of the last layer."""
    muls = muls or [EXACT] * len(layers)
    for layer, mul in zip(layers, muls):
        x = run_layer(x, layer, mul or EXACT)  # None: a layer without products (pooling)
    return x


def acc_bounds(layer: MatrixLayer, mul: Multiplier = EXACT) -> tuple[np.ndarray, np.ndarray]:
    """Worst-case per-row accumulator range over every input value of the input datatype."""
    xs = all_values(layer.in_dtype)
    wvals, inverse = np.unique(layer.weights, return_inverse=True)
    prods = mul(xs[:, None], wvals[None, :], layer.in_dtype, layer.weight_dtype)  # (X, distinct w)
    pmin = prods.min(axis=0)[inverse].reshape(layer.weights.shape)
    pmax = prods.max(axis=0)[inverse].reshape(layer.weights.shape)
    return pmin.sum(axis=1), pmax.sum(axis=1)
