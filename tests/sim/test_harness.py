"""The C++ streaming harness on Verilator: bit-exact against the golden model under random input
gaps and output back-pressure, and it catches a wrong weight and a TLAST on the wrong beat."""

import shutil

import numpy as np
import pytest

import models
from generator import config
from generator.execute import golden_outputs, pack_outputs, run_harness, unpack_outputs
from generator.frontend import load_network
from generator.project import build, open_project
from generator.verify import random_inputs


@pytest.fixture(scope="module")
def digits_project(digits_model, tmp_path_factory):
    root = tmp_path_factory.mktemp("harness") / "digits"
    build(load_network(digits_model), root, config.from_dict(models.DIGITS_FOLDINGS[0]))
    return root


def _copy(root, tmp_path):
    """A copy of a built project (with its cached harness builds) to break on purpose."""
    shutil.copytree(root, tmp_path / "p")
    return open_project(tmp_path / "p")


def _check_equals_golden(project, samples, seed):
    values = random_inputs(project, samples, seed)
    expected = golden_outputs(project, values)
    stream_only = run_harness(project, values, seed, samples, random=False)
    both = run_harness(project, values, seed, 8)
    for got in (stream_only.stream_outputs, both.stream_outputs, both.random_outputs):
        assert np.array_equal(unpack_outputs(project, got), expected[:len(got)])
    bad, first = both.mismatched(pack_outputs(project, expected))
    assert bad.size == 0 and first is None and not both.tlast_errors
    # the random phase replays every sample with gaps and back-pressure: never faster than back to back
    assert both.cycles > stream_only.cycles, (both.cycles, stream_only.cycles)
    assert both.cycles_per_sample == stream_only.cycles_per_sample  # the same first 8 samples, same measure
    estimate = project.estimated_cycles
    assert 0.85 <= both.cycles_per_sample / estimate <= 1.15, (both.cycles_per_sample, estimate)
    assert both.latency_cycles > both.cycles_per_sample
    return both


def test_harness_equals_golden_on_the_digits_mlp(digits_project):
    result = _check_equals_golden(open_project(digits_project), 64, seed=3)
    assert result.random_outputs.shape[0] == 64


def test_harness_equals_golden_on_a_small_cnn(model_dir, tmp_path):
    path = models.export(models.small_cnn(), (3, 12, 10), model_dir / "small_cnn_harness.onnx")
    build(load_network(path), tmp_path / "p", config.from_dict(models.SMALL_CNN_FOLDINGS[1]))
    _check_equals_golden(open_project(tmp_path / "p"), 24, seed=1)


def test_harness_catches_a_wrong_weight(digits_project, tmp_path):
    run_harness(open_project(digits_project), random_inputs(open_project(digits_project), 2, 0), 0, 2)  # built once
    project = _copy(digits_project, tmp_path)
    mem = sorted((project.root / "rtl").glob("*weights.mem"))[-1]
    # bit 0 of every word: one weight of every step changes (a single weight could meet only zeros)
    lines = [format(int(line, 16) ^ 1, f"0{len(line)}x") for line in mem.read_text().splitlines()]
    mem.write_text("\n".join(lines) + "\n")
    values = random_inputs(project, 16, 0)
    result = run_harness(project, values, 0, 4)
    assert result.cached_build  # memory files are read at run time: the copied build serves
    bad, first = result.mismatched(pack_outputs(project, golden_outputs(project, values)))
    assert bad.size > 0 and first["sample"] == bad[0]
    # the no-gap phase streams the first 4 samples; a later first mismatch is found in the random phase
    assert first["phase"] == ("stream" if bad[0] < 4 else "random")
    assert not result.tlast_errors


def test_harness_catches_a_tlast_on_the_wrong_sample(digits_project, tmp_path):
    """A top whose TLAST closes every sample instead of every PACKET_SAMPLES-th: simulated with
    packets of 3, the samples that do not close one are wrong -- in phase stream (samples 0..3)
    and in phase random, whose packets go on counting from sample 4 (so samples 4 and 7 close a
    packet there and are right in both)."""
    project = _copy(digits_project, tmp_path)
    top = project.root / "rtl" / f"{project.plan.top}.v"
    text = top.read_text()
    assert ".PACKET_SAMPLES(PACKET_SAMPLES)" in text
    top.write_text(text.replace(".PACKET_SAMPLES(PACKET_SAMPLES)", ".PACKET_SAMPLES(1)"))
    values = random_inputs(project, 10, 0)
    result = run_harness(project, values, 0, 4)
    assert not result.cached_build
    bad, first = result.mismatched(pack_outputs(project, golden_outputs(project, values)))
    assert first is None  # the data is right, TLAST is not
    assert bad.tolist() == [0, 1, 2, 3, 5, 6, 8, 9]
    beats = project.plan.out_beats
    assert result.tlast_errors[0] == (f"phase stream, sample 0 (sample 0 of packet 0, 3 per packet): m_axis_tlast high "
                                      f"on beat(s) [{beats - 1}] of 0..{beats - 1}, expected on no beat")
    assert (f"phase random, sample 2 (sample 0 of packet 2, 3 per packet): m_axis_tlast high on beat(s) "
            f"[{beats - 1}] of 0..{beats - 1}, expected on no beat") in result.tlast_errors


def test_harness_checks_tlast_on_the_packets_last_beat(digits_project):
    """The digits top closes a packet every P-th sample (P a default batch, thousands); simulated
    at 3 samples per packet, the 14 output samples of two phases close four packets, none early,
    none missed, the last left open."""
    project = open_project(digits_project)
    assert project.plan.packet_samples > 1000 and project.data["rtl"]["packet_samples"] == project.plan.packet_samples
    values = random_inputs(project, 10, 2)
    result = run_harness(project, values, 2, 4)
    bad, first = result.mismatched(pack_outputs(project, golden_outputs(project, values)))
    assert bad.size == 0 and first is None and not result.tlast_errors
