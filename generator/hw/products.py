"""The cost of one lane's product as the MVAU builds it: LUTs and CARRY4s measured with Yosys
(benchmarks/measure_product_luts.py wrote generator/hw/product_luts.json), looked up for a
layer's multiplier and operand widths.

- A layer with split products (an approximate family on integer operands) multiplies magnitudes
  with `axgen_umul`: split[AxB][spec], A the activation's and B the weight's width.
- Exact layers and every product with a bipolar operand use `axgen_mul` exact:
  whole[<kind><bits>x<kind><bits>], kinds u (unsigned), s (signed), b (bipolar).
- A lut: table (and a user module proven equal to it) is a ROM of 2^(A+B) words in logic: a LUT
  per distinct output bit (more above 64 words), counted from the table itself.

A combination the table lacks is estimated, in this order: another knob of the same family at the
same widths (linear between the two nearest measured values of a one-knob family, else the
nearest knob setting); bilinear interpolation between the measured widths around it (1, 2, 3,
4, 6, 8 for split lanes); beyond 8 bits the 8-bit figure scaled by the operand area.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from generator.datatypes import DataType
from generator.hw.layout import wrapped_table
from generator.hw.memories import bit_matrix, columns, rom_column_luts
from generator.multipliers import parse

TABLE = Path(__file__).with_name("product_luts.json")
BIPOLAR = DataType["BIPOLAR"]


@dataclass(frozen=True)
class Lane:
    luts: float
    carry: float


@lru_cache(maxsize=1)
def table() -> dict:
    return json.loads(TABLE.read_text())


def _kind(dt: DataType) -> str:
    if dt == BIPOLAR:
        return "b"
    return "s" if dt.signed() else "u"


def _scale(lane: Lane, factor: float) -> Lane:
    return Lane(lane.luts * factor, lane.carry * factor)


def _mix(a: Lane, b: Lane, t: float) -> Lane:
    return Lane(a.luts + (b.luts - a.luts) * t, a.carry + (b.carry - a.carry) * t)


def _bracket(value: int, grid: list[int]) -> tuple[int, int, float]:
    """Grid points around `value` (clamped to the grid) and the weight of the upper one."""
    lo = max([g for g in grid if g <= value], default=grid[0])
    hi = min([g for g in grid if g >= value], default=grid[-1])
    return lo, hi, 0.0 if hi == lo else (value - lo) / (hi - lo)


def _knob_lookup(measured: dict, spec: str) -> Lane | None:
    """The spec at one width pair: measured, or from the same family's other knob settings."""
    if spec in measured:
        return Lane(*measured[spec])
    mul = parse(spec)
    same = [(parse(s), v) for s, v in measured.items() if s.split(":")[0] == mul.family]
    same = [(m, v) for m, v in same if set(m.knobs) == set(mul.knobs)]
    if not same:
        return None
    if len(mul.knobs) == 1:
        (name, value), = mul.knobs.items()
        points = sorted((m.knobs[name], v) for m, v in same)
        lower = [p for p in points if p[0] <= value]
        upper = [p for p in points if p[0] >= value]
        if lower and upper and upper[0][0] != lower[-1][0]:
            (k0, v0), (k1, v1) = lower[-1], upper[0]
            return _mix(Lane(*v0), Lane(*v1), (value - k0) / (k1 - k0))
    distance = [(sum(abs(m.knobs[k] - mul.knobs[k]) for k in mul.knobs), v) for m, v in same]
    best = min(d for d, _ in distance)
    near = [Lane(*v) for d, v in distance if d == best]
    return Lane(sum(n.luts for n in near) / len(near), sum(n.carry for n in near) / len(near))


