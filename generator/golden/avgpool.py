"""Golden model of average pooling, channels-last, on integer values: the window sum, then the
layer's truncation, thresholds or nothing (the raw sum)."""

from __future__ import annotations

import numpy as np

from generator.golden.conv import im2col
from generator.golden.matrix import threshold
from generator.ir import AvgPoolLayer
from generator.multipliers import Multiplier


def window_sums(x: np.ndarray, layer: AvgPoolLayer) -> np.ndarray:
    """(N, H*W*C) channels-last images -> (N*OH*OW, C) window sums."""
    windows = im2col(x.reshape(len(x), *layer.in_shape), layer.kernel, layer.stride)
    return windows.reshape(-1, layer.window, layer.channels).sum(axis=1)


def truncate(sums: np.ndarray, shift: int, rounding: str, out_dtype) -> np.ndarray:
    """qonnx Trunc on integer sums: clip(rounding(sum / 2^shift)) to out_dtype, with FLOOR an
    arithmetic shift and ROUND to nearest, ties to even (np.round, torch.round)."""
    floor = sums >> shift
    if rounding == "ROUND" and shift > 0:
        rest = sums - (floor << shift)
        half = 1 << (shift - 1)
        floor = floor + ((rest > half) | ((rest == half) & (floor & 1 == 1)))
    return np.clip(floor, int(out_dtype.min()), int(out_dtype.max()))


def run_avgpool(x: np.ndarray, layer: AvgPoolLayer, mul: Multiplier | None = None) -> np.ndarray:
    sums = window_sums(x, layer)
    if layer.shift is not None:
        sums = truncate(sums, layer.shift, layer.rounding, layer.out_dtype)
    elif layer.thresholds is not None:
        sums = threshold(sums, layer.thresholds, layer.out_bias, layer.out_dtype)
    return sums.reshape(len(x), -1)
