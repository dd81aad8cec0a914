"""The integer dataflow IR: what the frontend produces and every later stage consumes.

A network is a dataflow graph of layers (matrix-vector-threshold layers: fully-connected or
convolution; max and average pooling; a stream duplicated to two branches and their elementwise add), in
stream order (every layer after the layers feeding it, the output layer last), between a
host-side float head (pre-processing up to the first quantizer) and a host-side float tail
(everything after the last integer tensor). The layers hold only integers
and datatypes. The IR is immutable: every class is frozen, and later stages (weight tuning, for
one) make changed copies with `dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.datatypes import DataType


def frozen_array(values: np.ndarray) -> np.ndarray:
    """A read-only int64 copy: IR arrays cannot change after the frontend built them."""
    array = np.array(values, dtype=np.int64)
    array.setflags(write=False)
    return array


def out_size(size: int, kernel: int, stride: int, pad_before: int = 0, pad_after: int = 0) -> int:
    """Output length of a sliding window along one axis."""
    return (size + pad_before + pad_after - kernel) // stride + 1


def affine(values: np.ndarray, alpha: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """float32(alpha[c] * (values[:, c] + offset[c])) for integer values (B, C): what a matrix
    node outputs in float for its integer accumulators, and where the host tail starts."""
    return (alpha[None, :] * (values.astype(np.float64) + offset[None, :])).astype(np.float32)


@dataclass(frozen=True)
class ConvGeometry:
    """A convolution as a sliding window over a channels-last image feeding the matrix layer:
    one window (kh, kw, c) per output pixel, output pixels in raster order."""

    in_h: int
    in_w: int
    channels: int
    kernel: tuple[int, int]
    stride: tuple[int, int]
    pads: tuple[int, int, int, int]  # top, left, bottom, right
    out_h: int
    out_w: int

    @property
    def pixels(self) -> int:
        return self.out_h * self.out_w


@dataclass(frozen=True)
class MatrixLayer:
    """acc[m] = sum_k mul(x[k], w[m][k]); then, if `thresholds` is set,
    out_code[m] = sum_i [acc[m] >= thresholds[m][i]] + out_bias (qonnx MultiThreshold),
    else out = acc. Arrays hold values (bipolar as -1/+1). A depthwise convolution (kind "dwconv")
    has one row per channel m holding its KH*KW taps (kh, kw), and x[k] is tap k of channel m's
    window: acc[m] = sum_(kh,kw) mul(x[kh, kw, m], w[m][kh, kw])."""

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
    conv: ConvGeometry | None = None  # set for kinds "conv", "dwconv": the layer runs once per output pixel
    carries: bool = False  # acc (out_dtype) feeds the next matrix layer

    def __post_init__(self):
        object.__setattr__(self, "weights", frozen_array(self.weights))
        if self.thresholds is not None:
            object.__setattr__(self, "thresholds", frozen_array(self.thresholds))

    @property
    def mw(self) -> int:
        return int(self.weights.shape[1])

    @property
    def mh(self) -> int:
        return int(self.weights.shape[0])

    @property
    def macs(self) -> int:
        return self.mw * self.mh * (self.conv.pixels if self.conv else 1)

    @property
    def has_thresholds(self) -> bool:
        return self.thresholds is not None

    @property
    def outputs_accumulator(self) -> bool:
        """True when the layer streams its raw accumulators (no thresholds)."""
        return self.thresholds is None


@dataclass(frozen=True)
class PoolLayer:
    """Max pooling on a channels-last image of integer values (no padding)."""

    name: str
    dtype: DataType
    channels: int
    in_h: int
    in_w: int
    kernel: tuple[int, int]
    stride: tuple[int, int]
    out_h: int
    out_w: int
    kind: str = "maxpool"
    source: str = ""
    weight_dtype = None  # no weights
    outputs_accumulator = False
    sums = False  # the window's maximum, not its sum
    shift = thresholds = None  # the maximum itself: no output stage (see AvgPoolLayer)
    rounding = "FLOOR"
    out_bias = 0

    @property
    def in_shape(self) -> tuple[int, int, int]:
        return (self.in_h, self.in_w, self.channels)

    @property
    def out_shape(self) -> tuple[int, int, int]:
        return (self.out_h, self.out_w, self.channels)

    @property
    def in_dtype(self) -> DataType:
        return self.dtype

    @property
    def out_dtype(self) -> DataType:
        return self.dtype

    @property
    def macs(self) -> int:
        return 0


ROUNDINGS = ("FLOOR", "ROUND")  # an average pool's truncation: floor, or round half to even (numpy, torch)


@dataclass(frozen=True)
class AvgPoolLayer:
    """Average pooling on a channels-last image of integer values (no padding): the integer sum
    over each window, then ONE output stage: the exporter's truncation (`shift` set:
    clip(rounding(sum / 2^shift)) to out_dtype), thresholds (`thresholds` set, qonnx MultiThreshold
    semantics with `out_bias`, as MatrixLayer) or the raw sum (neither: the integer part ends here
    and the host tail takes the sum). Never a division."""

    name: str
    in_dtype: DataType
    channels: int
    in_h: int
    in_w: int
    kernel: tuple[int, int]
    stride: tuple[int, int]
    out_h: int
    out_w: int
    out_dtype: DataType  # of the truncation or thresholds; the sum's own type for a raw sum
    shift: int | None = None
    rounding: str = "FLOOR"
    thresholds: np.ndarray | None = None  # int64, (C, L), each row ascending
    out_bias: int = 0
    kind: str = "avgpool"
    source: str = ""
    weight_dtype = None  # no weights
    sums = True  # the window's sum

    def __post_init__(self):
        if self.thresholds is not None:
            object.__setattr__(self, "thresholds", frozen_array(self.thresholds))

    @property
    def window(self) -> int:
        return self.kernel[0] * self.kernel[1]

    @property
    def sum_bounds(self) -> tuple[int, int]:
        """The lowest and highest window sum."""
        return self.window * int(self.in_dtype.min()), self.window * int(self.in_dtype.max())

    @property
    def outputs_accumulator(self) -> bool:
        """True when the layer streams its raw window sums (no truncation, no thresholds)."""
        return self.shift is None and self.thresholds is None

    @property
    def in_shape(self) -> tuple[int, int, int]:
        return (self.in_h, self.in_w, self.channels)

    @property
    def out_shape(self) -> tuple[int, int, int]:
        return (self.out_h, self.out_w, self.channels)

    @property
    def macs(self) -> int:
        return 0


class _Elementwise:
    """A layer whose output has its input's shape `shape` (channels-last) and no products."""

    weight_dtype = None  # no weights
    macs = 0

    @property
    def channels(self) -> int:
        return self.shape[-1]

    @property
    def in_shape(self) -> tuple[int, ...]:
        return self.shape

    @property
    def out_shape(self) -> tuple[int, ...]:
        return self.shape


