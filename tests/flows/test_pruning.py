"""Pruned training (generator.digits.prune, issue 22): each layer keeps the fraction of its weights
it was given, the zeros survive quantization and export, the golden model still equals Brevitas,
and an unrolled layer spends no adder on a zero weight."""

import numpy as np
import pytest

from generator import config, digits
from generator.frontend import load_network
from generator.frontend.loading import export_brevitas
from generator.golden import head_values, run_layers, tail_output
from generator.hw.plan import make_plan
from generator.multipliers.csd import csd_digit_count

SPARSITY = 0.75


@pytest.fixture(scope="module")
def pruned_and_dense(tmp_path_factory):
    import torch
    torch.manual_seed(0)
    data = digits.load_digits_split(0)
    folder = tmp_path_factory.mktemp("pruned")

    def exported(model, name):
        path = folder / f"{name}.onnx"
        path.write_bytes(export_brevitas(model, digits.INPUT_SHAPE).SerializeToString())
        return load_network(path, name=name)
    model = digits.train(digits.quantized_mlp(), data, epochs=2)
    dense = exported(model, "dense")
    digits.prune(model, data, SPARSITY, epochs=1)
    return data, model, {"dense": dense, "pruned": exported(model, "pruned")}


def test_pruning_zeroes_each_layers_smallest_weights(pruned_and_dense):
    _, _, nets = pruned_and_dense
    for dense, pruned in zip(nets["dense"].layers, nets["pruned"].layers):
        assert np.mean(pruned.weights == 0) >= SPARSITY > np.mean(dense.weights == 0)


def test_the_golden_model_computes_the_pruned_model(pruned_and_dense):
    data, model, nets = pruned_and_dense
    net, x = nets["pruned"], data.x_test
    golden = tail_output(net.tail, run_layers(head_values(net.head, x), net.layers, sources=net.sources))
    assert np.array_equal(golden, digits.torch_logits(model, x))


def test_zero_weights_cost_no_adders(pruned_and_dense):
    """Each pruned layer's graph has at most one adder per nonzero signed digit of its nonzero
    weights beyond the first of each output (what summing them without sharing takes), and fewer
    adders than the dense layer's (the surviving weights are larger: about half, not a quarter)."""
    _, _, nets = pruned_and_dense
    cfg = config.from_dict({"defaults": {"impl": "unrolled"}})
    adders = {name: [s.graph.adders for s in make_plan(net, cfg).stages if hasattr(s, "graph")]
              for name, net in nets.items()}
    assert len(adders["dense"]) == 3
    for layer, pruned, dense in zip(nets["pruned"].layers, adders["pruned"], adders["dense"]):
        w = np.asarray(layer.weights, dtype=np.int64)
        unshared = sum(max(0, sum(csd_digit_count(int(v)) for v in row) - 1) for row in w)
        assert pruned <= unshared and pruned < dense, (layer.name, pruned, unshared, dense)


@pytest.mark.parametrize("sparsity", [-0.1, 1.0])
def test_a_sparsity_outside_zero_to_one_is_refused(sparsity):
    with pytest.raises(ValueError, match=r"expected a fraction of the weights in \[0, 1\)"):
        digits.prune(digits.quantized_mlp(), digits.load_digits_split(0), sparsity)
