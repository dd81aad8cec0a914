"""`--input-type`: a model without an input quantizer (Brevitas' ResNet-18 and MobileNet-v1 take
8-bit RGB) whose float input carries integers of a declared type."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import models
from generator.cli import main
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.golden import head_values, run_layers, tail_output


@pytest.fixture(scope="module")
def integer_cnn(model_dir):
    module = models.integer_input_cnn()
    return module, models.export(module, (3, 6, 6), model_dir / "integer_input_cnn.onnx")


def test_without_the_option_the_message_names_it(integer_cnn):
    with pytest.raises(AxgenError, match=r"Conv consumes the float input.*--input-type"):
        load_network(integer_cnn[1])
    result = CliRunner().invoke(main, ["inspect", str(integer_cnn[1])])
    assert result.exit_code != 0 and "--input-type" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("input_type, lo, hi", [("UINT8", 0, 255), ("INT8", -128, 127), ("uint4", 0, 15)])
def test_golden_equals_execute_onnx_and_brevitas_on_integers(integer_cnn, input_type, lo, hi):
    module, path = integer_cnn
    net = load_network(path, input_type=input_type)
    assert net.layers[0].in_dtype.name == input_type.upper()
    x = np.random.default_rng(0).integers(lo, hi + 1, size=(32, 3, 6, 6)).astype(np.float32)
    got = tail_output(net.tail, run_layers(head_values(net.head, x), net.layers))
    assert np.array_equal(got, models.onnx_reference(path, x))
    with torch.no_grad():
        assert np.array_equal(got, module(torch.from_numpy(x)).numpy())


def test_values_outside_the_type_are_clipped_by_the_head(integer_cnn):
    """The host head is a Quant node of the declared type: out-of-range inputs saturate."""
    net = load_network(integer_cnn[1], input_type="UINT8")
    x = np.full((1, 3, 6, 6), 300.0, dtype=np.float32)
    assert head_values(net.head, x).max() == 255


@pytest.mark.parametrize("bad, message", [("FLOAT32", "not supported"), ("UINT17", "not supported"),
                                          ("INT1", "not supported")])
def test_bad_input_types(integer_cnn, bad, message):
    with pytest.raises(AxgenError, match=message):
        load_network(integer_cnn[1], input_type=bad)


def test_a_model_with_an_input_quantizer_refuses_the_option(model_dir):
    path = models.export(models.small_cnn(), (3, 12, 10), model_dir / "small_cnn_input_type.onnx")
    with pytest.raises(AxgenError, match="quantizes its input; --input-type is for models without"):
        load_network(path, input_type="UINT8")


def test_build_takes_the_option(integer_cnn, tmp_path):
    result = CliRunner().invoke(main, ["build", str(integer_cnn[1]), "-o", str(tmp_path / "p"), "--input-type", "UINT8"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p" / "project.json").is_file()
