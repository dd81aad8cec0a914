"""Residual networks: a stream duplicated into two branches and joined by an add (its quantizer
folded into thresholds), with an identity shortcut and a strided 1x1 convolution shortcut; golden
model against execute_onnx and Brevitas, then RTL (under back-pressure) and HLS bit-exact at two
foldings, with the bypass FIFOs keeping the slowest stage's rate."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import models
from checks import check
from generator import config
from generator.cli import main
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.golden import head_values, run_layers, tail_output
from generator.hw import make_plan
from generator.project import build, open_project


@pytest.fixture(scope="module")
def residual(model_dir):
    """The Brevitas module and its QONNX export (TorchScript exporter: dynamo fails on the adds)."""
    module = models.residual_cnn()
    return module, models.export(module, (3, 8, 8), model_dir / "residual_cnn.onnx")


def test_graph_is_found(residual):
    net = load_network(residual[1])
    assert [layer.kind for layer in net.layers] == ["conv", "duplicate", "conv", "conv", "add", "duplicate", "conv",
                                                    "conv", "conv", "add", "fc"]
    assert net.sources == ((-1,), (0,), (1,), (2,), (3, 1), (4,), (5,), (6,), (5,), (7, 8), (9,))
    assert net.layers[4].shifts == (0, 0) and net.layers[4].has_thresholds


def test_golden_equals_execute_onnx_and_brevitas(residual):
    module, path = residual
    net = load_network(path)
    x = np.random.default_rng(0).normal(0, 1, size=(64, 3, 8, 8)).astype(np.float32)
    got = tail_output(net.tail, run_layers(head_values(net.head, x), net.layers, None, net.sources))
    assert np.array_equal(got, models.onnx_reference(path, x))
    with torch.no_grad():
        assert np.array_equal(got, module(torch.from_numpy(x)).numpy())


def test_brevitas_module_loads_directly():
    """The Python API's Brevitas entry point exports with the TorchScript exporter."""
    net = load_network(models.residual_cnn(), (3, 8, 8))
    assert sum(layer.kind == "add" for layer in net.layers) == 2


def test_bypass_fifos_cover_the_long_branch(residual):
    """The identity shortcut's FIFO holds what the shortcut has made while the two 3x3 convolutions
    of the other branch catch up: at least two image rows and two pixels (their windows' lag)."""
    net = load_network(residual[1])
    plan = make_plan(net, config.from_dict(models.RESIDUAL_FOLDINGS[0]))
    shortcut = next(link for link in plan.links if (link.src, link.dst, link.dst_port) == (1, 4, 1))
    branch = next(link for link in plan.links if (link.src, link.dst, link.dst_port) == (3, 4, 0))
    beats_per_pixel = 6 // 2
    assert shortcut.depth >= (2 * 8 + 2) * beats_per_pixel > branch.depth


@pytest.mark.parametrize("fold", range(len(models.RESIDUAL_FOLDINGS)))
def test_residual_cnn_bit_exact(residual, tmp_path, fold):
    build(load_network(residual[1]), tmp_path / "p", config.from_dict(models.RESIDUAL_FOLDINGS[fold]))
    project, report = check(tmp_path / "p", seed=fold)
    assert [entry["kind"] for entry in project.data["layers"]].count("add") == 2


def test_residual_project_predicts(residual, tmp_path):
    """The graph survives project.json: predict on the reopened project equals the QONNX model."""
    from generator.predict import predict
    build(load_network(residual[1]), tmp_path / "p", config.from_dict(models.RESIDUAL_FOLDINGS[0]))
    project = open_project(tmp_path / "p")
    x = np.random.default_rng(3).normal(0, 1, size=(6, 3, 8, 8)).astype(np.float32)
    want = models.onnx_reference(residual[1], x)
    assert np.array_equal(predict(project, x, "golden"), want)
    assert np.array_equal(predict(project, x[:3], "rtl"), want[:3])


def test_inspect_shows_branches_and_joins(residual):
    result = CliRunner().invoke(main, ["inspect", str(residual[1]), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[4]["kind"] == "add" and rows[4]["inputs"] == ["conv3", "dup1"]
    assert rows[1]["kind"] == "duplicate" and rows[1]["outputs"] == ["conv2", "add4"]
    table = CliRunner().invoke(main, ["inspect", str(residual[1])])
    assert "2 joins of two branches" in table.output


def test_unequal_scales_are_refused(model_dir):
    """An add of two tensors whose scales are not a power of two apart: one message naming the node."""
    import torch.nn as nn
    import brevitas.nn as qnn

    class Unshared(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
            self.conv = qnn.QuantConv2d(2, 2, 1, bias=False, weight_bit_width=4)
            self.act = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
            self.out = qnn.QuantIdentity(bit_width=4)

        def forward(self, x):
            x = self.inp(x)
            return self.out(self.act(self.conv(x)) + x)

    from qonnx.core.modelwrapper import ModelWrapper
    torch.manual_seed(0)
    path = models.export(Unshared().eval(), (2, 3, 3), model_dir / "unshared_add.onnx")
    model = ModelWrapper(str(path))  # the branch's quantizer at another scale than the shortcut's
    quant = next(n for n in model.graph.node if n.op_type == "Quant" and n.name.startswith("/act/"))
    quant.input[1] = "act_scale"
    model.set_initializer("act_scale", np.array(0.3, dtype=np.float32))
    model.save(str(path))
    with pytest.raises(AxgenError, match=r"node .*Add.*: Add of tensors with scales .* power of two"):
        load_network(path)


def test_autofold_covers_the_branches(residual):
    """Auto-folding folds the branch blocks with the rest; every target met with the fewest cycles
    the model allows, and the bypass FIFOs follow the folding."""
    from generator import boards
    from generator.hw.autofold import fold_to_target
    net = load_network(residual[1])
    for target in (2000, 200):
        cfg, plan = fold_to_target(net, config.from_dict({}), boards.load("pynq-z2"), target)
        assert plan.estimated_cycles <= target
        assert {stage.kind for stage in plan.stages if stage.cycles == plan.estimated_cycles} - {"duplicate", "add"}
        make_plan(net, cfg)  # the folded config builds as it is


def test_branch_blocks_synthesize(residual, tmp_path):
    """Yosys (plain Verilog, as Vivado reads .v files) takes the duplicate and the add; the
    resource model's estimate of each is within a factor of two of what Yosys builds."""
    from generator import api
    build(load_network(residual[1]), tmp_path / "p", config.from_dict(models.RESIDUAL_FOLDINGS[0]))
    doc = api.synth(tmp_path / "p", "yosys", layers=["dup1", "add4"], no_dsp=True)
    estimates = {entry["name"]: entry["estimated_resources"] for entry in open_project(tmp_path / "p").data["layers"]}
    for name in ("dup1", "add4"):
        measured, estimated = doc["layers"][name], estimates[name]
        assert measured["lut"] + measured["ff"] > 0
        assert 0.5 <= (estimated["lut"] + estimated["ff"]) / (measured["lut"] + measured["ff"]) <= 2, (name, measured,
                                                                                                    estimated)
