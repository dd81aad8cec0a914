"""Walk a cleaned QONNX graph along its activation path and cut it into: host head (float
pre-processing up to the first quantizer), integer layers (one matcher per kind), host tail."""

from __future__ import annotations

import numpy as np

from generator.errors import AxgenError
from generator.frontend.activation import CONSTANT_OPERAND_OPS, ActTensor, LayerMatch, single_consumer
from generator.frontend.branches import duplicate, is_join, match_add
from generator.frontend.input_type import annotated_type, head_model, head_quant, parse_input_type
from generator.frontend.matchers import MATCHERS
from generator.frontend.onnx_utils import QUANT_OPS, submodel
from generator.frontend.quantizers import quant_info
from generator.ir import HostHead, HostTail, Network

# Nodes that move data without changing values or (for flattened vectors) their order.
PASS_THROUGH_OPS = {"Reshape", "Flatten", "Identity", "Dropout", "Squeeze", "Unsqueeze"}
MATRIX_OPS = {"MatMul", "Conv"}


def _per_sample(shape) -> tuple[int, ...]:
    return tuple(int(d) for d in shape[1:]) if shape else ()


NO_QUANTIZER = ("quantize the input (e.g. with a Brevitas QuantIdentity), or declare the integer type its float "
                "input carries with --input-type (e.g. UINT8 for 8-bit RGB)")


def _input_quantizer(model):
    """The first quantizer on the input path, or the first node that consumes a float tensor
    without one; None when the path ends without either."""
    tensor = model.graph.input[0].name
    while True:
        node = single_consumer(model, tensor)
        if node is None or node.op_type in QUANT_OPS or node.op_type in MATRIX_OPS:
            return node
        tensor = node.output[0]


# Nodes that only move the input's elements (Keras' channels-last input transposed to NCHW by
# qonnx's QKeras converter, a reshape to an image): on the host, in the head, like the scales.
LAYOUT_OPS = {"Transpose", "Reshape", "Identity", "Squeeze", "Unsqueeze"}


def _input_chain(model) -> list:
    """The float nodes by constants on the input path before its first other node (the `(x + 1)
    / 2` of a bipolar input): Add, Sub, Mul, Div with a constant second operand, and the layout
    nodes (LAYOUT_OPS)."""
    chain, tensor = [], model.graph.input[0].name
    while True:
        node = single_consumer(model, tensor)
        if node is None or node.input[0] != tensor or not (
                node.op_type in LAYOUT_OPS or node.op_type in CONSTANT_OPERAND_OPS and len(node.input) == 2
                and model.get_initializer(node.input[1]) is not None):
            return chain
        chain.append(node)
        tensor = node.output[0]


def _typed_head(model, itype, how: str, at: int = -1) -> tuple[HostHead, ActTensor]:
    """The stream starts at the model's input (or after the float operations by constants right
    behind it), which carries values of `itype` (`how`: "--input-type" or "annotation"). With `at`
    >= 0 the type stands on the output of node `at` of that chain instead (an annotation there):
    the nodes up to it run in float on the host, the type's quantizer after them."""
    node = _input_quantizer(model)
    if node is not None and node.op_type in QUANT_OPS:
        raise AxgenError(f"node {node.name}: the model quantizes its input; --input-type is for models without an "
                         "input quantizer (leave it out)")
    name = model.graph.input[0].name
    chain = _input_chain(model)
    before, chain = chain[:at + 1], chain[at + 1:]
    typed = before[-1].output[0] if before else name
    start = chain[-1].output[0] if chain else typed
    where = f"{'input ' + name if typed == name else 'tensor ' + typed} ({itype.name}, {how})"
    quant = head_quant(head_model(model, itype, chain, typed), itype, [n.op_type for n in chain], where)
    proto = head_model(model, itype, chain, typed, before)
    shape = _per_sample(model.get_tensor_shape(start))
    origin = how if typed == name else f"{how} on tensor {typed}"
    head = HostHead(proto.SerializeToString(), float(np.asarray(quant.scale)), int(quant.zero_point), name,
                    _per_sample(model.get_tensor_shape(name)), len(shape) == 3, itype.name, origin)
    return head, ActTensor(start, quant, shape)


def _annotated_chain(model) -> tuple[object, int] | None:
    """The input type an integer datatype annotation states on the input path: on the input, else
    on the first annotated output of the float nodes by constants behind it (the `(x + 1) / 2` of
    a bipolar input, annotated BINARY where it enters the first layer), with that node's index
    in the chain (-1: the input); None without one."""
    annotated = annotated_type(model, model.graph.input[0].name)
    if annotated is not None:
        return annotated, -1
    for i, node in enumerate(_input_chain(model)):
        annotated = annotated_type(model, node.output[0])
        if annotated is not None:
            return annotated, i
    return None


