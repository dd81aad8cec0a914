"""The MVAU at its shallowest and deepest pipeline (generator.hw.timing.Pipeline), for an exact and an
approximate multiplier: the same outputs as the golden model under random back-pressure, the same
cycles per sample, and a measured latency that grows by exactly the added depth and stays within
10% of the latency model's."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from block_cases import boundary_thresholds, extreme_inputs, random_values
from generator import config, golden
from generator.backends.rtl import render_rtl
from generator.datatypes import DataType
from generator.hw import annotate, plan_of
from generator.hw.timing import Pipeline
from generator.ir import MatrixLayer
from generator.sim.rtl import simulate

D = DataType
SHALLOW = Pipeline(tree_stage=0, thr_reg=0, mem_reg=0, mul_reg=0, fabric=0)  # the unpipelined block
# a register after every adder level; the weight word (2 x 16 lanes) read in slices of 24 bits, the last one shorter
DEEP = Pipeline(tree_stage=1, thr_reg=2, mem_reg=1, mul_reg=1, fabric=1, w_chunk=24)
# the 12 weight words in banks of 8 (the last one shorter), each bank's read registered twice (the
# second register cleared outside the word's bank, the banks ORed), three times, or once (then a
# multiplexer chooses the bank)
BANKED = Pipeline(tree_stage=2, thr_reg=1, mem_reg=3, mul_reg=1, fabric=1, w_bank=8)
BANKED_THRICE = Pipeline(tree_stage=1, thr_reg=2, mem_reg=4, mul_reg=1, fabric=1, w_bank=8)
BANKED_ONCE = Pipeline(tree_stage=0, thr_reg=0, mem_reg=2, mul_reg=1, fabric=1, w_bank=8)
# the weight read registered twice without banks (a block RAM's read, then the operand register)
READ_TWICE = Pipeline(tree_stage=2, thr_reg=2, mem_reg=2, mul_reg=1, fabric=1)
PIPELINES = {"shallow": SHALLOW, "deep": DEEP, "banked": BANKED, "banked_thrice": BANKED_THRICE,
             "banked_once": BANKED_ONCE, "read_twice": READ_TWICE}
# exact products (in a DSP when shallow, in logic when deep: signed weights, unsigned and signed
# activations); an approximate family with split products
MULTIPLIERS = [("exact", D["UINT4"], D["INT4"]), ("exact", D["INT3"], D["INT5"]), ("bam:h=1,v=2", D["INT4"], D["INT3"])]


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("rtl_pipeline_build")


def _stage(mul: str, in_dt, w_dt, pipeline: Pipeline):
    rng = np.random.default_rng(5)
    mw, mh = 48, 8
    layer = MatrixLayer("fc", in_dt, w_dt, random_values(rng, w_dt, (mh, mw)), None, 0, D["INT32"], (mw,), (mh,))
    cfg = config.from_dict({"defaults": {"multiplier": mul}, "layers": {0: {"pe": 2, "simd": 16}}})
    acc_dt = annotate([layer], cfg)[0].acc_dtype
    layer = replace(layer, thresholds=boundary_thresholds(rng, layer, acc_dt, 7, annotate([layer], cfg)[0].multiplier),
                    out_dtype=D["UINT3"], out_bias=0)
    return rng, layer, replace(annotate([layer], cfg)[0], fixed_pipeline=pipeline)


@pytest.mark.parametrize("mul, in_dt, w_dt", MULTIPLIERS, ids=[f"{m[0]}-{m[1].name}x{m[2].name}" for m in MULTIPLIERS])
def test_shallow_and_deep_pipelines_give_the_same_outputs(mul, in_dt, w_dt, tmp_path, build_dir):
    latencies = {}
    for name, pipeline in PIPELINES.items():
        rng, layer, stage = _stage(mul, in_dt, w_dt, pipeline)
        out = tmp_path / name
        summary = render_rtl(plan_of([stage]), out)
        banks = sorted(p.name for p in out.glob("*_weights_b*.mem"))
        assert [b[-8:] for b in banks] == (["b000.mem", "b001.mem"] if pipeline.w_bank else [])
        assert f".TREE_STAGE({pipeline.tree_stage})" in (out / f"{summary['layers'][0]['module']}.v").read_text()
        x = extreme_inputs(rng, layer, 20)
        expected = golden.run_layer(x, layer, stage.multiplier)
        if mul != "exact":  # the approximate products change outputs: the case tests them
            assert not np.array_equal(expected, golden.run_layer(x, layer))
        res = simulate(out, summary["layers"][0]["module"], x, stage.in_dtype, stage.simd, stage.out_dtype, stage.pe,
                       layer.mh, expected, seed=3, build_dir=build_dir)
        assert res.mismatches == 0, res.mismatched_samples
        assert np.array_equal(res.outputs, expected)
        assert res.cycles_per_sample == stage.cycles  # the pipeline never costs a step
        estimate = plan_of([stage]).estimated_latency
        assert abs(res.latency_cycles / estimate - 1) <= 0.10, (name, res.latency_cycles, estimate)
        latencies[name] = res.latency_cycles
    for name, pipeline in PIPELINES.items():
        assert latencies[name] - latencies["shallow"] == pipeline.depth(16) - SHALLOW.depth(16)
