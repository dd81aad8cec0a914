"""Random data and shape grids shared by the block tests of both backends (RTL on Verilator in
test_rtl_blocks / test_rtl_conv_blocks, HLS C++ in test_hls_blocks): the same cases, the same
boundary-seeking inputs and thresholds."""

from __future__ import annotations

import numpy as np

from generator.golden.matrix import accumulate
from generator.multipliers import EXACT
from generator.multipliers.bounds import acc_bounds
from generator.datatypes import DataType, to_codes
from generator.ir import MatrixLayer

D = DataType


def random_values(rng, dt, shape) -> np.ndarray:
    if dt == D["BIPOLAR"]:
        return rng.choice([-1, 1], size=shape)
    return rng.integers(int(dt.min()), int(dt.max()) + 1, size=shape)


def code(dt, value: int) -> int:
    return int(to_codes(np.array([value]), dt)[0])


def boundary_thresholds(rng, layer: MatrixLayer, acc_dt, n: int, mul=EXACT) -> np.ndarray:
    """Ascending rows drawn from the accumulators of random inputs (so outputs vary). Row 0 holds
    boundaries: its extremes and the accumulator type's (acc_min: always passed, acc_max + 1:
    never); with one threshold, just its maximum (passed by one input only). Row 1 lies far
    outside the accumulator range (clamped by annotate)."""
    acc = accumulate(random_values(rng, layer.in_dtype, (64, layer.mw)), layer, mul)
    picks = acc[rng.integers(0, 64, size=(layer.mh, n)), np.arange(layer.mh)[:, None]]
    t = np.sort(picks + rng.integers(-1, 2, size=picks.shape), axis=1)
    lo, hi = (int(b[0]) for b in acc_bounds(layer, mul))
    special = [int(acc_dt.min()), lo, hi, hi + 1, int(acc_dt.max()) + 1] if n > 1 else [hi]
    t[0] = np.sort(np.resize(special, n))
    if n > 1 and layer.mh > 2:
        t[1] = np.sort(np.resize([int(acc_dt.min()) - 50, int(acc_dt.max()) + 60], n))
    return t


def extreme_inputs(rng, layer: MatrixLayer, n: int) -> np.ndarray:
    """Random vectors, led by the ones driving row 0 to its maximum and minimum (exact products)."""
    lo, hi = int(layer.in_dtype.min()), int(layer.in_dtype.max())
    if layer.in_dtype == D["BIPOLAR"]:
        lo = -1
    best = np.where(layer.weights[0] > 0, hi, lo)
    worst = np.where(layer.weights[0] > 0, lo, hi)
    return np.vstack([best, worst, random_values(rng, layer.in_dtype, (n - 2, layer.mw))])


