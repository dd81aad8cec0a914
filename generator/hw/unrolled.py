"""A matrix layer unrolled (hls4ml's latency strategy, reuse factor 1): the whole input vector in
one beat, the whole output vector out one beat later (II = 1), the weights constants in the logic
as an adder graph (generator.hw.adder_graph), thresholds compared with constants. Selected per
layer with `impl: unrolled` (default `folded`). A convolution's vector is its window: the
sliding-window generator takes a pixel per beat and gives a whole window per beat (P = K_H * K_W
kernel positions, SIMD = MW), one output pixel per cycle.

The graph is cut into pipeline segments of `levels` adder levels each: segment s computes the
nodes of levels s*levels+1 .. (s+1)*levels from the values registered at its start. Then each
output's thresholds as a binary search (`steps` comparisons with a threshold chosen by the bits
found so far, `levels` per segment), or, where every channel's thresholds are evenly spaced by a
power of two (a quantizer with a power-of-two scale: generator.hw.thresholds.Steps), as arithmetic
in one or two segments (a subtraction, a shift, a comparison of the low bits, a clip), or the raw
accumulators. An input register, a register after each segment (the first segment reads the
input register; the edge FIFO's head in front of it is steered by its not_empty on every bit, so
the layer keeps its own register: see `depth`); an output register after the last, next to the
output FIFO's LUT RAM (placed, the route from the last segment's logic to the LUT RAM's write port
took 6 ns of the jet fc0's 8.6 ns critical path): `depth` registers from an accepted input to the
output FIFO.
No register has an enable: a vector enters while the output FIFO (`credits` vectors) has room for
every vector in flight, and its valid bit walks along with it (rtl/axgen_credits.v, as the folded
MVAU does). `multiplier: csd:k=K` rounds each weight to K signed power-of-two digits first, and
`csd:k=K,drop=D` zeroes the weights of magnitude <= D before (generator.multipliers.csd): fewer
adders, computed exactly by every backend."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from generator.datatypes import DataType, fit_dtype, smallest_int_type
from generator.errors import AxgenError
from generator.hw.adder_graph import DEPTH_SLACK, ZERO, AdderGraph, solve_matrix
from generator.hw.latency import window_cycles
from generator.hw.memories import FIFO_LANE_BITS, distributed, fifo_rams
from generator.hw.stage import MatrixStage
from generator.hw.thresholds import Steps, clamped_thresholds, steps_form
from generator.ir import MatrixLayer
from generator.hw.folding import check_flag
from generator.hw.product_tables import ProductTable, product_matrix
from generator.hw.timing import CONTROL, DEFAULT_CLOCK_MHZ, MARGIN, adder_delay
from generator.hw.timing import coefficients as timing_coefficients
from generator.multipliers import EXACT, Multiplier, parse
from generator.multipliers.tuning import tune_weights
from generator.multipliers.bounds import acc_bounds, keeps_carried
from generator.multipliers.csd import constant_rounding

IMPLS = ("folded", "unrolled")
MAX_LEVELS = 4  # the most adder levels per pipeline segment the clock may choose
LUTRAM_DEPTH = 64  # words of one LUT RAM column (RAM64M; four DPR16X4 and a 4:1 multiplexer on ECP5)


def _signed_bits(lo: int, hi: int) -> int:
    """Bits of the narrowest two's complement type holding [lo, hi] (a sign bit always)."""
    return smallest_int_type(min(int(lo), -1), int(hi)).bitwidth()


