"""Auto-folded networks in RTL: built with a target (the folding chosen, the FIFOs sized from a
simulation), bit-exact in RTL and HLS, measured at or below the target, at the estimated cycles,
with the latency within 10% of the model's; sized FIFOs hold fewer bits than the rule's."""

import pytest

import models
from generator import api
from generator.digits import CNN_INPUT_SHAPE, quantized_cnn
from generator.project import open_project
from generator.verify import verify


@pytest.fixture(scope="module")
def digits_cnn(model_dir):
    return models.export(quantized_cnn(), CNN_INPUT_SHAPE, model_dir / "rtl_digits_cnn.onnx")


def _check(acc, target: int) -> dict:
    report = verify(acc.project, "all", samples=8, seed=1)
    assert report["mismatches"] == 0
    assert report["cycles_per_sample"] <= target
    assert report["cycles_per_sample"] == report["estimated_cycles_per_sample"]
    assert abs(report["latency_over_estimate"] - 1) <= 0.10, report
    return report


@pytest.mark.parametrize("target", [1152, 4608])
def test_auto_folded_digits_cnn_meets_its_target(digits_cnn, tmp_path, target):
    acc = api.build(digits_cnn, tmp_path / "p", target_cycles=target)
    data = acc.project.data
    assert data["fifo_sizing"] == "simulation" and data["estimated_cycles_per_sample"] <= target
    _check(acc, target)
    reopened = open_project(tmp_path / "p")
    assert [link.depth for link in reopened.plan.links] == [f["depth"] for f in data["fifos"]]


def test_auto_folded_digits_mlp_meets_its_target(digits_model, tmp_path):
    _check(api.build(digits_model, tmp_path / "p", target_cycles=64), 64)


def test_sized_fifos_keep_the_bottleneck_rate_with_fewer_bits(digits_cnn, tmp_path):
    """Unfolded, conv0 and conv2 both take 4608 cycles: with the rule's FIFOs (one pixel, one
    vector) the second stalls the first; sized from the simulation, the network runs at 4608."""
    rule = api.build(digits_cnn, tmp_path / "rule", config={"layers": {}})
    sized = api.build(digits_cnn, tmp_path / "sized", config={"layers": {}}, size_fifos=True)
    assert rule.project.data["fifo_sizing"] == "rule"
    assert sized.project.data["fifo_bits"] < rule.project.data["fifo_bits"]
    slow = verify(rule.project, "rtl", samples=6, seed=0)
    fast = verify(sized.project, "rtl", samples=6, seed=0)
    assert slow["cycles_per_sample"] > slow["estimated_cycles_per_sample"]
    assert fast["cycles_per_sample"] == 4608 and fast["mismatches"] == 0
    # the model counts the window generator's pause once per image (latency.window_period), which
    # the busy upstream hides here: 4672 estimated, within 3% of the measured rate
    assert abs(fast["estimated_cycles_per_sample"] - 4608) <= 0.03 * 4608


@pytest.fixture(scope="module")
def unpadded_cnn(model_dir):
    return models.export(models.unpadded_stride2_cnn(), (6, 11, 11), model_dir / "unpadded_stride2_cnn.onnx")


def test_unpadded_stride2_convolution_meets_its_target(unpadded_cnn, tmp_path):
    """conv0 at SIMD 2 (a third of its 6 channels) would take 25 windows x 27 beats = 675 cycles,
    but its window generator pauses for one image row (11 pixels x 3 beats) per image: 708. The
    cycle model counts the pause, so a 700-cycle target gets a faster folding (without the pause
    in the model it got SIMD 2 and missed the target), measured within 3% and at or below it."""
    acc = api.build(unpadded_cnn, tmp_path / "p", target_cycles=700)
    assert acc.project.data["estimated_cycles_per_sample"] <= 700
    report = verify(acc.project, "all", samples=8, seed=1)
    assert report["mismatches"] == 0
    assert report["cycles_per_sample"] <= 700
    assert abs(report["cycles_over_estimate"] - 1) <= 0.03, report
    assert abs(report["latency_over_estimate"] - 1) <= 0.10, report


def test_the_window_generators_pause_is_measured(unpadded_cnn, tmp_path):
    """At SIMD 2 the measured cycles per sample are the model's 705 (within 3%), not 675."""
    acc = api.build(unpadded_cnn, tmp_path / "p", config={"layers": {"conv0": {"pe": 8, "simd": 2},
                                                                     "fc1": {"pe": 4, "simd": 40}}})
    conv0 = acc.project.data["layers"][0]
    assert conv0["stage_cycles"]["swg"] == 705 > 25 * 27
    report = verify(acc.project, "rtl", samples=8, seed=2)
    assert report["mismatches"] == 0
    assert abs(report["cycles_over_estimate"] - 1) <= 0.03, report
