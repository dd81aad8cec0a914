"""The hardware plan: one stage per layer through the registry of layer kinds, the stitching
graph both backends render as it is, and a project reopened from what `build` wrote."""

import dataclasses
import json
import math
import re

import numpy as np
import pytest

from generator import boards, config
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.hw import make_plan
from generator.project import FORMAT_VERSION, build, open_project

# fc0 PE 8 -> fc1 SIMD 16 and fc2 PE 4 -> fc3 SIMD 2 need width converters; fc1 -> fc2 does not
FOLDING = {"layers": {0: {"pe": 8, "simd": 3}, 1: {"pe": 4, "simd": 16}, 2: {"pe": 4, "simd": 4},
                      3: {"pe": 5, "simd": 2}}}


@pytest.fixture(scope="module")
def net(mixed_model):
    return load_network(mixed_model)


def test_links_carry_width_converters_and_fifo_depths(net):
    plan = make_plan(net, config.from_dict(FOLDING))
    assert [(link.name, link.src, link.dst) for link in plan.links] == [("e0", 0, 1), ("e1", 1, 2), ("e2", 2, 3)]
    assert [link.width_converter for link in plan.links] == [True, False, True]
    for link in plan.links:
        producer, consumer = plan.stages[link.src], plan.stages[link.dst]
        assert (link.src_per_beat, link.dst_per_beat) == (producer.pe, consumer.simd)
        assert link.depth == consumer.edge_fifo_depth == max(2, consumer.layer.mw // consumer.simd)
        assert link.elems == producer.out_elems and link.elem_bits == producer.out_dtype.bitwidth()
    assert plan.outgoing(3) == [] and plan.bottleneck.cycles == plan.estimated_cycles


def test_both_backends_render_the_plan(net, tmp_path):
    project = build(net, tmp_path / "p", config.from_dict(FOLDING))
    top_v = (tmp_path / "p" / "rtl" / "axgen_top.v").read_text()
    top_cpp = (tmp_path / "p" / "hls" / "axgen_top.cpp").read_text()
    for link in project.plan.links:
        assert (f"u_{link.name}_dwc" in top_v) == link.width_converter
        assert re.search(rf"\.DEPTH\({link.depth}\),\s*\.DISTRIBUTED\(1\),\s*\.LANE_BITS\(64\)\s*\) u_{link.name}_fifo", top_v), link
        stream = f"{link.name}_dwc" if link.width_converter else f"l{link.src}_out"
        assert f"variable={stream} depth={link.depth}\n" in top_cpp, (stream, link.depth)


def test_open_project_reads_the_plan_without_choosing_again(net, tmp_path, monkeypatch):
    cfg = config.from_dict({**FOLDING, "defaults": {"multiplier": "trunc:k=2", "tune_weights": True}})
    built = build(net, tmp_path / "p", cfg)
    assert any(stage.tuned_weights for stage in built.plan.stages)

    def chosen_again(*args, **kwargs):
        raise AssertionError("open_project derived the plan again")
    monkeypatch.setattr("generator.hw.matrix.tune_weights", chosen_again)
    monkeypatch.setattr("generator.hw.matrix.acc_bounds", chosen_again)
    reopened = open_project(tmp_path / "p")
    for a, b in zip(built.plan.stages, reopened.plan.stages):
        assert (a.pe, a.simd, a.multiplier, a.acc_dtype, a.tuned_weights) == (b.pe, b.simd, b.multiplier, b.acc_dtype,
                                                                              b.tuned_weights)
        assert np.array_equal(a.layer.weights, b.layer.weights)
        assert np.array_equal(a.thresholds, b.thresholds)
    assert reopened.plan.links == built.plan.links
    assert reopened.plan.packet_samples == built.plan.packet_samples == built.data["rtl"]["packet_samples"] > 1000


def test_a_packet_is_the_drivers_default_batch(net):
    """On a Zynq board a packet is about 10 ms of the accelerator's estimated time within 4 MiB
    per direction: the driver's default batch, one S2MM transfer. Elsewhere TLAST closes every
    sample."""
    cfg = config.from_dict(FOLDING)
    plan = make_plan(net, cfg, boards.load("pynq-z2"))
    wanted = math.ceil(0.01 / (plan.estimated_cycles / 100e6))
    fits = (1 << 22) // max(plan.sample_bytes)
    assert plan.packet_samples == min(wanted, fits) == 62_500
    slow = make_plan(net, config.from_dict({"defaults": {"pe": 1, "simd": 1}}), boards.load("pynq-z2"))
    assert slow.packet_samples == math.ceil(0.01 / (slow.estimated_cycles / 100e6)) < plan.packet_samples
    assert make_plan(net, cfg, boards.load("u50")).packet_samples == 1
    assert make_plan(net, cfg).packet_samples == 1  # no board


def test_a_requested_packet_reaches_every_consumer(net, tmp_path):
    project = build(net, tmp_path / "p", config.from_dict(FOLDING), board="zcu104", packet_samples=6)
    data = project.data
    assert data["rtl"]["packet_samples"] == data["hls"]["packet_samples"] == data["driver"]["packet_samples"] == 6
    assert data["driver"]["batch_size"] % 6 == 0 and data["driver"]["batch_size"] > 6
    root = tmp_path / "p"
    assert "parameter integer PACKET_SAMPLES = 6\n" in (root / "rtl" / "axgen_top.v").read_text()
    assert "#define AXGEN_PACKET_SAMPLES 6  //" in (root / "hls" / "axgen_top.cpp").read_text()
    assert "PACKET_SAMPLES = 6  #" in (root / "driver" / "axgen_driver.py").read_text()
    assert "every 6th sample" in " ".join((root / "driver" / "README.md").read_text().split())
    assert open_project(root).plan.packet_samples == 6


@pytest.mark.parametrize("board, requested, message", [
    ("pynq-z2", 0, r"--packet-samples 0: a whole number of samples, at least 1, is needed"),
    ("pynq-z2", 2.5, r"--packet-samples 2\.5: a whole number"),
    ("u50", 4, r"--packet-samples 4: packets of several samples are the Zynq shell's .* board u50 has the alveo shell, "
               r"whose TLAST closes every sample \(supported: 1\)"),
    ("pynq-z2", 3_000_000, r"--packet-samples 3000000: a packet of 3000000 samples takes 18000000 bytes out and its "
                           r"batch 72000000 bytes in, more than one DMA transfer \(67108863 bytes, the 26-bit length "
                           r"register\); supported: 1 to 2796202 samples"),
])
def test_a_packet_the_shell_cannot_take_is_refused(net, tmp_path, board, requested, message):
    with pytest.raises(AxgenError, match=message):
        build(net, tmp_path / "p", config.from_dict(FOLDING), board=board, packet_samples=requested)
    assert not (tmp_path / "p").exists() or not any((tmp_path / "p").iterdir())


def test_a_project_of_another_format_is_refused(net, tmp_path):
    build(net, tmp_path / "p", config.from_dict(FOLDING))
    path = tmp_path / "p" / "project.json"
    data = json.loads(path.read_text())
    assert data["format_version"] == FORMAT_VERSION
    for version in (FORMAT_VERSION + 1, None):
        stale = {k: v for k, v in data.items() if k != "format_version"}
        if version is not None:
            stale["format_version"] = version
        path.write_text(json.dumps(stale))
        with pytest.raises(AxgenError, match=rf"format {version or 0}; this axgen .* reads format {FORMAT_VERSION}"):
            open_project(tmp_path / "p")


def test_the_ir_is_immutable(net):
    layer = net.layers[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        layer.weights = layer.weights * 2
    with pytest.raises(ValueError):
        layer.weights[0, 0] = 1
    before = [layer.weights.copy() for layer in net.layers]
    plan = make_plan(net, config.from_dict({"defaults": {"multiplier": "trunc:k=2", "tune_weights": True}}))
    tuned = [stage for stage in plan.stages if stage.tuned_weights]
    assert tuned and all(not np.array_equal(stage.layer.weights, net.layers[stage.index].weights) for stage in tuned)
    assert all(np.array_equal(w, layer.weights) for w, layer in zip(before, net.layers))