# Sliding-window generator: id, (H, W, C), (KH, KW), (SH, SW), pads (top, left, bottom, right),
# SIMD, dtype, pad value. SIMD = C*P with P > 1 covers P kernel positions per beat (swg_positions).
SWG_CASES = [
    ("3x3s1_8x8_c2_simd2", (8, 8, 2), (3, 3), (1, 1), (0, 0, 0, 0), 2, D["UINT4"], 0),
    ("3x3s1_pad1_6x7_c3_simd1_int", (6, 7, 3), (3, 3), (1, 1), (1, 1, 1, 1), 1, D["INT4"], 0),
    ("2x2s2_8x6_c4_simd4", (8, 6, 4), (2, 2), (2, 2), (0, 0, 0, 0), 4, D["UINT2"], 0),
    ("5x5s1_pad2_7x5_c1", (7, 5, 1), (5, 5), (1, 1), (2, 2, 2, 2), 1, D["INT3"], -2),
    ("1x1s1_5x3_c4_simd2", (5, 3, 4), (1, 1), (1, 1), (0, 0, 0, 0), 2, D["UINT8"], 0),
    ("3x2s3x2_asym_pad_9x7_c2_bip", (9, 7, 2), (3, 2), (3, 2), (2, 0, 1, 1), 2, D["BIPOLAR"], -1),
    ("4x3s2x1_pad_t1_r2_6x6_c2", (6, 6, 2), (4, 3), (2, 1), (1, 0, 0, 2), 1, D["UINT3"], 5),
    ("3x3s2_pad_b2_l1_5x9_c6_simd3", (5, 9, 6), (3, 3), (2, 2), (0, 1, 2, 0), 3, D["INT8"], -128),
    ("1x1s2_7x6_c2_unused_rows", (7, 6, 2), (1, 1), (2, 2), (0, 0, 0, 0), 1, D["UINT4"], 0),
    ("3x3s1_1col_6x1_c2_pad_lr", (6, 1, 2), (3, 3), (1, 1), (1, 1, 1, 1), 2, D["INT2"], 1),
    ("3x3s1_pad1_16x16_c8_simd4", (16, 16, 8), (3, 3), (1, 1), (1, 1, 1, 1), 4, D["UINT4"], 0),
    ("1x1s1_1row_1x9_c6_pad_l1", (1, 9, 6), (1, 1), (1, 1), (0, 1, 0, 0), 1, D["INT2"], 0),  # found by the fuzz run
    ("1x1s1_pad_l1_2x3_c2", (2, 3, 2), (1, 1), (1, 1), (0, 1, 0, 0), 1, D["UINT2"], 0),
    # window-parallel: P positions per beat
    ("3x3s1_pad1_8x8_c1_p9_window", (8, 8, 1), (3, 3), (1, 1), (1, 1, 1, 1), 9, D["UINT4"], 0),
    ("3x3s1_7x6_c2_p3_row", (7, 6, 2), (3, 3), (1, 1), (0, 0, 0, 0), 6, D["INT4"], 0),
    ("3x3s2_9x9_c3_p9_window", (9, 9, 3), (3, 3), (2, 2), (0, 0, 0, 0), 27, D["UINT2"], 0),
    ("3x2s2_pad_9x7_c3_p2_row", (9, 7, 3), (3, 2), (2, 2), (1, 0, 1, 1), 6, D["INT3"], -1),
    ("3x2s1_pad_6x5_c1_p6_window", (6, 5, 1), (3, 2), (1, 1), (1, 1, 1, 0), 6, D["INT8"], 0),
    ("2x4s1x2_pad_6x9_c2_p2_half_row", (6, 9, 2), (2, 4), (1, 2), (0, 1, 0, 2), 4, D["UINT3"], 0),
    ("4x3s2_pad_9x8_c2_p6_two_rows", (9, 8, 2), (4, 3), (2, 2), (1, 1, 2, 0), 12, D["UINT2"], 1),
    ("3x3s1_6x6_c2_bip_p3", (6, 6, 2), (3, 3), (1, 1), (0, 0, 0, 0), 6, D["BIPOLAR"], -1),
]


# window-parallel cases the RTL block test runs only with the slow tests (one Verilator build each);
# the HLS block test runs every case (one program)
SWG_SLOW_RTL = {"3x3s2_9x9_c3_p9_window", "3x2s1_pad_6x5_c1_p6_window", "2x4s1x2_pad_6x9_c2_p2_half_row",
                "3x3s1_6x6_c2_bip_p3"}


def swg_positions(channels: int, simd: int) -> int:
    """P, the kernel positions per beat of an SWG case (1 when SIMD divides the channels)."""
    return simd // channels if simd > channels and simd % channels == 0 else 1

# Max pool: id, (H, W, C), (KH, KW), (SH, SW), PE, dtype
POOL_CASES = [
    ("2x2s2_8x8_c4_pe2_uint", (8, 8, 4), (2, 2), (2, 2), 2, D["UINT4"]),
    ("3x3s2_overlap_7x9_c2_pe2_int", (7, 9, 2), (3, 3), (2, 2), 2, D["INT4"]),
    ("3x3s1_6x7_c2_pe1_int", (6, 7, 2), (3, 3), (1, 1), 1, D["INT4"]),
    ("3x2s2x1_9x6_c3_pe3_int8", (9, 6, 3), (3, 2), (2, 1), 3, D["INT8"]),
    ("2x3s3_7x10_c2_pe1_bip", (7, 10, 2), (2, 3), (3, 3), 1, D["BIPOLAR"]),
    ("5x4s2x3_9x9_c1_uint2", (9, 9, 1), (5, 4), (2, 3), 1, D["UINT2"]),
    ("1x1s2_5x4_c4_pe4_int3", (5, 4, 4), (1, 1), (2, 2), 4, D["INT3"]),
    ("3x3s3_1col_out_3x3_c1", (3, 3, 1), (3, 3), (3, 3), 1, D["INT2"]),
    # one line position: each row maximum reads the word written the cycle before (forwarding)
    ("2x1s1_6x1_c1_fwd", (6, 1, 1), (2, 1), (1, 1), 1, D["INT4"]),
    # two line positions: a row maximum reads the word written two cycles before (forwarding)
    ("2x1s1_5x2_c1_fwd2", (5, 2, 1), (2, 1), (1, 1), 1, D["INT4"]),
    ("3x1s1_6x1_c2_fwd2", (6, 1, 2), (3, 1), (1, 1), 1, D["INT4"]),
    ("2x2s2_16x16_c8_pe4_uint4", (16, 16, 8), (2, 2), (2, 2), 4, D["UINT4"]),
]
