"""The threshold stage of an 8-bit-output layer (255 thresholds) is a few logic levels deep: its
comparators work in parallel and their thermometer code is encoded by a tree (rtl/axgen_thresholds.v),
not a chain of 255 increments. Depth: Yosys `ltp` on the LUT-mapped module (generic synth, abc -lut 6)."""

import re

from generator.resources import folder
from generator.tools.yosys import run_reading

# 8 LUT levels for a 12-bit accumulator (11 s of Yosys), and 8 for an 18-bit one (100 s); summing
# the comparisons instead (the chain this replaced) maps to 61 levels at 18 bits.
MAX_LUT_LEVELS = 10


def lut_levels(acc_bits: int, n_thres: int, out_bits: int) -> int:
    script = (f"read_verilog axgen_thresholds.v\n"
              f"chparam -set ACC_BITS {acc_bits} -set N_THRES {n_thres} -set T_BITS {acc_bits + 1} "
              f"-set OUT_BITS {out_bits} axgen_thresholds\n"
              "synth -top axgen_thresholds -flatten\nabc -lut 6\nopt_clean\n"
              "tee -q -o ltp.txt ltp -noff\ntee -q -o stat.txt stat\n")
    text = run_reading({"axgen_thresholds.v": folder("rtl") / "axgen_thresholds.v"}, script, "threshold depth",
                       lambda work: (work / "ltp.txt").read_text())
    return int(re.search(r"length=(\d+)", text).group(1))


def test_an_8_bit_output_compares_in_few_levels():
    assert lut_levels(12, 255, 8) <= MAX_LUT_LEVELS
