"""Average pooling built and verified bit-exactly in RTL (under back-pressure) and HLS C simulation
at two foldings: Brevitas' TruncAvgPool2d (FLOOR and ROUND) after a convolution, and global average
pooling into thresholds before a classifier; predict equals execute_onnx."""

import numpy as np
import pytest

import models
from generator import config
from generator.frontend import load_network
from generator.predict import predict
from generator.project import build, open_project
from checks import check

# trunc_pool_cnn: conv0 (6 channels), avgpool1 2x2/2 truncated, fc2; global_pool_net: conv0 (8), avgpool1 4x3, fc2
# The first folding of each is pool-bound (its cycle estimate is what verify measures), the second conv-bound.
TRUNC_FOLDINGS = [{"layers": {"conv0": {"pe": 6, "simd": 18}, "avgpool1": {"pe": 3}, "fc2": {"pe": 5, "simd": 8}}},
                  {"layers": {"conv0": {"pe": 2, "simd": 2}, "avgpool1": {"pe": 1}, "fc2": {"pe": 1, "simd": 4}}}]
GLOBAL_FOLDINGS = [{"layers": {"conv0": {"pe": 8, "simd": 9}, "avgpool1": {"pe": 2}, "fc2": {"pe": 5, "simd": 8}}},
                   {"layers": {"conv0": {"pe": 2, "simd": 3}, "avgpool1": {"pe": 8}, "fc2": {"pe": 1, "simd": 2}}}]


@pytest.fixture(scope="module")
def trunc_cnn(model_dir):
    return {r: models.export(models.trunc_pool_cnn(r), (2, 8, 6), model_dir / f"trunc_cnn_{r}.onnx")
            for r in ("FLOOR", "ROUND")}


@pytest.fixture(scope="module")
def global_cnn(model_dir):
    return models.export(models.global_pool_net(), (3, 6, 5), model_dir / "global_cnn.onnx")


@pytest.mark.parametrize("rounding, fold", [("FLOOR", 0), ("ROUND", 1), pytest.param("ROUND", 0, marks=pytest.mark.slow)])
def test_trunc_avgpool_cnn_bit_exact(trunc_cnn, tmp_path, rounding, fold):
    build(load_network(trunc_cnn[rounding]), tmp_path / "p", config.from_dict(TRUNC_FOLDINGS[fold]))
    project, report = check(tmp_path / "p", seed=fold)
    pool = project.data["layers"][1]
    assert pool["kind"] == "avgpool" and pool["pe"] == TRUNC_FOLDINGS[fold]["layers"]["avgpool1"]["pe"]
    assert (report["estimated_cycles_per_sample"] == max(pool["stage_cycles"].values())) == (fold == 0)


@pytest.mark.parametrize("fold", range(len(GLOBAL_FOLDINGS)))
def test_global_pool_cnn_bit_exact(global_cnn, tmp_path, fold):
    build(load_network(global_cnn), tmp_path / "p", config.from_dict(GLOBAL_FOLDINGS[fold]))
    project, report = check(tmp_path / "p", seed=fold)
    assert [entry["kind"] for entry in project.data["layers"]] == ["conv", "avgpool", "fc"]
    assert (report["estimated_cycles_per_sample"] == project.data["layers"][1]["stage_cycles"]["avgpool"]) == (fold == 0)


@pytest.mark.parametrize("name", ["trunc", "global"])
def test_avgpool_project_reopens_and_predicts(trunc_cnn, global_cnn, tmp_path, name):
    path, shape, cfg = {"trunc": (trunc_cnn["ROUND"], (2, 8, 6), TRUNC_FOLDINGS[0]),
                        "global": (global_cnn, (3, 6, 5), GLOBAL_FOLDINGS[1])}[name]
    build(load_network(path), tmp_path / "p", config.from_dict(cfg))
    project = open_project(tmp_path / "p")
    x = np.random.default_rng(3).normal(0, 1, size=(6, *shape)).astype(np.float32)
    want = models.onnx_reference(path, x)
    assert np.array_equal(predict(project, x, "golden"), want)
    assert np.array_equal(predict(project, x[:3], "rtl"), want[:3])
    assert np.array_equal(predict(project, x[:3], "hls"), want[:3])


@pytest.mark.parametrize("pe", [1, pytest.param(4, marks=pytest.mark.slow)])
def test_pool_ending_the_network_streams_sums(model_dir, tmp_path, pe):
    """The integer part ends with the pool: the accelerator streams the raw window sums (UINT8) and
    the host tail divides; bit-exact, and predict equals execute_onnx."""
    path = models.export(models.global_pool_net(quantize_pool=False), (3, 6, 5), model_dir / "gap_tail_rtl.onnx")
    build(load_network(path), tmp_path / "p", config.from_dict({"layers": {"conv0": {"pe": 8, "simd": 27},
                                                                           "avgpool1": {"pe": pe}}}))
    project, _ = check(tmp_path / "p", seed=pe)
    assert project.data["layers"][-1]["out_dtype"] == "UINT8"
    x = np.random.default_rng(pe).normal(0, 1, size=(4, 3, 6, 5)).astype(np.float32)
    want = models.onnx_reference(path, x)
    assert np.array_equal(predict(project, x, "rtl"), want)
    assert np.array_equal(predict(project, x, "hls"), want)


@pytest.mark.parametrize("pe", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_trunc_then_requantized_bit_exact(model_dir, tmp_path, pe):
    """Thresholds on the window sums of a spatial pool (through Brevitas' Trunc), PE channels per beat."""
    path = models.export(models.requantized_pool_net("trunc_avg"), (2, 6, 6), model_dir / "requant_rtl.onnx")
    build(load_network(path), tmp_path / "p", config.from_dict({"layers": {"conv0": {"pe": 4, "simd": 18},
                                                                           "avgpool1": {"pe": pe}}}))
    project, _ = check(tmp_path / "p", seed=pe)
    assert project.data["layers"][1]["kind"] == "avgpool" and project.data["layers"][1]["out_dtype"] == "INT4"
