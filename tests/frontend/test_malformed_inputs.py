"""Malformed inputs, generated (issue 21): hypothesis mutates a valid QONNX model and a valid
config — a truncated or corrupted protobuf, a missing initializer or node, NaN, zero or negative
scales, bit widths of 0, 33 or 1.5, a weight of the wrong shape, an unknown op, a wrong input
shape, config values of the wrong YAML type or out of range, YAML that does not parse — and runs
`axgen build` on each. Every case ends in one `axgen: error:` line (exit 2, nothing written) or in
a project that opens; never a traceback."""

import math
import tempfile
from pathlib import Path

import onnx
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st
from onnx import numpy_helper

import models
from generator.cli import main
from generator.project import open_project

CASES = 80  # the default run; the slow campaign below draws 320
CAMPAIGN_CASES = 320
VALID_CONFIG = {"defaults": {"multiplier": "exact"}, **models.MIXED_FOLDING}
MODEL_MUTATIONS = ("truncate", "flip", "drop_initializer", "drop_node", "scale", "bitwidth", "weight_shape",
                   "unknown_op", "input_shape", "initializer_type")
CONFIG_MUTATIONS = ("value", "yaml_text", "unknown_key")
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-3, 70), st.floats(allow_nan=True, allow_infinity=True),
                 st.text(max_size=6), st.lists(st.integers(0, 4), max_size=3), st.dictionaries(st.text(max_size=3),
                                                                                              st.integers(), max_size=2))


class Valid:
    """The valid model (short in hypothesis' reports of a failing case)."""

    def __init__(self, path: Path):
        self.proto = onnx.load(str(path))

    def __repr__(self) -> str:
        return "<the mixed MLP>"


@pytest.fixture(scope="module")
def valid_model(mixed_model):
    return Valid(mixed_model)


def _quant_inputs(proto: onnx.ModelProto, position: int) -> list[str]:
    """Initializer names at input `position` of the Quant nodes (1: scale, 3: bit width)."""
    names = {init.name for init in proto.graph.initializer}
    return sorted({n.input[position] for n in proto.graph.node if n.op_type == "Quant" and n.input[position] in names})


def _set(proto: onnx.ModelProto, name: str, array) -> None:
    init = next(i for i in proto.graph.initializer if i.name == name)
    init.CopyFrom(numpy_helper.from_array(array, name))


def _mutated_model(data, valid: onnx.ModelProto) -> bytes:
    import numpy as np
    kind = data.draw(st.sampled_from(MODEL_MUTATIONS), label="model mutation")
    proto = onnx.ModelProto()
    proto.CopyFrom(valid)
    graph = proto.graph
    if kind == "truncate":
        raw = proto.SerializeToString()
        return raw[:data.draw(st.integers(0, len(raw) - 1), label="length")]
    if kind == "flip":
        raw = bytearray(proto.SerializeToString())
        for at in data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=8), label="bytes"):
            raw[at] ^= data.draw(st.integers(1, 255), label="mask")
        return bytes(raw)
    if kind == "drop_initializer":
        del graph.initializer[data.draw(st.integers(0, len(graph.initializer) - 1), label="initializer")]
    elif kind == "drop_node":
        del graph.node[data.draw(st.integers(0, len(graph.node) - 1), label="node")]
    elif kind in ("scale", "bitwidth"):
        names = _quant_inputs(proto, 1 if kind == "scale" else 3)
        name = data.draw(st.sampled_from(names), label="tensor")
        value = data.draw(st.sampled_from([math.nan, 0.0, -1.0, math.inf, 1e-45] if kind == "scale"
                                          else [0.0, 33.0, 1.5, -2.0, math.nan, 64.0]), label="value")
        old = numpy_helper.to_array(next(i for i in graph.initializer if i.name == name))
        _set(proto, name, np.full(old.shape, value, dtype=old.dtype))
    elif kind == "weight_shape":
        weights = sorted(i.name for i in graph.initializer if i.name.endswith(".weight") and len(i.dims) == 2)
        name = data.draw(st.sampled_from(weights), label="weight")
        old = numpy_helper.to_array(next(i for i in graph.initializer if i.name == name))
        axis = data.draw(st.integers(0, 1), label="axis")
        _set(proto, name, np.delete(old, 0, axis=axis))
    elif kind == "unknown_op":
        node = graph.node[data.draw(st.integers(0, len(graph.node) - 1), label="node")]
        node.op_type = data.draw(st.sampled_from(["Frobnicate", "Quant2", "Softmax", "LSTM"]), label="op")
    elif kind == "input_shape":
        dims = graph.input[0].type.tensor_type.shape.dim
        dims[-1].dim_value = data.draw(st.sampled_from([0, 1, 23, 25, 1000]), label="width")
    else:  # initializer_type: the same numbers stored as another element type
        init = graph.initializer[data.draw(st.integers(0, len(graph.initializer) - 1), label="initializer")]
        array = numpy_helper.to_array(init)
        dtype = data.draw(st.sampled_from([np.float64, np.int64, np.float16, np.int8]), label="dtype")
        with np.errstate(all="ignore"):
            init.CopyFrom(numpy_helper.from_array(np.nan_to_num(array).astype(dtype), init.name))
    return proto.SerializeToString()


