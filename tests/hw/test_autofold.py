"""The automatic folding: every target met at the fewest lanes, the cheapest of those by the
resource model (checked against trying every folding), never worse than FINN's SetFolding rule,
fixed layers kept, and one message for a target that can't be met or a result the board can't hold."""

import itertools
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import models
from generator import api, boards, config
from generator.cli import main
from generator.digits import CNN_INPUT_SHAPE, quantized_cnn
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.hw.autofold import AutoFolder, _add, _link_cost, target_from_fps

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from autofold_baseline import finn_rule, lanes, luts  # noqa: E402

ZCU104 = boards.load("zcu104")


@pytest.fixture(scope="module")
def nets(model_dir, finn_model):
    return {
        "tfc": load_network(finn_model("tfc_1w1a")),
        "small_cnn": load_network(models.export(models.small_cnn(), (3, 12, 10), model_dir / "af_small_cnn.onnx")),
        "digits_cnn": load_network(models.export(quantized_cnn(), CNN_INPUT_SHAPE, model_dir / "af_digits_cnn.onnx")),
        "cnv": load_network(models.export(models.finn_fc("cnv_1w1a"), (3, 32, 32), model_dir / "af_cnv.onnx")),
    }


TARGETS = {"tfc": (800, 6272, 50176), "small_cnn": (270, 540, 1620), "digits_cnn": (64, 288, 1152),
           "cnv": (15000, 32768, 131072)}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_targets_met_at_fewest_lanes_and_never_worse_than_finn(nets, name):
    folder = AutoFolder(nets[name], config.Config(), ZCU104)
    for target in TARGETS[name]:
        stages = folder.plan(target).stages
        assert max(s.cycles for s in stages) <= target
        for opts, stage in zip(folder.options, stages):  # each layer at its fewest lanes meeting the target
            assert stage.lanes == min(s.lanes for s in opts.meeting(target)), stage.name
        finn = finn_rule([opts.stage for opts in folder.options], target)
        assert lanes(stages) <= lanes(finn) and luts(folder, stages) <= luts(folder, finn), target


def _exhaustive(folder: AutoFolder, target: int) -> tuple:
    """The smallest cost of any folding meeting `target`, by trying them all."""
    best = None
    for combo in itertools.product(*(opts.meeting(target) for opts in folder.options)):
        cost = folder.stage_cost(combo[0])
        for i in range(1, len(combo)):
            cost = _add(_add(cost, _link_cost(i - 1, combo[i - 1], combo[i])), folder.stage_cost(combo[i]))
        best = cost if best is None or cost < best else best
    return best


@pytest.mark.parametrize("name, target", [("small_cnn", 540), ("small_cnn", 1620), ("digits_cnn", 1152)])
def test_the_choice_is_the_exhaustive_optimum(nets, name, target):
    folder = AutoFolder(nets[name], config.Config(), ZCU104)
    stages = folder.cheapest(target)
    cost = folder.stage_cost(stages[0])
    for i in range(1, len(stages)):
        cost = _add(_add(cost, _link_cost(i - 1, stages[i - 1], stages[i])), folder.stage_cost(stages[i]))
    assert cost == _exhaustive(folder, target)


def test_layers_fixed_in_the_config_keep_their_folding(nets):
    cfg = config.from_dict({"defaults": {"pe": 2}, "layers": {"conv0": {"pe": 4, "multiplier": "trunc:k=1"},
                                                              "fc3": {"simd": 4}}})
    folder = AutoFolder(nets["small_cnn"], cfg, ZCU104)
    plan = folder.plan(540)
    by_name = {s.name: s for s in plan.stages}
    assert by_name["conv0"].pe == 4 and by_name["fc3"].simd == 4 and plan.estimated_cycles <= 540
    assert by_name["conv0"].multiplier.spec == "trunc:k=1"
    written = folder.folded_config(plan)
    assert written.layers["conv0"] == {"pe": 4, "simd": by_name["conv0"].simd, "multiplier": "trunc:k=1"}
    assert "pe" not in written.defaults  # `defaults` fix no folding under a target


