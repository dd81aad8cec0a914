"""The one multiplier encoding both backends and every harness read: how an operand's code
encodes its value (A_KIND / B_KIND) and which family and knobs a product uses (FAMILY, K1, K2)
in rtl/axgen_mul.v and hls_lib/axgen_mul.h. A test checks this table against both files."""

from __future__ import annotations

from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.multipliers import LUT, VERILOG, Multiplier

OPERAND_KINDS = {"unsigned": 0, "signed": 1, "bipolar": 2}
FAMILY_CODES = {"exact": 0, "trunc": 1, "bam": 2, "perf": 3, "drum": 4, "mitchell": 5, "etm": 6, "roba": 7,
                LUT: 8, VERILOG: 10}
USER_FAMILY = 9  # a lut: layer whose user module was proven equal to the table (K1 = its ID)
# FAMILY_CODES[VERILOG]: a user's core through the project's axgen_umul_user (K1 = the layer's index)
KNOB_ORDER = {"trunc": ("k",), "bam": ("h", "v"), "perf": ("j", "k"), "drum": ("k",), "mitchell": ("w",),
              "etm": ("m",)}
NO_KNOB = -1  # an optional knob that is absent (mitchell without w)


def kind(dt: DataType) -> int:
    """Operand encoding: 0 unsigned, 1 two's complement, 2 bipolar."""
    if dt == DataType["BIPOLAR"]:
        return OPERAND_KINDS["bipolar"]
    return OPERAND_KINDS["signed"] if dt.signed() else OPERAND_KINDS["unsigned"]


def mul_params(mul: Multiplier, a_dt: DataType, b_dt: DataType, where: str = "multiplier") -> dict:
    """FAMILY, K1, K2 for `mul` on a_dt x b_dt operands. A product with a bipolar operand is
    exact whatever the multiplier (as in Multiplier.__call__): FAMILY 0."""
    family = mul.family
    if family not in FAMILY_CODES:
        raise AxgenError(f"{where}: multiplier {mul.spec} has no hardware implementation; "
                         f"supported: {', '.join(sorted(FAMILY_CODES))}")
    if DataType["BIPOLAR"] in (a_dt, b_dt):
        return {"FAMILY": 0, "K1": 0, "K2": 0}
    knobs = [int(mul.knobs.get(name, NO_KNOB)) for name in KNOB_ORDER.get(family, ())]
    knobs += [0] * (2 - len(knobs))
    return {"FAMILY": FAMILY_CODES[family], "K1": knobs[0], "K2": knobs[1]}
