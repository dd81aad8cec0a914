"""Stepping a built project's RTL from Python (pyverilator): every layer of the digits MLP on
the golden model's per-layer inputs gives its per-layer outputs bit for bit, the top gives the
network's outputs, ports are read and written by name, and bad names get one clear message."""

import numpy as np
import pytest

import models
import waves
import generator as axgen
from generator import config, streams
from generator.errors import AxgenError
from generator.execute import golden_outputs
from generator.frontend import load_network
from generator.golden import run_layer
from generator.project import build
from generator.sim.stepping import open_module
from generator.verify import random_inputs


@pytest.fixture(scope="module")
def digits_acc(digits_model, tmp_path_factory):
    root = tmp_path_factory.mktemp("stepping") / "digits"
    build(load_network(digits_model), root, config.from_dict(models.DIGITS_FOLDINGS[0]))
    return axgen.open_project(root)


def test_each_layer_matches_the_golden_model(digits_acc):
    values = random_inputs(digits_acc.project, 3, seed=5)
    for stage in digits_acc.plan.stages:
        expected = run_layer(values, stage.layer, stage.multiplier)
        got = digits_acc.stepper(stage.layer.name).run(values)
        assert got.shape == expected.shape and np.array_equal(got, expected), stage.layer.name
        assert len(np.unique(expected)) > 1  # a layer whose outputs are all equal would prove little
        values = expected


def test_the_top_matches_the_golden_model(digits_acc):
    values = random_inputs(digits_acc.project, 2, seed=9)
    top = digits_acc.stepper()
    got = top.run(values)
    assert np.array_equal(got, golden_outputs(digits_acc.project, values))
    assert top.cycle > digits_acc.estimated_cycles  # two samples went through, cycle by cycle


def test_the_top_streams_beats_with_tlast(digits_acc):
    beats_out = digits_acc.plan.out_beats
    top = digits_acc.stepper("top")
    result = top.stream([[k] * digits_acc.plan.in_beats for k in range(4)], beats_out)
    assert len(result.beats) == 4 and all(len(beats) == beats_out for beats in result.beats)
    # the stepped top closes packets of 3 samples (generator.sim.packets), not the project's thousands
    low, closing = [0] * beats_out, [0] * (beats_out - 1) + [1]
    assert result.tlast == [low, low, closing, low]
    assert result.cycles >= 4 * beats_out


def test_ports_are_set_and_read_by_name(digits_acc):
    layer = digits_acc.stepper(0, reset=False)
    assert layer.ports["s_axis_tdata"] == 16 and layer.ports["ap_clk"] == 1
    layer.reset()
    assert layer["m_axis_tvalid"] == 0 and layer["s_axis_tready"] == 1
    layer["s_axis_tdata"] = 0x1234
    assert layer["s_axis_tdata"] == 0x1234
    with pytest.raises(AxgenError, match="no port 'nope'.*s_axis_tdata"):
        layer["nope"]
    with pytest.raises(AxgenError, match="m_axis_tvalid of axgen_L0_fc0 is an output"):
        layer["m_axis_tvalid"] = 1


def test_a_bad_layer_name_names_the_known_layers(digits_acc):
    with pytest.raises(AxgenError) as info:
        digits_acc.stepper("fc9")
    assert str(info.value) == f"no layer 'fc9' in {digits_acc.root}; its layers: 0 fc0, 1 fc1, 2 fc2, top"


def test_a_module_that_does_not_build_is_one_error(tmp_path):
    (tmp_path / "broken.v").write_text("module broken(input wire ap_clk, output wire y);\n  assign y = ;\nendmodule\n")
    with pytest.raises(AxgenError, match=r"pyverilator build of broken failed \(.*\); end of .*build.log:\n(.|\n)*broken.v"):
        open_module(tmp_path, "broken", tmp_path / "build")
    with pytest.raises(AxgenError, match="no Verilog file missing.v for module missing"):
        open_module(tmp_path, "missing", tmp_path / "build")


def test_a_trace_holds_the_output_beats(digits_acc, tmp_path):
    values = random_inputs(digits_acc.project, 1, seed=3)
    stage = digits_acc.plan.stages[1]
    inputs = run_layer(values, digits_acc.plan.stages[0].layer, digits_acc.plan.stages[0].multiplier)
    layer = digits_acc.stepper("fc1")
    layer.trace(tmp_path / "fc1.vcd")
    got = layer.run(inputs)
    layer.stop_trace()
    beats = waves.vcd_output_beats(tmp_path / "fc1.vcd", tlast=False)
    nbytes = streams.beat_bytes(stage.out_dtype.name, stage.out_per_beat)
    data = np.array([[b for value in beats for b in value.to_bytes(nbytes, "little")]], dtype=np.uint8)
    assert np.array_equal(streams.unpack(data, stage.out_dtype.name, stage.out_per_beat), got)
    with pytest.raises(AxgenError, match="folder .* does not exist"):
        layer.trace(tmp_path / "no" / "w.vcd")
