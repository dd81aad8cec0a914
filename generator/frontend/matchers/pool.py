"""MaxPool on a quantized image: max commutes with the (increasing) quantizer, so the pooling
runs on the integer values."""

from __future__ import annotations

from qonnx.util.basic import get_by_name

from generator.errors import AxgenError
from generator.frontend.onnx_utils import int_list_attr
from generator.frontend.activation import ActTensor, LayerMatch
from generator.ir import PoolLayer, out_size


def match_maxpool(model, node, act: ActTensor, index: int) -> LayerMatch:
    if len(act.shape) != 3 or act.flat_from is not None:
        raise AxgenError(f"node {node.name}: MaxPool needs a (C, H, W) image input, found {act.shape}")
    if any(int_list_attr(node, "pads", [0, 0, 0, 0])):
        raise AxgenError(f"node {node.name}: MaxPool with padding is not supported; supported is padding 0")
    ceil = get_by_name(node.attribute, "ceil_mode")
    if ceil is not None and ceil.i:
        raise AxgenError(f"node {node.name}: MaxPool with ceil_mode=1 is not supported")
    if any(d != 1 for d in int_list_attr(node, "dilations", [1, 1])):
        raise AxgenError(f"node {node.name}: dilated MaxPool is not supported")
    kh, kw = int_list_attr(node, "kernel_shape", None)
    sh, sw = int_list_attr(node, "strides", [1, 1])
    c, h, w = act.shape
    oh, ow = out_size(h, kh, sh), out_size(w, kw, sw)
    layer = PoolLayer(f"pool{index}", act.quant.dtype, c, h, w, (kh, kw), (sh, sw), oh, ow, source=node.name)
    return LayerMatch(layer, ActTensor(node.output[0], act.quant, (c, oh, ow)))
