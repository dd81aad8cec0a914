"""Single MVAU layers with approximate multipliers in RTL: rendered, linted, simulated with cocotb
on Verilator under random back-pressure and compared bit-exactly with the golden model run with
the same multiplier."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from generator import config, golden
from generator.datatypes import DataType
from generator.golden.matrix import accumulate
from generator.hw import annotate, plan_of
from generator.ir import MatrixLayer
from generator.multipliers import parse
from block_cases import random_values as _values
from generator.backends.rtl import render_rtl
from generator.backends.rtl.lint import lint
from generator.sim.rtl import simulate

D = DataType
SAMPLES = 24
IDLE = 5000


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("rtl_approx_build")


def _layer(rng, name, in_dt, w_dt, out, mw, mh, mul) -> MatrixLayer:
    """A random layer; with `out` = (out_dtype, bias), thresholds drawn from the approximate
    accumulators of random inputs, so that the outputs vary."""
    weights = _values(rng, w_dt, (mh, mw))
    # the extreme weight codes (e.g. -2^(n-1), whose magnitude needs every bit) appear in row 0
    if w_dt != D["BIPOLAR"] and mw >= 2:
        weights[0, :2] = [int(w_dt.min()), int(w_dt.max())]
    layer = MatrixLayer(name, in_dt, w_dt, weights, None, 0, D["INT32"], (mw,), (mh,))
    if out is not None:
        out_dt, bias = out
        n = 1 if out_dt == D["BIPOLAR"] else (1 << out_dt.bitwidth()) - 1
        acc = accumulate(_values(rng, in_dt, (64, mw)), layer, mul)
        picks = acc[rng.integers(0, 64, size=(mh, n)), np.arange(mh)[:, None]]
        layer = replace(layer, thresholds=np.sort(picks + rng.integers(-1, 2, size=picks.shape), axis=1),
                        out_dtype=out_dt, out_bias=bias)
    return layer


def _inputs(rng, layer: MatrixLayer, n: int) -> np.ndarray:
    """Random vectors led by the extreme codes of the input type."""
    dt = layer.in_dtype
    lo = -1 if dt == D["BIPOLAR"] else int(dt.min())
    hi = int(dt.max())
    return np.vstack([np.full(layer.mw, lo), np.full(layer.mw, hi), _values(rng, dt, (n - 2, layer.mw))])


# id, input, weights, (out dtype, bias) or None for the raw accumulator, MW, MH, PE, SIMD, multiplier
CASES = [
    ("uint4_int4_trunc_thr", D["UINT4"], D["INT4"], (D["UINT2"], 0), 8, 6, 2, 4, "trunc:k=3"),
    ("int8_int8_drum_raw", D["INT8"], D["INT8"], None, 6, 4, 2, 3, "drum:k=3"),
    ("int4_uint3_mitchell_thr", D["INT4"], D["UINT3"], (D["INT3"], -4), 6, 4, 2, 2, "mitchell:w=2"),
    ("uint8_int4_etm_raw", D["UINT8"], D["INT4"], None, 4, 6, 3, 4, "etm:m=3"),
    ("int5_int6_roba_thr", D["INT5"], D["INT6"], (D["UINT3"], 0), 6, 4, 4, 3, "roba"),
    ("uint3_int4_bam_raw", D["UINT3"], D["INT4"], None, 6, 4, 1, 6, "bam:h=1,v=3"),
    ("int3_int4_perf_raw", D["INT3"], D["INT4"], None, 8, 4, 2, 2, "perf:j=1,k=2"),
    ("int3_int3_lut_thr", D["INT3"], D["INT3"], (D["UINT2"], 0), 6, 4, 2, 3, "lut"),
    ("bip_int3_drum_thr", D["BIPOLAR"], D["INT3"], (D["BIPOLAR"], 0), 8, 4, 2, 4, "drum:k=1"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_approx_layer_matches_golden(case, tmp_path, build_dir):
    name, in_dt, w_dt, out, mw, mh, pe, simd, spec = case
    rng = np.random.default_rng(CASES.index(case) + 100)
    if spec == "lut":
        table = rng.integers(-40, 40, size=(1 << in_dt.bitwidth(), 1 << w_dt.bitwidth()))
        np.save(tmp_path / "table.npy", table)
        spec = f"lut:{tmp_path / 'table.npy'}"
    mul = parse(spec)
    layer = _layer(rng, name, in_dt, w_dt, out, mw, mh, mul)
    cfg = config.from_dict({"layers": {0: {"pe": pe, "simd": simd, "multiplier": spec}}})
    impl = annotate([layer], cfg)[0]
    rtl_dir = tmp_path / "rtl"
    summary = render_rtl(plan_of([impl]), rtl_dir)
    module = summary["layers"][0]["module"]
    lint(rtl_dir, module)
    x = _inputs(rng, layer, SAMPLES)
    expected = golden.run_layer(x, layer, mul)
    if D["BIPOLAR"] not in (in_dt, w_dt) and out is None:
        # the approximation shows in these outputs: an exact RTL multiplier would fail
        assert not np.array_equal(expected, golden.run_layer(x, layer))
    res = simulate(rtl_dir, module, x, impl.in_dtype, impl.simd, impl.out_dtype, impl.pe, layer.mh,
                   expected, seed=11, build_dir=build_dir, idle_cycles=IDLE)
    assert res.mismatches == 0, res.mismatched_samples
    assert np.array_equal(res.outputs, expected)


def test_lut_layer_writes_its_table(tmp_path):
    """A lut: layer gets <module>_mul_table.mem: entry {a code, w code} in ACC_BITS two's complement."""
    rng = np.random.default_rng(5)
    table = rng.integers(-9, 9, size=(8, 4))
    np.save(tmp_path / "t.npy", table)
    spec = f"lut:{tmp_path / 't.npy'}"
    layer = _layer(rng, "lut", D["INT3"], D["UINT2"], None, 4, 2, parse(spec))
    impl = annotate([layer], config.from_dict({"layers": {0: {"multiplier": spec}}}))[0]
    summary = render_rtl(plan_of([impl]), tmp_path / "rtl")
    entry = summary["layers"][0]
    mem = f"{entry['module']}_mul_table.mem"
    assert mem in entry["files"] and entry["params"]["MUL_FAMILY"] == 8
    acc_bits = entry["params"]["ACC_BITS"]
    words = [int(line, 16) for line in (tmp_path / "rtl" / mem).read_text().split()]
    assert len(words) == 32
    signed = [w - (1 << acc_bits) if w >> (acc_bits - 1) else w for w in words]
    assert signed == table.reshape(-1).tolist()
