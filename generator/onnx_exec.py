"""Batched execution of a small float ONNX model with qonnx (the frontend's float paths, the
host-side head and tail)."""

from __future__ import annotations

import copy

import numpy as np
import onnx
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.core.onnx_exec import execute_onnx
from qonnx.transformation.infer_shapes import InferShapes


def run(proto: onnx.ModelProto, array: np.ndarray, all_dims: bool = False) -> np.ndarray:
    """Execute a one-input one-output model on a batch (first axis = batch). With all_dims, an
    elementwise model is run on an array of another shape than declared (every dim replaced)."""
    model = ModelWrapper(copy.deepcopy(proto))
    inp, out = model.graph.input[0], model.graph.output[0]
    for vi in (inp, out):
        dims = vi.type.tensor_type.shape.dim
        if all_dims:
            for d, size in zip(dims, array.shape):
                d.dim_value = int(size)
        elif len(dims):
            dims[0].dim_value = int(array.shape[0])
    del model.graph.value_info[:]
    for node in model.get_nodes_by_op_type("Reshape"):
        shape = model.get_initializer(node.input[1])
        if shape is not None and len(shape) and shape[0] not in (-1, 0):
            shape = shape.copy()
            shape[0] = array.shape[0]
            model.set_initializer(node.input[1], shape)
    model = model.transform(InferShapes())
    result = execute_onnx(model, {inp.name: np.ascontiguousarray(array, dtype=np.float32)})
    return np.asarray(result[out.name])
