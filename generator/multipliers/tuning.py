"""ALWANN-style weight tuning (Mrazek et al., ICCAD 2019): with an approximate multiplier, a
weight w is replaced by the w' that makes mul(a, w') closest to the exact a*w over the whole
activation range: w' = argmin_{w'} sum_a |a*w - mul(a, w')|; ties keep w, else the candidate
closest to w (then the smaller one)."""

from __future__ import annotations

import numpy as np

from generator.datatypes import DataType
from generator.multipliers import Multiplier
from generator.datatypes import all_values


def tuning_map(mul: Multiplier, x_dt, w_dt) -> dict[int, int]:
    """w -> w' for every value of the weight datatype."""
    xs = all_values(x_dt)
    ws = all_values(w_dt)
    approx = mul(xs[:, None], ws[None, :], x_dt, w_dt)  # (X, W') products with each candidate
    mapping = {}
    for w in ws:
        cost = np.abs(xs[:, None] * w - approx).sum(axis=0)  # per candidate w'
        best = cost.min()
        if cost[ws == w][0] == best:
            mapping[int(w)] = int(w)
            continue
        candidates = ws[cost == best]
        order = np.lexsort((candidates, np.abs(candidates - w)))  # closest to w, then smaller
        mapping[int(w)] = int(candidates[order[0]])
    return mapping


def tune_weights(weights: np.ndarray, mul: Multiplier, x_dt, w_dt) -> np.ndarray:
    """The layer's weights with every value replaced by its tuned value (bipolar and exact
    multipliers leave them unchanged)."""
    if mul.is_exact or DataType["BIPOLAR"] in (x_dt, w_dt):
        return weights.copy()
    mapping = tuning_map(mul, x_dt, w_dt)
    keys = np.array(sorted(mapping), dtype=np.int64)
    values = np.array([mapping[k] for k in keys], dtype=np.int64)
    return values[np.searchsorted(keys, weights)]
