"""Average pooling (AveragePool, GlobalAveragePool, ReduceMean over H and W) on a quantized image:
the integer window sum, then Brevitas' Trunc (a shift), the float path's quantizer (thresholds, through
a Trunc that the path continues after) or, where the integer part ends, the host tail on the raw sum."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from qonnx.util.basic import get_by_name

from generator.datatypes import DataType, smallest_int_type
from generator.errors import AxgenError
from generator.frontend.activation import (ELEMENTWISE_OPS, ActTensor, LayerMatch, code_bias, follow_elementwise,
                                           path_thresholds, quantized_act, single_consumer)
from generator.frontend.onnx_utils import QUANT_OPS, int_list_attr
from generator.frontend.quantizers import QuantInfo
from generator.ir import ROUNDINGS, AvgPoolLayer, out_size

SUPPORTED = "supported are AveragePool without padding, GlobalAveragePool and ReduceMean over H and W"


def _refuse(node, what: str):
    raise AxgenError(f"node {node.name}: {node.op_type} {what} is not supported; {SUPPORTED}")


def _window(model, node, shape) -> tuple[tuple[int, int], tuple[int, int]]:
    """Kernel and stride of the pooling node over a (C, H, W) image."""
    _, h, w = shape
    if node.op_type == "GlobalAveragePool":
        return (h, w), (1, 1)
    if node.op_type == "ReduceMean":
        axes = get_by_name(node.attribute, "axes")
        axes = list(axes.ints) if axes is not None else (
            model.get_initializer(node.input[1]) if len(node.input) > 1 and node.input[1] else None)
        if axes is None or sorted(int(a) % 4 for a in np.ravel(axes)) != [2, 3]:
            _refuse(node, f"over axes {None if axes is None else [int(a) for a in np.ravel(axes)]}")
        return (h, w), (1, 1)
    if any(int_list_attr(node, "pads", [0, 0, 0, 0])):
        _refuse(node, "with padding")
    ceil = get_by_name(node.attribute, "ceil_mode")
    if ceil is not None and ceil.i:
        _refuse(node, "with ceil_mode=1")
    pad = get_by_name(node.attribute, "auto_pad")
    if pad is not None and pad.s not in (b"", b"NOTSET", b"VALID"):
        _refuse(node, f"with auto_pad={pad.s.decode()}")
    if any(d != 1 for d in int_list_attr(node, "dilations", [1, 1])):
        _refuse(node, "with dilation")
    kh, kw = int_list_attr(node, "kernel_shape", None)
    return (kh, kw), tuple(int_list_attr(node, "strides", [1, 1]))


def _trunc(model, tensor: str, factor: float):
    """The Trunc node the pool output reaches through constant scalings (Brevitas' TruncAvgPool2d),
    with the float value of one unit of window sum at the Trunc's input; or None."""
    node = single_consumer(model, tensor)
    while node is not None and node.op_type == "Mul":
        const = model.get_initializer(node.input[1])
        if const is None or np.asarray(const).size != 1:
            return None
        factor *= float(np.asarray(const).reshape(()))
        node = single_consumer(model, node.output[0])
    return (node, factor) if node is not None and node.op_type == "Trunc" else None


def _const(model, node, index: int, what: str) -> float:
    value = model.get_initializer(node.input[index])
    if value is None or np.asarray(value).size != 1:
        raise AxgenError(f"node {node.name}: Trunc needs a constant scalar {what}")
    return float(np.asarray(value).reshape(()))


def _truncation(model, trunc, unit: float, act: ActTensor) -> tuple[int, str, QuantInfo]:
    """Shift, rounding and output quantizer of a Trunc whose input is `unit` * window sum:
    qonnx Trunc (v2) computes clip(rounding(sum / 2^shift)) * output_scale."""
    rounding = get_by_name(trunc.attribute, "rounding_mode")
    rounding = rounding.s.decode().upper() if rounding is not None else "FLOOR"
    narrow, signed = (get_by_name(trunc.attribute, k) for k in ("narrow", "signed"))
    if rounding not in ROUNDINGS or (narrow is not None and narrow.i) or len(trunc.input) != 6:
        raise AxgenError(f"node {trunc.name}: Trunc with rounding {rounding}{', narrow' if narrow and narrow.i else ''} "
                         f"and {len(trunc.input)} inputs is not supported; supported is qonnx Trunc (v2, 6 inputs) "
                         f"with rounding {' or '.join(ROUNDINGS)}, not narrow")
    scale, zero, out_scale = (_const(model, trunc, i, w) for i, w in ((1, "scale"), (2, "zero point"), (4, "output scale")))
    bits = int(_const(model, trunc, 5, "output bit width"))
    shift = int(np.round(np.log2(out_scale / scale)))
    if zero != 0 or act.quant.zero_point != 0 or not np.isclose(unit, scale, rtol=1e-6) or shift < 0:
        raise AxgenError(f"node {trunc.name}: Trunc of an average pool with zero point {zero}, input scale {scale} "
                         f"for a sum step of {unit} and shift {shift} is not supported; supported is a zero point of "
                         "0, the sum's own scale and a right shift (Brevitas TruncAvgPool2d)")
    is_signed = signed is None or bool(signed.i)
    dtype = DataType[f"INT{bits}"] if is_signed else DataType[f"UINT{bits}"]
    quant = QuantInfo(trunc.name, dtype, np.asarray(out_scale, dtype=np.float64), 0.0, int(dtype.min()), int(dtype.max()))
    return shift, rounding, quant


def match_avgpool(model, node, act: ActTensor, index: int) -> LayerMatch:
    if len(act.shape) != 3 or act.flat_from is not None:
        raise AxgenError(f"node {node.name}: {node.op_type} needs a (C, H, W) image input, found {act.shape}")
    if act.quant.dtype == DataType["BIPOLAR"]:
        raise AxgenError(f"node {node.name}: average pooling of a bipolar input is not supported; "
                         "supported are integer (INT/UINT) inputs")
    c, h, w = act.shape
    kernel, stride = _window(model, node, act.shape)
    s_x = act.quant.scalar_scale("the input of an average pool")
    window = kernel[0] * kernel[1]
    layer = AvgPoolLayer(f"avgpool{index}", act.quant.dtype, c, h, w, kernel, stride, out_size(h, kernel[0], stride[0]),
                         out_size(w, kernel[1], stride[1]), act.quant.dtype, source=node.name)
    layer = replace(layer, **{"out_dtype": smallest_int_type(*layer.sum_bounds)})
    alpha = np.full(c, s_x / window)  # the pool's float output: alpha * (sum + offset)
    offset = np.full(c, -act.quant.zero_point * window, dtype=np.float64)
    out = node.output[0]
    trunc = _trunc(model, out, s_x / window)
    after = trunc and single_consumer(model, trunc[0].output[0])
    if trunc is not None and (after is None or after.op_type not in {*QUANT_OPS, *ELEMENTWISE_OPS}):
        shift, rounding, quant = _truncation(model, trunc[0], trunc[1], act)
        layer = replace(layer, **{"shift": shift, "rounding": rounding, "out_dtype": quant.dtype})
        return LayerMatch(layer, ActTensor(trunc[0].output[0], quant, (c, layer.out_h, layer.out_w)))
    # a Trunc followed by a float path and a quantizer is part of that path: thresholds see through it
    end = follow_elementwise(model, trunc[0].output[0] if trunc else out)
    if end.quant_node is None:
        return LayerMatch(layer, None, out, alpha, offset)
    lo, hi = layer.sum_bounds
    thresholds, negate, quant = path_thresholds(model, out, end, alpha, offset, np.full(c, lo), np.full(c, hi))
    if negate.any():
        raise AxgenError(f"node {node.name}: the float path after the average pool decreases (a negative scale) in "
                         f"channels {np.flatnonzero(negate).tolist()}; supported are increasing paths to the quantizer")
    layer = replace(layer, **{"thresholds": thresholds, "out_bias": code_bias(quant),
                            "out_dtype": quant.dtype})
    return LayerMatch(layer, quantized_act(model, end, quant))
