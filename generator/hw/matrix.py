"""A matrix layer (fully-connected, or a convolution: sliding-window generator + MVAU) as
hardware: folding (PE, SIMD), multiplier, accumulator width, cycle model, FIFO need."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import cached_property

import numpy as np

from generator.config import Config
from generator.datatypes import DataType, dtype, smallest_int_type
from generator.errors import AxgenError
from generator.hw.folding import check_choice, check_flag, divisors, fifo_depth
from generator.hw.latency import window_cycles
from generator.hw.stage import MatrixStage
from generator.hw.thresholds import clamped_thresholds
from generator.hw.unrolled import check_impl, unrolled_impl
from generator.hw.timing import DEFAULT_CLOCK_MHZ, Pipeline, choose, fmax_mhz, shape_of
from generator.ir import MatrixLayer
from generator.multipliers import Multiplier, parse
from generator.multipliers.bounds import acc_bounds, keeps_carried
from generator.multipliers.metrics import error_metrics
from generator.multipliers.tuning import tune_weights

HLS_MUL = ("auto", "fabric", "dsp")
MAX_ACC_BITS = 32


@dataclass(frozen=True)
class LayerImpl(MatrixStage):
    """One matrix layer as hardware: the IR layer (with tuned weights, if tuning is on) plus
    folding, multiplier and widths."""

    index: int
    layer: MatrixLayer  # weights are the tuned ones when tune_weights is set
    pe: int
    simd: int
    multiplier: Multiplier
    acc_dtype: DataType  # signed/unsigned accumulator wide enough for the worst case
    thresholds: np.ndarray | None  # clamped to [acc_min, acc_max + 1], sorted per channel; same results as the IR's
    tuned_weights: int = 0  # weights changed by weight tuning (0 when it is off)
    lut_verilog: str | None = None  # the user's Verilog module for a lut: table, "FILE.v[:module]"
    hls_mul: str = "auto"  # HLS binding of exact products: auto (the tool's choice), fabric (LUTs) or dsp
    clock_mhz: float | None = None  # the clock the pipeline meets (None: DEFAULT_CLOCK_MHZ)
    fixed_pipeline: Pipeline | None = None  # the depths project.json recorded (None: chosen for clock_mhz)
    unit = "mvau"  # the block behind a convolution's sliding-window generator (stage_cycles' key)

    @property
    def folding(self) -> str:
        return f"{self.pe}x{self.simd}"

    @cached_property
    def pipeline(self) -> Pipeline:
        """The block's pipeline depths: recorded, or the shallowest that meets the clock (generator.hw.timing)."""
        if self.fixed_pipeline is not None:
            return self.fixed_pipeline
        return choose(shape_of(self), self.clock_mhz or DEFAULT_CLOCK_MHZ)

    @property
    def estimated_fmax_mhz(self) -> float:
        return round(fmax_mhz(shape_of(self), self.pipeline), 1)

    @property
    def lanes(self) -> int:
        return self.pe * self.simd

    def fold_choices(self) -> dict[str, list[int]]:
        """Every value each folding key may take (the automatic folding's options)."""
        return {"pe": pe_choices(self.layer), "simd": simd_choices(self.layer)}
    @property
    def out_dtype(self) -> DataType:
        return self.layer.out_dtype if self.layer.has_thresholds else self.acc_dtype

    @property
    def in_dtype(self) -> DataType:
        return self.layer.in_dtype

    @property
    def threshold_dtype(self) -> DataType:
        """Thresholds are compared with the accumulator; they may sit one above its maximum."""
        return smallest_int_type(min(int(self.acc_dtype.min()), 0), int(self.acc_dtype.max()) + 1)

    @property
    def split_products(self) -> bool:
        """An approximate family on integer operands: the MVAU takes each weight's sign and
        magnitude from its memory, each activation's once per SIMD lane, and turns the negation of
        a product into an add-or-subtract in the sum (rtl/axgen_mvau.v, MUL_SPLIT)."""
        integer = DataType["BIPOLAR"] not in (self.layer.in_dtype, self.layer.weight_dtype)
        return integer and self.multiplier.family not in ("exact", "lut")

    @property
    def weight_lane_bits(self) -> int:
        """Bits of one weight in the weight memory: its code, or {sign, magnitude} for a signed
        weight of a layer with split products."""
        dt = self.layer.weight_dtype
        return dt.bitwidth() + int(self.split_products and dt.signed())

    @property
    def sf(self) -> int:
        """Input folds: beats of SIMD elements per input vector."""
        return self.layer.mw // self.simd

    @property
    def nf(self) -> int:
        """Output folds: beats of PE elements per output vector."""
        return self.layer.mh // self.pe

    @property
    def swg_simd(self) -> int:
        """Elements per beat of a convolution's window stream (the sliding-window generator's SIMD)."""
        return self.simd

    @property
    def positions(self) -> int:
        """Kernel positions a convolution's beat covers (window parallelism): P with SIMD = C*P,
        1 when SIMD divides the channels (and for a fully-connected layer)."""
        return window_positions(self.layer, self.swg_simd)

    @property
    def in_per_beat(self) -> int:
        """Elements per input beat: SIMD, or one whole pixel (C) for a window-parallel convolution."""
        return self.swg_simd // self.positions

    @property
    def out_per_beat(self) -> int:
        return self.pe

    @property
    def stage_cycles(self) -> dict[str, int]:
        """Cycles per sample of each stage. The MVAU takes MH/PE * MW/SIMD cycles per vector
        (FINN's bound), once per output pixel for a convolution; the sliding-window generator
        moves one beat per cycle on each side: max(input beats, window beats), where an input beat
        is in_per_beat channels of a pixel and a window beat swg_simd elements (P kernel positions),
        and at least the period of the generator and its unit together, with the generator's pause
        at image boundaries (latency.window_period)."""
        mvau = self.nf * self.sf
        g = self.layer.conv
        if g is None:
            return {"mvau": mvau}
        return window_cycles(g, self.in_per_beat, self.swg_simd, mvau, self.unit)

    @property
    def edge_fifo_depth(self) -> int:
        """Beats of the FIFO in front of this layer: one input vector for a fully-connected layer
        (it takes a beat per cycle in its first output fold), one pixel for a convolution (its
        sliding-window generator buffers rows itself)."""
        g = self.layer.conv
        return fifo_depth(g.channels // self.in_per_beat if g else self.sf)


    def entry(self) -> dict:
        """This layer in project.json."""
        layer = self.layer
        return {
            **self.geometry(),
            "mw": layer.mw, "mh": layer.mh,
            "in_dtype": layer.in_dtype.name, "weight_dtype": layer.weight_dtype.name,
            "acc_dtype": self.acc_dtype.name, "out_dtype": self.out_dtype.name,
            "thresholds_per_channel": 0 if self.thresholds is None else int(self.thresholds.shape[1]),
            "threshold_dtype": None if self.thresholds is None else self.threshold_dtype.name,
            "pe": self.pe, "simd": self.simd,
            "multiplier": {"spec": self.multiplier.spec,
                           **error_metrics(self.multiplier, layer.in_dtype, layer.weight_dtype)},
            "tuned_weights": self.tuned_weights,
            "pipeline": {**self.pipeline.entry(self.simd), **asdict(self.pipeline)},
            "estimated_fmax_mhz": self.estimated_fmax_mhz,
        }


def pe_choices(layer: MatrixLayer) -> list[int]:
    return divisors(layer.mh)


def window_choices(layer: MatrixLayer) -> list[int]:
    """Kernel positions P > 1 one beat of a convolution's window may cover (consecutive in the
    window order kh, kw, c): a divisor of K_W (positions of one kernel row) or K_W*r with r a
    divisor of K_H (r whole kernel rows)."""
    if layer.conv is None:
        return []
    k_h, k_w = layer.conv.kernel
    return sorted({p for p in divisors(k_w) + [k_w * r for r in divisors(k_h)] if p > 1})


def window_positions(layer: MatrixLayer, simd: int) -> int:
    """P of a convolution folded at `simd` (1 unless SIMD = C*P with P in window_choices)."""
    c = layer.conv.channels if layer.conv is not None else 0
    return simd // c if c and simd > c and simd % c == 0 else 1


def simd_choices(layer: MatrixLayer) -> list[int]:
    """A convolution's sliding-window generator moves SIMD channels of one pixel per beat (SIMD a
    divisor of the channels C) or P whole kernel positions per beat (SIMD = C*P, window_choices)."""
    if layer.conv is None:
        return divisors(layer.mw)
    c = layer.conv.channels
    return divisors(c) + [c * p for p in window_choices(layer)]


def annotate_matrix(index: int, layer: MatrixLayer, config: Config, producer=None):
    settings = config.for_layer(index, layer.name)
    if check_impl(layer, settings) == "unrolled":
        return unrolled_impl(index, layer, settings)
    pe = check_choice(layer, "pe", settings.get("pe", 1), pe_choices(layer), f"the output rows MH ({layer.mh})")
    simd = check_choice(layer, "simd", settings.get("simd", 1), simd_choices(layer),
                        f"the input channels ({layer.conv.channels}) or whole kernel positions of the "
                        f"{layer.conv.kernel[0]}x{layer.conv.kernel[1]} window" if layer.conv is not None
                        else f"the input columns MW ({layer.mw})")
    return matrix_impl(LayerImpl, index, layer, pe, simd, settings)


def matrix_impl(cls: type, index: int, layer: MatrixLayer, pe: int, simd: int, settings: dict) -> LayerImpl:
    """The stage of class `cls` (LayerImpl or a subclass) at a checked folding: multiplier, weight
    tuning, accumulator and the remaining settings, checked."""
    if layer.conv is not None:
        if any(layer.conv.pads) and layer.in_dtype == DataType["BIPOLAR"]:
            raise AxgenError(f"layer {layer.name}: zero padding of a BIPOLAR input has no code in hardware "
                             "(bipolar values are -1 and +1); supported are unpadded bipolar or padded integer inputs")
    mul = parse(settings.get("multiplier", "exact"))
    mul.check_operands(layer.in_dtype, layer.weight_dtype, f"layer {layer.name}")
    tuned = 0
    if check_flag(layer, "tune_weights", settings.get("tune_weights", False)):
        weights = tune_weights(layer.weights, mul, layer.in_dtype, layer.weight_dtype)
        tuned = int(np.count_nonzero(weights != layer.weights))
        layer = replace(layer, weights=weights)
    lo, hi = acc_bounds(layer, mul)
    acc_dtype = smallest_int_type(min(int(lo.min()), 0), int(hi.max()))
    if layer.carries:  # the next layer takes the accumulator as its input type: it must hold it
        out = layer.out_dtype
        if not keeps_carried(layer, lo, hi):
            raise AxgenError(f"layer {layer.name}: its accumulator goes on into the next layer as {out.name} (no "
                             f"activation quantizer between them); multiplier {mul.spec} takes it to "
                             f"[{int(lo.min())}, {int(hi.max())}], outside {out.name}; choose a multiplier whose "
                             "products stay within the exact range (e.g. exact) for this layer")
        acc_dtype = out
    if acc_dtype.bitwidth() > MAX_ACC_BITS:
        raise AxgenError(f"layer {layer.name}: accumulator needs {acc_dtype.bitwidth()} bits; "
                         f"at most {MAX_ACC_BITS} are supported")
    lut_verilog = settings.get("lut_verilog")
    if lut_verilog is not None and (mul.family != "lut" or DataType["BIPOLAR"] in (layer.in_dtype, layer.weight_dtype)):
        raise AxgenError(f"layer {layer.name}: lut_verilog needs a lut:FILE multiplier on integer operands "
                         f"(this layer has {mul.spec} on {layer.in_dtype.name} x {layer.weight_dtype.name})")
    hls_mul = settings.get("hls_mul", "auto")
    if hls_mul not in HLS_MUL:
        raise AxgenError(f"layer {layer.name}: hls_mul={hls_mul!r}; supported: {', '.join(HLS_MUL)}")
    return cls(index, layer, pe, simd, mul, acc_dtype, clamped_thresholds(layer, acc_dtype), tuned, lut_verilog, hls_mul)


def reopen_matrix(index: int, layer: MatrixLayer, entry: dict, settings: dict, weights: np.ndarray | None,
                  cls: type = LayerImpl) -> LayerImpl:
    """The layer as `build` planned it, from its project.json entry (folding, accumulator,
    tuning), the stored settings (multiplier with the project's copy of a lut: table, hls_mul)
    and the tuned weights `build` stored (None: the IR's)."""
    if weights is not None:
        layer = replace(layer, weights=weights)
    if entry.get("impl") == "unrolled":
        return unrolled_impl(index, layer, settings, entry["adder_graph"]["levels_per_segment"], weights is not None)
    acc_dtype = dtype(entry["acc_dtype"])
    user = entry.get("lut_verilog")
    lut_verilog = None if user is None else f"{user['source']}:{user['module']}"
    pipeline = Pipeline.from_entry(entry["pipeline"]) if "pipeline" in entry else None
    return cls(index, layer, entry["pe"], entry["simd"], parse(settings.get("multiplier", "exact")), acc_dtype,
               clamped_thresholds(layer, acc_dtype), entry["tuned_weights"], lut_verilog, settings.get("hls_mul", "auto"),
               fixed_pipeline=pipeline)
