"""Walk a cleaned QONNX graph along its activation path and cut it into: host head (float
pre-processing up to the first quantizer), integer layers (one matcher per kind), host tail."""

from __future__ import annotations

import numpy as np

from generator.errors import AxgenError
from generator.frontend.activation import ActTensor, LayerMatch, single_consumer
from generator.frontend.matchers import MATCHERS
from generator.frontend.onnx_utils import QUANT_OPS, submodel
from generator.frontend.quantizers import quant_info
from generator.ir import HostHead, HostTail, Network

# Nodes that move data without changing values or (for flattened vectors) their order.
PASS_THROUGH_OPS = {"Reshape", "Flatten", "Identity", "Dropout", "Squeeze", "Unsqueeze"}
MATRIX_OPS = {"MatMul", "Conv"}


def _per_sample(shape) -> tuple[int, ...]:
    return tuple(int(d) for d in shape[1:]) if shape else ()


def _head(model) -> tuple[HostHead, ActTensor]:
    if len(model.graph.input) != 1 or len(model.graph.output) != 1:
        raise AxgenError(f"the model has {len(model.graph.input)} inputs and {len(model.graph.output)} outputs; "
                         "axgen supports exactly one of each")
    name = model.graph.input[0].name
    tensor = name
    while True:
        node = single_consumer(model, tensor)
        if node is None:
            raise AxgenError("the model has no activation quantizer (Quant/BipolarQuant) on its input path; "
                             "quantize the input, e.g. with a Brevitas QuantIdentity")
        if node.op_type in QUANT_OPS:
            break
        if node.op_type in MATRIX_OPS:
            raise AxgenError(f"node {node.name}: {node.op_type} consumes a float tensor; axgen needs a quantizer "
                             "(e.g. QuantIdentity) before the first matrix layer")
        tensor = node.output[0]
    quant = quant_info(model, node)
    scale = quant.scalar_scale("the input quantizer")
    shape = _per_sample(model.get_tensor_shape(node.output[0]))
    head = HostHead(submodel(model, [name], [node.output[0]]).SerializeToString(), scale,
                    int(quant.zero_point), name, _per_sample(model.get_tensor_shape(name)), len(shape) == 3)
    return head, ActTensor(node.output[0], quant, shape)


def _tail(model, match: LayerMatch | None, act: ActTensor | None) -> HostTail:
    out = model.graph.output[0].name
    shape = match.layer.out_shape
    if len(shape) == 3 and shape[0] * shape[1] > 1:
        raise AxgenError(f"layer {match.layer.name} ({match.layer.source}) ends the integer part with an image of shape "
                         f"{shape}; supported are networks whose integer part ends with a vector (a fully-connected "
                         "layer or a global pooling)")
    if match is not None and match.tail_start is not None:
        start, alpha, offset = match.tail_start, match.tail_alpha, match.tail_offset
    else:  # the integer part ends with a quantizer: float = (v - zp) * scale
        start = act.name
        channels = match.layer.out_shape[-1]
        alpha = np.broadcast_to(np.asarray(act.quant.scale, dtype=np.float64).ravel(), (channels,)).copy()
        offset = np.full(channels, -act.quant.zero_point)
    proto = None if start == out else submodel(model, [start], [out]).SerializeToString()
    return HostTail(proto, np.asarray(alpha, dtype=np.float64), np.asarray(offset, dtype=np.float64),
                    start, _per_sample(model.get_tensor_shape(out)))


def _pass_through(model, node, act: ActTensor) -> ActTensor:
    """Follow a reshaping node; an image flattened to a vector remembers its (C, H, W)."""
    shape = _per_sample(model.get_tensor_shape(node.output[0]))
    if shape == act.shape:
        return ActTensor(node.output[0], act.quant, shape, act.flat_from)
    if len(act.shape) == 3 and len(shape) == 1 and act.flat_from is None:
        return ActTensor(node.output[0], act.quant, shape, act.shape)
    if len(act.shape) == 1 and len(shape) == 1:
        return ActTensor(node.output[0], act.quant, shape, act.flat_from)
    raise AxgenError(f"node {node.name}: {node.op_type} from {act.shape} to {shape} is not supported; supported "
                     "are flattening an image (C, H, W) into a vector and reshapes that keep the shape")


def build_network(model, name: str) -> Network:
    head, act = _head(model)
    outputs = {o.name for o in model.graph.output}
    layers, match = [], None
    while act is not None:
        if act.name in outputs:
            break
        node = single_consumer(model, act.name)
        if node is None:
            raise AxgenError(f"tensor {act.name} is not used and is not a graph output")
        if node.op_type in PASS_THROUGH_OPS:
            act = _pass_through(model, node, act)
            continue
        matcher = MATCHERS.get(node.op_type)
        if matcher is None:
            if node.op_type in QUANT_OPS:
                raise AxgenError(f"node {node.name}: a quantizer directly after another quantizer is not supported; "
                                 "put a matrix layer (QuantLinear) between activation quantizers")
            raise AxgenError(f"node {node.name}: {node.op_type} on the integer path is not supported; supported are "
                             f"{', '.join(sorted(MATCHERS))} layers, quantizers, elementwise scaling/bias/batch-norm/ReLU "
                             f"and {', '.join(sorted(PASS_THROUGH_OPS))}")
        match = matcher(model, node, act, len(layers))
        layers.append(match.layer)
        act = match.next_act
    if not layers:
        raise AxgenError("the model has no matrix layer (MatMul/Gemm) after its input quantizer")
    return Network(name, tuple(layers), head, _tail(model, match, act))