@dataclass(frozen=True)
class UnrolledImpl(MatrixStage):
    index: int
    layer: MatrixLayer
    graph: AdderGraph
    acc_dtype: DataType
    thresholds: np.ndarray | None  # clamped to [acc_min, acc_max + 1], sorted per channel
    fixed_levels: int | None = None  # adder levels per segment from the config (`levels`); None: chosen for the clock
    clock_mhz: float | None = None
    spec: str = "exact"  # or csd:k=K[,drop=D]: the weights rounded (layer holds them), the products exact
    tuned_weights: int = 0  # weights the rounding or the tuning changed
    multiplier: Multiplier = EXACT  # exact products by the (possibly rounded) constants, or a family's as tables
    tables: tuple[ProductTable, ...] = ()  # graph inputs MW.. : a family's products by constants (hw.product_tables)
    depth_slack: int | None = DEPTH_SLACK  # adder levels beyond the shallowest graph (None: any)
    lut_verilog = None
    pe = simd = 1  # no folding: the whole vector per beat

    @property
    def kind(self) -> str:
        return "unrolled"

    @property
    def folding(self) -> str:
        return "unrolled"

    @property
    def lanes(self) -> int:
        return self.layer.mw * self.layer.mh

    def fold_choices(self) -> dict[str, list[int]]:
        return {}

    @property
    def in_dtype(self) -> DataType:
        return self.layer.in_dtype

    @property
    def out_dtype(self) -> DataType:
        return self.layer.out_dtype if self.layer.has_thresholds else self.acc_dtype

    @property
    def in_per_beat(self) -> int:
        """The whole vector, or a convolution's whole pixel (its window generator makes windows)."""
        g = self.layer.conv
        return g.channels if g is not None else self.layer.mw

    @property
    def out_per_beat(self) -> int:
        return self.layer.mh

    @property
    def swg_simd(self) -> int:
        """Elements per beat of the graph's input: the whole vector (a convolution's window)."""
        return self.layer.mw

    @property
    def positions(self) -> int:
        """Kernel positions per window beat: all of them."""
        g = self.layer.conv
        return g.kernel[0] * g.kernel[1] if g is not None else 1

    @property
    def stage_cycles(self) -> dict[str, int]:
        g = self.layer.conv
        if g is None:
            return {"unrolled": 1}
        return window_cycles(g, self.in_per_beat, self.swg_simd, 1, "unrolled")

    @property
    def edge_fifo_depth(self) -> int:
        return 2

    @property
    def input_intervals(self) -> list[tuple[int, int]]:
        return graph_inputs(self.layer, self.tables)

    @cached_property
    def node_types(self) -> list[DataType]:
        """The narrowest type of every node (inputs included) for inputs of the layer's type: UINT
        for a node that is never negative, INT otherwise."""
        return [smallest_int_type(lo, hi) for lo, hi in self.graph.ranges(self.input_intervals).tolist()]

    @cached_property
    def node_bits(self) -> np.ndarray:
        return np.array([dt.bitwidth() for dt in self.node_types], dtype=np.int64)

    @cached_property
    def node_signed(self) -> np.ndarray:
        return np.array([dt.signed() for dt in self.node_types], dtype=bool)

    @cached_property
    def levels(self) -> int:
        """Adder levels per pipeline segment: the config's, or the most whose every path meets the
        clock (generator.hw.timing's coefficients; 1 if none does)."""
        if self.fixed_levels is not None:
            return self.fixed_levels
        period = 1000.0 / ((self.clock_mhz or DEFAULT_CLOCK_MHZ) * MARGIN)
        for levels in range(MAX_LEVELS, 1, -1):
            if max(self.path_delays(levels).values()) <= period:
                return levels
        return 1

    @cached_property
    def readers(self) -> np.ndarray:
        """Per node, the adders and outputs that read it (its fanout)."""
        count = np.zeros(self.graph.n_inputs + self.graph.adders, dtype=np.int64)
        for a, _, _, b, _, _ in self.graph.ops.tolist():
            count[a] += 1
            count[b] += 1
        for node in self.graph.outputs[:, 0].tolist():
            if node != ZERO:
                count[node] += 1
        return count

    def path_delays(self, levels: int) -> dict[str, float]:
        """Each register-to-register path, in ns, at `levels` adder levels per segment (the timing
        model's coefficients): a segment's adder levels, each as wide as its widest adder, plus the
        fanout of the values it reads; a search segment's comparisons, each with its threshold's
        multiplexer; the product tables between the input and its register; the credits and FIFO
        (its write enable fanned out to its LUT RAMs)."""
        c = timing_coefficients()
        # the output FIFO's fill count drives the write enable of every LUT RAM column across a
        # lane's width (ECP5: 4 bits each; placed, jet-on-digits fc0's 96 over its 1,536 bits took
        # 5.6 ns of routing, before the FIFO had lanes)
        rams = -(-min(self.out_stream_bits, FIFO_LANE_BITS) // 4)
        reg, paths = c["reg"], {CONTROL: c["control"] + c["fanout"] * math.log2(max(rams, 1))}
        if self.tables:
            paths["tables"] = reg + c["lut"] + c["route"]
        depth = self.graph.levels
        n_in = self.graph.n_inputs
        for seg in range(-(-int(depth.max()) // levels) if self.graph.adders else 0):
            delay, fanout = 0.0, 1
            for level in range(seg * levels + 1, (seg + 1) * levels + 1):
                nodes = [n_in + i for i in np.flatnonzero(depth[n_in:] == level).tolist()]
                if not nodes:
                    break
                delay += adder_delay(int(max(self.node_bits[n] for n in nodes)))
                read = {int(x) for n in nodes for x in self.graph.ops[n - n_in][[0, 3]]}
                fanout = max(fanout, max(int(self.readers[x]) for x in read))
            paths[f"adders_{seg}"] = reg + delay + c["fanout"] * math.log2(fanout)
        if self.quantizers:
            first, second = self.quantizer_delays()
            if self.quantizer_segments == 1:
                paths["quantizers"] = reg + first + second
            else:
                paths["quantizers_0"], paths["quantizers_1"] = reg + first, reg + second
        steps = self.steps
        for seg in range(-(-steps // levels)):
            k = min(levels, steps - seg * levels)
            paths[f"thresholds_{seg}"] = reg + k * (adder_delay(self.acc_bits + 1) + c["lut"] + c["route"])
        return paths

    @property
    def estimated_fmax_mhz(self) -> float:
        return round(1000.0 / max(self.path_delays(self.levels).values()), 1)

    @cached_property
    def segments(self) -> int:
        """Pipeline segments of adders (0 for a graph without adders)."""
        top = int(self.graph.levels.max()) if self.graph.adders else 0
        return -(-top // self.levels)

    def segment_of(self, node: int) -> int:
        """The segment computing `node`; -1 for an input (registered into segment 0)."""
        level = int(self.graph.levels[node])
        return -1 if level == 0 else (level - 1) // self.levels

    @cached_property
    def last_uses(self) -> np.ndarray:
        """Per node, the last segment that reads it (the segments' count for an output: the
        thresholds read the accumulators after the last segment); -2 for a node nobody reads."""
        graph = self.graph
        last = np.full(graph.n_inputs + graph.adders, -2, dtype=np.int64)
        for i, (a, _, _, b, _, _) in enumerate(graph.ops.tolist()):
            seg = self.segment_of(graph.n_inputs + i)
            last[a] = max(last[a], seg)
            last[b] = max(last[b], seg)
        for j in range(self.layer.mh):
            term = output_term(self, j)
            if term is not None:
                last[term[0]] = self.segments
        return last

    @cached_property
    def registers(self) -> list[tuple[int, int]]:
        """(node, segment) of every pipeline register: a node's value held at the start of each
        segment after the one computing it, up to the last that reads it (an input from segment 0:
        the input register, see `depth`)."""
        return [(node, t) for node in range(len(self.last_uses))
                for t in range(self.segment_of(node) + 1, int(self.last_uses[node]) + 1)]

    @cached_property
    def quantizers(self) -> tuple[Steps, ...] | None:
        """Every output's thresholds as arithmetic (generator.hw.thresholds.Steps), where all of them
        are evenly spaced by a power of two and a search would take more than one comparison; None:
        the binary search (or no thresholds)."""
        if self.thresholds is None or self.thresholds.shape[1] < 2:
            return None
        return steps_form(self.layer)

    @property
    def steps(self) -> int:
        """Comparisons per output of the thresholds' binary search (0: raw accumulators out, or
        the thresholds as arithmetic)."""
        return 0 if self.thresholds is None or self.quantizers else int(self.thresholds.shape[1]).bit_length()

    @property
    def threshold_segments(self) -> int:
        """Pipeline segments of the thresholds' search, `levels` comparisons each (at least one:
        the output codes are computed in it), or of their arithmetic form (one or two)."""
        return self.quantizer_segments if self.quantizers else max(1, -(-self.steps // self.levels))

    def step_bits(self, q: Steps) -> int:
        """Width of a quantizer's difference d = acc - base: it holds the accumulator, d, and the
        sign above the shift."""
        d = _signed_bits(int(self.acc_dtype.min()) - q.base, int(self.acc_dtype.max()) - q.base)
        return max(self.acc_bits, d, q.shift + 2)

    def quantizer_delays(self) -> tuple[float, float]:
        """ns of the quantizers' two halves, the widest of them: the difference from the base (a
        register after it where both do not fit one period), then the comparison of its low bits
        with the offset (a carry chain, or a few LUTs for offsets of 0 and 1), the increment of the
        code and the clip."""
        c = timing_coefficients()
        bits = self.out_dtype.bitwidth()
        first = max(adder_delay(self.step_bits(q)) for q in self.quantizers)
        compare = max(adder_delay(q.shift) if max(q.pattern) > 1 else 2 * c["lut"] + c["route"] for q in self.quantizers)
        return first, compare + adder_delay(bits) + c["lut"]

    @cached_property
    def quantizer_segments(self) -> int:
        """1 where the quantizers fit one period of the clock (with the margin), else 2."""
        period = 1000.0 / ((self.clock_mhz or DEFAULT_CLOCK_MHZ) * MARGIN)
        return 1 if timing_coefficients()["reg"] + sum(self.quantizer_delays()) <= period else 2

    @property
    def depth(self) -> int:
        """Registers from an accepted input beat to the output FIFO's write (cycles to it): the input
        register and one after every segment (the last one the output register). The input register
        stays: without it the first adders read the edge FIFO's head register, whose load (a pop,
        or empty) `not_empty` steers on every input bit, and the placer spreads those bits over the
        layer: the demo MLP's unrolled top placed at 113.7 MHz (1.2 ns logic, 7.6 ns routing from
        not_empty into fc1), with the register at 131.5 MHz (125 MHz target). After product tables
        it also splits their LUT from the first adders."""
        return 1 + self.segments + self.threshold_segments

    @property
    def credits(self) -> int:
        """Vectors the output FIFO holds: everything in flight, plus the round trip of a credit
        (written, read, returned through a register), so that one vector per cycle goes through.
        The returning register: placed, the pruned jet tagger's whole top reached 124.3 MHz (125 MHz
        target) with the credit returned straight from fc0's output FIFO (6.8 ns of routing)."""
        return self.depth + 3

    @property
    def fifo_distributed(self) -> bool:
        """The output FIFO in LUT RAM, its head the RAM's read (axgen_fifo HEAD_REG 0): always where it
        is at most LUTRAM_DEPTH vectors deep, however wide (a block RAM would hold a few words of
        each of many blocks, its head a register and a multiplexer per bit), else by size."""
        return self.credits <= LUTRAM_DEPTH or distributed(self.credits, self.out_stream_bits)

    @property
    def acc_bits(self) -> int:
        """Width of the accumulators as compared: the accumulator's range and one above it, signed."""
        return _signed_bits(self.acc_dtype.min(), int(self.acc_dtype.max()) + 1)

    def adder_cells(self, i: int) -> tuple[int, int]:
        """(LUTs, carry-chain bits) of adder i, as synth_xilinx maps it: a LUT for each bit where
        both operands vary (below its shift an operand is 0; above its width, its sign, or 0 if it
        is never negative: with a constant operand the chain's propagate is the other operand, a
        wire); the carry chain from the higher of the two shifts (below it the sum is a wire)."""
        a, sa, _, b, sb, _ = (int(v) for v in self.graph.ops[i])
        w = int(self.node_bits[self.graph.n_inputs + i])

        def top(node, shift):
            return w if self.node_signed[node] else min(w, shift + int(self.node_bits[node]))
        return max(0, min(top(a, sa), top(b, sb)) - max(sa, sb)), max(0, w - max(sa, sb))

    def counted_resources(self) -> dict:
        """Counted, not fitted: an adder's LUTs and carry bits as `adder_cells` (7-series: CARRY4 per
        4 bits), a product table a LUT6 per output bit (2^(b-6) for b > 6 input bits), a search
        step's comparison with its threshold mux a LUT per bit, a quantizer's (Steps) subtraction
        above its shift, a LUT per five bits of the offset's comparison and per three of h >= n, its
        increment and clip a LUT per code bit each; flip-flops and shift registers as
        `register_cells`."""
        n_in = self.graph.n_inputs
        live = np.flatnonzero(self.last_uses[n_in:] >= 0).tolist()
        counted = np.array([self.adder_cells(i) for i in live], dtype=np.int64).reshape(-1, 2)
        mw = self.layer.mw
        per_bit = 1 << max(0, self.in_dtype.bitwidth() - 6)
        table_luts = sum(int(self.node_bits[k]) * per_bit for k in range(mw, n_in) if self.last_uses[k] >= 0)
        compares = self.steps * self.out_per_beat  # a comparator per search step, its threshold a small mux
        luts = int(counted[:, 0].sum()) + table_luts + compares * (self.acc_bits + 1)
        carry = int(sum(-(-int(b) // 4) for b in counted[:, 1])) + compares * -(-(self.acc_bits + 1) // 4)
        bits = self.out_dtype.bitwidth()
        for q in self.quantizers or ():
            w = self.step_bits(q)
            luts += (w - q.shift) + -(-q.shift // 5) + -(-(w - q.shift) // 3) + 2 * bits
            carry += -(-(w - q.shift) // 4) + -(-bits // 4)
        lanes = fifo_rams(self.credits, self.out_stream_bits, self.fifo_distributed)
        fifo_ff = self.credits * self.out_stream_bits if lanes[0].kind == "logic" else 0
        ff, srl = register_cells(self)
        return {"lut": luts + sum(m.mux_luts for m in lanes), "ff": ff + fifo_ff, "carry": carry,
                "lutram": sum(m.lutram for m in lanes) + srl, "bram18": sum(m.bram18 for m in lanes), "uram": 0, "dsp": 0}

    def entry(self) -> dict:
        """This layer in project.json."""
        layer = self.layer
        return {
            **self.geometry(),
            "impl": "unrolled", "mw": layer.mw, "mh": layer.mh,
            "in_dtype": layer.in_dtype.name, "weight_dtype": layer.weight_dtype.name,
            "acc_dtype": self.acc_dtype.name, "out_dtype": self.out_dtype.name,
            "thresholds_per_channel": 0 if self.thresholds is None else int(self.thresholds.shape[1]),
            "thresholds_as": None if self.thresholds is None else "steps" if self.quantizers else "search",
            "pe": layer.mh, "simd": layer.mw,
            "multiplier": {"spec": self.spec},
            "tuned_weights": self.tuned_weights,
            "adder_graph": {"adders": self.graph.adders, "depth": int(self.graph.levels.max()) if self.graph.adders else 0,
                            "depth_slack": "any" if self.depth_slack is None else self.depth_slack,
                            "levels_per_segment": self.levels, "segments": self.segments,
                            "adder_bits": int(self.node_bits[self.graph.n_inputs:].sum())},
            "pipeline_depth": self.depth,
            "estimated_fmax_mhz": self.estimated_fmax_mhz,
        }


def check_impl(layer, settings: dict) -> str:
    impl = settings.get("impl", "folded")
    if impl not in IMPLS:
        raise AxgenError(f"layer {layer.name}: impl={impl!r}; supported: {', '.join(IMPLS)}")
    if impl == "unrolled" and (layer.kind not in ("fc", "conv") or layer.in_dtype == DataType["BIPOLAR"]):
        raise AxgenError(f"layer {layer.name}: impl=unrolled is supported on fully-connected and convolutional layers "
                         f"with integer inputs (this is a {layer.kind} layer on {layer.in_dtype.name}); use impl: folded")
    return impl


def unrolled_impl(index: int, layer: MatrixLayer, settings: dict, levels: int | None = None,
                  rounded: bool = False) -> UnrolledImpl:
    """The unrolled stage of `layer`: exact weights, or with multiplier csd:k=K[,drop=D] each weight
    rounded to K signed digits, zero at magnitude <= D (`rounded`: the layer's weights are already, as project.json stored them)."""
    spec = str(settings.get("multiplier", "exact"))
    rounding = constant_rounding(spec)
    mul = EXACT if rounding is not None else parse(spec)
    mul.check_operands(layer.in_dtype, layer.weight_dtype, f"layer {layer.name}")
    tune = check_flag(layer, "tune_weights", settings.get("tune_weights", False))
    if tune and rounding is not None:
        raise AxgenError(f"layer {layer.name}: {spec} sets the weights itself; tune_weights is for a multiplier "
                         "family's products")
    changed = 0
    if not rounded and (rounding is not None or tune):
        weights = rounding(layer.weights) if rounding is not None else tune_weights(
            layer.weights, mul, layer.in_dtype, layer.weight_dtype)
        changed = int(np.count_nonzero(weights != layer.weights))
        layer = replace(layer, weights=weights, weight_dtype=fit_dtype(weights, layer.weight_dtype))
    for key in ("pe", "simd"):
        if key in settings and settings[key] not in (1, layer.mh if key == "pe" else layer.mw):
            raise AxgenError(f"layer {layer.name}: an unrolled layer takes the whole vector per beat (PE = MH = "
                             f"{layer.mh}, SIMD = MW = {layer.mw}); leave {key} out")
    lo, hi = acc_bounds(layer, mul)
    acc_dtype = smallest_int_type(min(int(lo.min()), 0), int(hi.max()))
    if layer.carries:
        if not keeps_carried(layer, lo, hi):
            raise AxgenError(f"layer {layer.name}: its accumulator goes on into the next layer as "
                             f"{layer.out_dtype.name}; with {spec} it reaches [{int(lo.min())}, {int(hi.max())}], "
                             "outside it; use exact weights on this layer")
        acc_dtype = layer.out_dtype
    matrix, tables = (layer.weights, ()) if mul.is_exact else product_matrix(
        layer.weights, mul, layer.in_dtype, layer.weight_dtype, f"layer {layer.name}")
    slack = settings.get("depth_slack", DEPTH_SLACK)
    if slack != "any" and (isinstance(slack, bool) or not isinstance(slack, int) or slack < 0):
        raise AxgenError(f"layer {layer.name}: depth_slack (adder levels the graph may take beyond the shallowest) "
                         f"must be a non-negative integer or \"any\", got {slack!r}")
    graph = solve_matrix(matrix, graph_inputs(layer, tables), None if slack == "any" else slack)
    levels = levels or settings.get("levels")
    if levels is not None and (isinstance(levels, bool) or not isinstance(levels, int) or levels < 1):
        raise AxgenError(f"layer {layer.name}: levels (adder levels per pipeline segment) must be a positive integer, "
                         f"got {levels!r}; leave it out to have it chosen for the clock")
    return UnrolledImpl(index, layer, graph, acc_dtype, clamped_thresholds(layer, acc_dtype), levels, spec=spec,
                        tuned_weights=changed, multiplier=mul, tables=tables, depth_slack=None if slack == "any" else slack)


def graph_inputs(layer: MatrixLayer, tables) -> list[tuple[int, int]]:
    """[lo, hi] of every graph input: the activations, then the product tables."""
    dt = layer.in_dtype
    return [(int(dt.min()), int(dt.max()))] * layer.mw + [(t.lo, t.hi) for t in tables]


def output_term(impl: UnrolledImpl, j: int) -> tuple[int, int, int] | None:
    """Output j as (node, shift, neg), or None for a constant 0."""
    node, shift, neg = (int(v) for v in impl.graph.outputs[j])
    return None if node == ZERO else (node, shift, neg)


def wired_low_bits(op, width: int) -> int:
    """Low bits of an adder (a, shift_a, neg_a, b, shift_b, neg_b) of `width` bits that are wires,
    not added: where one operand is shifted k bits further than the other (unshifted, not negated),
    the sum's low k bits are the other's own (the shifted operand's zeros carry nothing into them)."""
    _, sa, na, _, sb, nb = op
    k = abs(sa - sb)
    low_negated = na if sa < sb else nb
    return 0 if k == 0 or min(sa, sb) != 0 or low_negated or k >= width else k


def sum_text(ta: str, na: int, tb: str, nb: int, negate: str) -> str:
    """An adder's expression from its operands' texts and negations (both backends); `negate`
    prefixes a negated first operand when both are ("-" in C++, "W'd0 - " in Verilog)."""
    if not na:
        return f"{ta} {'-' if nb else '+'} {tb}"
    return f"{tb} - {ta}" if not nb else f"{negate}{ta} - {tb}"


def search_tables(impl: UnrolledImpl, j: int) -> list[list[int | None]]:
    """Output j's thresholds as a binary search: step k (the count's bit n-1-k, n = steps) compares
    the accumulator with table[k][the k bits found so far], None where the candidate count is
    beyond the thresholds (never taken). The bits found are the number of thresholds reached."""
    row = [int(t) for t in impl.thresholds[j]]
    n = impl.steps
    tables = []
    for k in range(n):
        bit = n - 1 - k
        cands = [(prefix << (bit + 1)) + (1 << bit) for prefix in range(1 << k)]
        tables.append([row[c - 1] if c <= len(row) else None for c in cands])
    return tables


SRL_MIN = 3  # the shortest run of registers synth_xilinx maps to a shift register (SRL16E: 16 stages a LUT)
SRL_STAGES = 16


def register_cells(impl: UnrolledImpl) -> tuple[int, int]:
    """(flip-flops, shift-register LUTs) of the pipeline: a value held over several segments is a
    chain of registers, cut where logic reads it; a run of SRL_MIN or more whose last alone is read
    is a shift register (a LUT per bit per SRL_STAGES), shorter runs flip-flops; then the registers
    between the thresholds' segments (the accumulator and the count's bits so far, or a quantizer's
    difference), the output register and the valid bits."""
    graph, n_in = impl.graph, impl.graph.n_inputs
    reads: dict[int, set[int]] = {}
    for i, (a, _, _, b, _, _) in enumerate(graph.ops.tolist()):
        if impl.last_uses[n_in + i] >= 0:
            seg = impl.segment_of(n_in + i)
            reads.setdefault(a, set()).add(seg)
            reads.setdefault(b, set()).add(seg)
    held: dict[int, list[int]] = {}
    for node, t in impl.registers:
        held.setdefault(node, []).append(t)
    out_ff = impl.out_stream_bits
    if impl.thresholds is None:  # raw accumulators: the output register goes on with the chain of a plain term
        code_bits, extended = impl.out_dtype.bitwidth(), set()
        for j in range(impl.layer.mh):
            term = output_term(impl, j)
            if term is not None and not term[2] and term[0] in held:
                if term[0] not in extended:  # outputs of one node share its registers (Yosys merges them)
                    held[term[0]].append(max(held[term[0]]) + 1)
                    extended.add(term[0])
                out_ff -= code_bits
    ff = srl = 0
    for node, segments in held.items():
        width, run, last = int(impl.node_bits[node]), 0, max(segments)
        for t in sorted(segments):
            run += 1
            if t in reads.get(node, ()) or t == last:  # read by logic (the accumulators: after the last segment)
                if run >= SRL_MIN:
                    srl += width * -(-run // SRL_STAGES)
                else:
                    ff += width * run
                run = 0
    if impl.quantizers:
        search = sum(impl.step_bits(q) for q in impl.quantizers) * (impl.quantizer_segments - 1)
    else:
        search = sum(impl.acc_bits + t * impl.levels for t in range(1, impl.threshold_segments)) * impl.out_per_beat
    return ff + search + max(0, out_ff) + impl.depth, srl
