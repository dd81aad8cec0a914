"""The integer dataflow IR: what the frontend produces and every later stage consumes.

A network is a chain of matrix-vector-threshold layers between a host-side float head
(pre-processing up to the first quantizer) and a host-side float tail (everything after the
last integer tensor). The layers hold only integers and datatypes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from generator.datatypes import DataType


@dataclass
class MatrixLayer:
    """acc[m] = sum_k mul(x[k], w[m][k]); then, if `thresholds` is set,
    out_code[m] = sum_i [acc[m] >= thresholds[m][i]] + out_bias (qonnx MultiThreshold),
    else out = acc. Arrays hold values (bipolar as -1/+1)."""

    name: str
    in_dtype: DataType
    weight_dtype: DataType
    weights: np.ndarray  # int64, (MH, MW): row m = output channel m
    thresholds: np.ndarray | None  # int64, (MH, L), each row ascending; None: output acc
    out_bias: int  # added to the threshold count, in the code domain (0 for BIPOLAR)
    out_dtype: DataType  # of the threshold output; for a raw-accumulator layer set by annotate
    in_shape: tuple[int, ...]  # per-sample shape as the model sees it
    out_shape: tuple[int, ...]
    kind: str = "fc"
    source: str = ""  # name of the ONNX node it came from

    @property
    def mw(self) -> int:
        return int(self.weights.shape[1])

    @property
    def mh(self) -> int:
        return int(self.weights.shape[0])

    @property
    def macs(self) -> int:
        return self.mw * self.mh

    @property
    def has_thresholds(self) -> bool:
        return self.thresholds is not None


@dataclass
class HostHead:
    """Float pre-processing, run on the host: ONNX model input -> the first quantizer's float
    output; values = round(float / scale) + zero_point."""

    onnx_bytes: bytes
    scale: float
    zero_point: int
    input_name: str
    input_shape: tuple[int, ...]  # per-sample shape of the model input


@dataclass
class HostTail:
    """Float tail, run on the host: float_in[c] = float32(value[c] * scale[c] + offset[c]),
    then the ONNX tail model (may be empty: identity) gives the model output."""

    onnx_bytes: bytes | None
    scale: np.ndarray  # float64 per channel
    offset: np.ndarray  # float64 per channel
    input_name: str
    output_shape: tuple[int, ...]


@dataclass
class Network:
    name: str
    layers: list[MatrixLayer]
    head: HostHead
    tail: HostTail
    notes: list[str] = field(default_factory=list)
