"""Branches in the integer dataflow: a quantized tensor feeding two nodes becomes a duplicate
layer, and an Add of two quantized tensors the join (an add layer, its quantizer folded into
thresholds, as Brevitas and FINN express a residual add)."""

from __future__ import annotations

import math

import numpy as np

from generator.datatypes import smallest_int_type
from generator.errors import AxgenError
from generator.frontend.activation import ActTensor, LayerMatch, code_bias, follow_elementwise, path_thresholds
from generator.ir import AddLayer, DuplicateLayer


def stream_shape(act: ActTensor) -> tuple[int, ...]:
    """The per-sample shape as the stream carries it: (H, W, C) for an image, (K,) for a vector."""
    if len(act.shape) == 3:
        c, h, w = act.shape
        return (h, w, c)
    return tuple(act.shape)


def duplicate(act: ActTensor, consumers: list, index: int) -> DuplicateLayer:
    if len(consumers) != 2:
        names = ", ".join(c.name for c in consumers)
        raise AxgenError(f"tensor {act.name} feeds {len(consumers)} nodes ({names}); supported are two "
                         "(a residual branch and its shortcut)")
    return DuplicateLayer(f"dup{index}", act.quant.dtype, stream_shape(act), source=act.name)


def is_join(model, node) -> bool:
    """An Add of two computed tensors (no constant operand)."""
    if node.op_type != "Add" or len(node.input) != 2:
        return False
    return all(model.get_initializer(i) is None and getattr(model.find_producer(i), "op_type", "") != "Constant"
               for i in node.input)


def _shifts(node, scales: tuple[float, float]) -> tuple[int, int]:
    """Left shifts that bring both inputs to the smaller scale: equal scales, or a power-of-two ratio."""
    big, small = max(scales), min(scales)
    mantissa, exponent = math.frexp(big / small)
    if mantissa != 0.5:
        raise AxgenError(f"node {node.name}: Add of tensors with scales {scales[0]:.6g} and {scales[1]:.6g} is not "
                         "supported; supported are equal scales or scales that differ by a power of two (quantize "
                         "both branches with one shared quantizer, as Brevitas' residual blocks do)")
    return tuple(exponent - 1 if s == big and big != small else 0 for s in scales)


def match_add(model, node, acts: tuple[ActTensor, ActTensor], index: int) -> LayerMatch:
    """The join of two branches: the integer sum at a common scale, then the add's quantizer."""
    a, b = acts
    if a.shape != b.shape or a.flat_from != b.flat_from:
        raise AxgenError(f"node {node.name}: Add of tensors of shapes {a.shape} and {b.shape}; supported are equal "
                         "shapes")
    scales = (a.quant.scalar_scale("an input of a residual add"), b.quant.scalar_scale("an input of a residual add"))
    shifts = _shifts(node, scales)
    shape = stream_shape(a)
    layer = AddLayer(f"add{index}", (a.quant.dtype, b.quant.dtype), shifts, None, 0, a.quant.dtype, shape,
                     source=node.name)
    lo, hi = layer.acc_range
    channels = shape[-1]
    alpha = np.full(channels, min(scales))
    offset = np.full(channels, -float(sum(q.zero_point * (1 << k) for q, k in zip((a.quant, b.quant), shifts))))
    end = follow_elementwise(model, node.output[0])
    if end.quant_node is None:  # the integer part ends with the sum: the host tail takes it
        layer = AddLayer(layer.name, layer.in_dtypes, shifts, None, 0, smallest_int_type(lo, hi), shape,
                         source=node.name)
        return LayerMatch(layer, None, node.output[0], alpha, offset)
    thresholds, negate, quant = path_thresholds(model, node.output[0], end, alpha, offset,
                                                np.full(channels, lo), np.full(channels, hi))
    if negate.any():
        raise AxgenError(f"node {node.name}: the float path after the add decreases with it (a negative scale); "
                         "supported are increasing paths (scaling by positive constants, bias, ReLU)")
    layer = AddLayer(layer.name, layer.in_dtypes, shifts, thresholds, code_bias(quant), quant.dtype, shape,
                     source=node.name)
    out_shape = tuple(int(d) for d in model.get_tensor_shape(end.tensor)[1:])
    return LayerMatch(layer, ActTensor(end.tensor, quant, out_shape, a.flat_from))
