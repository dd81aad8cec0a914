"""The float path after a matrix node: follow it to the next quantizer, then turn it into
thresholds (shared by every matrix-layer matcher)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from qonnx.util.basic import get_by_name

from generator.datatypes import DataType, fit_dtype
from generator.errors import AxgenError
from generator.frontend.carry import carried
from generator.frontend.onnx_utils import QUANT_OPS, submodel
from generator.frontend.quantizers import QuantInfo, quant_info
from generator.frontend.thresholds import derive_thresholds
from generator.ir import MatrixLayer
from generator.multipliers.bounds import acc_bounds
from generator.onnx_exec import run

# Monotone per-channel nodes that may sit between a matrix node and the next quantizer.
ELEMENTWISE_OPS = {"Add", "Sub", "Mul", "Div", "BatchNormalization", "Relu", "Clip", "Identity", "Dropout", "Neg"}
CONSTANT_OPERAND_OPS = {"Add", "Sub", "Mul", "Div"}
# Of those, the ones that keep a value affine: the float path from one matrix node straight into
# the next (no quantizer between them) may hold only these (generator.frontend.carry).
AFFINE_OPS = ELEMENTWISE_OPS - {"Relu", "Clip"}
MATRIX_NODES = ("MatMul", "Gemm", "Conv")


@dataclass
class ActTensor:
    """A quantized activation tensor on the stream path."""

    name: str
    quant: QuantInfo
    shape: tuple[int, ...] = ()  # per sample, as the model holds it: (C, H, W) or (K,)
    flat_from: tuple[int, int, int] | None = None  # (C, H, W) of an image flattened in (c, h, w) order


@dataclass
class LayerMatch:
    layer: object  # an IR layer
    next_act: ActTensor | None  # None: the layer ends the integer part
    tail_start: str | None = None  # float tensor the host tail starts from
    tail_alpha: np.ndarray | None = None
    tail_offset: np.ndarray | None = None


@dataclass
class PathEnd:
    quant_node: object | None  # the quantizer ending the float path, or None at the graph output
    tensor: str  # its output, or the graph output (the next matrix node's input: see matrix_node)
    matrix_node: object | None = None  # the matrix node the path reaches with no quantizer on the way
    nhwc_flatten: bool = False  # an image transposed to channels-last and flattened on the way (Keras)


def single_consumer(model, tensor: str):
    consumers = model.find_consumers(tensor) or []
    if len(consumers) > 1:
        names = ", ".join(c.name for c in consumers)
        raise AxgenError(f"tensor {tensor} feeds several nodes ({names}); axgen branches only quantized "
                         "tensors (the output of a Quant node, e.g. a QuantReLU or QuantIdentity)")
    return consumers[0] if consumers else None


def _check_operands(model, node):
    if node.op_type not in CONSTANT_OPERAND_OPS:
        return
    dynamic = [i for i in node.input[1:] if model.get_initializer(i) is None and model.find_producer(i) is not None
               and model.find_producer(i).op_type not in QUANT_OPS]
    if node.op_type in ("Div", "Sub") and model.get_initializer(node.input[0]) is not None:
        raise AxgenError(f"node {node.name}: {node.op_type} with a constant first operand is not supported in a layer's float path")
    if dynamic:
        raise AxgenError(f"node {node.name}: {node.op_type} of two computed tensors is not supported here; the float "
                         "path between layers may only scale and shift by constants, and a residual add needs both "
                         "of its inputs quantized (a QuantReLU or QuantIdentity ending each branch)")


def follow_elementwise(model, tensor: str) -> PathEnd:
    """Walk from a matrix node's output to the next quantizer (or the graph output, or a matrix
    node reached through affine nodes only)."""
    outputs = {o.name for o in model.graph.output}
    nonlinear, flattened = None, False
    while True:
        if tensor in outputs:
            return PathEnd(None, tensor)
        node = single_consumer(model, tensor)
        if node is None:
            raise AxgenError(f"tensor {tensor} is not used and is not a graph output")
        if node.op_type in QUANT_OPS:
            return PathEnd(node, node.output[0], nhwc_flatten=flattened)
        if node.op_type in MATRIX_NODES and node.input[0] == tensor and nonlinear is None and not flattened:
            return PathEnd(None, tensor, node)
        flatten = None if flattened else _nhwc_flatten(model, node)
        if flatten is not None:
            flattened, tensor = True, flatten
            continue
        if node.op_type not in ELEMENTWISE_OPS:
            return PathEnd(None, tensor) if _tail_only(model, node) else _unsupported(node, nonlinear)
        _check_operands(model, node)
        nonlinear = nonlinear or (node if node.op_type not in AFFINE_OPS else None)
        tensor = node.output[0]


def _nhwc_flatten(model, node) -> str | None:
    """The output of `node` (a Transpose of an image to channels-last, NCHW -> NHWC) and the
    Reshape or Flatten to (1, H*W*C) right after it, as qonnx's QKeras converter writes a Flatten
    after a convolution; None for anything else. (H, W, C) is the stream's own order: the flattened
    vector is the image as it streams."""
    perm = get_by_name(node.attribute, "perm") if node.op_type == "Transpose" else None
    if perm is None or list(perm.ints) != [0, 2, 3, 1]:
        return None
    after = single_consumer(model, node.output[0])
    shape = model.get_tensor_shape(node.output[0])
    if after is None or after.op_type not in ("Reshape", "Flatten") or shape is None or len(shape) != 4:
        return None
    out = model.get_tensor_shape(after.output[0])
    return after.output[0] if out is not None and list(out) == [1, int(np.prod(shape[1:]))] else None


def _tail_only(model, node) -> bool:
    """True if no matrix node or quantizer follows `node`: the rest is the host-side tail."""
    seen, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n.name in seen:
            continue
        seen.add(n.name)
        if n.op_type in QUANT_OPS or n.op_type in ("MatMul", "Gemm", "Conv"):
            return False
        for out in n.output:
            stack.extend(model.find_consumers(out) or [])
    return True


def _unsupported(node, nonlinear=None):
    if node.op_type in MATRIX_NODES and nonlinear is None:
        raise AxgenError(f"node {node.name}: a {node.op_type} whose weights are a computed tensor is not supported; "
                         "supported are constant weights behind a Quant node")
    if node.op_type in MATRIX_NODES:
        raise AxgenError(f"node {node.name}: a {node.op_type} after another matrix layer through {nonlinear.op_type} "
                         f"({nonlinear.name}) with no activation quantizer is not supported; a matrix layer's "
                         "accumulator goes on into the next one only through affine nodes "
                         f"({', '.join(sorted(AFFINE_OPS))}); quantize the {nonlinear.op_type}'s output (e.g. a "
                         "QKeras quantized_relu, a Brevitas QuantReLU)")
    raise AxgenError(f"node {node.name}: {node.op_type} between a matrix layer and its activation quantizer is not "
                     f"supported; supported are {', '.join(sorted(ELEMENTWISE_OPS))}")


def path_thresholds(model, start: str, end: PathEnd, alpha, offset, lo, hi) -> tuple[np.ndarray, np.ndarray, QuantInfo]:
    """Thresholds (C, L) and per-channel negate flags for integers in [lo[c], hi[c]] whose float
    value alpha * (v + offset) runs along start -> end into end's quantizer (see thresholds.py)."""
    quant = quant_info(model, end.quant_node)
    segment = submodel(model, [start], [end.tensor])
    shape = model.get_tensor_shape(start)
    spatial = len(shape) == 4  # (1, C, H, W): evaluate on (B, C, 1, 1)

    def evaluate(float_in: np.ndarray) -> np.ndarray:
        if not spatial:
            return quant.values(run(segment, float_in))
        if end.nhwc_flatten:  # the whole image, each channel's value on every pixel; back per channel
            return _per_channel(end, quant.values(run(segment, np.broadcast_to(
                float_in[:, :, None, None], (len(float_in), *shape[1:])))).reshape(len(float_in), *shape[2:], shape[1]))
        out = run(segment, float_in[:, :, None, None], all_dims=True)
        return quant.values(out).reshape(float_in.shape)

    values = [-1, 1] if quant.dtype == DataType["BIPOLAR"] else list(range(quant.lo, quant.hi + 1))
    thresholds, negate = derive_thresholds(evaluate, alpha, offset, lo, hi, values)
    return thresholds, negate, quant


