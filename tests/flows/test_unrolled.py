"""Unrolled layers (issue 22, `impl: unrolled`): the jet tagger of hls4ml's shape, every layer
unrolled, takes one sample per cycle (measured on Verilator) and is bit-exact in RTL (cocotb and
the C++ harness, random back-pressure) and in HLS C simulation; unrolled and folded layers stitch
in one network through width converters; what an unrolled layer cannot be is refused."""

import json

import pytest
from checks import check

import models
from generator import config
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.hw.plan import make_plan
from generator.project import build

FIXED = "FIXED<16,6>"


@pytest.fixture(scope="module")
def jet(model_dir):
    return load_network(models.qkeras_jet_tagger(model_dir / "jet_unrolled.onnx"), input_type=FIXED)


def test_a_fully_unrolled_network_takes_a_sample_per_cycle(jet, tmp_path):
    build(jet, tmp_path / "p", config.from_dict({"defaults": {"impl": "unrolled"}}))
    _, report = check(tmp_path / "p", samples=24, seed=1)
    assert report["cycles_per_sample"] == 1.0
    layers = json.loads((tmp_path / "p" / "project.json").read_text())["layers"]
    assert [layer["impl"] for layer in layers] == ["unrolled"] * 4
    assert all(0 < layer["adder_graph"]["adders"] and layer["pipeline_depth"] >= 3 for layer in layers)
    # QKeras' quantized_relu has a power-of-two scale: its thresholds are arithmetic, not a search
    assert [layer["thresholds_as"] for layer in layers] == ["steps"] * 3 + [None]


def test_unrolled_and_folded_layers_stitch(jet, tmp_path):
    """Width converters between the unrolled layers' whole vectors and the folded layers' beats,
    both ways; approximate constants on both unrolled layers, bit-exact in RTL and HLS: fc0's
    weights rounded to 2 signed digits in an adder graph of 3 levels per stage, and a multiplier
    family on fc3 (weights tuned), each product by a constant weight a table of the activation or
    a graph coefficient where it is exact. (tests/hw/test_product_tables.py proves the tables for
    every family; csd:k=1 is in the convolution test below.)"""
    cfg = {"layers": {0: {"impl": "unrolled", "levels": 3, "multiplier": "csd:k=2"}, 1: {"pe": 4, "simd": 8},
                      2: {"pe": 8, "simd": 4}, 3: {"impl": "unrolled", "multiplier": "drum:k=3", "tune_weights": True}}}
    stage = make_plan(jet, config.from_dict(cfg)).stages[3]
    assert stage.tables and stage.graph.n_inputs == stage.layer.mw + len(stage.tables) and stage.tuned_weights
    build(jet, tmp_path / "p", config.from_dict(cfg))
    _, report = check(tmp_path / "p", samples=12, seed=2)
    assert report["cycles_per_sample"] == 64.0  # fc1, folded: MH/PE * MW/SIMD = 32/4 * 64/8
    layers = json.loads((tmp_path / "p" / "project.json").read_text())["layers"]
    assert [(layer["multiplier"]["spec"], layer["tuned_weights"] > 0) for layer in layers[::3]] == [
        ("csd:k=2", True), ("drum:k=3", True)]


@pytest.mark.parametrize("settings, words", [
    ({0: {"impl": "rolled"}}, "impl='rolled'; supported: folded, unrolled"),
    ({0: {"impl": "unrolled", "multiplier": "trunc:k=2"}}, "as tables over the activation, for inputs of at most 8 bits"),
    ({1: {"impl": "unrolled", "multiplier": "csd:k=1", "tune_weights": True}}, "csd:k=1 sets the weights itself"),
    ({0: {"impl": "unrolled", "multiplier": "csd:k=0"}}, "written csd:k=K with K >= 1"),
    ({0: {"impl": "unrolled", "pe": 4}}, "takes the whole vector per beat"),
    ({0: {"impl": "unrolled", "depth_slack": -1}}, "depth_slack (adder levels the graph may take beyond the shallowest)"),
])
def test_what_an_unrolled_layer_cannot_be_is_refused(jet, settings, words):
    with pytest.raises(AxgenError, match=words.replace("(", r"\(").replace(")", r"\)")):
        make_plan(jet, config.from_dict({"layers": settings}))


def test_unrolled_convolutions_take_a_window_per_cycle(model_dir, tmp_path):
    """A padded stride-2 convolution and a 2x1 one unrolled behind sliding-window generators that
    give a whole window per beat (one output pixel per cycle), with a max-pool and an unrolled
    classifier between: bit-exact in RTL and HLS, cycles and latency as estimated."""
    path = models.export(models.small_cnn(), (3, 12, 10), model_dir / "small_cnn_unrolled.onnx")
    net = load_network(path)
    build(net, tmp_path / "p", config.from_dict({"layers": {0: {"impl": "unrolled"}, 2: {"impl": "unrolled"},
                                                           3: {"impl": "unrolled", "multiplier": "csd:k=1,drop=1"}}}))
    _, report = check(tmp_path / "p", samples=6, seed=3)
    layers = json.loads((tmp_path / "p" / "project.json").read_text())["layers"]
    conv = layers[0]
    assert conv["impl"] == "unrolled" and conv["conv"]["out_pixels"] == 30 and conv["simd"] == 27
    # the first convolution takes a pixel per cycle (120 beats per image), one window per output pixel
    assert report["cycles_per_sample"] <= 1.1 * 120


def test_a_depthwise_convolution_is_not_unrolled(model_dir):
    path = models.export(models.depthwise_cnn(), (2, 7, 6), model_dir / "depthwise_unrolled.onnx")
    net = load_network(path)
    assert net.layers[1].kind == "dwconv"
    with pytest.raises(AxgenError, match="impl=unrolled is supported on fully-connected and convolutional layers"):
        make_plan(net, config.from_dict({"layers": {1: {"impl": "unrolled"}}}))
