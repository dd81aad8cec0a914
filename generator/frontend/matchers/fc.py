"""Fully-connected layer: MatMul(x, W) -> elementwise float path -> Quant | graph output."""

from __future__ import annotations

import numpy as np

from generator.errors import AxgenError
from generator.frontend.activation import (ActTensor, LayerMatch, follow_elementwise, threshold_layer,
                                           zero_point_offset)
from generator.frontend.weights import matmul_weights
from generator.ir import MatrixLayer


def match_fc(model, node, act: ActTensor, index: int) -> LayerMatch:
    shape = model.get_tensor_shape(node.input[0])
    if shape is None or len(shape) != 2 or shape[0] != 1:
        raise AxgenError(f"node {node.name}: a fully-connected layer needs a (1, K) input, found shape {shape}; "
                         "flatten the tensor first")
    weights = matmul_weights(model, node)
    k, m = weights.values.shape
    if shape[1] != k:
        raise AxgenError(f"node {node.name}: input has {shape[1]} features but the weights expect {k}")
    matrix = weights.values.T  # (M, K), columns in the model's flatten order
    if act.flat_from is not None:  # the image streams channels-last: reorder (c, h, w) -> (h, w, c)
        c, h, w = act.flat_from
        matrix = matrix.reshape(m, c, h, w).transpose(0, 2, 3, 1).reshape(m, k)
    layer = MatrixLayer(
        name=f"fc{index}", in_dtype=act.quant.dtype, weight_dtype=weights.dtype,
        weights=np.ascontiguousarray(matrix), thresholds=None, out_bias=0,
        out_dtype=act.quant.dtype, in_shape=(k,), out_shape=(m,), kind="fc", source=node.name)
    s_x = act.quant.scalar_scale("the input of a matrix layer")
    alpha = s_x * weights.scale
    offset = zero_point_offset(act, layer)
    end = follow_elementwise(model, node.output[0])
    return threshold_layer(model, layer, node.output[0], end, alpha, offset)
