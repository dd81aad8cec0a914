"""The models users bring (issue 20): input types beyond integers and qonnx datatype annotations.

- `--input-type` parses BIPOLAR, UINT1..UINT16, INT2..INT16 and fixed point as hls4ml writes it;
  anything else is one message naming what is supported (API and CLI, no traceback).
- FINN's network-intrusion MLP shape: a BIPOLAR annotation on the input and `(x + 1) / 2` in the
  graph before the first layer, loaded with no option: the head folds the chain, every hidden
  layer's codes equal qonnx's execution, the output agrees.
- hls4ml's jet tagger shape with a FIXED<16,6> input (option or annotation): the head quantizes as
  the documentation says (round half to even, saturate: docs/pages/concepts/data-flow.md), and golden = qonnx on the quantized inputs, in
  `predict` too.
"""

import json

import numpy as np
import pytest
from click.testing import CliRunner

import models
from generator import api
from generator.cli import main
from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.frontend.input_type import parse_input_type
from generator.golden import head_values, run_layers, tail_output
from generator.inspection import input_type

FIXED = "FIXED<16,6>"


@pytest.mark.parametrize("text, dtype, scale", [
    ("UINT1", "UINT1", 1.0), ("uint16", "UINT16", 1.0), ("INT2", "INT2", 1.0), ("INT16", "INT16", 1.0),
    ("BIPOLAR", "BIPOLAR", 1.0), ("FIXED<16,6>", "INT16", 2.0 ** -10), ("ap_fixed<16, 6>", "INT16", 2.0 ** -10),
    ("UFIXED<8,0>", "UINT8", 2.0 ** -8), ("ap_ufixed<4,4>", "UINT4", 1.0), ("fixed<2,1>", "INT2", 0.5),
])
def test_input_types_are_parsed(text, dtype, scale):
    itype = parse_input_type(text)
    assert itype.dtype == DataType[dtype] and itype.scale == scale


@pytest.mark.parametrize("bad, names", [
    ("FIXED<4,6>", "6 integer bits of 4"), ("UINT0", "UINT0 is not supported"), ("INT17", "INT17 is not supported"),
    ("float", "float is not supported"), ("FIXED<17,6>", "17 bits in all"), ("INT1", "INT1 is not supported"),
    ("ap_fixed<16>", "is not supported"), ("FIXED<8,0>", "0 integer bits"),
])
def test_bad_input_types_get_one_message(bad, names, model_dir):
    with pytest.raises(AxgenError, match="supported are BIPOLAR, UINT1..UINT16, INT2..INT16") as err:
        parse_input_type(bad)
    assert names in str(err.value)
    path = models.export(models.jet_tagger(), (16,), model_dir / "jet_tagger.onnx")
    result = CliRunner().invoke(main, ["inspect", str(path), "--input-type", bad])
    assert result.exit_code != 0 and names in result.output and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) <= 3


@pytest.fixture(scope="module")
def intrusion(model_dir):
    path = models.export(models.intrusion_mlp(), (600,), model_dir / "intrusion_mlp.onnx")
    return models.annotate_input(path, "BIPOLAR")


def _bipolar(n, seed=0):
    return np.random.default_rng(seed).choice([-1.0, 1.0], size=(n, 600)).astype(np.float32)


def test_a_bipolar_annotated_input_is_taken_with_its_head(intrusion):
    net = load_network(intrusion)  # no --input-type: the annotation says it
    assert [layer.in_dtype.name for layer in net.layers] == ["BIPOLAR", "UINT2", "UINT2", "UINT2"]
    assert [(layer.mw, layer.mh) for layer in net.layers] == [(600, 64), (64, 64), (64, 64), (64, 1)]
    x = _bipolar(48)
    values = head_values(net.head, x)
    assert np.array_equal(values, x.astype(np.int64))  # the stream carries the bipolar values
    for layer, want in zip(net.layers[:-1], models.onnx_hidden_codes(intrusion, x)):
        values = run_layers(values, [layer])
        assert np.array_equal(values, want), layer.name
        assert len(np.unique(values)) == 4  # every 2-bit code occurs: the check is not vacuous
    got = tail_output(net.tail, run_layers(head_values(net.head, x), net.layers))
    want = models.onnx_reference(intrusion, x)
    assert len(np.unique(want)) > 8
    assert np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-3)) < 1e-5


