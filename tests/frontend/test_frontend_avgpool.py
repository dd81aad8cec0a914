"""Average pooling in the frontend and the golden model: Brevitas' TruncAvgPool2d (FLOOR and ROUND
truncation), global pooling (AdaptiveAvgPool2d, ReduceMean with and without keepdims,
GlobalAveragePool) into thresholds or into the host tail, against execute_onnx and Brevitas."""

import numpy as np
import onnx
import pytest
import torch
from onnx import helper

import models
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.frontend.loading import clean
from generator.frontend.onnx_utils import submodel
from generator.golden import head_values, run_layers, tail_output
from generator.onnx_exec import run


def golden_predict(net, x):
    return tail_output(net.tail, run_layers(head_values(net.head, x), net.layers))


def pool_codes(net, x):
    """The pool layer's (first layer's) output values, (N, C, OH, OW)."""
    pool = net.layers[0]
    out = run_layers(head_values(net.head, x), net.layers[:1])
    return out.reshape(len(x), *pool.out_shape).transpose(0, 3, 1, 2)


@pytest.mark.parametrize("rounding, signed", [("FLOOR", False), ("FLOOR", True), ("ROUND", False), ("ROUND", True)])
def test_trunc_avgpool_codes_identical_to_execute_onnx_and_brevitas(model_dir, rounding, signed):
    """3x3 windows (the shift is not the division: Brevitas truncates), signed inputs round
    negative ties; the pool's codes equal the Trunc node's output in execute_onnx and Brevitas'
    integer tensor, and the whole network equals execute_onnx to float rounding."""
    module = models.trunc_pool_net(rounding, signed)
    path = models.export(module, (3, 7, 7), model_dir / f"trunc_pool_{rounding}_{signed}.onnx")
    net = load_network(path)
    pool = net.layers[0]
    assert (pool.kind, pool.kernel, pool.stride, pool.shift, pool.rounding) == ("avgpool", (3, 3), (2, 2), 2, rounding)
    assert pool.out_dtype.name == ("INT6" if signed else "UINT6")
    x = np.random.default_rng(2).uniform(-1.2, 1.2, size=(256, 3, 7, 7)).astype(np.float32)
    codes = pool_codes(net, x)
    model = clean(onnx.load(str(path)))
    trunc = model.get_nodes_by_op_type("Trunc")[0]
    scale = float(model.get_initializer(trunc.input[4]))
    reference = run(submodel(model, [model.graph.input[0].name], [trunc.output[0]]), x) / scale
    assert np.array_equal(codes, np.round(reference).astype(np.int64))
    with torch.no_grad():
        brevitas = module[1](module[0](torch.from_numpy(x))).int().numpy()
    assert np.array_equal(codes, brevitas)
    assert len(np.unique(codes)) > 8  # many codes, not a saturated corner
    assert np.allclose(golden_predict(net, x), models.onnx_reference(path, x), rtol=0, atol=1e-6)


def test_floor_and_round_differ(model_dir):
    """The rounding mode matters on these inputs: the test above can tell FLOOR from ROUND."""
    x = np.random.default_rng(2).uniform(0, 1.2, size=(64, 3, 7, 7)).astype(np.float32)
    floor, rnd = (pool_codes(load_network(models.export(models.trunc_pool_net(r), (3, 7, 7), model_dir / f"fr_{r}.onnx")), x)
                  for r in ("FLOOR", "ROUND"))
    assert not np.array_equal(floor, rnd)


@pytest.mark.parametrize("pool", ["adaptive", "mean", "mean_flat"])
def test_global_pool_into_thresholds_identical_to_execute_onnx(model_dir, pool):
    path = models.export(models.global_pool_net(pool), (3, 6, 5), model_dir / f"gap_{pool}.onnx")
    net = load_network(path)
    assert [layer.kind for layer in net.layers] == ["conv", "avgpool", "fc"]
    gap = net.layers[1]
    assert gap.kernel == (4, 3) and gap.out_shape == (1, 1, 8) and gap.thresholds is not None and gap.shift is None
    x = np.random.default_rng(3).normal(0, 1, size=(128, 3, 6, 5)).astype(np.float32)
    assert np.array_equal(golden_predict(net, x), models.onnx_reference(path, x))


def test_global_average_pool_node(tmp_path):
    """The same network with its ReduceMean replaced by an ONNX GlobalAveragePool."""
    path = _replace_mean(tmp_path, "GlobalAveragePool")
    net = load_network(path)
    assert net.layers[1].kind == "avgpool" and net.layers[1].source == "GlobalAveragePool_0"
    x = np.random.default_rng(4).normal(0, 1, size=(64, 3, 6, 5)).astype(np.float32)
    assert np.array_equal(golden_predict(net, x), models.onnx_reference(path, x))


def test_pool_ending_the_integer_part_leaves_the_division_to_the_host(model_dir):
    """Without a quantizer after the pool, the accelerator streams the raw window sums and the
    host tail scales them (4x3 = 12 pixels)."""
    module = models.global_pool_net(quantize_pool=False)
    path = models.export(module, (3, 6, 5), model_dir / "gap_tail.onnx")
    net = load_network(path)
    gap = net.layers[-1]
    assert gap.outputs_accumulator and gap.out_dtype.name == "UINT8"  # 12 * 15 = 180
    x = np.random.default_rng(5).normal(0, 1, size=(128, 3, 6, 5)).astype(np.float32)
    sums = run_layers(head_values(net.head, x), net.layers)
    assert sums.max() > 15  # sums, not averages
    golden = golden_predict(net, x)
    assert np.allclose(golden, models.onnx_reference(path, x), rtol=1e-6, atol=0)
    with torch.no_grad():
        assert np.allclose(golden, module(torch.from_numpy(x)).numpy(), rtol=1e-6, atol=0)


