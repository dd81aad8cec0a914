"""Thresholds as the hardware compares them, shared by the matrix, unrolled and add stages."""

from __future__ import annotations

import numpy as np

from generator.datatypes import DataType


def clamped_thresholds(layer, acc_dtype: DataType) -> np.ndarray | None:
    """The thresholds clamped to [acc_min, acc_max + 1] and sorted per channel: the count of
    those an accumulator reaches is the same, and sorted they compare into a thermometer code
    (rtl/axgen_mvau.v encodes it in a few logic levels)."""
    if not layer.has_thresholds:
        return None
    return np.sort(np.clip(layer.thresholds, acc_dtype.min(), acc_dtype.max() + 1).astype(np.int64), axis=1)
