"""A matrix layer whose float output goes into the next matrix node through affine nodes only, with
no activation quantizer between them (a QKeras QDense or QConv2D followed by another: the converter
writes MatMul, Add bias, MatMul). axgen carries the wide integer accumulator into the next layer as
its input type, rather than merging the two affine layers into one: every layer stays the model's
own (its folding, its multiplier, its weights' width), and a convolution followed by another needs
no merged kernel.

The float value entering the next node is, per channel c, a[c] * alpha[c] * (acc + offset[c]) + b[c]
for the accumulator acc: the layer's own scale and offset, then the affine nodes' composed gain a and
shift b. With one scale s = a * alpha for every channel, that is s * (acc - zp[c]) with
zp[c] = -(offset[c] + b[c] / s): the next layer takes acc as an integer input of scale s and a zero
point per channel, which its matcher folds into its own offset (thresholds or host tail), exactly."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from qonnx.util.basic import get_by_name

from generator.datatypes import smallest_int_type
from generator.errors import AxgenError
from generator.frontend.onnx_utils import constant_value
from generator.frontend.quantizers import QuantInfo
from generator.ir import MatrixLayer
from generator.multipliers.bounds import acc_bounds


def _per_channel(model, node, name: str, shape) -> np.ndarray:
    """A constant operand as one value per channel of a (1, C) or (1, C, H, W) tensor."""
    value = constant_value(model, name)  # an initializer, or a quantized one (the QKeras bias)
    full = np.broadcast_to(np.asarray(value, dtype=np.float64), shape)
    channel = full.reshape(shape[0], shape[1], -1)[0, :, 0]
    if not np.array_equal(full, np.broadcast_to(channel.reshape((1, -1) + (1,) * (len(shape) - 2)), shape)):
        raise AxgenError(f"node {node.name}: {node.op_type} by a constant that varies within a channel is not "
                         "supported between two matrix layers; supported are per-tensor and per-channel constants")
    return channel


def _compose(model, start: str, end: str) -> tuple[np.ndarray, np.ndarray]:
    """Gain a and shift b per channel of the affine nodes from `start` to `end`: out = a * in + b."""
    shape = tuple(int(d) for d in model.get_tensor_shape(start))
    gain, shift = np.ones(shape[1]), np.zeros(shape[1])
    tensor = start
    while tensor != end:
        node = model.find_consumers(tensor)[0]
        op = node.op_type
        if op in ("Add", "Sub", "Mul", "Div"):
            other = node.input[1] if node.input[0] == tensor else node.input[0]
            k = _per_channel(model, node, other, shape)
            if op == "Add":
                shift = shift + k
            elif op == "Sub":
                shift = shift - k
            elif op == "Mul":
                gain, shift = gain * k, shift * k
            else:
                gain, shift = gain / k, shift / k
        elif op == "Neg":
            gain, shift = -gain, -shift
        elif op == "BatchNormalization":
            gamma, beta, mean, var = (_per_channel(model, node, i, shape) for i in node.input[1:5])
            eps = get_by_name(node.attribute, "epsilon")
            k = gamma / np.sqrt(var + (eps.f if eps is not None else 1e-5))
            gain, shift = gain * k, (shift - mean) * k + beta
        tensor = node.output[0]
    return gain, shift


def carried(model, layer: MatrixLayer, start: str, end, alpha, offset) -> tuple[MatrixLayer, QuantInfo]:
    """`layer` streaming its accumulator into the matrix node `end.matrix_node`, and the integer
    tensor that node takes (the accumulator's type, one scale, a zero point per channel)."""
    gain, shift = _compose(model, start, end.tensor)
    scale = gain * np.asarray(alpha, dtype=np.float64)
    nxt = end.matrix_node
    if not (np.all(scale == scale[0]) and scale[0] > 0):
        raise AxgenError(f"node {nxt.name}: the accumulator of {layer.source} reaches this {nxt.op_type} with "
                         f"different scales per channel ({np.unique(scale)[:4]}...) and no activation quantizer "
                         "between them; a carried accumulator needs one positive scale for every channel (per-tensor "
                         "weight scales, e.g. QKeras quantized_bits with alpha=1), or quantize the output between")
    lo, hi = acc_bounds(layer)
    dtype = smallest_int_type(min(int(lo.min()), 0), max(int(hi.max()), 0))
    zero_point = -(np.asarray(offset, dtype=np.float64) + shift / scale[0])
    quant = QuantInfo(f"{layer.source} (accumulator)", dtype, np.asarray(scale[0]), zero_point, int(dtype.min()),
                      int(dtype.max()))
    return replace(layer, carries=True, out_dtype=dtype), quant
