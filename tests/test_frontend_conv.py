"""Convolutional networks in the frontend and the golden model (channels-last sliding windows,
max-pool on integer codes, flatten permutation) against qonnx's execute_onnx."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

import models
from generator.cli import main
from generator.frontend import load_network
from generator.golden import run_layers
from generator.host import head_values, tail_output


def golden_predict(net, x):
    return tail_output(net.tail, run_layers(head_values(net.head, x), net.layers))


@pytest.fixture(scope="module")
def cnn(model_dir):
    return models.export(models.small_cnn(), (3, 12, 10), model_dir / "small_cnn.onnx")


@pytest.mark.parametrize("name", models.FINN_CNV)
def test_finn_cnv_identical_to_execute_onnx(model_dir, name):
    """FINN's CNV with random weights and random batch-norm (negative gains included)."""
    path = models.export(models.finn_fc(name), (3, 32, 32), model_dir / f"{name}.onnx")
    net = load_network(path)
    assert [l.kind for l in net.layers] == ["conv", "conv", "maxpool", "conv", "conv", "maxpool", "conv", "conv",
                                            "fc", "fc", "fc"]
    x = np.random.default_rng(0).uniform(0, 1, size=(3, 3, 32, 32)).astype(np.float32)
    assert np.array_equal(golden_predict(net, x), models.onnx_reference(path, x))


def test_small_cnn_identical_to_execute_onnx(cnn):
    net = load_network(cnn)
    conv0, pool, conv1, fc = net.layers
    assert (conv0.conv.kernel, conv0.conv.stride, conv0.conv.pads) == ((3, 3), (2, 2), (1, 1, 1, 1))
    assert conv0.out_shape == (6, 5, 8) and pool.out_shape == (3, 2, 8) and conv1.out_shape == (2, 2, 6)
    assert fc.in_shape == (24,)
    x = np.random.default_rng(1).normal(0, 1, size=(64, 3, 12, 10)).astype(np.float32)
    assert np.array_equal(golden_predict(net, x), models.onnx_reference(cnn, x))


def test_flatten_permutation_is_needed(cnn):
    """Without reordering the classifier's columns from (c, h, w) to the stream's (h, w, c), the
    outputs differ: the test above really checks the permutation."""
    net = load_network(cnn)
    fc = net.layers[-1]
    fc.weights = fc.weights.reshape(5, 2, 2, 6).transpose(0, 3, 1, 2).reshape(5, 24)  # undo it
    x = np.random.default_rng(1).normal(0, 1, size=(64, 3, 12, 10)).astype(np.float32)
    assert not np.array_equal(golden_predict(net, x), models.onnx_reference(cnn, x))


def test_inspect_shows_conv_layers_with_macs(cnn):
    result = CliRunner().invoke(main, ["inspect", str(cnn), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["kind"] for r in rows] == ["conv", "maxpool", "conv", "fc"]
    assert rows[0]["macs"] == 6 * 5 * 8 * (3 * 3 * 3) and rows[1]["macs"] == 0
    assert rows[2]["macs"] == 2 * 2 * 6 * (2 * 1 * 8)


def test_build_of_a_cnn_says_what_is_missing(cnn, tmp_path):
    result = CliRunner().invoke(main, ["build", str(cnn), "-o", str(tmp_path / "p")])
    assert result.exit_code == 2 and "conv layers have no hardware backend yet" in result.output
    assert not (tmp_path / "p").exists()
