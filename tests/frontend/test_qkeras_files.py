"""qonnx's own test files for its QKeras converter (tests/frontend/data/qkeras, copied from qonnx
with their license): each of the five kinds is accepted (golden = qonnx on the quantized inputs)
or refused with one message naming the construct and why, never a traceback and never "is it a
valid QONNX graph?"."""

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import models
from generator.cli import main
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.golden import head_values, run_layers, tail_output

DATA = Path(__file__).parent / "data" / "qkeras"
FIXED = "FIXED<16,6>"  # hls4ml's default input type; QKeras quantizes no input

# file -> (input type, None if accepted else the words the refusal must contain)
FILES = {
    "qdense_0": (FIXED, None),
    "qdense2_0": (None, None),  # two QDense in a row: the first one's accumulator carried into the second
    "qconv2d_0": (FIXED, None),  # Keras' NHWC input and output, the network ending in its convolution
    "qconv2d_conversion": (FIXED, None),  # two QConv2D in a row, then Keras' NHWC flatten before the quantizer
    "qactivation_0": (None, "the model has no matrix layer"),
}


def _path(name: str) -> Path:
    return DATA / f"model_test_qkeras_{name}.onnx"


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_file_is_accepted_or_refused_with_its_reason(name):
    input_type, refusal = FILES[name]
    args = ["inspect", str(_path(name))] + (["--input-type", input_type] if input_type else [])
    result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.output and "valid QONNX graph" not in result.output
    if refusal is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0 and refusal in result.output.replace("\n", " ")
        with pytest.raises(AxgenError):
            load_network(_path(name), input_type=input_type)


def test_inspect_shows_the_carried_accumulator():
    result = CliRunner().invoke(main, ["inspect", str(_path("qdense2_0")), "--json"])
    rows = json.loads(result.output)
    assert [(row["in_dtype"], row["out_dtype"]) for row in rows] == [("UINT6", "INT17 accumulator"),
                                                                    ("INT17", "accumulator")]


def test_the_dense_file_needs_its_input_type_named():
    with pytest.raises(AxgenError, match="MatMul consumes the float input; .*--input-type"):
        load_network(_path("qdense_0"))


@pytest.mark.parametrize("name, shape, layers", [
    ("qdense_0", (64, 16), [("fc", "INT16", "INT8"), ("fc", "UINT6", "INT8")]),
    # the first layer's accumulator (INT17) is the second one's input; the bias between them is in
    # the second one's offset (here: the host tail's)
    ("qdense2_0", (64, 16), [("fc", "UINT6", "INT8"), ("fc", "INT17", "INT8")]),
    ("qconv2d_0", (6, 28, 28, 3), [("conv", "INT16", "INT8")]),  # NHWC in and out, transposed by the converter
    # conv0's accumulator into conv1 (its bias in conv1's thresholds), NHWC-flattened into the dense layer
    ("qconv2d_conversion", (64, 28, 28, 1), [("conv", "INT16", "BIPOLAR"), ("conv", "INT19", "INT6"),
                                             ("fc", "UINT6", "INT6")]),
])
def test_the_accepted_files_equal_qonnx_on_the_quantized_inputs(name, shape, layers):
    input_type = FILES[name][0]
    net = load_network(_path(name), input_type=input_type)
    assert [(layer.kind, layer.in_dtype.name, layer.weight_dtype.name) for layer in net.layers] == layers
    x = np.random.default_rng(0).normal(0, 4, size=shape).astype(np.float32)
    quantized = (np.clip(np.round(x * 1024), -32768, 32767) / 1024).astype(np.float32) if input_type else x
    got = tail_output(net.tail, run_layers(head_values(net.head, x), net.layers))
    want = models.onnx_reference(_path(name), quantized)
    assert len(np.unique(want)) > 100 and np.array_equal(got, want)


def test_qonnx_cleanup_of_the_conv_files_passes():
    """qonnx's ExtractBiasFromConv fails on a quantized bias with a scalar scale, as the QKeras
    converter writes it; axgen gives the scale shape (1,) first, so the conv files get to the
    frontend (accepted, or refused by its own checks above)."""
    from generator.frontend.loading import clean, read_onnx
    model = clean(read_onnx(_path("qconv2d_0")))
    assert any(n.op_type == "Add" for n in model.graph.node)  # the bias, extracted behind the Conv


def test_a_failing_qonnx_step_is_named(monkeypatch):
    from generator.frontend import loading
    monkeypatch.setattr(loading, "_vector_bias_quant_params", lambda model: None)
    with pytest.raises(AxgenError, match=r"qonnx's ExtractBiasFromConv at node Conv_0 \(Conv\) failed on the model "
                                         r"\(ValueError: cannot reshape"):
        load_network(_path("qconv2d_0"), input_type=FIXED)
