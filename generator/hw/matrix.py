"""Annotate: folding (PE, SIMD), multiplier and hardware datatypes per layer, and the cycle model.

The result, a list of LayerImpl (matrix layers: fully-connected or convolution) and PoolImpl
(max pooling), is what rendering, simulation and project.json consume. Both describe their
streams the same way: `in_per_beat`/`out_per_beat` elements per beat, `in_elems`/`out_elems`
per sample, and `stage_cycles`, the cycle estimate of each hardware stage per sample.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from generator.config import Config
from generator.datatypes import DataType, smallest_int_type
from generator.errors import AxgenError
from generator.golden import acc_bounds
from generator.ir import MatrixLayer, PoolLayer
from generator.multipliers import Multiplier, parse
from generator.multipliers.tuning import tune_weights


EDGE_FIFO_MAX = 1024  # beats: the deepest FIFO in front of a layer


def fifo_depth(beats: int) -> int:
    """Depth of an edge FIFO that should hold `beats`: at least 2, at most EDGE_FIFO_MAX."""
    return min(EDGE_FIFO_MAX, max(2, beats))


@dataclass
class LayerImpl:
    """One layer as hardware: the IR layer plus folding, multiplier and widths."""

    index: int
    layer: MatrixLayer  # the IR layer, with tuned weights when tune_weights is set
    pe: int
    simd: int
    multiplier: Multiplier
    acc_dtype: DataType  # signed/unsigned accumulator wide enough for the worst case
    thresholds: np.ndarray | None  # clamped to [acc_min, acc_max + 1]; same results as the IR's
    tuned_weights: int = 0  # weights changed by weight tuning (0 when it is off)
    lut_verilog: str | None = None  # the user's Verilog module for a lut: table, "FILE.v[:module]"
    hls_mul: str = "auto"  # HLS binding of exact products: auto (the tool's choice), fabric (LUTs) or dsp

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def out_dtype(self) -> DataType:
        return self.layer.out_dtype if self.layer.has_thresholds else self.acc_dtype

    @property
    def in_dtype(self) -> DataType:
        return self.layer.in_dtype

    @property
    def sf(self) -> int:
        """Input folds: beats of SIMD elements per input vector."""
        return self.layer.mw // self.simd

    @property
    def nf(self) -> int:
        """Output folds: beats of PE elements per output vector."""
        return self.layer.mh // self.pe

    @property
    def in_per_beat(self) -> int:
        return self.simd

    @property
    def out_per_beat(self) -> int:
        return self.pe

    @property
    def in_elems(self) -> int:
        """Elements per sample on the input stream (a whole image for a convolution)."""
        g = self.layer.conv
        return g.in_h * g.in_w * g.channels if g else self.layer.mw

    @property
    def out_elems(self) -> int:
        return self.layer.mh * (self.layer.conv.pixels if self.layer.conv else 1)

    @property
    def stage_cycles(self) -> dict[str, int]:
        """Cycles per sample of each stage. The MVAU takes MH/PE * MW/SIMD cycles per vector
        (FINN's bound), once per output pixel for a convolution; the sliding-window generator
        moves one beat per cycle on each side: max(input beats, window beats)."""
        mvau = self.nf * self.sf
        g = self.layer.conv
        if g is None:
            return {"mvau": mvau}
        in_beats = g.in_h * g.in_w * g.channels // self.simd
        return {"swg": max(in_beats, g.pixels * self.sf), "mvau": g.pixels * mvau}

    @property
    def cycles(self) -> int:
        return max(self.stage_cycles.values())

    @property
    def edge_fifo_depth(self) -> int:
        """Beats of the FIFO in front of this layer: one input vector for a fully-connected layer
        (it takes a beat per cycle in its first output fold), one pixel for a convolution (its
        sliding-window generator buffers rows itself)."""
        g = self.layer.conv
        return fifo_depth(g.channels // self.simd if g else self.sf)

    @property
    def in_stream_bits(self) -> int:
        return self.simd * self.in_dtype.bitwidth()

    @property
    def out_stream_bits(self) -> int:
        return self.pe * self.out_dtype.bitwidth()


@dataclass
class PoolImpl:
    """A max-pool stage: PE channels per beat on both sides, one input beat per cycle."""

    index: int
    layer: PoolLayer
    pe: int
    multiplier = None  # no products
    lut_verilog = None

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def in_dtype(self) -> DataType:
        return self.layer.dtype

    @property
    def out_dtype(self) -> DataType:
        return self.layer.dtype

    @property
    def in_per_beat(self) -> int:
        return self.pe

    @property
    def out_per_beat(self) -> int:
        return self.pe

    @property
    def in_elems(self) -> int:
        return self.layer.in_h * self.layer.in_w * self.layer.channels

    @property
    def out_elems(self) -> int:
        return self.layer.out_h * self.layer.out_w * self.layer.channels

    @property
    def stage_cycles(self) -> dict[str, int]:
        return {"maxpool": self.in_elems // self.pe}

    @property
    def cycles(self) -> int:
        return self.stage_cycles["maxpool"]

    @property
    def edge_fifo_depth(self) -> int:
        return fifo_depth(self.layer.channels // self.pe)

    @property
    def in_stream_bits(self) -> int:
        return self.pe * self.in_dtype.bitwidth()

    @property
    def out_stream_bits(self) -> int:
        return self.pe * self.out_dtype.bitwidth()


Impl = LayerImpl | PoolImpl


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def _check_fold(layer: MatrixLayer | PoolLayer, key: str, value, total: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1 or total % value:
        valid = _divisors(total)
        raise AxgenError(
            f"layer {layer.name}: {key}={value!r} does not divide {what} ({total}); "
            f"valid values: {', '.join(map(str, valid))}")
    return value


def _flag(layer: MatrixLayer | PoolLayer, value) -> bool:
    if not isinstance(value, bool):
        raise AxgenError(f"layer {layer.name}: tune_weights must be true or false, got {value!r}")
    return value


POOL_KEYS = {"pe"}
HLS_MUL = ("auto", "fabric", "dsp")


def _annotate_pool(index: int, layer: PoolLayer, config: Config, producer: Impl | None) -> PoolImpl:
    """A pool stage's PE is set per layer; by default it follows the producer's PE (no width
    converter) when that divides the channels, else 1. `defaults` do not apply to it."""
    settings = config.layer_entry(index, layer.name)
    extra = sorted(set(settings) - POOL_KEYS)
    if extra:
        raise AxgenError(f"layer {layer.name}: {layer.kind} layers take only {sorted(POOL_KEYS)}, "
                         f"not {extra}")
    inherited = producer.out_per_beat if producer is not None else 1
    default = inherited if layer.channels % inherited == 0 else 1
    pe = _check_fold(layer, "pe", settings.get("pe", default), layer.channels, "the channels")
    return PoolImpl(index, layer, pe)


def _annotate_matrix(index: int, layer: MatrixLayer, config: Config) -> LayerImpl:
    settings = config.for_layer(index, layer.name)
    pe = _check_fold(layer, "pe", settings.get("pe", 1), layer.mh, "the output rows MH")
    if layer.conv is not None:
        # the sliding-window generator moves SIMD channels of one pixel per beat
        simd = _check_fold(layer, "simd", settings.get("simd", 1), layer.conv.channels, "the input channels")
        if any(layer.conv.pads) and layer.in_dtype == DataType["BIPOLAR"]:
            raise AxgenError(f"layer {layer.name}: zero padding of a BIPOLAR input has no code in hardware "
                             "(bipolar values are -1 and +1); supported are unpadded bipolar or padded integer inputs")
    else:
        simd = _check_fold(layer, "simd", settings.get("simd", 1), layer.mw, "the input columns MW")
    mul = parse(settings.get("multiplier", "exact"))
    mul.check_operands(layer.in_dtype, layer.weight_dtype, f"layer {layer.name}")
    tuned = 0
    if _flag(layer, settings.get("tune_weights", False)):
        weights = tune_weights(layer.weights, mul, layer.in_dtype, layer.weight_dtype)
        tuned = int(np.count_nonzero(weights != layer.weights))
        layer = replace(layer, weights=weights)
    lo, hi = acc_bounds(layer, mul)
    acc_dtype = smallest_int_type(min(int(lo.min()), 0), int(hi.max()))
    if acc_dtype.bitwidth() > 32:
        raise AxgenError(f"layer {layer.name}: accumulator needs {acc_dtype.bitwidth()} bits; at most 32 are supported")
    thresholds = None
    if layer.has_thresholds:
        thresholds = np.clip(layer.thresholds, acc_dtype.min(), acc_dtype.max() + 1).astype(np.int64)
    lut_verilog = settings.get("lut_verilog")
    if lut_verilog is not None and (mul.family != "lut" or DataType["BIPOLAR"] in (layer.in_dtype, layer.weight_dtype)):
        raise AxgenError(f"layer {layer.name}: lut_verilog needs a lut:FILE multiplier on integer operands "
                         f"(this layer has {mul.spec} on {layer.in_dtype.name} x {layer.weight_dtype.name})")
    hls_mul = settings.get("hls_mul", "auto")
    if hls_mul not in HLS_MUL:
        raise AxgenError(f"layer {layer.name}: hls_mul={hls_mul!r}; supported: {', '.join(HLS_MUL)}")
    return LayerImpl(index, layer, pe, simd, mul, acc_dtype, thresholds, tuned, lut_verilog, hls_mul)


def annotate(layers: list[MatrixLayer | PoolLayer], config: Config) -> list[Impl]:
    impls: list[Impl] = []
    for index, layer in enumerate(layers):
        if isinstance(layer, PoolLayer):
            impls.append(_annotate_pool(index, layer, config, impls[-1] if impls else None))
        else:
            impls.append(_annotate_matrix(index, layer, config))
    return impls


def threshold_dtype(impl: LayerImpl) -> DataType:
    """Thresholds are compared with the accumulator; they may sit one above its maximum."""
    return smallest_int_type(min(int(impl.acc_dtype.min()), 0), int(impl.acc_dtype.max()) + 1)
