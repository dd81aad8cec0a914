"""Derive MultiThreshold thresholds from the float function between an accumulator and the
next quantizer, by evaluating that function (the model's own nodes, run by qonnx).

For channel c, the float path maps an integer accumulator `acc` to an output value
g_c(acc) = quantizer(f_c(alpha_c * (acc + offset_c))), where f_c is a chain of monotone
elementwise nodes (bias, batch-norm, scaling, ReLU). g_c is monotone, so

    g_c(acc) = values[0] + #{i : acc >= T[c][i]}       (non-decreasing channels)

with T[c][i] the smallest acc for which g_c(acc) >= values[i+1], found by binary search over
the accumulator range. A non-increasing channel (negative batch-norm gain or scale) is made
non-decreasing by negating its weight row: acc' = -acc, g'(acc') = g(-acc').
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from generator.ir import affine

Evaluate = Callable[[np.ndarray], np.ndarray]  # float32 (B, C) -> int values (B, C)


def derive_thresholds(evaluate: Evaluate, alpha: np.ndarray, offset: np.ndarray,
                      lo: np.ndarray, hi: np.ndarray, values: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Thresholds (C, len(values)-1) and a per-channel negate flag (C,), for accumulators in
    [lo[c], hi[c]]. A threshold of hi+1 (in the possibly negated domain) is never reached."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    ends = evaluate(affine(np.stack([lo, hi]), alpha, offset))
    negate = ends[0] > ends[1]
    sign = np.where(negate, -1, 1)
    a_lo = np.where(negate, -hi, lo)
    a_hi = np.where(negate, -lo, hi)
    targets = np.asarray(values[1:], dtype=np.int64)  # (L,)
    levels = targets.size
    left = np.repeat(a_lo[:, None], levels, axis=1)  # (C, L)
    right = np.repeat(a_hi[:, None] + 1, levels, axis=1)
    while np.any(left < right):
        mid = (left + right) // 2  # floor division keeps mid in [left, right)
        acc = (sign[:, None] * mid).T  # (L, C) accumulators in the model's own domain
        reached = evaluate(affine(acc, alpha, offset)).T >= targets[None, :]
        active = left < right
        right = np.where(active & reached, mid, right)
        left = np.where(active & ~reached, mid + 1, left)
    return left, negate
