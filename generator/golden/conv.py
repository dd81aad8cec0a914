"""Golden model of the convolution and pooling stages, channels-last, on integer values.

A convolution is a sliding-window (im2col) stage feeding a matrix-vector layer: for every output
pixel in raster order, the window's elements in the order (kh, kw, c)."""

from __future__ import annotations

import numpy as np

from generator.golden.matrix import run_matrix
from generator.ir import MatrixLayer, PoolLayer, out_size
from generator.multipliers import Multiplier


def im2col(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
           pads: tuple[int, int, int, int] = (0, 0, 0, 0), pad_value: int = 0) -> np.ndarray:
    """x (N, H, W, C) -> windows (N, OH*OW, KH*KW*C); pads = (top, left, bottom, right) filled
    with pad_value."""
    kh, kw = kernel
    sh, sw = stride
    top, left, bottom, right = pads
    n, h, w, c = x.shape
    padded = np.full((n, h + top + bottom, w + left + right, c), pad_value, dtype=np.int64)
    padded[:, top:top + h, left:left + w, :] = x
    oh, ow = out_size(h, kh, sh, top, bottom), out_size(w, kw, sw, left, right)
    rows = np.arange(oh)[:, None] * sh + np.arange(kh)[None, :]  # (OH, KH)
    cols = np.arange(ow)[:, None] * sw + np.arange(kw)[None, :]  # (OW, KW)
    win = padded[:, rows[:, None, :, None], cols[None, :, None, :], :]  # (N, OH, OW, KH, KW, C)
    return win.reshape(n, oh * ow, kh * kw * c)


def maxpool(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int]) -> np.ndarray:
    """x (N, H, W, C) -> (N, OH, OW, C), the maximum over each window (no padding)."""
    n, h, w, c = x.shape
    kh, kw = kernel
    oh, ow = out_size(h, kh, stride[0]), out_size(w, kw, stride[1])
    windows = im2col(x, kernel, stride).reshape(n, oh, ow, kh * kw, c)
    return windows.max(axis=3)


def run_conv(x: np.ndarray, layer: MatrixLayer, mul: Multiplier) -> np.ndarray:
    """(N, H*W*C) channels-last images -> (N, OH*OW*MH): the matrix layer on every window."""
    g = layer.conv
    windows = im2col(x.reshape(len(x), g.in_h, g.in_w, g.channels), g.kernel, g.stride, g.pads)
    return run_matrix(windows.reshape(len(x) * g.pixels, layer.mw), layer, mul)


def run_maxpool(x: np.ndarray, layer: PoolLayer, mul: Multiplier | None = None) -> np.ndarray:
    return maxpool(x.reshape(len(x), *layer.in_shape), layer.kernel, layer.stride)
