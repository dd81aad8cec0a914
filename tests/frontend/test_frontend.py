"""The frontend's integer IR run by the golden model against qonnx's execute_onnx and Brevitas."""

import numpy as np
import pytest

import models
from generator.datatypes import DataType
from generator.frontend import load_network
from generator.golden import run_layers
from generator.golden import head_values, tail_output


def golden_predict(net, x):
    return tail_output(net.tail, run_layers(head_values(net.head, x), net.layers))


@pytest.mark.parametrize("name", models.FINN_FC)
def test_finn_fc_identical_to_execute_onnx(finn_model, name):
    """All scales in FINN's FC networks are powers of two (weights and activations have scale 1)
    and batch-norm lives inside the thresholds, so every output must be identical."""
    path = finn_model(name)
    net = load_network(path)
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, size=(64, 1, 28, 28)).astype(np.float32)
    got = golden_predict(net, x)
    want = models.onnx_reference(path, x)
    assert got.shape == want.shape == (64, 10)
    assert np.array_equal(got, want)
    weight_bits = {layer.weight_dtype.bitwidth() for layer in net.layers}
    if "_1w" in name:
        assert {layer.weight_dtype for layer in net.layers} == {DataType["BIPOLAR"]}
    else:  # INT2 weights; a row negated for a negative BN gain may need INT3 (-(-2) = 2)
        assert weight_bits <= {2, 3}


def test_layers_of_tfc_w2a2(finn_model):
    net = load_network(finn_model("tfc_2w2a"))
    assert [(layer.mw, layer.mh) for layer in net.layers] == [(784, 64), (64, 64), (64, 64), (64, 10)]
    assert [layer.in_dtype.name for layer in net.layers] == ["INT2"] * 4
    assert all(layer.thresholds.shape == (layer.mh, 2) for layer in net.layers[:3])
    assert net.layers[-1].thresholds is None  # the last layer streams its accumulator; TensorNorm is host tail
    assert all(np.all(np.diff(layer.thresholds, axis=1) >= 0) for layer in net.layers[:3])


def test_negative_batchnorm_gain_negates_rows(finn_model):
    net = load_network(finn_model("tfc_1w2a"))
    # the randomized networks have negative BN gains; their rows come out negated so that every
    # threshold row stays ascending (MultiThreshold semantics) and the outputs still match above
    assert all(np.all(np.diff(layer.thresholds, axis=1) >= 0) for layer in net.layers[:3])


def test_brevitas_forward_identical(finn_model):
    """The accelerator's output codes equal Brevitas' own forward pass up to the host tail.

    (The float TensorNorm tail itself may differ by one ulp from Brevitas: torch evaluates
    (var + eps) ** 0.5 at run time where the export holds the folded constant; against
    execute_onnx, which runs the exported tail, the whole output is identical above.)"""
    import torch
    from generator.ir import affine
    model = models.finn_fc("sfc_2w2a")
    net = load_network(finn_model("sfc_2w2a"))
    x = np.random.default_rng(2).uniform(0, 1, size=(32, 1, 28, 28)).astype(np.float32)
    with torch.no_grad():
        h = 2.0 * torch.from_numpy(x).view(32, -1) - 1.0
        for mod in list(model.features)[:-1]:  # everything but the TensorNorm tail
            h = mod(h)
    codes = run_layers(head_values(net.head, x), net.layers)
    assert np.array_equal(affine(codes, net.tail.scale, net.tail.offset), h.numpy())


def test_mixed_model_agreement(mixed_model):
    """Arbitrary float scales (per-channel weights, float biases, batch-norm, 2..8 bits).

    The golden model computes each accumulator exactly in integers and evaluates the float
    path after it (bias, batch-norm, quantizer) with the model's own nodes; execute_onnx instead
    sums float32 products in its Gemm. Two consequences, both measured here:
    - a hidden activation code differs only where the exact pre-quantizer value lies within
      float32 rounding error of a quantizer's rounding boundary; measured 0 of 512*3 codes
      vectors differ on this model and seed (the assertion allows none);
    - the float output (last accumulator times a non-power-of-two scale, plus a float bias)
      differs in the last bits: the exact value rounded once versus float32 partial sums
      rounded at every addition. Bounded here by a relative 1e-5."""
    net = load_network(mixed_model)
    assert [layer.in_dtype.name for layer in net.layers] == ["INT8", "UINT3", "INT2", "INT6"]
    assert [layer.mw for layer in net.layers] == [24, 16, 12, 8]
    x = np.random.default_rng(3).normal(0, 1.5, size=(512, 24)).astype(np.float32)
    values = head_values(net.head, x)
    onnx_codes = models.onnx_hidden_codes(mixed_model, x)
    assert np.array_equal(values, onnx_codes[0])  # the input quantizer
    for layer, want in zip(net.layers[:-1], onnx_codes[1:]):
        values = run_layers(values, [layer])
        assert np.array_equal(values, want), layer.name
    got = golden_predict(net, x)
    want = models.onnx_reference(mixed_model, x)
    assert np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-3)) < 1e-5


def test_brevitas_module_directly():
    net = load_network(models.mixed_mlp(), input_shape=(24,))
    assert len(net.layers) == 4 and net.layers[0].weights.dtype == np.int64
