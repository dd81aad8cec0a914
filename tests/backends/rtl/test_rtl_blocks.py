"""RTL backend: rendered layer wrappers and stitched tops, simulated with cocotb on Verilator
under random back-pressure and compared bit-exactly with the golden model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from generator import config, golden
from generator.datatypes import DataType, pack_beats, to_codes
from generator.hw import annotate, plan_of
from generator.ir import MatrixLayer
from block_cases import boundary_thresholds as _thresholds, extreme_inputs as make_inputs, random_values as _values
from generator.backends.rtl import render_rtl
from generator.backends.rtl.lint import lint
from generator.backends.rtl.memfiles import mem_lines
from generator.hw.layout import weight_words
from generator.resources import folder
from generator.sim.rtl import simulate

D = DataType
SAMPLES = 24
IDLE = 5000  # cycles without an output beat before a design counts as hung


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("rtl_build")


def make_layer(rng, name, in_dt, w_dt, out, mw, mh) -> MatrixLayer:
    """A random layer; `out` is (out_dtype, out_bias) for a threshold layer, None for raw acc."""
    weights = _values(rng, w_dt, (mh, mw))
    layer = MatrixLayer(name, in_dt, w_dt, weights, None, 0, D["INT32"], (mw,), (mh,))
    if out is not None:
        out_dt, bias = out
        acc_dt = annotate([layer], config.Config())[0].acc_dtype
        n = 1 if out_dt == D["BIPOLAR"] else (1 << out_dt.bitwidth()) - 1
        layer = replace(layer, thresholds=_thresholds(rng, layer, acc_dt, n), out_dtype=out_dt, out_bias=bias)
    return layer


def fold(impl_settings: list[tuple[int, int]]) -> config.Config:
    return config.from_dict({"layers": {i: {"pe": pe, "simd": simd} for i, (pe, simd) in enumerate(impl_settings)}})


# id, input, weights, (out dtype, bias) or None for the raw accumulator, MW, MH, PE, SIMD
LAYER_CASES = [
    ("uint4_int4_thr", D["UINT4"], D["INT4"], (D["UINT2"], 0), 8, 6, 2, 4),
    ("int8_int8_raw_unfolded1", D["INT8"], D["INT8"], None, 5, 3, 1, 1),
    ("bip_bip_bip_full", D["BIPOLAR"], D["BIPOLAR"], (D["BIPOLAR"], 0), 8, 4, 4, 8),
    ("bip_int3_int4_negbias", D["BIPOLAR"], D["INT3"], (D["INT4"], -8), 6, 6, 3, 2),
    ("int2_bip_raw", D["INT2"], D["BIPOLAR"], None, 6, 4, 2, 3),
    ("uint1_uint8_thr_sf1", D["UINT1"], D["UINT8"], (D["UINT3"], 0), 4, 6, 1, 4),
    ("uint8_uint1_raw_nf1", D["UINT8"], D["UINT1"], None, 6, 3, 3, 1),
    ("int5_int7_int3_negbias", D["INT5"], D["INT7"], (D["INT3"], -4), 6, 4, 2, 2),
    ("uint3_int2_bip_pe1", D["UINT3"], D["INT2"], (D["BIPOLAR"], 0), 4, 4, 1, 2),
    ("uint4_int4_uint8_255thr", D["UINT4"], D["INT4"], (D["UINT8"], 3), 8, 4, 2, 4),  # the thermometer encoder
]


def _render_single(tmp_path, case, seed):
    name, in_dt, w_dt, out, mw, mh, pe, simd = case
    rng = np.random.default_rng(seed)
    layer = make_layer(rng, name, in_dt, w_dt, out, mw, mh)
    impl = annotate([layer], fold([(pe, simd)]))[0]
    summary = render_rtl(plan_of([impl]), tmp_path)
    return rng, layer, impl, summary


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_layer_matches_golden(case, tmp_path, build_dir):
    rng, layer, impl, summary = _render_single(tmp_path, case, seed=LAYER_CASES.index(case))
    x = make_inputs(rng, layer, SAMPLES)
    expected = golden.run_layer(x, layer)
    module = summary["layers"][0]["module"]
    lint(tmp_path, module)
    res = simulate(tmp_path, module, x, impl.in_dtype, impl.simd, impl.out_dtype, impl.pe, layer.mh,
                   expected, seed=7, build_dir=build_dir, idle_cycles=IDLE)
    assert res.mismatches == 0, res.mismatched_samples
    assert np.array_equal(res.outputs, expected)
    assert abs(res.cycles_per_sample - impl.cycles) <= 0.1 * impl.cycles, (res.cycles_per_sample, impl.cycles)


def test_wrong_expectation_is_a_mismatch(tmp_path, build_dir):
    rng, layer, impl, summary = _render_single(tmp_path, LAYER_CASES[0], seed=1)
    x = make_inputs(rng, layer, 8)
    expected = golden.run_layer(x, layer)
    wrong = expected.copy()
    wrong[3, 2] = (wrong[3, 2] + 1) % 4  # a different UINT2 value
    res = simulate(tmp_path, summary["layers"][0]["module"], x, impl.in_dtype, impl.simd, impl.out_dtype,
                   impl.pe, layer.mh, wrong, seed=3, build_dir=build_dir, idle_cycles=IDLE)
    assert res.mismatches == 1
    assert res.mismatched_samples == [3]
    assert np.array_equal(res.outputs, expected)


# Three layers; every edge needs a width converter: 3 -> 2 and 2 -> 3 elements (non-divisible).
CHAIN = [
    (D["UINT4"], D["INT3"], (D["INT3"], -4), 12, 6, 3, 3),
    (D["INT3"], D["BIPOLAR"], (D["BIPOLAR"], 0), 6, 6, 2, 2),
    (D["BIPOLAR"], D["INT2"], None, 6, 4, 2, 3),
]


def _chain(rng, spec):
    layers = [make_layer(rng, f"fc{i}", in_dt, w_dt, out, mw, mh)
              for i, (in_dt, w_dt, out, mw, mh, _, _) in enumerate(spec)]
    impls = annotate(layers, fold([(pe, simd) for *_, pe, simd in spec]))
    return layers, impls


def test_chain_top_matches_golden(tmp_path, build_dir):
    rng = np.random.default_rng(11)
    layers, impls = _chain(rng, CHAIN)
    summary = render_rtl(plan_of(impls), tmp_path)
    assert summary["in_tdata_bits"] == 16 and summary["in_data_bits"] == 12
    assert summary["out_tdata_bits"] % 8 == 0 and summary["out_data_bits"] < summary["out_tdata_bits"]
    x = make_inputs(rng, layers[0], SAMPLES)
    expected = golden.run_layers(x, layers)
    res = simulate(tmp_path, summary["top"], x, layers[0].in_dtype, summary["in_per_beat"], impls[-1].out_dtype,
                   summary["out_per_beat"], summary["out_elems"], expected, seed=5, build_dir=build_dir, idle_cycles=IDLE)
    assert res.mismatches == 0, res.mismatched_samples
    assert np.array_equal(res.outputs, expected)
    bound = max(impl.cycles for impl in impls)
    assert abs(res.cycles_per_sample - bound) <= 0.1 * bound, (res.cycles_per_sample, bound)


def test_generated_rtl_lints_clean(tmp_path):
    rng = np.random.default_rng(2)
    _, impls = _chain(rng, CHAIN)
    summary = render_rtl(plan_of(impls), tmp_path)
    lint(tmp_path, summary["top"])
    for entry in summary["layers"]:
        lint(tmp_path, entry["module"])
    assert sorted(p.name for p in tmp_path.iterdir()) == summary["files"]


def test_render_is_deterministic(tmp_path):
    texts = []
    for sub in ("a", "b"):
        _, impls = _chain(np.random.default_rng(4), CHAIN)
        render_rtl(plan_of(impls), tmp_path / sub)
        texts.append({p.name: p.read_text() for p in (tmp_path / sub).iterdir()})
    assert texts[0] == texts[1]
    assert not any(str(tmp_path) in text for text in texts[0].values())


def test_weight_memory_layout():
    """Word nf*SF+sf, lane p*SIMD+s holds W[nf*PE+p][sf*SIMD+s] (checked against pack_beats)."""
    rng = np.random.default_rng(3)
    layer = make_layer(rng, "w", D["UINT2"], D["INT3"], None, 6, 4)
    impl = annotate([layer], fold([(2, 3)]))[0]
    lines = mem_lines(weight_words(impl), 3)
    for nf in range(impl.nf):
        for sf in range(impl.sf):
            lanes = np.concatenate([layer.weights[nf * 2 + p, sf * 3:(sf + 1) * 3] for p in range(2)])
            assert int(lines[nf * impl.sf + sf], 16) == pack_beats(lanes, D["INT3"], 6)[0]
    assert to_codes(np.array([-1]), D["INT3"])[0] == 7


DWC_WRAPPER = """`default_nettype none
module dwc_{i}_{o} (
    input wire ap_clk, input wire ap_rst_n,
    input wire [{iw}:0] s_axis_tdata, input wire s_axis_tvalid, output wire s_axis_tready,
    output wire [{ow}:0] m_axis_tdata, output wire m_axis_tvalid, input wire m_axis_tready
);
    axgen_dwc #(.IN_ELEMS({i}), .OUT_ELEMS({o}), .ELEM_BITS(4)) u_dwc (.*);
endmodule
`default_nettype wire
"""


# any ratio; integer ratios up (a word from K beats) and down (K words from a beat), K = 1 included
@pytest.mark.parametrize("ratio", [(2, 3), (3, 2), (5, 3), (2, 8), (1, 4), (8, 2), (4, 1)],
                         ids=lambda r: f"{r[0]}to{r[1]}")
def test_width_converter_order_and_throughput(ratio, tmp_path, build_dir):
    """Elements leave in order at min(IN, OUT) elements per cycle, under back-pressure too."""
    i, o = ratio
    for name in ("axgen_dwc.v", "axgen_fifo.v", "axgen_walk.v"):  # the converter, its slices, its beat counter
        (tmp_path / name).write_text((folder("rtl") / name).read_text())
    (tmp_path / f"dwc_{i}_{o}.v").write_text(DWC_WRAPPER.format(i=i, o=o, iw=4 * i - 1, ow=4 * o - 1))
    elems = 2 * i * o
    x = np.random.default_rng(i * 10 + o).integers(0, 16, size=(SAMPLES, elems))
    res = simulate(tmp_path, f"dwc_{i}_{o}", x, D["UINT4"], i, D["UINT4"], o, elems, x, seed=2,
                   build_dir=build_dir, idle_cycles=IDLE)
    assert res.mismatches == 0 and np.array_equal(res.outputs, x)
    assert res.cycles_per_sample == elems / min(i, o)


FIFO_WRAPPER = """`default_nettype none
module fifo_{tag} (
    input wire ap_clk, input wire ap_rst_n,
    input wire [19:0] s_axis_tdata, input wire s_axis_tvalid, output wire s_axis_tready,
    output wire [19:0] m_axis_tdata, output wire m_axis_tvalid, input wire m_axis_tready
);
    axgen_fifo #(.WIDTH(20), .DEPTH({depth}), .DISTRIBUTED({distributed}), .HEAD_REG({head}), .LANE_BITS(6)) u_fifo (.*);
endmodule
`default_nettype wire
"""


# (depth, distributed, head register): an edge FIFO's register slice, one in LUT RAM, an unrolled
# layer's output FIFO (its head the LUT RAM's read)
@pytest.mark.parametrize("depth, distributed, head", [(2, 0, 1), (5, 1, 1), (4, 1, 0)],
                         ids=["slice", "lutram", "read"])
def test_a_fifo_in_lanes_keeps_order_and_rate(depth, distributed, head, tmp_path, build_dir):
    """A 20-bit FIFO in lanes of 6, 6, 6 and 2 bits, each with its own pointers and flags: words
    leave whole and in order, a beat per cycle, under random back-pressure."""
    tag = f"{depth}_{distributed}_{head}"
    (tmp_path / "axgen_fifo.v").write_text((folder("rtl") / "axgen_fifo.v").read_text())
    (tmp_path / f"fifo_{tag}.v").write_text(FIFO_WRAPPER.format(tag=tag, depth=depth, distributed=distributed, head=head))
    x = np.random.default_rng(depth).integers(0, 16, size=(SAMPLES, 10))
    res = simulate(tmp_path, f"fifo_{tag}", x, D["UINT4"], 5, D["UINT4"], 5, 10, x, seed=3,
                   build_dir=build_dir, idle_cycles=IDLE)
    assert res.mismatches == 0 and np.array_equal(res.outputs, x)
    assert res.cycles_per_sample == 2


@pytest.mark.slow
def test_larger_chain_top_matches_golden(tmp_path, build_dir):
    spec = [
        (D["UINT8"], D["INT4"], (D["UINT4"], 0), 64, 32, 4, 8),
        (D["UINT4"], D["INT4"], (D["BIPOLAR"], 0), 32, 48, 6, 4),
        (D["BIPOLAR"], D["BIPOLAR"], None, 48, 10, 5, 16),
    ]
    rng = np.random.default_rng(21)
    layers, impls = _chain(rng, spec)
    summary = render_rtl(plan_of(impls), tmp_path)
    lint(tmp_path, summary["top"])
    x = make_inputs(rng, layers[0], 64)
    expected = golden.run_layers(x, layers)
    res = simulate(tmp_path, summary["top"], x, layers[0].in_dtype, summary["in_per_beat"], impls[-1].out_dtype,
                   summary["out_per_beat"], summary["out_elems"], expected, seed=9, build_dir=build_dir, idle_cycles=IDLE)
    assert res.mismatches == 0, res.mismatched_samples
    bound = max(impl.cycles for impl in impls)
    assert abs(res.cycles_per_sample - bound) <= 0.1 * bound, (res.cycles_per_sample, bound)