def _mutated_config(data) -> str:
    kind = data.draw(st.sampled_from(CONFIG_MUTATIONS), label="config mutation")
    cfg = yaml.safe_load(yaml.safe_dump(VALID_CONFIG))
    if kind == "yaml_text":
        return data.draw(st.sampled_from(["layers: [", "defaults: {multiplier: exact", ": - ][", "\t- x: 1",
                                          "layers:\n  0: {pe: 2\n", "{{}}"]), label="text")
    if kind == "unknown_key":
        where = data.draw(st.sampled_from(["top", "defaults", "layer"]), label="where")
        target = cfg if where == "top" else cfg["defaults"] if where == "defaults" else cfg["layers"][0]
        target[data.draw(st.sampled_from(["foo", "PE", "simd_", "mutliplier"]), label="key")] = 1
    else:
        path = data.draw(st.sampled_from([("defaults",), ("defaults", "multiplier"), ("layers",), ("layers", 0),
                                          ("layers", 0, "pe"), ("layers", 0, "simd"), ("layers", 3, "pe")]),
                         label="path")
        target = cfg
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = data.draw(JUNK, label="value")
    return yaml.safe_dump(cfg)


@settings(max_examples=CASES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_malformed_input_gets_one_message(valid_model, data):
    _build_gives_one_message_or_a_project(valid_model, data)


@pytest.mark.slow
@settings(max_examples=CAMPAIGN_CASES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_malformed_input_gets_one_message_campaign(valid_model, data):
    _build_gives_one_message_or_a_project(valid_model, data)


def _build_gives_one_message_or_a_project(valid_model, data):
    model_bytes, config_text = valid_model.proto.SerializeToString(), yaml.safe_dump(VALID_CONFIG)
    target = data.draw(st.sampled_from(["model", "config", "both"]), label="what is broken")
    if target in ("model", "both"):
        model_bytes = _mutated_model(data, valid_model.proto)
    if target in ("config", "both"):
        config_text = _mutated_config(data)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "model.onnx").write_bytes(model_bytes)
        (tmp / "config.yaml").write_text(config_text)
        result = CliRunner().invoke(main, ["build", str(tmp / "model.onnx"), "-o", str(tmp / "out"),
                                           "--config", str(tmp / "config.yaml")])
        if result.exit_code == 0:  # a mutation the model survives (a scale that changes nothing): a whole project
            open_project(tmp / "out")
            return
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("axgen: error: "), result.output
        assert "Traceback" not in result.output and not (tmp / "out").exists()
