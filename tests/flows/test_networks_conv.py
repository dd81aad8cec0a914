"""Convolutional networks on Verilator and in HLS C simulation: sliding-window generator + MVAU
per convolution, max-pool stages, width converters between them; bit-exact against the golden
model (RTL under random back-pressure), with measured cycles per sample within 3% of the slowest
stage's estimate and the latency within 10% of the latency model's."""

import json

import numpy as np
import pytest

import models
from checks import check
from generator import config
from generator.digits import CNN_INPUT_SHAPE, quantized_cnn
from generator.frontend import load_network
from generator.project import build, open_project
from generator.verify import verify


@pytest.fixture(scope="module")
def small_cnn(model_dir):
    return models.export(models.small_cnn(), (3, 12, 10), model_dir / "small_cnn_rtl.onnx")


@pytest.fixture(scope="module")
def strided_cnn(model_dir):
    return models.export(models.strided_cnn(), (2, 11, 9), model_dir / "strided_cnn.onnx")


@pytest.mark.parametrize("fold", range(len(models.SMALL_CNN_FOLDINGS)))
def test_small_cnn_bit_exact(small_cnn, tmp_path, fold):
    """Padded stride-2 3x3 convolution, 2x2 max-pool, a (2, 1) kernel, flatten into the classifier."""
    build(load_network(small_cnn), tmp_path / "p", config.from_dict(models.SMALL_CNN_FOLDINGS[fold]))
    project, report = check(tmp_path / "p", seed=fold)
    kinds = [entry["kind"] for entry in project.data["layers"]]
    assert kinds == ["conv", "maxpool", "conv", "fc"]


@pytest.mark.parametrize("fold", range(len(models.STRIDED_CNN_FOLDINGS)))
def test_strided_cnn_window_generator_bound(strided_cnn, tmp_path, fold):
    """The 1x1 stride-2 window generator reads 4 pixels per window: it is the slowest stage, and
    the measured throughput follows its estimate (approximate multipliers in the second folding)."""
    build(load_network(strided_cnn), tmp_path / "p", config.from_dict(models.STRIDED_CNN_FOLDINGS[fold]))
    project, report = check(tmp_path / "p", seed=fold)
    conv0 = project.data["layers"][0]
    assert conv0["stage_cycles"]["swg"] > conv0["stage_cycles"]["mvau"]
    assert report["estimated_cycles_per_sample"] == conv0["stage_cycles"]["swg"]
    assert project.data["layers"][1]["kind"] == "maxpool"


@pytest.fixture(scope="module")
def digits_cnn(model_dir):
    return models.export(quantized_cnn(), CNN_INPUT_SHAPE, model_dir / "digits_cnn_window.onnx")


# The digits CNN (random weights) with a window-parallel conv0 (1 channel, 3x3 padded, 8x8 image),
# whose SIMD = 1 bound was 64 pixels x 9 taps = 576 cycles: (conv0 simd, cycles per sample, config).
WINDOW_FOLDINGS = [
    # P = 9, the whole window per beat: conv0 reads one pixel and emits one window per cycle (64);
    # conv2 at simd 72 is window-parallel too (8 channels x 9 positions)
    (9, 64, {"layers": {"conv0": {"simd": 9, "pe": 8}, "pool1": {"pe": 8}, "conv2": {"simd": 72, "pe": 4},
                        "fc3": {"simd": 16, "pe": 10}}}),
    # P = 3, one kernel row per beat: 64 pixels x 3 beats = 192 in the window generator and the MVAU
    pytest.param(3, 192, {"layers": {"conv0": {"simd": 3, "pe": 8}, "conv2": {"simd": 8, "pe": 8},
                                     "fc3": {"simd": 4, "pe": 10}}}, marks=pytest.mark.slow),
]


