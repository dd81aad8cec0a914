"""Approximate constants for unrolled layers (generator.hw.unrolled), written `csd:k=K` or
`csd:k=K,drop=D`: each weight rounded to at most K nonzero signed power-of-two digits, and, with
`drop=D`, every weight of magnitude at most D set to zero first (pruning: a zero weight costs no
adder). A weight of fewer digits is fewer adders in the layer's graph; the golden model, the RTL
and the HLS all compute with the changed weights, so the approximation is exact to itself, and
fine-tuning (generator.finetuning) trains with it in the forward pass."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from generator.errors import AxgenError

SPEC = re.compile(r"^csd:k=(\d+)(?:,drop=(\d+))?$")


@dataclass(frozen=True)
class ConstantRounding:
    """What `csd:k=K[,drop=D]` does to a constant weight."""
    digits: int
    drop: int = 0

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        return round_weights(weights, self.digits, self.drop)


def constant_rounding(spec: str) -> ConstantRounding | None:
    """The rounding of a `csd:...` spec; None for any other spec. AxgenError for a malformed one."""
    if not spec.startswith("csd"):
        return None
    found = SPEC.match(spec)
    if found is None or int(found.group(1)) < 1:
        raise AxgenError(f"multiplier {spec!r}: approximate constants are written csd:k=K with K >= 1 (nonzero "
                         "signed digits kept per weight), optionally csd:k=K,drop=D (weights of magnitude <= D "
                         "set to zero first)")
    return ConstantRounding(int(found.group(1)), int(found.group(2) or 0))


def csd_digits(spec: str) -> int | None:
    """K of a `csd:k=K[,drop=D]` spec; None for any other spec."""
    rounding = constant_rounding(spec)
    return None if rounding is None else rounding.digits


def csd_digit_count(w: int) -> int:
    """Nonzero digits of w in canonical signed-digit form (the fewest any signed-digit form has)."""
    count, n = 0, abs(int(w))
    while n:
        if n & 1:
            count += 1
            n -= 2 - (n & 3)  # a run of ones ends in -1: n = ...011 -> ...100 - 1
        n >>= 1
    return count


def round_weight(w: int, k: int, drop: int = 0) -> int:
    """w with at most k nonzero signed power-of-two digits (0 if |w| <= drop): k times, take the
    power of two nearest the remainder (the lower one on a tie), with the remainder's sign."""
    if abs(int(w)) <= drop:
        return 0
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


def round_weights(weights: np.ndarray, k: int, drop: int = 0) -> np.ndarray:
    weights = np.asarray(weights)
    values = np.unique(weights)
    table = {int(v): round_weight(int(v), k, drop) for v in values}
    return np.vectorize(lambda v: table[int(v)], otypes=[np.int64])(weights).reshape(weights.shape)
