"""The parameters of the hand-written blocks a stage instantiates (rtl/ and hls_lib/ take the
same ones): the MVAU, the sliding-window generator and the pool (max or average)."""

from __future__ import annotations

import numpy as np

from generator.datatypes import DataType, to_codes
from generator.hw import memories
from generator.hw.encoding import FAMILY_CODES, USER_FAMILY, kind, mul_params
from generator.hw.layout import hw_widths, signed_bits
from generator.multipliers import LUT, VERILOG


def layer_params(impl, user: dict | None = None) -> dict:
    """MVAU parameters of a matrix stage (generator.hw.matrix.LayerImpl), its pipeline's included;
    `user` is the proof of the layer's own multiplier module, if any."""
    layer, module = impl.layer, impl.module
    mul = mul_params(impl.multiplier, impl.in_dtype, layer.weight_dtype, f"layer {impl.name}")
    if user is not None:
        mul = {"FAMILY": USER_FAMILY, "K1": user["id"], "K2": 0}
    elif mul["FAMILY"] == FAMILY_CODES[VERILOG]:
        mul = {**mul, "K1": impl.index}  # the layer's entry in the project's axgen_umul_user
    widths = hw_widths(impl)
    n_thres = 0 if impl.thresholds is None else int(impl.thresholds.shape[1])
    return {
        "MW": layer.mw, "MH": layer.mh, "PE": impl.pe, "SIMD": impl.simd,
        "IN_BITS": impl.in_dtype.bitwidth(), "IN_KIND": kind(impl.in_dtype),
        "W_BITS": layer.weight_dtype.bitwidth(), "W_KIND": kind(layer.weight_dtype),
        "ACC_BITS": widths["acc_bits"], "N_THRES": n_thres, "T_BITS": widths["t_bits"],
        "OUT_BITS": impl.out_dtype.bitwidth(), "OUT_BIAS": int(layer.out_bias) if n_thres else 0,
        "MUL_FAMILY": mul["FAMILY"], "MUL_K1": mul["K1"], "MUL_K2": mul["K2"],
        "MUL_SPLIT": int(impl.split_products), "W_LANE_BITS": impl.weight_lane_bits,
        "MUL_TABLE_FILE": f'"{module}_mul_table.mem"' if mul["FAMILY"] == FAMILY_CODES[LUT] else '""',
        "WEIGHTS_FILE": f'"{module}_weights.mem"',
        "WEIGHTS_BANK_PREFIX": f'"{module}_weights_b"',
        "THRESH_FILE": f'"{module}_thresholds.mem"' if n_thres else '""',
        **impl.pipeline.params(),
        # the MVAU's input buffer (SF beats, re-read by the later output folds; the VVAU has none) in
        # LUT RAM when small
        **({} if layer.kind == "dwconv" else
           {"BUF_LUTRAM": int(memories.distributed(impl.sf, impl.simd * impl.in_dtype.bitwidth()))}),
    }


