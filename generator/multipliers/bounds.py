"""Worst-case accumulator ranges of a matrix layer under a multiplier."""

from __future__ import annotations

import numpy as np

from generator.datatypes import all_values
from generator.ir import MatrixLayer
from generator.multipliers import EXACT, Multiplier


def acc_bounds(layer: MatrixLayer, mul: Multiplier = EXACT) -> tuple[np.ndarray, np.ndarray]:
    """Per-row (lowest, highest) accumulator over every input value of the input datatype."""
    xs = all_values(layer.in_dtype)
    wvals, inverse = np.unique(layer.weights, return_inverse=True)
    prods = mul(xs[:, None], wvals[None, :], layer.in_dtype, layer.weight_dtype)  # (X, distinct w)
    pmin = prods.min(axis=0)[inverse].reshape(layer.weights.shape)
    pmax = prods.max(axis=0)[inverse].reshape(layer.weights.shape)
    return pmin.sum(axis=1), pmax.sum(axis=1)
