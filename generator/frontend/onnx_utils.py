"""Small helpers on qonnx ModelWrappers: sub-models and constant evaluation."""

from __future__ import annotations

import copy

import numpy as np
import onnx
from qonnx.core.modelwrapper import ModelWrapper

from generator.errors import AxgenError

QUANT_OPS = ("Quant", "BipolarQuant")


def int_list_attr(node, name: str, default):
    """An ONNX node's integer-list attribute (e.g. pads, strides), or `default` if absent."""
    from qonnx.util.basic import get_by_name
    attr = get_by_name(node.attribute, name)
    return list(attr.ints) if attr is not None and attr.ints else default


def submodel(model: ModelWrapper, inputs: list[str], outputs: list[str]) -> onnx.ModelProto:
    """The part of `model` between the named tensors, with the constants it needs."""
    graph = model.graph
    stop = set(inputs)
    wanted, stack, seen = [], list(outputs), set()
    while stack:
        tensor = stack.pop()
        if tensor in stop or tensor in seen:
            continue
        seen.add(tensor)
        node = model.find_producer(tensor)
        if node is None:
            if model.get_initializer(tensor) is None and tensor:
                raise AxgenError(f"tensor {tensor} depends on a graph input outside the requested part")
            continue
        if node not in wanted:
            wanted.append(node)
        stack.extend(i for i in node.input if i)
    order = [n for n in graph.node if n in wanted]  # keep the graph's topological order
    used = {i for n in order for i in n.input}
    inits = [copy.deepcopy(t) for t in graph.initializer if t.name in used]
    annotations = [copy.deepcopy(a) for a in graph.quantization_annotation
                   if a.tensor_name in used or a.tensor_name in stop or a.tensor_name in outputs]
    new_graph = onnx.helper.make_graph(
        [copy.deepcopy(n) for n in order], "axgen_part",
        [copy.deepcopy(model.get_tensor_valueinfo(i)) for i in inputs],
        [copy.deepcopy(model.get_tensor_valueinfo(o)) for o in outputs], inits)
    new_graph.quantization_annotation.extend(annotations)
    proto = onnx.helper.make_model(new_graph, opset_imports=list(model.model.opset_import))
    proto.ir_version = model.model.ir_version
    return proto


def constant_value(model: ModelWrapper, tensor: str) -> np.ndarray:
    """Value of a tensor that depends only on initializers (evaluated with qonnx)."""
    init = model.get_initializer(tensor)
    if init is not None:
        return np.asarray(init)
    producer = model.find_producer(tensor)
    if producer is None:
        raise AxgenError(f"tensor {tensor} is expected to be constant but is a graph input")
    context = {}
    stack = [producer]
    order = []
    while stack:
        node = stack.pop()
        order.append(node)
        for name in node.input:
            if name and model.get_initializer(name) is None:
                p = model.find_producer(name)
                if p is None:
                    raise AxgenError(f"tensor {tensor} is expected to be constant but depends on input {name}")
                stack.append(p)
    from qonnx.core.onnx_exec import execute_node
    for node in reversed(order):
        for name in node.input:
            if name and name not in context:
                init = model.get_initializer(name)
                if init is not None:
                    context[name] = init
        for name in node.output:
            context.setdefault(name, None)
        if all(o in context and context[o] is not None for o in node.output):
            continue
        execute_node(node, context, model.graph, opset_version=model.model.opset_import[0].version)
    return np.asarray(context[tensor])