def zero_point_offset(act: ActTensor, layer: MatrixLayer) -> np.ndarray:
    """offset[m] = -sum_k w[m][k] * zp[k]: the input's zero point (one, or one per channel of a
    carried accumulator, generator.frontend.carry) in the layer's accumulator."""
    zp = np.asarray(act.quant.zero_point, dtype=np.float64)
    weights = layer.weights.astype(np.float64)
    if zp.size == 1 or layer.kind == "dwconv":  # a depthwise row sees its own channel only
        return -zp.reshape(-1) * weights.sum(axis=1)
    return -(weights @ np.tile(zp, layer.mw // zp.size))  # window order (kh, kw, c): c fastest


def _per_channel(end: PathEnd, values: np.ndarray) -> np.ndarray:
    """(B, H, W, C) outputs of a path fed one value per channel -> (B, C); every pixel must agree
    (a constant after the flatten that differs per pixel would make the function per element)."""
    if not np.all(values == values[:, :1, :1, :]):
        raise AxgenError(f"tensor {end.tensor}: the float path after the channels-last flatten treats the pixels of "
                         "a channel differently (a constant per element); supported are per-tensor constants there")
    return values[:, 0, 0, :]


def code_bias(quant: QuantInfo) -> int:
    """The threshold count's bias for the quantizer's values (0 for BIPOLAR, whose codes are 0/1)."""
    return 0 if quant.dtype == DataType["BIPOLAR"] else quant.lo


def quantized_act(model, end: PathEnd, quant: QuantInfo) -> ActTensor:
    """The activation at the end of a float path: its quantizer's output, or a carried accumulator."""
    return ActTensor(end.tensor, quant, tuple(int(d) for d in model.get_tensor_shape(end.tensor)[1:]))


def threshold_layer(model, layer: MatrixLayer, start: str, end: PathEnd, alpha, offset) -> LayerMatch:
    """Complete `layer` from the float path start -> end."""
    if end.matrix_node is not None:
        layer, quant = carried(model, layer, start, end, alpha, offset)
        return LayerMatch(layer, quantized_act(model, end, quant))
    if end.quant_node is None:
        return LayerMatch(layer, None, start, alpha, offset)
    lo, hi = acc_bounds(layer)
    span = hi - lo + 1  # search beyond the exact range too: approximate products may leave it
    thresholds, negate, quant = path_thresholds(model, start, end, alpha, offset, lo - span, hi + span)
    weights = np.where(negate[:, None], -layer.weights, layer.weights)
    layer = replace(layer, weights=weights, weight_dtype=fit_dtype(weights, layer.weight_dtype), thresholds=thresholds,
                    out_bias=code_bias(quant), out_dtype=quant.dtype)
    return LayerMatch(layer, quantized_act(model, end, quant))
