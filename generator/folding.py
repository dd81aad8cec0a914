"""Annotate: folding (PE, SIMD), multiplier and hardware datatypes per layer, and the cycle model.

The result, a list of LayerImpl, is what rendering, simulation and project.json consume.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from generator.config import Config
from generator.datatypes import DataType, smallest_int_type
from generator.errors import AxgenError
from generator.golden import acc_bounds
from generator.ir import MatrixLayer
from generator.multipliers import Multiplier, parse
from generator.multipliers.tuning import tune_weights


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
    def cycles(self) -> int:
        """FINN's MVAU bound: MH/PE * MW/SIMD cycles per sample."""
        return self.nf * self.sf

    @property
    def in_stream_bits(self) -> int:
        return self.simd * self.in_dtype.bitwidth()

    @property
    def out_stream_bits(self) -> int:
        return self.pe * self.out_dtype.bitwidth()


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def _check_fold(layer: MatrixLayer, key: str, value, total: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1 or total % value:
        valid = _divisors(total)
        raise AxgenError(
            f"layer {layer.name}: {key}={value!r} does not divide {what} ({total}); "
            f"valid values: {', '.join(map(str, valid))}")
    return value


def _flag(layer: MatrixLayer, value) -> bool:
    if not isinstance(value, bool):
        raise AxgenError(f"layer {layer.name}: tune_weights must be true or false, got {value!r}")
    return value


def annotate(layers: list[MatrixLayer], config: Config) -> list[LayerImpl]:
    impls = []
    for index, layer in enumerate(layers):
        if layer.kind != "fc":
            raise AxgenError(f"layer {layer.name}: {layer.kind} layers have no hardware backend yet; `axgen inspect` "
                             "and the golden model support them, `axgen build` supports fully-connected layers")
        settings = config.for_layer(index, layer.name)
        pe = _check_fold(layer, "pe", settings.get("pe", 1), layer.mh, "the output rows MH")
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
        impls.append(LayerImpl(index, layer, pe, simd, mul, acc_dtype, thresholds, tuned, lut_verilog))
    return impls


def threshold_dtype(impl: LayerImpl) -> DataType:
    """Thresholds are compared with the accumulator; they may sit one above its maximum."""
    return smallest_int_type(min(int(impl.acc_dtype.min()), 0), int(impl.acc_dtype.max()) + 1)
