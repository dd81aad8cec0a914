"""Multipliers a layer can use, named by a spec string `family` or `family:knob=value,...`.

`parse(spec)` gives a Multiplier: a vectorized product on values of two datatypes. Bipolar
operands are always exact (XNOR); integer operands go through the family's function.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from generator.datatypes import DataType
from generator.errors import AxgenError

BIPOLAR = DataType["BIPOLAR"]


def _exact(a: np.ndarray, b: np.ndarray, a_bits: int, b_bits: int) -> np.ndarray:
    """Exact unsigned product a*b."""
    return a * b


FAMILIES = {
    "exact": (_exact, {}),
}


@dataclass(frozen=True)
class Multiplier:
    family: str
    knobs: dict = field(default_factory=dict)

    @property
    def spec(self) -> str:
        if not self.knobs:
            return self.family
        return self.family + ":" + ",".join(f"{k}={v}" for k, v in sorted(self.knobs.items()))

    @property
    def is_exact(self) -> bool:
        return self.family == "exact"

    def __call__(self, x: np.ndarray, w: np.ndarray, x_dt, w_dt) -> np.ndarray:
        """Products of values x (datatype x_dt) and w (w_dt), broadcast, as int64."""
        x = np.asarray(x, dtype=np.int64)
        w = np.asarray(w, dtype=np.int64)
        if self.is_exact or x_dt == BIPOLAR or w_dt == BIPOLAR:
            return x * w
        fn, _ = FAMILIES[self.family]
        sign = np.sign(x) * np.sign(w)
        return sign * fn(np.abs(x), np.abs(w), x_dt.bitwidth(), w_dt.bitwidth())


def parse(spec: str) -> Multiplier:
    family, _, knob_text = str(spec).strip().partition(":")
    if family not in FAMILIES:
        raise AxgenError(f"unknown multiplier {spec!r}: supported families are {', '.join(sorted(FAMILIES))}")
    _, allowed = FAMILIES[family]
    knobs = {}
    for part in filter(None, knob_text.split(",")):
        key, eq, value = part.partition("=")
        if not eq or key not in allowed:
            raise AxgenError(f"multiplier {spec!r}: bad knob {part!r}; {family} takes {sorted(allowed) or 'no knobs'}")
        try:
            knobs[key] = int(value)
        except ValueError:
            raise AxgenError(f"multiplier {spec!r}: knob {key} must be an integer, got {value!r}") from None
    return Multiplier(family, knobs)
