"""Convolution: Conv(x, W) -> elementwise float path -> Quant. Lowered to a sliding window over
the channels-last image (window order kh, kw, c) feeding a matrix layer: a full one (group 1,
kind "conv") or, for a depthwise convolution (group = channels = output channels, kind
"dwconv"), one row of KH*KW taps per channel."""

from __future__ import annotations

import numpy as np
from qonnx.util.basic import get_by_name

from generator.errors import AxgenError
from generator.frontend.onnx_utils import int_list_attr
from generator.frontend.activation import (ActTensor, LayerMatch, follow_elementwise, threshold_layer,
                                           zero_point_offset)
from generator.frontend.weights import matmul_weights
from generator.ir import ConvGeometry, MatrixLayer, out_size


def match_conv(model, node, act: ActTensor, index: int) -> LayerMatch:
    if len(act.shape) != 3 or act.flat_from is not None:
        raise AxgenError(f"node {node.name}: a convolution needs a (C, H, W) image input, found {act.shape}")
    if len(node.input) > 2 and node.input[2]:
        raise AxgenError(f"node {node.name}: Conv with a bias input is not supported; "
                         "qonnx's ExtractBiasFromConv turns it into an Add")
    if any(d != 1 for d in int_list_attr(node, "dilations", [1, 1])):
        raise AxgenError(f"node {node.name}: dilated convolution is not supported; supported is dilation 1")
    pad_attr = get_by_name(node.attribute, "auto_pad")
    if pad_attr is not None and pad_attr.s not in (b"", b"NOTSET"):
        raise AxgenError(f"node {node.name}: auto_pad={pad_attr.s.decode()} is not supported; use explicit pads")
    weights = matmul_weights(model, node, kernel=True)  # (OC, IC, KH, KW) values, scale per OC
    oc, ic, kh, kw = weights.values.shape
    c, h, w = act.shape
    group_attr = get_by_name(node.attribute, "group")
    group = 1 if group_attr is None else group_attr.i
    depthwise = group == c == oc and ic == 1 and group > 1
    if group != 1 and not depthwise:
        raise AxgenError(f"node {node.name}: grouped convolution with group={group} ({c} input, {oc} output "
                         "channels) is not supported; supported are group=1 and depthwise (group = channels = "
                         "output channels)")
    if ic * group != c:
        raise AxgenError(f"node {node.name}: weights expect {ic * group} input channels, the image has {c}")
    sh, sw = int_list_attr(node, "strides", [1, 1])
    top, left, bottom, right = int_list_attr(node, "pads", [0, 0, 0, 0])
    geometry = ConvGeometry(h, w, c, (kh, kw), (sh, sw), (top, left, bottom, right),
                            out_size(h, kh, sh, top, bottom), out_size(w, kw, sw, left, right))
    # window order (kh, kw, c); a depthwise row holds its channel's taps (kh, kw)
    matrix = weights.values.transpose(0, 2, 3, 1).reshape(oc, kh * kw * ic)
    kind = "dwconv" if depthwise else "conv"
    layer = MatrixLayer(
        name=f"{kind}{index}", in_dtype=act.quant.dtype, weight_dtype=weights.dtype,
        weights=np.ascontiguousarray(matrix), thresholds=None, out_bias=0, out_dtype=act.quant.dtype,
        in_shape=(h, w, c), out_shape=(geometry.out_h, geometry.out_w, oc), kind=kind, source=node.name,
        conv=geometry)
    if np.any(np.asarray(act.quant.zero_point) != 0) and any(geometry.pads):
        raise AxgenError(f"node {node.name}: zero padding of an input with a zero point "
                         f"({np.unique(act.quant.zero_point)[:4]}: an input quantizer's, or the bias of a layer carried in "
                         "with no activation quantizer between) is not supported; supported is padding an input whose "
                         "zero is code 0")
    alpha = _input_scale(act, oc, depthwise) * weights.scale
    offset = zero_point_offset(act, layer)
    end = follow_elementwise(model, node.output[0])  # no quantizer: the network ends here, in accumulators
    return threshold_layer(model, layer, node.output[0], end, alpha, offset)


def _input_scale(act: ActTensor, channels: int, depthwise: bool):
    """The input's scale: per tensor, or for a depthwise convolution (each output channel sees one
    input channel) per channel too, as Brevitas' MobileNet-v1 quantizes the activations before them."""
    scale = np.asarray(act.quant.scale, dtype=np.float64)
    if depthwise and scale.size == channels:
        return scale.reshape(channels)
    return act.quant.scalar_scale("the input of a convolution (per-channel input scales are supported on depthwise "
                                  "convolutions)")