def _replace_mean(tmp_path, op: str, **attrs):
    """global_pool_net with its ReduceMean replaced by an `op` node with these attributes."""
    path = models.export(models.global_pool_net("mean"), (3, 6, 5), tmp_path / "base.onnx")
    proto = onnx.load(str(path))
    nodes = list(proto.graph.node)
    i = next(k for k, n in enumerate(nodes) if n.op_type == "ReduceMean")
    axes = nodes[i].input[1] if len(nodes[i].input) > 1 else None  # an input from opset 18, else an attribute
    nodes[i] = helper.make_node(op, [nodes[i].input[0]], list(nodes[i].output), **attrs)
    del proto.graph.node[:]
    proto.graph.node.extend(nodes)
    for listing in (proto.graph.initializer, proto.graph.input):  # the exporter lists initializers as inputs too
        kept = [entry for entry in listing if entry.name != axes]
        del listing[:]
        listing.extend(kept)
    onnx.save(proto, str(tmp_path / "pool.onnx"))
    return tmp_path / "pool.onnx"


def test_average_pool_node_whole_image(tmp_path):
    net = load_network(_replace_mean(tmp_path, "AveragePool", kernel_shape=[4, 3]))
    assert net.layers[1].kernel == (4, 3)
    x = np.random.default_rng(6).normal(0, 1, size=(64, 3, 6, 5)).astype(np.float32)
    assert np.array_equal(golden_predict(net, x), models.onnx_reference(tmp_path / "pool.onnx", x))


@pytest.mark.parametrize("attrs, what", [
    ({"kernel_shape": [2, 2], "pads": [1, 1, 1, 1]}, "AveragePool with padding"),
    ({"kernel_shape": [4, 3], "ceil_mode": 1}, "AveragePool with ceil_mode=1"),
])
def test_unsupported_average_pool_is_one_message(tmp_path, attrs, what):
    with pytest.raises(AxgenError) as err:
        load_network(_replace_mean(tmp_path, "AveragePool", **attrs))
    message = str(err.value)
    assert message.startswith(f"node AveragePool_0: {what} is not supported; supported are AveragePool without padding")
    assert "\n" not in message


def test_pool_ending_with_an_image(model_dir):
    """A spatial pool output goes to the host tail channel by channel, back in (C, H, W) order."""
    import torch.nn as nn
    import brevitas.nn as qnn
    module = nn.Sequential(qnn.QuantIdentity(bit_width=4), nn.AvgPool2d(2)).eval()
    path = models.export(module, (3, 4, 6), model_dir / "pool_image_out.onnx")
    net = load_network(path)
    assert net.layers[-1].out_shape == (2, 3, 3)
    x = np.random.default_rng(8).normal(0, 1, size=(16, 3, 4, 6)).astype(np.float32)
    assert np.allclose(golden_predict(net, x), models.onnx_reference(path, x), rtol=1e-6, atol=0)


@pytest.mark.parametrize("pool", ["trunc_avg", "global_avg"])
def test_pool_then_requantized_identical_to_execute_onnx(model_dir, pool):
    """TruncAvgPool2d or a global average, then a QuantIdentity: thresholds on the window sum that
    see through the Trunc (its shift and the new quantizer in one step)."""
    path = models.export(models.requantized_pool_net(pool), (2, 6, 6), model_dir / f"{pool}_requant.onnx")
    net = load_network(path)
    pool_layer = net.layers[1]
    assert pool_layer.kind == "avgpool" and pool_layer.thresholds is not None and pool_layer.shift is None
    x = np.random.default_rng(7).normal(0, 1, size=(128, 2, 6, 6)).astype(np.float32)
    assert np.array_equal(golden_predict(net, x), models.onnx_reference(path, x))


def test_trunc_after_a_mul_by_the_kernel_size(model_dir, tmp_path):
    """Older Brevitas exporters scale the average back to the sum (a Mul by the kernel size) before
    the Trunc, whose scale and output scale are then K times larger: the same codes."""
    from onnx import numpy_helper
    proto = onnx.load(str(models.export(models.trunc_pool_net("ROUND", True), (3, 7, 7), model_dir / "trunc_mul.onnx")))
    nodes = list(proto.graph.node)
    i = next(k for k, n in enumerate(nodes) if n.op_type == "Trunc")
    trunc = nodes[i]
    for init in proto.graph.initializer:
        if init.name in (trunc.input[1], trunc.input[4]):  # the scale and the output scale
            init.CopyFrom(numpy_helper.from_array((numpy_helper.to_array(init) * 9).astype(np.float32), init.name))
    proto.graph.initializer.append(numpy_helper.from_array(np.array(9.0, dtype=np.float32), "nine"))
    mul = helper.make_node("Mul", [trunc.input[0], "nine"], ["summed"], name="times_nine")
    trunc.input[0] = "summed"
    nodes.insert(i, mul)
    del proto.graph.node[:]
    proto.graph.node.extend(nodes)
    path = tmp_path / "trunc_mul.onnx"
    onnx.save(proto, str(path))
    x = np.random.default_rng(8).uniform(-1.2, 1.2, size=(64, 3, 7, 7)).astype(np.float32)
    net = load_network(path)
    assert net.layers[0].shift == 2
    reference = load_network(model_dir / "trunc_mul.onnx")
    assert np.array_equal(pool_codes(net, x), pool_codes(reference, x))
    assert np.allclose(golden_predict(net, x), models.onnx_reference(path, x), rtol=0, atol=1e-6)