@dataclass(frozen=True)
class DuplicateLayer(_Elementwise):
    """A stream sent unchanged to two consumers (the start of a residual branch)."""

    name: str
    dtype: DataType
    shape: tuple[int, ...]  # per sample, channels-last: (H, W, C) or (K,)
    kind: str = "duplicate"
    source: str = ""
    outputs_accumulator = False
    copies = 2

    @property
    def in_dtype(self) -> DataType:
        return self.dtype

    @property
    def out_dtype(self) -> DataType:
        return self.dtype


@dataclass(frozen=True)
class AddLayer(_Elementwise):
    """The join of two branches: acc = (a << shifts[0]) + (b << shifts[1]) elementwise (the
    shifts bring both inputs to one scale), then, if `thresholds` is set, out_code[c] =
    sum_i [acc[c] >= thresholds[c][i]] + out_bias (the add's quantizer), else out = acc."""

    name: str
    in_dtypes: tuple[DataType, DataType]
    shifts: tuple[int, int]
    thresholds: np.ndarray | None  # int64, (C, L), each row ascending; None: output acc
    out_bias: int
    out_dtype: DataType  # of the threshold output; for a raw sum, the sum's type
    shape: tuple[int, ...]  # per sample, channels-last: (H, W, C) or (K,)
    kind: str = "add"
    source: str = ""

    def __post_init__(self):
        if self.thresholds is not None:
            object.__setattr__(self, "thresholds", frozen_array(self.thresholds))

    @property
    def in_dtype(self) -> DataType:
        return self.in_dtypes[0]

    @property
    def acc_range(self) -> tuple[int, int]:
        """The smallest and largest sum."""
        lo = sum(int(dt.min()) << k for dt, k in zip(self.in_dtypes, self.shifts))
        hi = sum(int(dt.max()) << k for dt, k in zip(self.in_dtypes, self.shifts))
        return lo, hi

    @property
    def has_thresholds(self) -> bool:
        return self.thresholds is not None

    @property
    def outputs_accumulator(self) -> bool:
        return self.thresholds is None


@dataclass(frozen=True)
class HostHead:
    """Float pre-processing, run on the host: ONNX model input -> the first quantizer's float
    output; values = round(float / scale) + zero_point."""

    onnx_bytes: bytes
    scale: float
    zero_point: int
    input_name: str
    input_shape: tuple[int, ...]  # per-sample shape of the model input
    channels_last: bool = False  # an image (C, H, W) input streams as (H, W, C)
    input_type: str = ""  # what the input is taken as: "UINT8", "BIPOLAR", "FIXED<16,6>"
    input_from: str = ""  # where that came from: "quantizer NODE", "annotation" or "--input-type"


@dataclass(frozen=True)
class HostTail:
    """Float tail, run on the host: float_in = affine(values, scale, offset), then the ONNX tail
    model (may be empty: identity) gives the model output."""

    onnx_bytes: bytes | None
    scale: np.ndarray  # float64 per channel
    offset: np.ndarray  # float64 per channel
    input_name: str
    output_shape: tuple[int, ...]


@dataclass(frozen=True)
class Network:
    name: str
    layers: tuple[MatrixLayer | PoolLayer | AvgPoolLayer | DuplicateLayer | AddLayer, ...]
    head: HostHead
    tail: HostTail
    sources: tuple[tuple[int, ...], ...] = ()  # per layer, the layers feeding it (-1: the input); () for a chain

    def producers(self, index: int) -> tuple[int, ...]:
        """The layers feeding layer `index`, in its input ports' order (-1: the network input)."""
        return chain_sources(len(self.layers), self.sources)[index]

    @property
    def branches(self) -> bool:
        return any(len(s) > 1 for s in self.sources)


def chain_sources(count: int, sources: tuple = ()) -> tuple[tuple[int, ...], ...]:
    """`sources` as given, or, when empty, those of a chain of `count` layers."""
    return tuple(tuple(s) for s in sources) if sources else tuple((i - 1,) for i in range(count))
