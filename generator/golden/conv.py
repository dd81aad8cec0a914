"""Golden model of the convolution and pooling stages, channels-last, on integer values.

A convolution is a sliding-window (im2col) stage feeding a matrix-vector layer: for every output
pixel in raster order, the window's elements in the order (kh, kw, c)."""

from __future__ import annotations

import numpy as np


def out_size(size: int, kernel: int, stride: int, pad_before: int = 0, pad_after: int = 0) -> int:
    return (size + pad_before + pad_after - kernel) // stride + 1


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
