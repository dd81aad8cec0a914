"""Two matrix layers with no activation quantizer between them (issue 20: QKeras' QDense or
QConv2D followed by another): the first layer's accumulator is carried into the second as its
input type, the affine nodes between them folded into the second layer's offset. Golden = qonnx;
what cannot be carried is refused with one message naming it."""

import numpy as np
import pytest

import models
from generator import config
from generator.datatypes import all_values, to_codes
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.golden import head_values, run_layers, tail_output
from generator.dse.space import candidates_for
from generator.hw.plan import make_plan


def _load(tmp_path, shape, **kw):
    return models.export(models.carried_net(**kw), shape, tmp_path / "carried.onnx")


@pytest.mark.parametrize("conv, shape", [(False, (16,)), (True, (2, 8, 8))])
def test_carried_accumulator_equals_qonnx(tmp_path, conv, shape):
    path = _load(tmp_path, shape, conv=conv)
    net = load_network(path)
    first, second = net.layers[:2]
    assert first.carries and first.thresholds is None and second.in_dtype == first.out_dtype
    assert not second.carries and second.thresholds is not None
    x = np.random.default_rng(1).normal(0, 1, size=(64,) + shape).astype(np.float32)
    hidden = run_layers(head_values(net.head, x), net.layers[:2])
    assert np.array_equal(hidden, models.onnx_hidden_codes(path, x)[1].reshape(len(x), -1) if not conv else
                          models.onnx_hidden_codes(path, x)[1].transpose(0, 2, 3, 1).reshape(len(x), -1))
    assert len(np.unique(hidden)) >= 5  # the quantizer after the carried layer sees varied values
    got = tail_output(net.tail, run_layers(head_values(net.head, x), net.layers))
    assert np.array_equal(got, models.onnx_reference(path, x))


def test_carried_layer_is_saved_and_loaded(tmp_path):
    from generator.serialize import load_network as load_saved, save_network
    net = load_network(_load(tmp_path, (16,)))
    desc = save_network(net, tmp_path / "params", tmp_path / "host")
    assert [layer.carries for layer in load_saved(tmp_path, desc).layers] == [True, False, False]


@pytest.mark.parametrize("kw, words", [
    ({"between": "relu"}, "through Relu (Relu_0) with no activation quantizer is not supported"),
    ({"between": "gains"}, "with different scales per channel"),
    ({"conv": True, "second_pad": 1}, "zero padding of an input with a zero point"),
])
def test_what_cannot_be_carried_is_refused(tmp_path, kw, words):
    path = _load(tmp_path, (2, 8, 8) if kw.get("conv") else (16,), **kw)
    with pytest.raises(AxgenError) as err:
        load_network(path)
    assert words in str(err.value).replace("\n", " ")


def _product_table(tmp_path, layer, factor: int) -> str:
    """A lut: multiplier of `factor` times the exact products on the layer's operands."""
    xs, ws = all_values(layer.in_dtype), all_values(layer.weight_dtype)
    table = np.zeros((len(xs), len(ws)), dtype=np.int64)
    table[to_codes(xs, layer.in_dtype)[:, None], to_codes(ws, layer.weight_dtype)[None, :]] = factor * xs[:, None] * ws
    np.save(tmp_path / f"times{factor}.npy", table)
    return f"lut:{tmp_path / f'times{factor}.npy'}"


def test_a_multiplier_that_widens_a_carried_accumulator_is_refused(tmp_path):
    """The next layer's input type is the exact accumulator's: a multiplier whose products leave
    that range (here a lut: table of twice the exact products) cannot serve the carrying layer,
    in a config or in the design-space exploration's candidates."""
    net = load_network(_load(tmp_path, (16,)))
    first = net.layers[0]
    same, double = _product_table(tmp_path, first, 1), _product_table(tmp_path, first, 2)
    make_plan(net, config.from_dict({"layers": {0: {"multiplier": same}}}))  # the exact products: fits
    with pytest.raises(AxgenError, match=rf"layer fc0: its accumulator goes on into the next layer as "
                                         rf"{first.out_dtype.name} .* outside {first.out_dtype.name}"):
        make_plan(net, config.from_dict({"layers": {0: {"multiplier": double}}}))
    candidates = candidates_for(first, [same, double])
    assert same in candidates and double not in candidates and len(candidates) > 10


def test_the_exploration_lists_no_grid_for_a_wide_carried_input():
    """qonnx's qdense2 file: the second layer takes an INT17 accumulator; the catalogue's grid is for
    operands up to 16 bits, so only exact and the user's own specs are candidates there."""
    from pathlib import Path
    net = load_network(Path(__file__).parent / "data" / "qkeras" / "model_test_qkeras_qdense2_0.onnx")
    assert net.layers[1].in_dtype.bitwidth() > 16
    assert candidates_for(net.layers[1], []) == ("exact",) and len(candidates_for(net.layers[0], [])) > 10