def _head(model, input_type: str | None = None) -> tuple[HostHead, ActTensor]:
    if len(model.graph.input) != 1 or len(model.graph.output) != 1:
        raise AxgenError(f"the model has {len(model.graph.input)} inputs and {len(model.graph.output)} outputs; "
                         "axgen supports exactly one of each")
    name = model.graph.input[0].name
    if input_type is not None:
        return _typed_head(model, parse_input_type(input_type), "--input-type")
    node = _input_quantizer(model)
    annotated = _annotated_chain(model) if node is None or node.op_type not in QUANT_OPS else None
    if annotated is not None:
        return _typed_head(model, annotated[0], "annotation", annotated[1])
    if node is None:
        raise AxgenError(f"the model has no activation quantizer (Quant/BipolarQuant) on its input path; {NO_QUANTIZER}")
    if node.op_type not in QUANT_OPS:
        raise AxgenError(f"node {node.name}: {node.op_type} consumes the float input; {NO_QUANTIZER}")
    quant = quant_info(model, node)
    scale = quant.scalar_scale("the input quantizer")
    shape = _per_sample(model.get_tensor_shape(node.output[0]))
    head = HostHead(submodel(model, [name], [node.output[0]]).SerializeToString(), scale,
                    int(quant.zero_point), name, _per_sample(model.get_tensor_shape(name)), len(shape) == 3,
                    quant.dtype.name, f"quantizer {node.name}")
    return head, ActTensor(node.output[0], quant, shape)


def _tail(model, match: LayerMatch | None, act: ActTensor | None) -> HostTail:
    out = model.graph.output[0].name
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


def _unsupported(node):
    if node.op_type in QUANT_OPS:
        raise AxgenError(f"node {node.name}: a quantizer directly after another quantizer is not supported; "
                         "put a matrix layer (QuantLinear) between activation quantizers")
    raise AxgenError(f"node {node.name}: {node.op_type} on the integer path is not supported; supported are "
                     f"{', '.join(sorted(MATCHERS))} layers, residual adds of two quantized tensors, quantizers, "
                     f"elementwise scaling/bias/batch-norm/ReLU and {', '.join(sorted(PASS_THROUGH_OPS))}")


class _Walk:
    """The layers found so far, in stream order, with the layers feeding each (-1: the input)."""

    def __init__(self, model):
        self.model = model
        self.layers, self.sources = [], []
        self.pending = []  # (tensor, its producing layer, the node consuming it), last one next
        self.joins = {}  # join node name -> {input port: (tensor, producing layer)}
        self.ends = []  # (match of the last layer, tensor) where the integer part ends
        self.last_match = None

    def add(self, layer, sources: tuple[int, ...]) -> int:
        self.layers.append(layer)
        self.sources.append(sources)
        return len(self.layers) - 1

    def fan_out(self, act: ActTensor, producer: int, match: LayerMatch | None) -> None:
        """Queue the consumers of `act`: a duplicate layer first when there are two."""
        if act.name in {o.name for o in self.model.graph.output}:
            self.ends.append((match, act))
            return
        consumers = self.model.find_consumers(act.name) or []
        if not consumers:
            raise AxgenError(f"tensor {act.name} is not used and is not a graph output")
        if len(consumers) > 1:
            producer = self.add(duplicate(act, consumers, len(self.layers)), (producer,))
        self.pending.extend((act, producer, node) for node in reversed(consumers))

    def arrive(self, node, act: ActTensor, producer: int) -> None:
        """One input of a join is ready; with both, the add layer."""
        ports = self.joins.setdefault(node.name, {})
        ports[list(node.input).index(act.name)] = (act, producer)
        if len(ports) == 2:
            (a, pa), (b, pb) = ports[0], ports[1]
            match = match_add(self.model, node, (a, b), len(self.layers))
            self.step(match, (pa, pb))
            del self.joins[node.name]

    def step(self, match: LayerMatch, sources: tuple[int, ...]) -> None:
        index = self.add(match.layer, sources)
        self.last_match = match
        if match.next_act is None:
            self.ends.append((match, None))
        else:
            self.fan_out(match.next_act, index, match)


def build_network(model, name: str, input_type: str | None = None) -> Network:
    """The integer IR of a cleaned model; `input_type` declares the integer type a model without
    an input quantizer takes (generator.frontend.input_type). The graph is walked depth first
    from the input; a branch waits at its join until the other branch arrives."""
    head, act = _head(model, input_type)
    walk = _Walk(model)
    walk.fan_out(act, -1, None)
    while walk.pending:
        act, producer, node = walk.pending.pop()
        if node.op_type in PASS_THROUGH_OPS:
            walk.fan_out(_pass_through(model, node, act), producer, walk.last_match)
        elif is_join(model, node):
            walk.arrive(node, act, producer)
        elif node.op_type in MATCHERS:
            walk.step(MATCHERS[node.op_type](model, node, act, len(walk.layers)), (producer,))
        else:
            _unsupported(node)
    if walk.joins:
        raise AxgenError(f"node {next(iter(walk.joins))}: an Add whose inputs do not both come from the input's "
                         "quantized stream is not supported")
    if not walk.layers:
        ops = ", ".join(dict.fromkeys(n.op_type for n in model.graph.node))
        raise AxgenError(f"the model has no matrix layer (MatMul, Gemm or Conv) after its input quantizer: it only "
                         f"holds {ops}; axgen puts matrix layers (with their pooling and adds) into hardware, so "
                         "there is nothing to build")
    if len(walk.ends) != 1:
        raise AxgenError(f"the integer part of the model ends in {len(walk.ends)} places; supported is one output")
    match, act = walk.ends[0]
    sources = tuple(walk.sources) if any(len(s) > 1 for s in walk.sources) else ()
    return Network(name, tuple(walk.layers), head, _tail(model, match, act), sources)
