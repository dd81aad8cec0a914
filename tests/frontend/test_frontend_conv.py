"""Convolutional networks in the frontend and the golden model (channels-last sliding windows,
max-pool on integer codes, flatten permutation) against qonnx's execute_onnx."""

import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

import models
from generator.cli import main
from generator.frontend import load_network
from generator.golden import run_layers
from generator.golden import head_values, tail_output


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
    assert [layer.kind for layer in net.layers] == ["conv", "conv", "maxpool", "conv", "conv", "maxpool", "conv", "conv",
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
    undone = replace(fc, weights=fc.weights.reshape(5, 2, 2, 6).transpose(0, 3, 1, 2).reshape(5, 24))  # undo it
    net = replace(net, layers=(*net.layers[:-1], undone))
    x = np.random.default_rng(1).normal(0, 1, size=(64, 3, 12, 10)).astype(np.float32)
    assert not np.array_equal(golden_predict(net, x), models.onnx_reference(cnn, x))


def test_inspect_shows_conv_layers_with_macs(cnn):
    result = CliRunner().invoke(main, ["inspect", str(cnn), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["kind"] for r in rows] == ["conv", "maxpool", "conv", "fc"]
    assert rows[0]["macs"] == 6 * 5 * 8 * (3 * 3 * 3) and rows[1]["macs"] == 0
    assert rows[2]["macs"] == 2 * 2 * 6 * (2 * 1 * 8)


def test_conv_simd_must_divide_the_channels(cnn, tmp_path):
    """The window generator moves SIMD channels of one pixel per beat, or P whole kernel positions
    (SIMD = 3*P, P = 3: a kernel row, or 9: the window): SIMD=6 covers neither; the message names
    the layer and the valid values, nothing is written."""
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("layers:\n  conv0: {simd: 6}\n")
    result = CliRunner().invoke(main, ["build", str(cnn), "-o", str(tmp_path / "p"), "--config", str(cfg)])
    assert result.exit_code == 2, result.output
    assert ("layer conv0: simd=6 does not fold the input channels (3) or whole kernel positions of the 3x3 window; "
            "valid values: 1, 3, 9, 27") in result.output
    assert "Traceback" not in result.output and not (tmp_path / "p").exists()


def test_pool_layers_take_only_pe(cnn, tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("layers:\n  pool1: {pe: 2, multiplier: exact}\n")
    result = CliRunner().invoke(main, ["build", str(cnn), "-o", str(tmp_path / "p"), "--config", str(cfg)])
    assert result.exit_code == 2 and "layer pool1: maxpool layers take only ['pe'], not ['multiplier']" in result.output


def test_padded_bipolar_input_is_refused():
    """Zero padding has no bipolar code; the hardware refuses what it can not represent."""
    from generator import config
    from generator.datatypes import DataType
    from generator.errors import AxgenError
    from generator.hw import annotate
    from generator.ir import ConvGeometry, MatrixLayer
    layer = MatrixLayer("conv0", DataType["BIPOLAR"], DataType["BIPOLAR"], np.ones((2, 9), dtype=np.int64), None, 0,
                        DataType["BIPOLAR"], (3, 3, 1), (3, 3, 2), kind="conv",
                        conv=ConvGeometry(3, 3, 1, (3, 3), (1, 1), (1, 1, 1, 1), 3, 3))
    with pytest.raises(AxgenError, match="zero padding of a BIPOLAR input"):
        annotate([layer], config.from_dict({}))