def split_lane(spec: str, a: int, b: int) -> Lane:
    """axgen_umul with multiplier `spec` on a- and b-bit magnitudes."""
    split = table()["split"]
    grid = sorted({int(k.split("x")[0]) for k in split})
    if max(a, b) > grid[-1]:
        clamp_a, clamp_b = min(a, grid[-1]), min(b, grid[-1])
        return _scale(split_lane(spec, clamp_a, clamp_b), a * b / (clamp_a * clamp_b))
    a0, a1, ta = _bracket(a, grid)
    b0, b1, tb = _bracket(b, grid)
    weighted = []
    for x, wx in ((a0, 1 - ta), (a1, ta)):
        for y, wy in ((b0, 1 - tb), (b1, tb)):
            corner = _knob_lookup(split.get(f"{x}x{y}", {}), spec)
            if corner is not None and wx * wy > 0:
                weighted.append((corner, wx * wy))
    if not weighted:  # a family the table does not have: the exact product of magnitudes
        return whole_lane("u", a, "u", b)
    total = sum(w for _, w in weighted)
    return Lane(sum(c.luts * w for c, w in weighted) / total, sum(c.carry * w for c, w in weighted) / total)


def whole_lane(a_kind: str, a: int, b_kind: str, b: int) -> Lane:
    """axgen_mul exact on operand kinds (u, s, b) and widths."""
    whole = table()["whole"]
    key = f"{a_kind}{a}x{b_kind}{b}"
    if key in whole:
        return Lane(*whole[key])
    # Not measured (beyond 8 bits, or a 1-bit signed operand): the nearest measured pair, scaled by area.
    ca = 1 if a_kind == "b" else min(max(a, 2 if a_kind == "s" else 1), 8)
    cb = 1 if b_kind == "b" else min(max(b, 2 if b_kind == "s" else 1), 8)
    return _scale(Lane(*whole[f"{a_kind}{ca}x{b_kind}{cb}"]), (a * b) / (ca * cb))


def table_lane(impl) -> Lane:
    """A lut: table as a ROM of 2^(A+B) words of ACC_BITS in logic: LUTs per distinct output bit."""
    layer = impl.layer
    bits = impl.acc_dtype.bitwidth()
    products = wrapped_table(impl.multiplier.table(), bits) & ((1 << bits) - 1)
    _, distinct = columns(bit_matrix(products.reshape(-1, 1), bits))
    depth = 1 << (layer.in_dtype.bitwidth() + layer.weight_dtype.bitwidth())
    return Lane(distinct * max(1, rom_column_luts(depth)), 0.0)


@lru_cache(maxsize=256)
def unused_weight_bits(spec: str, a: int, b: int) -> frozenset:
    """Bits of the weight magnitude that never change the product of family `spec` on a- and b-bit
    magnitudes (bam below h, perforated bits): Yosys drops their memory bits and registers."""
    mul = parse(spec)
    x = np.arange(1 << a, dtype=np.int64)[:, None]
    w = np.arange(1 << b, dtype=np.int64)[None, :]
    base = mul.unsigned(x, w, a, b)
    return frozenset(j for j in range(b) if np.array_equal(base, mul.unsigned(x, w ^ (1 << j), a, b)))


@lru_cache(maxsize=256)
def product_bits(spec: str, a: int, b: int) -> int:
    """Bits of the magnitude product of family `spec` on a- and b-bit magnitudes that can be 1
    (truncated low bits and unreachable high bits are constant 0 and leave the adder tree)."""
    mul = parse(spec)
    x = np.arange(1 << a, dtype=np.int64)[:, None]
    w = np.arange(1 << b, dtype=np.int64)[None, :]
    ever = int(np.bitwise_or.reduce(mul.unsigned(x, w, a, b), axis=None))
    return bin(ever).count("1")


def lane(impl) -> Lane:
    """One lane's product of a matrix layer (LayerImpl)."""
    layer = impl.layer
    a_dt, w_dt = layer.in_dtype, layer.weight_dtype
    if impl.split_products:
        return split_lane(impl.multiplier.spec, a_dt.bitwidth(), w_dt.bitwidth())
    if impl.multiplier.family == "lut" and BIPOLAR not in (a_dt, w_dt):
        return table_lane(impl)
    return whole_lane(_kind(a_dt), a_dt.bitwidth(), _kind(w_dt), w_dt.bitwidth())
