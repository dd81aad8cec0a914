"""Approximate constants for unrolled layers (generator.hw.unrolled): each weight rounded to at
most k nonzero signed power-of-two digits (`csd:k=K`). A weight of fewer digits is fewer adders
in the layer's graph; the golden model, the RTL and the HLS all compute with the rounded
weights, so the approximation is exact to itself."""

from __future__ import annotations

import re

import numpy as np

from generator.errors import AxgenError

SPEC = re.compile(r"^csd:k=(\d+)$")


def csd_digits(spec: str) -> int | None:
    """K of a `csd:k=K` spec; None for any other spec. AxgenError for a malformed one."""
    if not spec.startswith("csd"):
        return None
    found = SPEC.match(spec)
    if found is None or int(found.group(1)) < 1:
        raise AxgenError(f"multiplier {spec!r}: approximate constants are written csd:k=K with K >= 1 (nonzero "
                         "signed digits kept per weight)")
    return int(found.group(1))


def round_weight(w: int, k: int) -> int:
    """w with at most k nonzero signed power-of-two digits: k times, take the power of two nearest
    the remainder (the lower one on a tie), with the remainder's sign."""
    out, rest = 0, int(w)
    for _ in range(k):
        if rest == 0:
            break
        size = abs(rest)
        low = 1 << (size.bit_length() - 1)
        step = low if size - low <= 2 * low - size else 2 * low
        out += step if rest > 0 else -step
        rest = w - out
    return out


def round_weights(weights: np.ndarray, k: int) -> np.ndarray:
    values = np.unique(weights)
    table = {int(v): round_weight(int(v), k) for v in values}
    return np.vectorize(lambda v: table[int(v)], otypes=[np.int64])(weights)
