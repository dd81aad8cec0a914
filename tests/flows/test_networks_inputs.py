"""The models users bring (issue 20), on Verilator and in HLS C simulation: FINN's network-intrusion
MLP shape (a BIPOLAR annotation on its input, `(x + 1) / 2` in the graph), hls4ml's jet tagger
shape as qonnx's QKeras converter writes it (a FIXED<16,6> input: 16-bit codes into the first
layer) and qonnx's own QKeras test files, bit-exact against the golden model at two foldings each
(the second behind the slow marker), cycles within 3% and latency within 10% of the estimates."""

from pathlib import Path

import pytest
from checks import check

import models
from generator import config
from generator.frontend import load_network
from generator.project import build

INTRUSION_FOLDINGS = [{"layers": {0: {"pe": 4, "simd": 20}, 1: {"pe": 4, "simd": 8}, 2: {"pe": 2, "simd": 8},
                                  3: {"pe": 1, "simd": 8}}},
                      {"layers": {0: {"pe": 16, "simd": 60}, 1: {"pe": 8, "simd": 16}, 2: {"pe": 8, "simd": 16},
                                  3: {"pe": 1, "simd": 64}}}]
JET_FOLDINGS = [{"layers": {0: {"pe": 4, "simd": 4}, 1: {"pe": 4, "simd": 8}, 2: {"pe": 4, "simd": 8},
                            3: {"pe": 1, "simd": 8}}},
                {"layers": {0: {"pe": 16, "simd": 16}, 1: {"pe": 8, "simd": 16}, 2: {"pe": 8, "simd": 16},
                            3: {"pe": 5, "simd": 16}}}]
FOLDS = [0, pytest.param(1, marks=pytest.mark.slow)]


@pytest.mark.parametrize("fold", FOLDS)
def test_bipolar_annotated_mlp_bit_exact(model_dir, tmp_path, fold):
    path = models.annotate_input(models.export(models.intrusion_mlp(), (600,), model_dir / "intrusion_rtl.onnx"),
                                 "BIPOLAR")
    build(load_network(path), tmp_path / "p", config.from_dict(INTRUSION_FOLDINGS[fold]))
    check(tmp_path / "p", samples=12, seed=fold)


@pytest.mark.parametrize("fold", FOLDS)
def test_fixed_point_input_mlp_bit_exact(model_dir, tmp_path, fold):
    path = models.qkeras_jet_tagger(model_dir / "jet_rtl.onnx")
    build(load_network(path, input_type="FIXED<16,6>"), tmp_path / "p", config.from_dict(JET_FOLDINGS[fold]))
    check(tmp_path / "p", samples=12, seed=fold)


QKERAS = Path(__file__).parents[1] / "frontend" / "data" / "qkeras"
QKERAS_FOLDINGS = {"qdense_0": [{"layers": {0: {"pe": 4, "simd": 4}, 1: {"pe": 4, "simd": 8}}},
                                {"layers": {0: {"pe": 32, "simd": 16}, 1: {"pe": 8, "simd": 32}}}],
                   "qdense2_0": [{"layers": {0: {"pe": 4, "simd": 4}, 1: {"pe": 2, "simd": 8}}},
                                 {"layers": {0: {"pe": 32, "simd": 16}, 1: {"pe": 8, "simd": 32}}}],
                   "qconv2d_0": [{"layers": {0: {"pe": 4, "simd": 3}}}, {"layers": {0: {"pe": 32, "simd": 12}}}],
                   "qconv2d_conversion": [{"layers": {0: {"pe": 4, "simd": 1}, 1: {"pe": 4, "simd": 8},
                                                      2: {"pe": 2, "simd": 16}}},
                                          {"layers": {0: {"pe": 32, "simd": 4}, 1: {"pe": 16, "simd": 32},
                                                      2: {"pe": 5, "simd": 64}}}]}
INPUT_TYPES = {"qdense2_0": None}  # quantizes its own input; the others take hls4ml's default


@pytest.mark.parametrize("fold", FOLDS)
@pytest.mark.parametrize("name", sorted(QKERAS_FOLDINGS))
def test_qkeras_files_bit_exact(tmp_path, name, fold):
    """qonnx's QKeras converter's test files that axgen takes (tests/frontend/data/qkeras), at
    hls4ml's input type: a dense network, two dense layers with no quantizer between them (the first
    one's accumulator carried into the second), and a convolution that ends the network
    (accumulators out, Keras' NHWC transposes on the host)."""
    path = QKERAS / f"model_test_qkeras_{name}.onnx"
    net = load_network(path, input_type=INPUT_TYPES.get(name, "FIXED<16,6>"))
    build(net, tmp_path / "p", config.from_dict(QKERAS_FOLDINGS[name][fold]))
    check(tmp_path / "p", samples=4 if "conv" in name else 12, seed=fold)