def test_the_same_graph_without_the_annotation_says_what_is_missing(intrusion, tmp_path):
    from qonnx.core.modelwrapper import ModelWrapper
    model = ModelWrapper(str(intrusion))
    del model.graph.quantization_annotation[:]
    path = tmp_path / "plain.onnx"
    model.save(str(path))
    with pytest.raises(AxgenError, match="consumes the float input; .*--input-type"):
        load_network(path)
    assert load_network(path, input_type="BIPOLAR").layers[0].in_dtype == DataType["BIPOLAR"]


def test_an_annotation_where_the_input_enters_the_first_layer_starts_the_stream_there(intrusion, tmp_path):
    """FINN's way round: the {0, 1} tensor that `(x + 1) / 2` gives, annotated BINARY (qonnx's UINT1)
    instead of the input. The Add and Div run on the host in float, the type's quantizer after them;
    every hidden code equals qonnx's, as with the annotation on the input."""
    from qonnx.core.datatype import DataType as QonnxType
    from qonnx.core.modelwrapper import ModelWrapper
    model = ModelWrapper(str(intrusion))
    del model.graph.quantization_annotation[:]
    div = next(n for n in model.graph.node if n.op_type == "Div")
    model.set_tensor_datatype(div.output[0], QonnxType["BINARY"])
    path = tmp_path / "div_annotated.onnx"
    model.save(str(path))
    net = load_network(path)
    assert net.layers[0].in_dtype == DataType["UINT1"] and net.head.scale == 1.0
    source = input_type(net)
    assert source["type"] == "UINT1" and source["from"].startswith("annotation on tensor ") and "Div" in source["from"]
    x = _bipolar(48, seed=2)
    values = head_values(net.head, x)
    assert np.array_equal(values, (x.astype(np.int64) + 1) // 2)
    for i, want in enumerate(models.onnx_hidden_codes(path, x)):
        assert np.array_equal(run_layers(values, net.layers[:i + 1]), want)
    got = tail_output(net.tail, run_layers(values, net.layers))
    want = models.onnx_reference(path, x)
    assert np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-3)) < 1e-5


def test_an_offset_off_the_integer_grid_is_refused(intrusion, tmp_path):
    """(x + 0.5) / 2 maps {-1, +1} to {-0.25, 0.75}: no integer grid through zero."""
    from qonnx.core.modelwrapper import ModelWrapper
    model = ModelWrapper(str(intrusion))
    add = next(n for n in model.graph.node if n.op_type == "Add" and n.input[0] == model.graph.input[0].name)
    model.set_initializer(add.input[1], np.array(0.5, dtype=np.float32))
    path = tmp_path / "offset.onnx"
    model.save(str(path))
    with pytest.raises(AxgenError, match=r"\(Add -> Div\) do not map the BIPOLAR values onto an increasing integer "
                                         "grid"):
        load_network(path)


@pytest.fixture(scope="module")
def jet(model_dir):
    return models.export(models.jet_tagger(), (16,), model_dir / "jet_tagger.onnx")


def _quantized(x, frac_bits=10, bits=16):
    """The documented rule (docs/pages/concepts/data-flow.md) for a FIXED<W,I> input: round half to even, then saturate."""
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return (np.clip(np.round(x * 2.0 ** frac_bits), lo, hi) / 2.0 ** frac_bits).astype(np.float32)


