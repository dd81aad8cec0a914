"""Golden model of the branch blocks: a duplicated stream (both copies equal to the input) and
the join of two branches (elementwise shifted sum, then the add's thresholds)."""

from __future__ import annotations

import numpy as np

from generator.golden.matrix import activate
from generator.ir import AddLayer, DuplicateLayer


def run_duplicate(x: np.ndarray, layer: DuplicateLayer, mul=None) -> np.ndarray:
    return x


def run_add(inputs: tuple[np.ndarray, np.ndarray], layer: AddLayer, mul=None) -> np.ndarray:
    """(a, b) values (N, elements) of the same channels-last shape -> (N, elements); the
    thresholds (one row per channel) apply along the last axis."""
    a, b = inputs
    acc = (a << layer.shifts[0]) + (b << layer.shifts[1])
    n = len(acc)
    return activate(acc.reshape(-1, layer.channels), layer).reshape(n, -1)
