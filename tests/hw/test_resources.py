"""The resource model (generator/hw/resources.py): estimates from the plan, calibrated against Yosys;
the board fit check of `axgen build` (a warning, or with --strict an error and no output)."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from generator import api, config
from generator.cli import main
from generator.errors import AxgenError
from generator.hw import make_plan, memories, products, resources
from generator.resources import folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import manifest_projects  # noqa: E402

# The ranking of the issue: three foldings of the digits MLP, each exact and trunc:k=3.
FOLDINGS = {"p2s4": ((2, 4), (2, 4), (2, 4)), "p8s8": ((8, 8), (4, 8), (2, 4)), "p16s16": ((16, 16), (8, 16), (5, 8))}
MULTIPLIERS = ("exact", "trunc:k=3")


def folding(layers, multiplier="exact") -> dict:
    return {"defaults": {"multiplier": multiplier},
            "layers": {i: {"pe": pe, "simd": simd} for i, (pe, simd) in enumerate(layers)}}


@pytest.fixture(scope="module")
def digits():
    model, shape = manifest_projects._digits_mlp()
    return api.load(model, input_shape=shape)


def plan(net, layers, multiplier="exact", board=None):
    from generator.boards import load
    return make_plan(net, config.from_dict(folding(layers, multiplier)), load(board))


def yosys_luts(root: Path, layers=None) -> dict:
    """LUTs per layer (and "stitching") of `axgen synth --tool yosys --no-dsp`."""
    doc = api.synth(root, tool="yosys", layers=layers, no_dsp=True, jobs=2)
    out = {name: entry["lut"] for name, entry in doc["layers"].items()}
    if doc.get("stitching"):
        out["stitching"] = doc["stitching"]["lut"]
    return out


def test_estimates_are_positive_and_grow_with_parallelism(digits):
    totals = []
    for layers in FOLDINGS.values():
        estimate = plan(digits, layers).resources()
        for name, entry in estimate["layers"].items():
            assert entry["lut"] > 0 and entry["ff"] > 0 and entry["carry"] > 0, name
            assert entry["dsp"] == 0 and entry["uram"] == 0
        total = estimate["total"]
        assert total == resources.add(*estimate["layers"].values(), estimate["stitching"])
        totals.append(total)
    # PE*SIMD of every layer grows from one folding to the next, and so do LUTs and FFs
    assert [t["lut"] for t in totals] == sorted(t["lut"] for t in totals) and totals[0]["lut"] < totals[-1]["lut"]
    assert totals[0]["ff"] < totals[-1]["ff"]
    fc0 = [plan(digits, ((pe, simd), (1, 1), (1, 1))).stages[0].resources["lut"]
           for pe, simd in ((1, 4), (2, 4), (4, 8), (8, 16))]
    assert fc0 == sorted(fc0) and len(set(fc0)) == 4


def test_an_approximate_lane_smaller_than_exact_gives_a_smaller_estimate(digits):
    # digits: UINT4 activations x INT4 weights; trunc:k=3 multiplies 4-bit magnitudes
    approx = products.split_lane("trunc:k=3", 4, 4)
    exact = products.whole_lane("u", 4, "s", 4)
    assert approx.luts < exact.luts
    for layers in FOLDINGS.values():
        a = plan(digits, layers, "trunc:k=3").resources()["total"]["lut"]
        e = plan(digits, layers).resources()["total"]["lut"]
        assert a < e


def test_the_product_table_covers_the_grid_and_interpolates():
    table = products.table()
    assert {"split", "whole"} <= set(table)
    assert "trunc:k=3" in table["split"]["4x4"] and "u4xs4" in table["whole"] and "b1xb1" in table["whole"]
    # a width pair between measured ones lies between its neighbours
    lo, mid, hi = (products.split_lane("drum:k=2", n, n).luts for n in (4, 5, 6))
    assert min(lo, hi) <= mid <= max(lo, hi)
    # a knob setting outside the grid gets the nearest measured one of its family
    assert "bam:h=2,v=12" not in table["split"]["8x8"] and "bam:h=2,v=10" in table["split"]["8x8"]
    assert products.split_lane("bam:h=2,v=12", 8, 8) == products.split_lane("bam:h=2,v=10", 8, 8)
    # beyond 8 bits: scaled by the operand area
    assert products.whole_lane("u", 10, "s", 8).luts == pytest.approx(products.whole_lane("u", 8, "s", 8).luts * 10 / 8)


def test_memories_follow_yosys_rules():
    # Yosys 0.70 synth_xilinx on a registered ROM of random words (measured): 256 x 36 goes to one
    # BRAM18; with 10 of its bits constant (26 left) it stays in logic, 4 LUT6 per bit; a deep
    # narrow ROM goes to BRAM, a shallow wide one to logic.
    assert memories.rom(256, 36) == memories.Mapping("bram", bram18=1)
    assert memories.rom(256, 26).kind == "logic" and memories.rom_column_luts(256) == 4
    assert memories.rom(4096, 4).bram18 == 1
    assert memories.rom(64, 784).kind == "logic"
    # a written memory: LUTRAM while shallow (a RAM32M holds 32 x 6 with a separate read address)
    assert memories.ram(8, 12, "sdp") == memories.Mapping("lutram", lutram=8)
    assert memories.ram(1024, 64, "sdp").kind == "bram"
    bits = memories.bit_matrix(np.array([[1, 2], [1, 3], [1, 2]]), 2)  # lane 0 constant, lane 1 bit 0 varies
    assert memories.columns(bits) == (1, 1)


def test_project_json_has_the_estimates(digits, tmp_path):
    acc = api.build(digits, tmp_path / "p", folding(FOLDINGS["p8s8"]))
    data = json.loads((tmp_path / "p" / "project.json").read_text())
    estimate = acc.plan.resources()
    for entry in data["layers"]:
        assert entry["estimated_resources"] == estimate["layers"][entry["name"]]
    summary = data["estimated_resources"]
    assert summary["total"] == estimate["total"] and summary["stitching"] == estimate["stitching"]
    assert summary["capacity"]["lut"] == 53200 and summary["fits"] is True
    assert summary["utilization"]["lut"] == round((estimate["total"]["lut"] + estimate["total"]["lutram"]) / 53200, 4)


@pytest.fixture()
def tiny_board(tmp_path):
    board = yaml.safe_load((folder("boards") / "pynq-z2.yaml").read_text())
    board["resources"] = {**board["resources"], "lut": 500}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(board))
    return path


@pytest.fixture()
def digits_onnx(digits, tmp_path):
    import models
    model, shape = manifest_projects._digits_mlp()
    path = models.export(model, shape, tmp_path / "digits.onnx")
    cfg = tmp_path / "fold.yaml"
    cfg.write_text(yaml.safe_dump(folding(FOLDINGS["p2s4"])))
    return path, cfg


def test_strict_refuses_a_design_that_does_not_fit(digits, digits_onnx, tiny_board, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(AxgenError) as err:
        api.build(digits, out, folding(FOLDINGS["p2s4"]), board=str(tiny_board), strict=True)
    need = plan(digits, FOLDINGS["p2s4"], board=str(tiny_board)).resources()["total"]
    message = str(err.value)
    assert "does not fit board tiny" in message and f"estimated LUTs {need['lut'] + need['lutram']}" in message
    assert "exceed the board's 500" in message and "\n" not in message
    assert not out.exists() and not list(tmp_path.glob(".out.*"))
    onnx, cfg = digits_onnx
    result = CliRunner().invoke(main, ["build", str(onnx), "-o", str(out), "--config", str(cfg),
                                       "--board", str(tiny_board), "--strict"])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "exceed the board's 500" in result.output
    assert not out.exists()


@pytest.mark.parametrize("key", ["lut", "ff", "bram18", "dsp"])
def test_a_design_fits_a_board_exactly_as_large_as_its_estimate(digits, key):
    """At the boundary: capacity equal to the estimate fits; one less names that resource."""
    from dataclasses import replace

    from generator.boards import load
    pynq = load("pynq-z2")
    total = plan(digits, FOLDINGS["p2s4"], board="pynq-z2").resources()["total"]
    if resources.used(total, key) == 0:  # give an unused resource a use, to test its boundary
        total = {**total, key: 3}
    need = resources.used(total, key)
    exact = replace(pynq, resources={**pynq.resources, key: need})
    short = replace(pynq, resources={**pynq.resources, key: need - 1})
    assert resources.fit_problems(total, exact) == []
    problems = resources.fit_problems(total, short)
    assert len(problems) == 1 and problems[0].startswith(f"estimated {resources.NAMES[key]} {need}")


def test_a_design_that_does_not_fit_is_a_warning_without_strict(digits_onnx, tiny_board, tmp_path):
    onnx, cfg = digits_onnx
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(onnx), "-o", str(out), "--config", str(cfg),
                                       "--board", str(tiny_board)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("axgen: warning:")]
    assert len(warnings) == 1 and "does not fit board tiny: estimated LUTs" in warnings[0]
    summary = json.loads((out / "project.json").read_text())["estimated_resources"]
    assert summary["fits"] is False and summary["utilization"]["lut"] > 1


def test_the_model_orders_a_small_layer_as_yosys_does(digits, tmp_path):
    """Two small Yosys runs (cached): digits fc2 at PE 2 x SIMD 4, exact and trunc:k=3."""
    measured, estimated = {}, {}
    for mul in MULTIPLIERS:
        acc = api.build(digits, tmp_path / mul.replace(":", "_"), folding(FOLDINGS["p2s4"], mul))
        measured[mul] = yosys_luts(acc.root, layers=["fc2"])["fc2"]
        estimated[mul] = acc.plan.stages[2].resources["lut"]
        assert abs(estimated[mul] - measured[mul]) <= 0.25 * measured[mul], (mul, estimated[mul], measured[mul])
    assert (measured["exact"] < measured["trunc:k=3"]) == (estimated["exact"] < estimated["trunc:k=3"])


@pytest.mark.slow
def test_the_model_ranks_the_digits_designs_as_yosys_does(digits, tmp_path):
    """Total LUTs (layers + stitching) of 3 foldings x {exact, trunc:k=3}: the same order as Yosys."""
    measured, estimated = {}, {}
    for fold, layers in FOLDINGS.items():
        for mul in MULTIPLIERS:
            acc = api.build(digits, tmp_path / f"{fold}_{mul.replace(':', '_')}", folding(layers, mul))
            measured[fold, mul] = sum(yosys_luts(acc.root).values())
            estimated[fold, mul] = acc.plan.resources()["total"]["lut"]
    assert sorted(measured, key=measured.get) == sorted(estimated, key=estimated.get), (measured, estimated)


@pytest.mark.parametrize("layer", ["fc2", pytest.param("fc0", marks=pytest.mark.slow)])
def test_an_unrolled_layer_is_counted_as_yosys_maps_it(digits, layer, tmp_path):
    """An unrolled layer's counted model (adders where both operands vary, comparisons, shift
    registers for values held over several segments) within 15% of Yosys in LUTs, flip-flops
    and LUT RAM: the digits MLP's fc2 (32 -> 10), and fc0 (64 inputs held over many segments)."""
    acc = api.build(digits, tmp_path / "p", {"defaults": {"impl": "unrolled"}})
    measured = api.synth(acc.root, tool="yosys", layers=[layer], no_dsp=True)["layers"][layer]
    estimated = next(s for s in acc.plan.stages if s.name == layer).resources
    for key in ("lut", "ff", "lutram"):
        assert abs(estimated[key] - measured[key]) <= 0.15 * measured[key], (key, estimated[key], measured[key])
