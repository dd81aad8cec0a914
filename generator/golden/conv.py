"""Golden model of the convolution and pooling stages, channels-last, on integer values.

A convolution is a sliding-window (im2col) stage feeding a matrix-vector layer: for every output
pixel in raster order, the window's elements in the order (kh, kw, c). A depthwise convolution
takes the same windows and sums each channel's taps alone."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from generator.golden.matrix import CHUNK_ELEMENTS, activate, products
from generator.ir import MatrixLayer, PoolLayer, out_size
from generator.multipliers import Multiplier


def im2col(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
           pads: tuple[int, int, int, int] = (0, 0, 0, 0), pad_value=0) -> np.ndarray:
    """x (N, H, W, C) -> windows (N, OH*OW, KH*KW*C) of x's dtype; pads = (top, left, bottom,
    right) filled with pad_value (a number, or one per channel)."""
    kh, kw = kernel
    sh, sw = stride
    top, left, bottom, right = pads
    n, h, w, c = x.shape
    padded = np.empty((n, h + top + bottom, w + left + right, c), dtype=np.result_type(x, np.int64))
    padded[:] = pad_value
    padded[:, top:top + h, left:left + w, :] = x
    oh, ow = out_size(h, kh, sh, top, bottom), out_size(w, kw, sw, left, right)
    win = sliding_window_view(padded, (kh, kw), axis=(1, 2))[:, :(oh - 1) * sh + 1:sh, :(ow - 1) * sw + 1:sw]
    return win.transpose(0, 1, 2, 4, 5, 3).reshape(n, oh * ow, kh * kw * c)  # (N, OH, OW, KH, KW, C), one copy


def maxpool(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int]) -> np.ndarray:
    """x (N, H, W, C) -> (N, OH, OW, C), the maximum over each window (no padding)."""
    n, h, w, c = x.shape
    kh, kw = kernel
    oh, ow = out_size(h, kh, stride[0]), out_size(w, kw, stride[1])
    windows = im2col(x, kernel, stride).reshape(n, oh, ow, kh * kw, c)
    return windows.max(axis=3)


def run_conv(x: np.ndarray, layer: MatrixLayer, mul: Multiplier) -> np.ndarray:
    """(N, H*W*C) channels-last images -> (N, OH*OW*MH): the matrix layer on every window, a few
    images at a time (the windows of a whole batch can take gigabytes). The multiplier's activation
    terms are taken per pixel, before the windows repeat every pixel KH*KW times."""
    g = layer.conv
    accumulation = products(layer, mul, taps=g.kernel[0] * g.kernel[1])
    images = x.reshape(len(x) * g.in_h * g.in_w, g.channels)
    terms = accumulation.terms
    pad = np.repeat(accumulation.zero, g.channels)  # padding is value 0: its terms, per channel
    step = max(1, CHUNK_ELEMENTS // (g.pixels * layer.mw * terms))
    out = np.empty((len(x), g.pixels * layer.mh), dtype=np.int64)
    for start in range(0, len(x), step):
        part = accumulation.features(images[start * g.in_h * g.in_w:(start + step) * g.in_h * g.in_w])
        part = part.reshape(-1, g.in_h, g.in_w, terms * g.channels)
        windows = im2col(part, g.kernel, g.stride, g.pads, pad).reshape(len(part) * g.pixels, -1)
        out[start:start + step] = activate(accumulation.sums(windows), layer).reshape(len(part), -1)
    return out


def run_dwconv(x: np.ndarray, layer: MatrixLayer, mul: Multiplier) -> np.ndarray:
    """Depthwise convolution: (N, H*W*C) channels-last images -> (N, OH*OW*C), channel c of a
    pixel the sum over its window of mul(x[kh, kw, c], w[c][kh, kw]) (the multiplier's own
    product, one per tap), then the thresholds; a few images at a time."""
    g = layer.conv
    taps = g.kernel[0] * g.kernel[1]
    weights = layer.weights.T[None]  # (1, taps, C): tap t of channel c
    step = max(1, CHUNK_ELEMENTS // (g.pixels * layer.mw * layer.mh))
    out = np.empty((len(x), g.pixels * layer.mh), dtype=np.int64)
    for start in range(0, len(x), step):
        images = x[start:start + step].reshape(-1, g.in_h, g.in_w, g.channels)
        windows = im2col(images, g.kernel, g.stride, g.pads).reshape(-1, taps, g.channels)
        acc = mul(windows, weights, layer.in_dtype, layer.weight_dtype).sum(axis=1)
        out[start:start + step] = activate(acc, layer).reshape(len(images), -1)
    return out


def run_maxpool(x: np.ndarray, layer: PoolLayer, mul: Multiplier | None = None) -> np.ndarray:
    return maxpool(x.reshape(len(x), *layer.in_shape), layer.kernel, layer.stride)