def test_unreachable_target_names_the_limiting_layer(nets):
    """conv0 (1 channel, 3x3 on 8x8) at its fastest takes the whole window per beat (simd=9, window
    parallelism): 64 cycles, one input pixel per cycle; at pe=1 its MVAU takes 64 * 8 cycles."""
    folder = AutoFolder(nets["digits_cnn"], config.Config(), ZCU104)
    with pytest.raises(AxgenError, match=r"target 10 cycles per sample cannot be met: layer conv0 takes at least "
                                         r"64 cycles .*pe=8, simd=9.*the best reachable is 64 cycles per sample"):
        folder.plan(10)
    fixed = AutoFolder(nets["digits_cnn"], config.from_dict({"layers": {"conv0": {"pe": 1}}}), ZCU104)
    with pytest.raises(AxgenError, match=r"conv0 takes at least 512 cycles .*\(pe fixed in the config\)"):
        fixed.plan(288)


def test_a_result_the_board_cannot_hold(nets):
    folder = AutoFolder(nets["tfc"], config.Config(), boards.load("pynq-z1"))
    with pytest.raises(AxgenError) as info:
        folder.plan(2)
    message = str(info.value)
    assert "does not fit board pynq-z1" in message and "the largest layer is fc0" in message
    fits = int(message.split("the fastest folding that fits takes ")[1].split()[0])
    assert fits > 2
    folder.plan(fits)  # the reported bottleneck does fit
    assert folder.plan(fits).fit_problems() == []


def test_fps_target():
    assert target_from_fps(100_000, 100.0) == 1000
    assert target_from_fps(3, 100.0) == 33_333_333
    with pytest.raises(AxgenError, match="leaves less than one cycle"):
        target_from_fps(1e9, 100.0)


def test_build_with_a_target_stores_the_folding(digits_model, tmp_path):
    acc = api.build(digits_model, tmp_path / "p", target_cycles=200)
    data = acc.project.data
    assert data["target_cycles_per_sample"] == 200 and data["estimated_cycles_per_sample"] <= 200
    layers = data["config"]["layers"]
    assert [(layers[s.name]["pe"], layers[s.name]["simd"]) for s in acc.plan.stages] == \
        [(s.pe, s.simd) for s in acc.plan.stages]
    again = api.build(digits_model, tmp_path / "q", config=data["config"])  # the stored config rebuilds it
    assert [s.folding for s in again.plan.stages] == [s.folding for s in acc.plan.stages]
    fps = api.build(digits_model, tmp_path / "r", target_fps=500_000, clock_mhz=100)
    assert fps.project.data["target_cycles_per_sample"] == 200 and fps.project.data["board"]["clock_mhz"] == 100.0
    assert json.loads((tmp_path / "r" / "project.json").read_text())["estimated_cycles_per_sample"] <= 200


@pytest.mark.parametrize("args, message", [
    (["--target-cycles", "0"], "--target-cycles must be a positive integer"),
    (["--target-cycles", "5", "--target-fps", "10"], "give --target-cycles or --target-fps, not both"),
    (["--clock", "0"], "--clock must be a positive number of MHz"),
    (["--clock", "2000", "--strict"], "is below the clock 2000 MHz"),  # no pipeline reaches it
    (["--target-fps", "-3"], "--target-fps must be a positive number"),
    (["--target-cycles", "3"], "does not fit board pynq-z2"),
])
def test_target_errors_exit_2_and_write_nothing(digits_model, tmp_path, args, message):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(digits_model), "-o", str(out), *args])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_a_one_cycle_target_unrolls_where_the_model_finds_it_cheaper(model_dir):
    """At one cycle per sample every layer of the jet tagger must be fully parallel: unrolled
    (constants as adders) costs fewer estimated LUTs than the MVAU of MH x MW multipliers, so the
    folder writes impl: unrolled; at two cycles it folds (half the lanes); a config that sets
    impl keeps it."""
    net = load_network(models.export(models.jet_tagger(), (16,), model_dir / "af_jet.onnx"), input_type="FIXED<16,6>")
    folder = AutoFolder(net, config.Config(), ZCU104)
    plan = folder.plan(1)
    assert [s.kind for s in plan.stages] == ["unrolled"] * 4 and plan.estimated_cycles == 1
    for opts, stage in zip(folder.options, plan.stages):
        folded = [s for s in opts.meeting(1) if s.kind != "unrolled"]
        assert folded and folder.stage_cost(stage)[1] < min(folder.stage_cost(s)[1] for s in folded)
    assert all(entry == {"impl": "unrolled"} for entry in folder.folded_config(plan).layers.values())
    assert "unrolled" not in {s.kind for s in folder.plan(2).stages}
    kept = AutoFolder(net, config.from_dict({"defaults": {"impl": "folded"}}), ZCU104)
    assert {s.kind for s in kept.plan(1).stages} == {"fc"}
