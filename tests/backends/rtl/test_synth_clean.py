"""Synthesis-clean RTL: every block in rtl/ (at representative parameters) and the tops of small
test networks through Yosys synth_xilinx and synth_ecp5 (generator.backends.rtl.synth_lint), with
no latch, select out of range, multiple driver, undriven wire, combinational loop or port width
mismatch. Runs are cached by content, so a rerun without RTL changes takes seconds. `make lint`
runs this file."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import models
from generator import config
from generator.backends.rtl import render_rtl
from generator.backends.rtl.synth_lint import design_files, problems, synth_problems
from generator.datatypes import DataType
from generator.frontend import load_network
from generator.hw import annotate, plan_of
from generator.ir import MatrixLayer
from generator.project import build
from generator.resources import folder

D = DataType


def _library() -> dict:
    return {p.name: p for p in sorted(folder("rtl").glob("*.v"))}


def _zeros(words: int, bits: int) -> str:
    return "".join("0" * ((bits + 3) // 4) + "\n" for _ in range(words))


# module, parameters, memory files (name -> text); the case id is the module and a short tag
BLOCKS = [
    ("axgen_dwc", {"IN_ELEMS": 2, "OUT_ELEMS": 3, "ELEM_BITS": 4}, {}),
    ("axgen_dwc", {"IN_ELEMS": 8, "OUT_ELEMS": 3, "ELEM_BITS": 2}, {}),
    ("axgen_dwc", {"IN_ELEMS": 1, "OUT_ELEMS": 16, "ELEM_BITS": 4}, {}),
    ("axgen_dwc", {"IN_ELEMS": 32, "OUT_ELEMS": 1, "ELEM_BITS": 1}, {}),
    ("axgen_fifo", {"WIDTH": 8, "DEPTH": 2}, {}),
    ("axgen_fifo", {"WIDTH": 36, "DEPTH": 37}, {}),
    ("axgen_fifo", {"WIDTH": 5, "DEPTH": 1}, {}),
    ("axgen_fifo", {"WIDTH": 80, "DEPTH": 10, "DISTRIBUTED": 1, "HEAD_REG": 0, "LANE_BITS": 64}, {}),  # an unrolled layer's output FIFO
    ("axgen_fifo", {"WIDTH": 150, "DEPTH": 2, "DISTRIBUTED": 1, "LANE_BITS": 64}, {}),  # an edge FIFO in lanes of 64, 64, 22
    ("axgen_tlast", {"BEATS": 3, "PACKET_SAMPLES": 166667}, {}),  # 500,001 beats per packet: a 19-bit counter
    ("axgen_tlast", {"BEATS": 1}, {}),
    ("axgen_tlast", {"BEATS": 10}, {}),
    ("axgen_tlast", {"BEATS": 1, "PACKET_SAMPLES": 2}, {}),
    ("axgen_dup", {"WIDTH": 24}, {}),
    ("axgen_add", {"CH": 8, "PE": 4, "A_BITS": 4, "A_KIND": 1, "B_BITS": 3, "B_KIND": 0, "B_SHIFT": 1,
                   "ACC_BITS": 7, "OUT_BITS": 7}, {}),
    ("axgen_add", {"CH": 8, "PE": 2, "A_BITS": 1, "A_KIND": 2, "B_BITS": 4, "B_KIND": 1, "ACC_BITS": 6,
                   "N_THRES": 7, "T_BITS": 7, "OUT_BITS": 3, "THRESH_FILE": "t.mem"}, {"t.mem": _zeros(4, 2 * 7 * 7)}),
    ("axgen_thresholds", {"ACC_BITS": 10, "N_THRES": 3, "T_BITS": 11, "OUT_BITS": 2}, {}),
    ("axgen_thresholds", {"ACC_BITS": 16, "N_THRES": 255, "T_BITS": 16, "OUT_BITS": 8, "OUT_BIAS": 3}, {}),
    ("axgen_swg", {}, {}),
    ("axgen_swg", {"IFM_H": 12, "IFM_W": 10, "CH": 3, "K_H": 3, "K_W": 3, "STRIDE_H": 2, "STRIDE_W": 2,
                   "PAD_T": 1, "PAD_L": 1, "PAD_B": 1, "PAD_R": 1, "SIMD": 3, "ELEM_BITS": 8, "PAD_CODE": 5}, {}),
    ("axgen_swg", {"IFM_H": 8, "IFM_W": 8, "CH": 2, "K_H": 3, "K_W": 3, "SIMD": 6, "P": 3, "KW_STEP": 3,
                   "KH_STEP": 1}, {}),
    ("axgen_swg", {"IFM_H": 9, "IFM_W": 9, "CH": 12, "K_H": 3, "K_W": 3, "STRIDE_H": 2, "STRIDE_W": 2,
                   "SIMD": 4, "ELEM_BITS": 2}, {}),
    ("axgen_maxpool", {}, {}),
    ("axgen_maxpool", {"IFM_H": 7, "IFM_W": 7, "CH": 8, "K_H": 3, "K_W": 3, "STRIDE_H": 1, "STRIDE_W": 1, "PE": 2,
                       "ELEM_BITS": 3, "SIGNED": 1}, {}),
    ("axgen_maxpool", {"IFM_H": 6, "IFM_W": 6, "CH": 4, "PE": 4, "ELEM_BITS": 4, "OP_SUM": 1, "ACC_BITS": 6,
                       "OUT_BITS": 4, "OUT_MODE": 1, "SHIFT": 2, "ROUND": 1, "OUT_MIN": 0, "OUT_MAX": 15}, {}),
    ("axgen_maxpool", {"IFM_H": 4, "IFM_W": 4, "CH": 4, "PE": 2, "ELEM_BITS": 4, "OP_SUM": 1, "ACC_BITS": 6,
                       "OUT_BITS": 2, "OUT_MODE": 2, "N_THRES": 3, "T_BITS": 7, "THRESH_FILE": "t.mem"},
     {"t.mem": _zeros(2, 2 * 3 * 7)}),
    ("axgen_maxpool", {"IFM_H": 5, "IFM_W": 5, "CH": 2, "K_H": 5, "K_W": 5, "STRIDE_H": 1, "STRIDE_W": 1,
                       "ELEM_BITS": 4, "OP_SUM": 1, "ACC_BITS": 9, "OUT_BITS": 9}, {}),
    # a ROM of three block-RAM banks (the last one shorter), each read registered before the choice
    ("axgen_rom", {"WIDTH": 8, "DEPTH": 40, "BANK": 16, "OUT_REG": 1, "BANK_PREFIX": "w_b"},
     {"w_b000.mem": _zeros(16, 8), "w_b001.mem": _zeros(16, 8), "w_b002.mem": _zeros(8, 8)}),
    ("axgen_delay", {"WIDTH": 3, "DEPTH": 2, "RESET": 1}, {}),
    ("axgen_delay", {"WIDTH": 5, "DEPTH": 0}, {}),
    ("axgen_fmul", {"A_BITS": 3, "B_BITS": 5}, {}),
    ("axgen_dot", {"SIMD": 5, "IN_BITS": 3, "IN_KIND": 1, "W_BITS": 3, "W_KIND": 1, "ACC_BITS": 9, "MUL_FABRIC": 1,
                   "TREE_STAGE": 1}, {}),
    ("axgen_dot", {"SIMD": 4, "IN_BITS": 4, "IN_KIND": 0, "W_BITS": 4, "W_KIND": 1, "ACC_BITS": 11, "MUL_FAMILY": 3,
                   "MUL_K1": 2, "MUL_K2": 2, "MUL_SPLIT": 1, "W_LANE_BITS": 5, "TREE_STAGE": 2}, {}),
    ("axgen_mul", {}, {}),
    ("axgen_mul", {"A_BITS": 1, "A_KIND": 2, "B_BITS": 1, "B_KIND": 2, "P_BITS": 4}, {}),
    ("axgen_mul_lut", {"A_BITS": 2, "B_BITS": 2, "P_BITS": 4, "TABLE_FILE": "m.mem"}, {"m.mem": _zeros(16, 4)}),
    *((name, {}, {}) for name in ("axgen_umul", "axgen_umul_bam", "axgen_umul_drum", "axgen_umul_drum_operand",
                                  "axgen_umul_etm", "axgen_umul_fit", "axgen_umul_lod", "axgen_umul_mitchell",
                                  "axgen_umul_perf", "axgen_umul_roba", "axgen_umul_trunc")),
]


def _block_id(case) -> str:
    module, params, _ = case
    return module.removeprefix("axgen_") + "-" + ("-".join(f"{k.lower()}{v}" for k, v in list(params.items())[:4])
                                                   or "default")


def test_every_block_has_a_case():
    covered = {module for module, _, _ in BLOCKS} | {"axgen_mvau", "axgen_vvau", "axgen_addtree", "axgen_rom", "axgen_walk",
               "axgen_credits"}  # in generated designs
    # (axgen_addtree is recursive: Yosys elaborates it below axgen_dot, never as a top)
    assert covered == {p.stem for p in folder("rtl").glob("*.v")}


def _marked(cases):
    """The first case of each module runs by default, the others (and the 255 thresholds, a
    minute of Yosys) behind the slow marker: a cold synth_xilinx run costs ~10 s even for a counter."""
    seen, out = set(), []
    for case in cases:
        slow = case[0] in seen or case[1].get("N_THRES", 0) > 64
        seen.add(case[0])
        out.append(pytest.param(case, id=_block_id(case), marks=[pytest.mark.slow] if slow else []))
    return out


@pytest.mark.parametrize("case", _marked(BLOCKS))
def test_block_synthesizes_clean(case):
    module, params, mems = case
    assert synth_problems({**_library(), **mems}, module, params) == []


# A process whose loop variable is assigned only under a condition, and selects past the end of a
# vector: what axgen_dwc.v did before it was rewritten (the test must see both).
BAD = """module bad #(parameter integer N = 3) (input wire go, input wire [3:0] k, input wire [4*N-1:0] x,
                                            output reg [4*N-1:0] y);
    integer j;
    always @(*) begin
        y = x;
        if (go) for (j = 0; j < N; j = j + 1) y[j*4 +: 4] = x[(j + 1)*4 +: 4] ^ {4{k[0]}};
    end
