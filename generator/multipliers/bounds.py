"""Worst-case accumulator ranges of a matrix layer under a multiplier."""

from __future__ import annotations

import numpy as np

from generator.datatypes import all_values
from generator.ir import MatrixLayer
from generator.multipliers import EXACT, Multiplier


def acc_bounds(layer: MatrixLayer, mul: Multiplier = EXACT) -> tuple[np.ndarray, np.ndarray]:
    """Per-row (lowest, highest) accumulator over every input value of the input datatype."""
    dt = layer.in_dtype  # an exact product is linear in x: its extremes are at the type's ends
    xs = np.array([int(dt.min()), int(dt.max())]) if mul.is_exact else all_values(dt)
    wvals, inverse = np.unique(layer.weights, return_inverse=True)
    prods = mul(xs[:, None], wvals[None, :], layer.in_dtype, layer.weight_dtype)  # (X, distinct w)
    pmin = prods.min(axis=0)[inverse].reshape(layer.weights.shape)
    pmax = prods.max(axis=0)[inverse].reshape(layer.weights.shape)
    return pmin.sum(axis=1), pmax.sum(axis=1)


def keeps_carried(layer: MatrixLayer, lo: np.ndarray, hi: np.ndarray) -> bool:
    """False when `layer` carries its accumulator into the next layer (MatrixLayer.carries) and
    accumulators in [lo, hi] leave the type that layer takes (out_dtype); True otherwise."""
    out = layer.out_dtype
    return not layer.carries or (out.min() <= lo.min() and hi.max() <= out.max())


FLOAT_EXACT = 2.0 ** 53  # integers up to here are exact in float64


def partial_sum_bound(act_max: np.ndarray, weight_terms: np.ndarray) -> float:
    """An upper bound on |any partial sum| of sum_j a_j * weight_terms[m, j] over every row m, where
    the R = len(act_max) terms take K columns each (|a_j| <= act_max[j // K]): sum_j max|a_j| *
    |weight_terms[m, j]|, the largest row."""
    if weight_terms.size == 0:
        return 0.0
    reach = np.repeat(np.asarray(act_max, dtype=np.float64), weight_terms.shape[1] // len(act_max))
    return float((np.abs(weight_terms.astype(np.float64)) @ reach).max())


def exact_in_float(bound: float) -> bool:
    """True if sums bounded by `bound` are exact in float64 in any order (BLAS sums in blocks):
    every partial sum an integer below 2^53 (half of it, for the rounding of the bound itself)."""
    return bound < FLOAT_EXACT / 2
