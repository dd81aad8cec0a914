"""Host-side float parts around the accelerator: the head (pre-processing and input quantizer)
and the tail (scaling, bias, TensorNorm after the last integer tensor). Used by the golden
model's end-to-end path, `predict` and the driver alike."""

from __future__ import annotations

import numpy as np
import onnx

from generator import streams
from generator.errors import AxgenError
from generator.ir import HostHead, HostTail, affine
from generator.onnx_exec import run


def head_values(head: HostHead, x: np.ndarray) -> np.ndarray:
    """Float model inputs (N, *input_shape) -> integer values of the first stream, (N, elems)."""
    x = np.asarray(x, dtype=np.float32)
    if x.shape[1:] != tuple(head.input_shape):
        raise AxgenError(f"input of shape {x.shape[1:]} per sample does not match the model's input shape "
                         f"{tuple(head.input_shape)}")
    quantized = run(onnx.load_from_string(head.onnx_bytes), x)
    v = np.round(quantized.astype(np.float64) / head.scale + head.zero_point).astype(np.int64)
    if head.channels_last:
        v = v.transpose(0, 2, 3, 1)  # (N, C, H, W) -> (N, H, W, C): the stream order
    return v.reshape(len(x), -1)


def tail_output(tail: HostTail, values: np.ndarray) -> np.ndarray:
    """Last integer values (N, elements, channels-last) -> the model's float output."""
    values = np.asarray(values, dtype=np.int64)
    channels = len(tail.scale)
    f = affine(values.reshape(-1, channels), tail.scale, tail.offset).reshape(len(values), -1)
    if tail.onnx_bytes is None:
        return streams.channels_first(f, channels, tail.output_shape)
    model = onnx.load_from_string(tail.onnx_bytes)
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim[1:]]  # (C,), (C, H, W), (C, 1, 1)
    return run(model, streams.channels_first(f, channels, dims))