endmodule
"""


def test_a_latch_and_a_select_out_of_range_are_found():
    found = synth_problems({"bad.v": BAD}, "bad")
    kinds = {entry.split(":")[0] for entry in found}
    assert {"latch", "out-of-range select"} <= kinds, found


def test_each_kind_of_warning_is_recognised():
    log = "\n".join([
        "Warning: Latch inferred for signal `\\m.\\j [0]' from process `\\m.$proc'",
        "No latch inferred for signal `\\m.\\y' from process `\\m.$proc'.",
        "m.v:6: Warning: Range select out of bounds on signal `\\v': Setting result bit to undef.",
        "Warning: multiple conflicting drivers for m.\\b:",
        "Warning: Wire m.\\u is used but has no driver.",
        "Warning: found logic loop in module m:",
        "Warning: Resizing cell port m.u.a from 4 bits to 3 bits.",
        "Lexer warning: The SystemVerilog keyword `bit' (at /share/abc9_map.v:35) is not recognized",
        "Warning: Replacing memory \\taps with list of registers.",
    ])
    assert [entry.split(":")[0] for entry in problems(log)] == [
        "latch", "out-of-range select", "multiple drivers", "undriven wire", "combinational loop",
        "port width mismatch"]


# MVAU layers rendered from the IR: thresholds, raw accumulators, bipolar, an approximate multiplier
MVAU_CASES = [
    ("uint4_int4_thr", D["UINT4"], D["INT4"], D["UINT2"], 8, 6, 2, 4, "exact"),
    ("bip_bip_bip", D["BIPOLAR"], D["BIPOLAR"], D["BIPOLAR"], 8, 4, 4, 8, "exact"),
    ("int4_int4_raw_drum", D["INT4"], D["INT4"], None, 12, 4, 2, 6, "drum:k=2"),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c[0], marks=[pytest.mark.slow] if i else [])
                                  for i, c in enumerate(MVAU_CASES)])
def test_mvau_layer_synthesizes_clean(case, tmp_path):
    name, in_dt, w_dt, out_dt, mw, mh, pe, simd, mul = case
    rng = np.random.default_rng(0)
    weights = rng.integers(int(w_dt.min()), int(w_dt.max()) + 1, size=(mh, mw))
    if w_dt == D["BIPOLAR"]:
        weights = rng.choice([-1, 1], size=(mh, mw))
    layer = MatrixLayer(name, in_dt, w_dt, weights, None, 0, D["INT32"], (mw,), (mh,))
    if out_dt is not None:
        n = 1 if out_dt == D["BIPOLAR"] else (1 << out_dt.bitwidth()) - 1
        thresholds = np.sort(rng.integers(-20, 20, size=(mh, n)), axis=1)
        layer = replace(layer, thresholds=thresholds, out_dtype=out_dt, out_bias=0)
    cfg = config.from_dict({"layers": {0: {"pe": pe, "simd": simd, "multiplier": mul}}})
    summary = render_rtl(plan_of(annotate([layer], cfg)), tmp_path)
    assert synth_problems(design_files(tmp_path), summary["top"]) == []


# Small test networks, whole tops (every layer, width converter, FIFO and the TLAST counter)
NETWORKS = {
    "small_cnn": (models.small_cnn, (3, 12, 10), models.SMALL_CNN_FOLDINGS[1]),
    "residual_cnn": (models.residual_cnn, (3, 8, 8), models.RESIDUAL_FOLDINGS[0]),
    "depthwise_cnn": (models.depthwise_cnn, (2, 7, 6), {}),
    "trunc_pool_cnn": (models.trunc_pool_cnn, (2, 8, 6), {}),
}
SLOW_NETWORKS = {"residual_cnn", "depthwise_cnn", "trunc_pool_cnn"}  # 1-2 minutes of Yosys each


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_NETWORKS else n
                                  for n in NETWORKS])
def test_network_top_synthesizes_clean(name, model_dir, tmp_path):
    make, shape, folding = NETWORKS[name]
    module = make()
    onnx = models.export(module, shape, model_dir / f"clean_{name}.onnx")
    build(load_network(onnx), tmp_path / "p", config.from_dict(folding))
    rtl = tmp_path / "p" / "rtl"
    tops = [p.stem for p in rtl.glob("*top*.v")]
    assert len(tops) == 1, tops
    assert synth_problems(design_files(rtl), tops[0]) == []
