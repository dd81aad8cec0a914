"""What a Quant / BipolarQuant node means as integers: datatype, scale, zero point, value range.

qonnx semantics (IntQuant): v = clip(round(x / scale + zp)), float = (v - zp) * scale;
BipolarQuant: v = +1 if x >= 0 else -1, float = v * scale; so is a 1-bit signed Quant (qonnx's
execution makes it bipolar whatever its narrow flag). The integer v is what axgen streams.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.custom_op.general.quant import max_int, min_int
from qonnx.util.basic import get_by_name

from generator.datatypes import DataType
from generator.errors import AxgenError

MAX_BITS = 8


@dataclass
class QuantInfo:
    node: str
    dtype: DataType
    scale: np.ndarray  # float, broadcastable to the tensor
    zero_point: float
    lo: int  # smallest value v
    hi: int  # largest value v

    def values(self, quantized_float: np.ndarray) -> np.ndarray:
        """Integer values v from the node's float output."""
        v = np.round(np.asarray(quantized_float, dtype=np.float64) / self.scale + self.zero_point)
        return v.astype(np.int64)

    def scalar_scale(self, what: str) -> float:
        if np.asarray(self.scale).size != 1:
            raise AxgenError(f"node {self.node}: {what} needs a per-tensor scale; found a scale of shape "
                             f"{np.asarray(self.scale).shape} (per-channel scales are supported on weights only)")
        return float(np.asarray(self.scale).reshape(()))


def _const(model: ModelWrapper, node, index: int, what: str) -> np.ndarray:
    value = model.get_initializer(node.input[index]) if len(node.input) > index else None
    if value is None:
        raise AxgenError(f"node {node.name}: the {what} input of {node.op_type} must be a constant")
    value = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(value)):
        raise AxgenError(f"node {node.name}: the {what} of {node.op_type} must be finite, got {value.ravel()[:4]}")
    return value


def _scale(model: ModelWrapper, node) -> np.ndarray:
    scale = _const(model, node, 1, "scale")
    if np.any(scale <= 0):
        raise AxgenError(f"node {node.name}: scales must be positive, got {scale.ravel()[:4]}")
    return scale


def quant_info(model: ModelWrapper, node) -> QuantInfo:
    if node.op_type == "BipolarQuant":
        scale = _scale(model, node)
        return QuantInfo(node.name, DataType["BIPOLAR"], scale, 0.0, -1, 1)
    if node.op_type != "Quant":
        raise AxgenError(f"node {node.name}: expected a Quant or BipolarQuant node, found {node.op_type}")
    scale = _scale(model, node)
    zp = _const(model, node, 2, "zero-point")
    bw = _const(model, node, 3, "bit-width")
    if zp.size != 1 or float(zp.reshape(())) != round(float(zp.reshape(()))):
        raise AxgenError(f"node {node.name}: only a single integer zero point is supported, got {zp.ravel()[:4]}")
    if bw.size != 1 or float(bw.reshape(())) != int(bw.reshape(())):
        raise AxgenError(f"node {node.name}: the bit width must be a single integer, got {bw.ravel()[:4]}")
    bits = int(bw.reshape(()))
    if not 1 <= bits <= MAX_BITS:
        raise AxgenError(f"node {node.name}: {bits}-bit quantization is not supported; supported are 1 to {MAX_BITS} bits")
    signed = bool(get_by_name(node.attribute, "signed").i) if get_by_name(node.attribute, "signed") else True
    narrow = bool(get_by_name(node.attribute, "narrow").i) if get_by_name(node.attribute, "narrow") else False
    zero_point = float(zp.reshape(()))
    if bits == 1 and signed:
        return QuantInfo(node.name, DataType["BIPOLAR"], scale, 0.0, -1, 1) if zero_point == 0 else _bad_zp(node)
    lo, hi = int(min_int(signed, narrow, bits)), int(max_int(signed, narrow, bits))
    dtype = DataType[f"INT{bits}"] if signed else DataType[f"UINT{bits}"]
    return QuantInfo(node.name, dtype, scale, zero_point, lo, hi)


def _bad_zp(node):
    raise AxgenError(f"node {node.name}: a 1-bit signed quantizer must have zero point 0")
