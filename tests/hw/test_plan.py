"""The hardware plan: one stage per layer through the registry of layer kinds, the stitching
graph both backends render as it is, and a project reopened from what `build` wrote."""

import dataclasses
import json
import re

import numpy as np
import pytest

from generator import config
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
        assert re.search(rf"\.DEPTH\({link.depth}\),\s*\.DISTRIBUTED\(1\)\s*\) u_{link.name}_fifo", top_v), link
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
