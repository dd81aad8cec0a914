"""The float path after a matrix node: follow it to the next quantizer, then turn it into
thresholds (shared by every matrix-layer matcher)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.frontend.onnx_utils import QUANT_OPS, submodel
from generator.frontend.quantizers import QuantInfo, quant_info
from generator.frontend.thresholds import derive_thresholds
from generator.frontend.weights import fit_dtype
from generator.ir import MatrixLayer
from generator.multipliers.bounds import acc_bounds
from generator.onnx_exec import run

# Monotone per-channel nodes that may sit between a matrix node and the next quantizer.
ELEMENTWISE_OPS = {"Add", "Sub", "Mul", "Div", "BatchNormalization", "Relu", "Clip", "Identity", "Dropout", "Neg"}
CONSTANT_OPERAND_OPS = {"Add", "Sub", "Mul", "Div"}


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
    tensor: str  # its output, or the graph output


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
    """Walk from a matrix node's output to the next quantizer (or the graph output)."""
    outputs = {o.name for o in model.graph.output}
    while True:
        if tensor in outputs:
            return PathEnd(None, tensor)
        node = single_consumer(model, tensor)
        if node is None:
            raise AxgenError(f"tensor {tensor} is not used and is not a graph output")
        if node.op_type in QUANT_OPS:
            return PathEnd(node, node.output[0])
        if node.op_type not in ELEMENTWISE_OPS:
            return PathEnd(None, tensor) if _tail_only(model, node) else _unsupported(node)
        _check_operands(model, node)
        tensor = node.output[0]


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


def _unsupported(node):
    if node.op_type in ("MatMul", "Gemm", "Conv"):
        raise AxgenError(f"node {node.name}: a {node.op_type} right after another matrix layer, with no activation "
                         "quantizer between them (a QKeras QDense or QConv2D without a quantized activation), is not "
                         "supported; every matrix layer but the last needs an activation quantizer after it "
                         f"(between them only {', '.join(sorted(ELEMENTWISE_OPS))})")
    raise AxgenError(f"node {node.name}: {node.op_type} between a matrix layer and its activation quantizer is not "
                     f"supported; supported are {', '.join(sorted(ELEMENTWISE_OPS))}")


def path_thresholds(model, start: str, end: PathEnd, alpha, offset, lo, hi) -> tuple[np.ndarray, np.ndarray, QuantInfo]:
    """Thresholds (C, L) and per-channel negate flags for integers in [lo[c], hi[c]] whose float
    value alpha * (v + offset) runs along start -> end into end's quantizer (see thresholds.py)."""
    quant = quant_info(model, end.quant_node)
    segment = submodel(model, [start], [end.tensor])
    spatial = len(model.get_tensor_shape(start)) == 4  # (1, C, H, W): evaluate on (B, C, 1, 1)

    def evaluate(float_in: np.ndarray) -> np.ndarray:
        if not spatial:
            return quant.values(run(segment, float_in))
        out = run(segment, float_in[:, :, None, None], all_dims=True)
        return quant.values(out).reshape(float_in.shape)

    values = [-1, 1] if quant.dtype == DataType["BIPOLAR"] else list(range(quant.lo, quant.hi + 1))
    thresholds, negate = derive_thresholds(evaluate, alpha, offset, lo, hi, values)
    return thresholds, negate, quant


def code_bias(quant: QuantInfo) -> int:
    """The threshold count's bias for the quantizer's values (0 for BIPOLAR, whose codes are 0/1)."""
    return 0 if quant.dtype == DataType["BIPOLAR"] else quant.lo


def quantized_act(model, end: PathEnd, quant: QuantInfo) -> ActTensor:
    """The activation a float path's quantizer outputs."""
    return ActTensor(end.tensor, quant, tuple(int(d) for d in model.get_tensor_shape(end.tensor)[1:]))


def threshold_layer(model, layer: MatrixLayer, start: str, end: PathEnd, alpha, offset) -> LayerMatch:
    """Complete `layer` from the float path start -> end."""
    if end.quant_node is None:
        return LayerMatch(layer, None, start, alpha, offset)
    lo, hi = acc_bounds(layer)
    span = hi - lo + 1  # search beyond the exact range too: approximate products may leave it
    thresholds, negate, quant = path_thresholds(model, start, end, alpha, offset, lo - span, hi + span)
    weights = np.where(negate[:, None], -layer.weights, layer.weights)
    layer = replace(layer, weights=weights, weight_dtype=fit_dtype(weights, layer.weight_dtype), thresholds=thresholds,
                    out_bias=code_bias(quant), out_dtype=quant.dtype)
    return LayerMatch(layer, quantized_act(model, end, quant))
