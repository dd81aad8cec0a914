"""Depthwise convolutions in the frontend, the golden model and the plan: identical to qonnx's
execute_onnx and to the Brevitas forward pass, the golden products equal to a direct per-channel
sum for approximate multipliers, and clear messages for other group counts and bad foldings."""

from dataclasses import replace

import numpy as np
import pytest

import models
from generator import config
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.golden import head_values, run_layer, run_layers, tail_output
from generator.golden.conv import im2col
from generator.hw.plan import make_plan
from generator.multipliers import parse


@pytest.fixture(scope="module")
def dw_model():
    return models.depthwise_cnn()


@pytest.fixture(scope="module")
def dw_path(model_dir, dw_model):
    return models.export(dw_model, (2, 7, 6), model_dir / "depthwise_cnn.onnx")


@pytest.fixture(scope="module")
def net(dw_path):
    return load_network(dw_path)


def _inputs(n=24, seed=0):
    return np.random.default_rng(seed).normal(0, 1, size=(n, 2, 7, 6)).astype(np.float32)


def test_depthwise_layers_found(net):
    assert [layer.kind for layer in net.layers] == ["conv", "dwconv", "conv", "dwconv", "fc"]
    dw1, dw3 = net.layers[1], net.layers[3]
    assert dw1.weights.shape == (4, 9) and dw1.conv.pads == (1, 1, 1, 1) and dw1.out_shape == (5, 4, 4)
    assert dw3.weights.shape == (6, 9) and dw3.conv.stride == (2, 2) and dw3.out_shape == (3, 2, 6)
    assert dw1.macs == 5 * 4 * 4 * 9


def test_golden_identical_to_execute_onnx_and_brevitas(net, dw_path, dw_model):
    """Power-of-two scales: the golden model, qonnx's execute_onnx and Brevitas agree exactly,
    and the depthwise layers' outputs are not saturated (several codes per channel)."""
    import torch
    x = _inputs()
    values = head_values(net.head, x)
    got = tail_output(net.tail, run_layers(values, net.layers))
    assert np.array_equal(got, models.onnx_reference(dw_path, x))
    with torch.no_grad():
        assert np.array_equal(got, dw_model(torch.from_numpy(x)).detach().numpy())
    dw_out = run_layers(values, net.layers[:2]).reshape(len(x), -1, 4)
    assert all(len(np.unique(dw_out[:, :, c])) >= 3 for c in range(4))


@pytest.mark.parametrize("spec", ["exact", "trunc:k=2", "drum:k=2", "mitchell"])
def test_golden_is_the_per_channel_sum_of_products(net, spec):
    """run_dwconv = for every pixel and channel, the sum over the window's taps of mul(x, w) (an
    explicit loop here), then the thresholds."""
    mul = parse(spec)
    layer = net.layers[3]
    g = layer.conv
    x = np.random.default_rng(1).integers(layer.in_dtype.min(), layer.in_dtype.max() + 1,
                                          size=(3, g.in_h * g.in_w * g.channels))
    raw = replace(layer, thresholds=None)
    windows = im2col(x.reshape(3, g.in_h, g.in_w, g.channels), g.kernel, g.stride, g.pads)
    want = np.zeros((3, g.pixels, g.channels), dtype=np.int64)
    for n in range(3):
        for pix in range(g.pixels):
            for c in range(g.channels):
                taps = windows[n, pix].reshape(-1, g.channels)[:, c]
                want[n, pix, c] = sum(int(mul(t, w, layer.in_dtype, layer.weight_dtype))
                                      for t, w in zip(taps, layer.weights[c]))
    assert np.array_equal(run_layer(x, raw, mul), want.reshape(3, -1))


@pytest.mark.parametrize("groups, out_channels", [(2, 4), (4, 8)])
def test_other_group_counts_are_refused(model_dir, groups, out_channels):
    path = models.export(models.grouped_conv(groups, out_channels), (4, 4, 4),
                         model_dir / f"grouped_{groups}_{out_channels}.onnx")
    with pytest.raises(AxgenError, match=r"node .*group=%d.*supported are group=1 and depthwise" % groups):
        load_network(path)


@pytest.mark.parametrize("settings, message", [
    ({"pe": 3}, r"layer dwconv1: pe=3 does not fold the channels \(4\); valid values: 1, 2, 4"),
    ({"simd": 2}, r"layer dwconv1: simd=2 does not fold the taps of the 3x3 window .*valid values: 1, 3, 9"),
    ({"pe": 2, "simd": 3}, r"layer dwconv1: simd=3 .* needs pe=4"),
])
def test_bad_depthwise_folding_is_refused(net, settings, message):
    with pytest.raises(AxgenError, match=message):
        make_plan(net, config.from_dict({"layers": {"dwconv1": settings}}))


def test_autofold_takes_only_valid_depthwise_foldings(net):
    """The automatic folding reaches the window-parallel VVAU (PE = C, SIMD = 9: one window per
    pixel) and never pairs SIMD > 1 with PE < C."""
    from generator.hw.autofold import AutoFolder
    folder = AutoFolder(net, config.from_dict({}), None)
    dw = folder.options[1]
    assert all(s.simd == 1 or s.pe == 4 for s in dw.all)
    assert {(s.pe, s.simd) for s in dw.all} == {(1, 1), (2, 1), (4, 1), (4, 3), (4, 9)}
    assert dw.fastest().cycles == 20  # 20 pixels, one beat each
