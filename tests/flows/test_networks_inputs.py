"""The models users bring (issue 20), on Verilator and in HLS C simulation: FINN's network-intrusion
MLP shape (a BIPOLAR annotation on its input, `(x + 1) / 2` in the graph) and hls4ml's jet tagger
shape (a FIXED<16,6> input: 16-bit codes into the first layer), bit-exact against the golden
model at two foldings each (the second behind the slow marker), cycles within 3% and latency
within 10% of the estimates."""

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
    path = models.export(models.jet_tagger(), (16,), model_dir / "jet_rtl.onnx")
    build(load_network(path, input_type="FIXED<16,6>"), tmp_path / "p", config.from_dict(JET_FOLDINGS[fold]))
    check(tmp_path / "p", samples=12, seed=fold)


QDENSE = {0: {"layers": {0: {"pe": 4, "simd": 4}, 1: {"pe": 4, "simd": 8}}},
          1: {"layers": {0: {"pe": 32, "simd": 16}, 1: {"pe": 8, "simd": 32}}}}


@pytest.mark.parametrize("fold", FOLDS)
def test_qkeras_dense_file_bit_exact(tmp_path, fold):
    """qonnx's QKeras converter's dense test file (tests/frontend/data/qkeras) at hls4ml's input type."""
    path = Path(__file__).parents[1] / "frontend" / "data" / "qkeras" / "model_test_qkeras_qdense_0.onnx"
    build(load_network(path, input_type="FIXED<16,6>"), tmp_path / "p", config.from_dict(QDENSE[fold]))
    check(tmp_path / "p", samples=12, seed=fold)
