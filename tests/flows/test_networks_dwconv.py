"""A depthwise-separable CNN on Verilator and in HLS C simulation: sliding-window generator + VVAU
per depthwise convolution, bit-exact against the golden model at two foldings (SIMD = 1 with
PE < C; PE = C with SIMD > 1 and approximate products), cycles and latency as estimated."""

import numpy as np
import pytest

import models
from generator import config
from generator.frontend import load_network
from generator.project import build, open_project
from checks import check


@pytest.fixture(scope="module")
def depthwise_cnn(model_dir):
    return models.export(models.depthwise_cnn(), (2, 7, 6), model_dir / "depthwise_cnn_rtl.onnx")


@pytest.mark.parametrize("fold", range(len(models.DEPTHWISE_FOLDINGS)))
def test_depthwise_cnn_bit_exact(depthwise_cnn, tmp_path, fold):
    cfg = models.DEPTHWISE_FOLDINGS[fold]
    build(load_network(depthwise_cnn), tmp_path / "p", config.from_dict(cfg))
    project, report = check(tmp_path / "p", seed=fold, tolerance=0)
    layers = {entry["name"]: entry for entry in project.data["layers"]}
    assert [entry["kind"] for entry in project.data["layers"]] == ["conv", "dwconv", "conv", "dwconv", "fc"]
    dw = layers["dwconv1"]
    assert (dw["pe"], dw["simd"]) == (cfg["layers"]["dwconv1"]["pe"], cfg["layers"]["dwconv1"]["simd"])
    assert report["estimated_cycles_per_sample"] == dw["stage_cycles"]["vvau"] == report["cycles_per_sample"]
    assert "axgen_vvau.v" in project.data["rtl"]["files"]


def test_depthwise_project_predicts(depthwise_cnn, tmp_path):
    """The reopened project (dwconv layers from project.json) predicts what the QONNX model computes."""
    from generator.predict import predict
    build(load_network(depthwise_cnn), tmp_path / "p", config.from_dict(models.DEPTHWISE_FOLDINGS[0]))
    project = open_project(tmp_path / "p")
    x = np.random.default_rng(5).normal(0, 1, size=(6, 2, 7, 6)).astype(np.float32)
    want = models.onnx_reference(depthwise_cnn, x)
    assert np.array_equal(predict(project, x, "golden"), want)
    assert np.array_equal(predict(project, x[:2], "hls"), want[:2])


@pytest.fixture(scope="module")
def separable_gap(model_dir):
    return models.export(models.separable_gap_cnn(), (2, 7, 6), model_dir / "separable_gap_cnn.onnx")


@pytest.mark.parametrize("fold", range(len(models.SEPARABLE_GAP_FOLDINGS)))
def test_separable_cnn_with_global_pooling_bit_exact(separable_gap, tmp_path, fold):
    """Depthwise-separable convolution, then global average pooling into the classifier."""
    build(load_network(separable_gap), tmp_path / "p", config.from_dict(models.SEPARABLE_GAP_FOLDINGS[fold]))
    project, _ = check(tmp_path / "p", seed=fold)
    assert [entry["kind"] for entry in project.data["layers"]] == ["conv", "dwconv", "conv", "avgpool", "fc"]


def test_separable_cnn_with_global_pooling_predicts(separable_gap, tmp_path):
    from generator.predict import predict
    build(load_network(separable_gap), tmp_path / "p", config.from_dict(models.SEPARABLE_GAP_FOLDINGS[1]))
    project = open_project(tmp_path / "p")
    x = np.random.default_rng(7).normal(0, 1, size=(5, 2, 7, 6)).astype(np.float32)
    want = models.onnx_reference(separable_gap, x)
    assert np.array_equal(predict(project, x, "golden"), want)
    assert np.array_equal(predict(project, x[:2], "rtl"), want[:2])
