"""Thresholds as the hardware compares them, shared by the matrix, unrolled and add stages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.datatypes import DataType


def clamped_thresholds(layer, acc_dtype: DataType) -> np.ndarray | None:
    """The thresholds clamped to [acc_min, acc_max + 1] and sorted per channel: the count of
    those an accumulator reaches is the same, and sorted they compare into a thermometer code
    (rtl/axgen_mvau.v encodes it in a few logic levels)."""
    if not layer.has_thresholds:
        return None
    return np.sort(np.clip(layer.thresholds, acc_dtype.min(), acc_dtype.max() + 1).astype(np.int64), axis=1)


@dataclass(frozen=True)
class Steps:
    """A channel's thresholds evenly spaced by a power of two, as quantizers with a power-of-two
    scale give them (QKeras' quantized_relu, a fixed-point Quant): t_i = base + i * 2^shift +
    pattern[i mod P], 0 <= pattern < 2^shift (rounding half to even alternates the offset, P = 2).
    The count of thresholds an accumulator reaches is then arithmetic, not a search: with
    d = acc - base, h = d >> shift and r its low `shift` bits, count = clip(h + [r >= pattern[h mod P]], 0, n)
    (every threshold below t_h is reached, every one above it is not)."""
    base: int
    shift: int
    pattern: tuple[int, ...]
    n: int

    def count(self, acc: np.ndarray) -> np.ndarray:
        d = np.asarray(acc, dtype=np.int64) - self.base
        h = d >> self.shift
        r = d & ((1 << self.shift) - 1)
        e = np.asarray(self.pattern, dtype=np.int64)[h % len(self.pattern)]
        return np.clip(h + (r >= e), 0, self.n)


PERIODS = (1, 2, 4)  # the offsets' periods recognised (a multiplexer of that many constants), each seen twice at least


def steps_of(row: np.ndarray) -> Steps | None:
    """`row` (one channel's thresholds, sorted) as Steps, or None where they are not evenly spaced by
    a power of two (to within offsets of one period)."""
    n = len(row)
    if n < 2 or not np.all(np.isfinite(row)) or np.any(row != np.round(row)):
        return None
    t = np.asarray(row, dtype=np.int64)
    step = (int(t[-1]) - int(t[0])) / (n - 1)
    if step < 1:
        return None
    shift = int(round(np.log2(step)))
    i = np.arange(n, dtype=np.int64)
    rest = t - (i << shift)
    base = int(rest.min())
    offsets = rest - base
    if int(offsets.max()) >= 1 << shift:
        return None
    for period in PERIODS:
        if 2 * period <= n and np.array_equal(offsets, np.resize(offsets[:period], n)):
            return Steps(base, shift, tuple(int(v) for v in offsets[:period]), n)
    return None


def steps_form(layer) -> tuple[Steps, ...] | None:
    """Every channel's thresholds as Steps, or None unless all of them are."""
    if not layer.has_thresholds:
        return None
    rows = [steps_of(np.sort(row)) for row in np.asarray(layer.thresholds)]
    return None if any(r is None for r in rows) else tuple(rows)