@pytest.mark.parametrize("how", ["option", "annotation"])
def test_a_fixed_point_input_equals_qonnx_on_the_quantized_inputs(jet, tmp_path, how):
    if how == "annotation":
        import shutil
        path = models.annotate_input(shutil.copy(jet, tmp_path / "jet_annotated.onnx"), FIXED)
        net = load_network(path)
    else:
        net = load_network(jet, input_type="ap_fixed<16,6>")
    assert net.layers[0].in_dtype == DataType["INT16"] and net.head.scale == 2.0 ** -10
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0, 4, size=(60, 16)),
                        np.full((2, 16), 40.0), np.full((2, 16), -40.0)]).astype(np.float32)  # saturated
    x[0, :4] = [2.5 / 1024, 3.5 / 1024, -2.5 / 1024, 0.1]  # halves round to even
    codes = head_values(net.head, x)
    assert np.array_equal(codes[0, :4], [2, 4, -2, 102]) and codes[-1].min() == -32768 and codes[-3].max() == 32767
    got = tail_output(net.tail, run_layers(codes, net.layers))
    want = models.onnx_reference(jet, _quantized(x))
    assert np.max(np.abs(got - want)) < 1e-6  # softmax outputs
    for layer_codes, onnx_codes in zip(
            [run_layers(codes, net.layers[:i + 1]) for i in range(3)], models.onnx_hidden_codes(jet, _quantized(x))):
        assert np.array_equal(layer_codes, onnx_codes)


def test_predict_on_float_inputs_quantizes_as_the_readme_says(jet, tmp_path):
    acc = api.build(str(jet), tmp_path / "p", input_type=FIXED)
    x = np.random.default_rng(2).normal(0, 4, size=(16, 16)).astype(np.float32)
    assert np.max(np.abs(acc.predict(x) - models.onnx_reference(jet, _quantized(x)))) < 1e-6


@pytest.fixture(scope="module")
def qkeras_jet(model_dir):
    return models.qkeras_jet_tagger(model_dir / "qkeras_jet_tagger.onnx")


def test_the_jet_tagger_in_the_qkeras_converters_form_equals_qonnx(qkeras_jet, tmp_path):
    """The jet tagger as qonnx's QKeras converter writes it (MatMul, Add of a quantized bias, Relu,
    Quant; Softmax): every hidden code and the output equal qonnx on the quantized inputs, and so
    does `predict` on the float inputs."""
    net = load_network(qkeras_jet, input_type=FIXED)
    assert [(layer.in_dtype.name, layer.weight_dtype.name, layer.mh) for layer in net.layers] == [
        ("INT16", "INT6", 64), ("UINT6", "INT6", 32), ("UINT6", "INT6", 32), ("UINT6", "INT6", 5)]
    x = np.random.default_rng(3).normal(0, 2, size=(64, 16)).astype(np.float32)
    codes = head_values(net.head, x)
    for i, want in enumerate(models.onnx_hidden_codes(qkeras_jet, _quantized(x))):
        got = run_layers(codes, net.layers[:i + 1])
        assert np.array_equal(got, want) and len(np.unique(got)) > 16
    want = models.onnx_reference(qkeras_jet, _quantized(x))
    assert np.array_equal(tail_output(net.tail, run_layers(codes, net.layers)), want)
    assert np.array_equal(api.build(str(qkeras_jet), tmp_path / "p", input_type=FIXED).predict(x), want)


def test_inspect_says_what_the_input_is_and_where_that_came_from(intrusion, jet, finn_model):
    def first_row(*args):
        result = CliRunner().invoke(main, ["inspect", *map(str, args), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)[0]["input_type"]

    assert first_row(intrusion) == {"type": "BIPOLAR", "from": "annotation", "code": "BIPOLAR", "scale": 0.5,
                                    "zero_point": -1}
    assert first_row(jet, "--input-type", "ap_fixed<16,6>") == {
        "type": "FIXED<16,6>", "from": "--input-type", "code": "INT16", "scale": 2.0 ** -10, "zero_point": 0}
    quantized = first_row(finn_model("tfc_2w2a"))
    assert quantized["type"] == "INT2" and quantized["from"].startswith("quantizer ")
    table = CliRunner().invoke(main, ["inspect", str(jet), "--input-type", "FIXED<16,6>"], env={"COLUMNS": "160"})
    assert "input: FIXED<16,6> from --input-type, INT16 codes at scale 0.000976562" in table.output