@pytest.mark.parametrize("simd, cycles, cfg", WINDOW_FOLDINGS, ids=["conv0_simd9", "conv0_simd3"])
def test_window_parallel_first_conv(digits_cnn, tmp_path, simd, cycles, cfg):
    """A first convolution with one input channel below 576 cycles: SIMD covers several kernel
    positions per beat, the input stream one pixel per beat; bit-exact in RTL (under back-pressure)
    and HLS, and the measured cycles per sample equal the estimate."""
    build(load_network(digits_cnn), tmp_path / "p", config.from_dict(cfg))
    project, report = check(tmp_path / "p", seed=simd, tolerance=0)
    conv0 = project.data["layers"][0]
    assert conv0["simd"] == simd and conv0["in_per_beat"] == 1
    assert max(conv0["stage_cycles"].values()) == cycles < 576
    assert report["estimated_cycles_per_sample"] == cycles == report["cycles_per_sample"]


def test_cnn_project_reopens_and_predicts(small_cnn, tmp_path):
    """Conv geometry, pool layers and the channels-last head survive project.json: predict on the
    reopened project equals the QONNX model."""
    from generator.predict import predict
    build(load_network(small_cnn), tmp_path / "p", config.from_dict(models.SMALL_CNN_FOLDINGS[1]))
    project = open_project(tmp_path / "p")
    x = np.random.default_rng(3).normal(0, 1, size=(6, 3, 12, 10)).astype(np.float32)
    want = models.onnx_reference(small_cnn, x)
    assert np.array_equal(predict(project, x, "golden"), want)
    assert np.array_equal(predict(project, x[:3], "rtl"), want[:3])


def test_cnn_build_is_deterministic(small_cnn, tmp_path):
    net = load_network(small_cnn)
    cfg = config.from_dict(models.SMALL_CNN_FOLDINGS[1])
    build(net, tmp_path / "a", cfg)
    build(net, tmp_path / "b", cfg)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def _cnv(model_dir, name):
    return models.export(models.finn_fc(name), (3, 32, 32), model_dir / f"{name}_rtl.onnx")


@pytest.mark.slow  # FINN's CNV: the largest network; its blocks are covered by the small CNNs
def test_cnv_w1a1_bit_exact(model_dir, tmp_path):
    """FINN's CNV-w1a1 (random weights and batch-norm) at FINN's folding: 32768 cycles/sample, as
    measured once the FIFOs are sized from a simulation (conv6 and conv7 each hold a whole 3x3
    image: with the rule's one-pixel FIFO, conv6 waits on conv7 and the network runs ~2% slower)."""
    build(load_network(_cnv(model_dir, "cnv_1w1a")), tmp_path / "p", config.from_dict(models.CNV_FOLDING),
          size_fifos=True)
    project, report = check(tmp_path / "p", samples=3, tolerance=0)
    assert report["estimated_cycles_per_sample"] == 32768
    assert json.loads((tmp_path / "p" / "verify.json").read_text())["mismatches"] == 0


@pytest.mark.slow
def test_cnv_w2a2_bit_exact(model_dir, tmp_path):
    build(load_network(_cnv(model_dir, "cnv_2w2a")), tmp_path / "p", config.from_dict(models.CNV_FOLDING),
          size_fifos=True)
    check(tmp_path / "p", samples=3, seed=1)


@pytest.mark.slow
def test_cnv_w1a2_bit_exact(model_dir, tmp_path):
    build(load_network(_cnv(model_dir, "cnv_1w2a")), tmp_path / "p", config.from_dict(models.CNV_FOLDING),
          size_fifos=True)
    check(tmp_path / "p", samples=4, seed=2)


def test_wrong_padding_is_caught(strided_cnn, tmp_path):
    """Break the hardware on purpose: padding conv2's border rows with code 3 instead of 0 must
    show as mismatches (half of its windows hold padding; its outputs feed the raw classifier)."""
    build(load_network(strided_cnn), tmp_path / "p", config.from_dict(models.STRIDED_CNN_FOLDINGS[0]))
    layer_v = tmp_path / "p" / "rtl" / "axgen_L2_conv2.v"
    text = layer_v.read_text()
    assert ".PAD_CODE(0)" in text
    layer_v.write_text(text.replace(".PAD_CODE(0)", ".PAD_CODE(3)"))
    report = verify(open_project(tmp_path / "p"), "rtl", samples=4, seed=0)
    assert report["mismatches"] > 0