def swg_params(impl) -> dict:
    """Parameters of the sliding-window generator of a convolution; padding is the code of 0.
    P kernel positions per beat (SIMD = C*P) are walked in steps of KW_STEP columns and, at the
    end of a kernel row, KH_STEP rows."""
    g = impl.layer.conv
    p = impl.positions
    ring_words = (g.kernel[0] + g.stride[0]) * g.in_w * g.channels * p // impl.swg_simd
    return {
        "IFM_H": g.in_h, "IFM_W": g.in_w, "CH": g.channels, "K_H": g.kernel[0], "K_W": g.kernel[1],
        "STRIDE_H": g.stride[0], "STRIDE_W": g.stride[1],
        "PAD_T": g.pads[0], "PAD_L": g.pads[1], "PAD_B": g.pads[2], "PAD_R": g.pads[3],
        "SIMD": impl.swg_simd, "ELEM_BITS": impl.in_dtype.bitwidth(),
        "PAD_CODE": int(to_codes(np.zeros(1, dtype=np.int64), impl.in_dtype)[0]) if any(g.pads) else 0,
        **window_steps(g.kernel[1], p),
        "RING_LUTRAM": int(memories.distributed(ring_words, impl.swg_simd // p * impl.in_dtype.bitwidth())),
    }


def window_steps(k_w: int, p: int) -> dict:
    """The sliding-window generator's window parallelism: P positions per beat, the walker's
    column step (P within one kernel row, K_W for whole rows) and row step (1, or P/K_W rows)."""
    return {"P": p, "KW_STEP": min(p, k_w), "KH_STEP": max(1, p // k_w)}


POOL_OUT_MODES = {"raw": 0, "trunc": 1, "thresholds": 2}


def pool_output(layer) -> str:
    """A pool's output stage: "trunc" (shift), "thresholds", or "raw" (the maximum or the sum)."""
    return "trunc" if layer.shift is not None else ("thresholds" if layer.thresholds is not None else "raw")


def pool_params(impl) -> dict:
    """Parameters of the pool block (rtl/axgen_maxpool.v): a max pool, or an average pool's window
    sums (ACC_BITS two's complement) and output stage."""
    p = impl.layer
    n_thres = 0 if pool_output(p) != "thresholds" else int(p.thresholds.shape[1])
    elem = p.in_dtype.bitwidth()
    widths = {"acc_bits": elem, "t_bits": 2}
    if p.sums:
        lo, hi = p.sum_bounds
        widths = {"acc_bits": signed_bits(lo, hi), "t_bits": signed_bits(lo, hi + 1)}
    return {
        "IFM_H": p.in_h, "IFM_W": p.in_w, "CH": p.channels, "K_H": p.kernel[0], "K_W": p.kernel[1],
        "STRIDE_H": p.stride[0], "STRIDE_W": p.stride[1], "PE": impl.pe, "ELEM_BITS": elem,
        "SIGNED": int(p.in_dtype.signed() and p.in_dtype != DataType["BIPOLAR"]),
        "OP_SUM": int(p.sums), "ACC_BITS": widths["acc_bits"], "OUT_BITS": p.out_dtype.bitwidth(),
        "OUT_MODE": POOL_OUT_MODES[pool_output(p)], "SHIFT": p.shift or 0,
        "ROUND": int(p.rounding == "ROUND"),
        "OUT_MIN": int(p.out_dtype.min()), "OUT_MAX": int(p.out_dtype.max()),
        "N_THRES": max(1, n_thres), "T_BITS": widths["t_bits"], "OUT_BIAS": int(p.out_bias),
        "THRESH_FILE": f'"{impl.module}_thresholds.mem"' if n_thres else '""',
    }


def duplicate_params(impl) -> dict:
    """Parameters of the duplicate: the beat width."""
    return {"WIDTH": impl.in_stream_bits}


def add_params(impl) -> dict:
    """Parameters of the add: both operands' widths, kinds and shifts, the sum's and thresholds'
    widths (signed), the output."""
    layer = impl.layer
    widths = hw_widths(impl)
    n_thres = 0 if impl.thresholds is None else int(impl.thresholds.shape[1])
    (a, b), (sa, sb) = layer.in_dtypes, layer.shifts
    return {
        "CH": layer.channels, "PE": impl.pe,
        "A_BITS": a.bitwidth(), "A_KIND": kind(a), "A_SHIFT": sa, "B_BITS": b.bitwidth(), "B_KIND": kind(b), "B_SHIFT": sb,
        "ACC_BITS": widths["acc_bits"], "N_THRES": n_thres, "T_BITS": widths["t_bits"],
        "OUT_BITS": impl.out_dtype.bitwidth(), "OUT_BIAS": int(layer.out_bias) if n_thres else 0,
        "THRESH_FILE": f'"{impl.module}_thresholds.mem"' if n_thres else '""',
    }


def pool_thresholds(impl) -> np.ndarray:
    """(CF, PE, N) thresholds of an average pool: [cf][p][i] = T[cf*PE+p][i]."""
    t = np.asarray(impl.layer.thresholds, dtype=np.int64)
    return t.reshape(impl.layer.channels // impl.pe, impl.pe, t.shape[1])
