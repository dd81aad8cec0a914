"""RTL sliding-window generator (rtl/axgen_swg.v) and max pool (rtl/axgen_maxpool.v), each alone,
simulated with cocotb on Verilator under random input gaps and output back-pressure
(generator.sim.rtl.simulate) and compared bit-exactly with generator.golden.conv."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from generator.golden import conv as golden_conv
from generator.datatypes import DataType
from generator.errors import AxgenError
from block_cases import POOL_CASES, SWG_CASES, SWG_SLOW_RTL, code as _code, random_values as _values, swg_positions
from generator.backends.rtl.lint import lint
from generator.hw.params import window_steps
from generator.resources import folder as resource_folder
from generator.sim.rtl import simulate

D = DataType
IMAGES = 4
IDLE = 5000  # cycles without an output beat before a design counts as hung
WRAPPER = "conv_block_case"


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("rtl_conv_build")


BLOCK_DEPENDENCIES = {"axgen_maxpool": ["axgen_thresholds", "axgen_fifo", "axgen_credits"],
                      "axgen_swg": ["axgen_fifo", "axgen_credits", "axgen_walk"]}  # the blocks a block instantiates


def _wrapper(folder, module: str, params: dict, in_bits: int, out_bits: int) -> None:
    """Copy `module` from rtl/ and write a wrapper setting its parameters (one Verilator build)."""
    for name in [module, *BLOCK_DEPENDENCIES.get(module, [])]:
        shutil.copyfile(resource_folder("rtl") / f"{name}.v", folder / f"{name}.v")
    overrides = ",\n        ".join(f".{k}({v})" for k, v in params.items())
    (folder / f"{WRAPPER}.v").write_text(f"""`default_nettype none
module {WRAPPER} (
    input  wire ap_clk,
    input  wire ap_rst_n,
    input  wire [{in_bits - 1}:0] s_axis_tdata,
    input  wire s_axis_tvalid,
    output wire s_axis_tready,
    output wire [{out_bits - 1}:0] m_axis_tdata,
    output wire m_axis_tvalid,
    input  wire m_axis_tready
);
    {module} #(
        {overrides}
    ) dut (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
        .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
        .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready)
    );
endmodule
`default_nettype wire
""")


# ---------------------------------------------------------------- sliding window generator

def _swg_run(tmp_path, build_dir, case, seed, images=IMAGES, wrong=False):
    _, (h, w, c), (kh, kw), (sh, sw), pads, simd, dt, pad_value = case
    rng = np.random.default_rng(seed)
    x = _values(rng, dt, (images, h, w, c))
    expected = golden_conv.im2col(x, (kh, kw), (sh, sw), pads, pad_value).reshape(images, -1)
    pad_code = _code(dt, pad_value)
    top, left, bottom, right = pads
    params = {"IFM_H": h, "IFM_W": w, "CH": c, "K_H": kh, "K_W": kw, "STRIDE_H": sh, "STRIDE_W": sw,
              "PAD_T": top, "PAD_L": left, "PAD_B": bottom, "PAD_R": right, "SIMD": simd,
              "ELEM_BITS": dt.bitwidth(), "PAD_CODE": pad_code, **window_steps(kw, swg_positions(c, simd))}
    in_simd = simd // params["P"]
    _wrapper(tmp_path, "axgen_swg", params, in_simd * dt.bitwidth(), simd * dt.bitwidth())
    want = expected.copy()
    if wrong:
        want[1, 5] = dt.min() if want[1, 5] != dt.min() else dt.max()
    res = simulate(tmp_path, WRAPPER, x.reshape(images, -1), dt, in_simd, dt, simd, expected.shape[1], want,
                   seed=seed, build_dir=build_dir, idle_cycles=IDLE)
    # a beat per cycle on the busier side, plus (when input and output rates are close) one refill
    # at the image boundary of the rows the next image's first window needs: at most K_H rows
    bound = max(h * w * c / in_simd, expected.shape[1] / simd)
    refill = kh * w * c / in_simd
    return res, expected, max(1.15 * bound, bound + refill)


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow) if c[0] in SWG_SLOW_RTL else c
                                  for c in SWG_CASES], ids=[c[0] for c in SWG_CASES])
def test_swg_matches_im2col(case, tmp_path, build_dir):
    res, expected, bound = _swg_run(tmp_path, build_dir, case, seed=SWG_CASES.index(case))
    assert res.mismatches == 0, res.mismatched_samples
    assert np.array_equal(res.outputs, expected)
    print(f"{case[0]}: {res.cycles_per_sample} cycles/image, bound {bound}")
    assert res.cycles_per_sample <= bound, (res.cycles_per_sample, bound)


# ---------------------------------------------------------------- max pool

@pytest.mark.parametrize("case", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_maxpool_matches_golden(case, tmp_path, build_dir):
    _, (h, w, c), (kh, kw), (sh, sw), pe, dt = case
    seed = 100 + POOL_CASES.index(case)
    rng = np.random.default_rng(seed)
    x = _values(rng, dt, (IMAGES, h, w, c))
    expected = golden_conv.maxpool(x, (kh, kw), (sh, sw)).reshape(IMAGES, -1)
    params = {"IFM_H": h, "IFM_W": w, "CH": c, "K_H": kh, "K_W": kw, "STRIDE_H": sh, "STRIDE_W": sw, "PE": pe,
                  "ELEM_BITS": dt.bitwidth(), "SIGNED": int(dt.signed() and dt != D["BIPOLAR"])}
    bits = pe * dt.bitwidth()
    _wrapper(tmp_path, "axgen_maxpool", params, bits, bits)
    res = simulate(tmp_path, WRAPPER, x.reshape(IMAGES, -1), dt, pe, dt, pe, expected.shape[1], expected,
                   seed=seed, build_dir=build_dir, idle_cycles=IDLE)
    assert res.mismatches == 0, res.mismatched_samples
    assert np.array_equal(res.outputs, expected)
    bound = h * w * c / pe  # one input beat per cycle
    print(f"{case[0]}: {res.cycles_per_sample} cycles/image, bound {bound}")
    assert res.cycles_per_sample <= 1.15 * bound, (res.cycles_per_sample, bound)


# ---------------------------------------------------------------- lint, error reporting

LINT_SHAPES = {
    "axgen_swg": [{}, {"K_H": 1, "K_W": 1, "IFM_H": 2, "IFM_W": 1, "CH": 1},
                  {"PAD_T": 1, "PAD_L": 2, "PAD_B": 0, "PAD_R": 1, "SIMD": 2, "CH": 4, "STRIDE_H": 2,
                   "ELEM_BITS": 8, "PAD_CODE": 255},
                  {"PAD_T": 1, "PAD_L": 1, "PAD_B": 1, "PAD_R": 1, "SIMD": 18, "CH": 2, "ELEM_BITS": 3, "PAD_CODE": 1,
                   **window_steps(3, 9)},
                  {"K_W": 4, "K_H": 2, "SIMD": 4, "CH": 2, **window_steps(4, 2)},
                  {"K_W": 2, "K_H": 4, "SIMD": 4, "CH": 1, "IFM_W": 5, **window_steps(2, 4)}],
    "axgen_maxpool": [{}, {"K_H": 1, "K_W": 1, "STRIDE_H": 1, "STRIDE_W": 1}, {"K_H": 2, "K_W": 1},
                      {"K_H": 3, "K_W": 3, "STRIDE_H": 1, "STRIDE_W": 1, "PE": 2, "SIGNED": 1},
                      {"IFM_W": 2, "K_W": 2, "CH": 1, "K_H": 3, "STRIDE_H": 1},
                      # average pools: truncation (round, floor, no shift), thresholds, raw sums
                      {"OP_SUM": 1, "ACC_BITS": 9, "OUT_BITS": 5, "OUT_MODE": 1, "SHIFT": 3, "ROUND": 1, "OUT_MIN": -16,
                       "OUT_MAX": 15, "SIGNED": 1, "K_H": 3, "K_W": 3, "STRIDE_H": 1, "STRIDE_W": 1},
                      {"OP_SUM": 1, "ACC_BITS": 7, "OUT_BITS": 4, "OUT_MODE": 1, "SHIFT": 0, "OUT_MIN": 0, "OUT_MAX": 15,
                       "CH": 4, "PE": 2},
                      {"OP_SUM": 1, "ACC_BITS": 7, "OUT_BITS": 3, "OUT_MODE": 2, "N_THRES": 7, "T_BITS": 8,
                       "THRESH_FILE": '"t.mem"', "CH": 4, "PE": 2},
                      {"OP_SUM": 1, "ACC_BITS": 7, "OUT_BITS": 6, "OUT_MODE": 0, "CH": 4, "PE": 4}],
}


@pytest.mark.parametrize("module", sorted(LINT_SHAPES))
def test_lint_clean(module, tmp_path):
    """verilator --lint-only -Wall on the block itself and on wrappers at edge-case shapes."""
    for i, params in enumerate(LINT_SHAPES[module]):
        folder = tmp_path / str(i)
        folder.mkdir()
        elem = params.get("ELEM_BITS", 4)
        per_beat = params.get("SIMD", params.get("PE", 1))
        _wrapper(folder, module, params, per_beat // params.get("P", 1) * elem, per_beat * params.get("OUT_BITS", elem))
        lint(folder, WRAPPER)


def test_wrong_expectation_is_reported(tmp_path, build_dir):
    res, expected, _ = _swg_run(tmp_path, build_dir, SWG_CASES[0], seed=0, images=3, wrong=True)
    assert res.mismatches == 1 and res.mismatched_samples == [1]
    assert np.array_equal(res.outputs, expected)


def test_stall_is_reported(tmp_path, build_dir):
    """A hung design is reported as an error, not as a pass: an SWG whose output count is
    misdeclared (one beat too many per image) stalls waiting for it."""
    case = SWG_CASES[4]
    _, (h, w, c), (kh, kw), (sh, sw), pads, simd, dt, _ = case
    x = _values(np.random.default_rng(0), dt, (2, h, w, c))
    expected = golden_conv.im2col(x, (kh, kw), (sh, sw), pads).reshape(2, -1)
    params = {"IFM_H": h, "IFM_W": w, "CH": c, "K_H": kh, "K_W": kw, "STRIDE_H": sh, "STRIDE_W": sw, "SIMD": simd,
                  "ELEM_BITS": dt.bitwidth()}
    _wrapper(tmp_path, "axgen_swg", params, simd * dt.bitwidth(), simd * dt.bitwidth())
    padded = np.hstack([expected, expected[:, :simd]])
    with pytest.raises(AxgenError, match="stalled|more output"):
        simulate(tmp_path, WRAPPER, x.reshape(2, -1), dt, simd, dt, simd, padded.shape[1], padded,
                 seed=1, build_dir=build_dir, idle_cycles=200, modes=("stream",))
