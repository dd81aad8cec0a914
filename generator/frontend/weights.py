"""Integer weights of a matrix node: walk back from its weight input through Transposes to the
quantizer and split the float weights into integer values and per-output-channel scales."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.util.basic import get_by_name

from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.frontend.onnx_utils import QUANT_OPS, constant_value
from generator.frontend.quantizers import quant_info


@dataclass
class Weights:
    values: np.ndarray  # int64 (K, M): as the MatMul multiplies, x @ W
    scale: np.ndarray  # float64 (M,): per output column
    dtype: DataType
    quantizer: str


def matmul_weights(model: ModelWrapper, node, kernel: bool = False) -> Weights:
    """MatMul weights (K, M), scale per column M; with `kernel`, Conv weights (OC, IC, KH, KW),
    scale per output channel OC."""
    name = node.input[1]
    perms = []
    producer = model.find_producer(name)
    while producer is not None and producer.op_type == "Transpose":
        perm = get_by_name(producer.attribute, "perm")
        perms.append(list(perm.ints) if perm else None)
        producer = model.find_producer(producer.input[0])
    if producer is None or producer.op_type not in QUANT_OPS:
        raise AxgenError(f"node {node.name}: its weights are not quantized (no Quant/BipolarQuant on the weight input); "
                         "axgen needs integer weights, e.g. a Brevitas QuantLinear")
    if model.find_producer(producer.input[0]) is not None and model.get_initializer(producer.input[0]) is None:
        constant_value(model, producer.input[0])  # raises if the weights are not constant
    info = quant_info(model, producer)
    if info.zero_point != 0:
        raise AxgenError(f"node {producer.name}: weight quantizers must have zero point 0, found {info.zero_point}")
    quantized = constant_value(model, producer.output[0]).astype(np.float64)
    values = info.values(quantized)
    scale = np.broadcast_to(np.asarray(info.scale, dtype=np.float64), quantized.shape)
    for perm in reversed(perms):  # innermost Transpose first
        values = np.transpose(values, perm)
        scale = np.transpose(scale, perm)
    if values.ndim != (4 if kernel else 2):
        raise AxgenError(f"node {node.name}: weights of shape {values.shape} are not a {'kernel' if kernel else 'matrix'}")
    # the output-channel axis is the last of a MatMul's (K, M) and the first of a Conv's kernel
    per_channel = scale.reshape(scale.shape[0], -1)[:, 0] if kernel else scale[0]
    expected = per_channel.reshape((-1, 1, 1, 1) if kernel else (1, -1))
    if np.any(scale != expected):
        raise AxgenError(f"node {producer.name}: weight scales vary along an input dimension; "
                         "supported are per-tensor and per-output-channel scales")
    return Weights(values.astype(np.int64), per_channel.copy(), info.dtype, producer.name)
