"""Timing model of the matrix blocks (rtl/axgen_mvau.v, rtl/axgen_vvau.v): the delay of every
register-to-register path from the block's parameters, the pipeline depths that meet a target
clock, and the block's estimated Fmax, before any tool runs.

A path costs one register's clock-to-out plus setup, then per element on it a delay and a hop of
routing: a memory read (block RAM clock-to-out, or a ROM in logic), a product (a DSP used between
registers for exact integer products, which Yosys puts into MULT18X18D; a LUT network for the
approximate families, deeper with the product's LUT count), adder levels (a carry chain, longer
with the width), the accumulator, the threshold comparison and its encoder. The constants are
fitted to nextpnr-ecp5 runs of single blocks on an LFE5U-85F, speed grade 6
(benchmarks/timing_model.py wrote generator/hw/timing_coefficients.json).

The plan chooses, per matrix stage, the adder levels per pipeline stage of the SIMD sum
(TREE_STAGE), whether the threshold count gets its own register (THR_REG) and whether exact
products stay in logic (MUL_FABRIC: all but wide ones) and how a weight ROM deeper than one block
RAM is read (W_BANK: in banks, each bank's read registered MEM_REG - 1 times before the bank is
chosen); the weight (and threshold) reads and the products are always registered (MEM_REG and
MUL_REG at least 1), so neither a memory's clock-to-out nor a DSP sits on a path with anything else.
A block RAM read straight into a register has that register inside the block RAM on ECP5 (the
flow's netlist pass, generator/tools/ecp5_bram_outreg.py): the path after it starts at the block
RAM, with its output register's clock-to-out.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from generator.datatypes import DataType
from generator.hw import memories, products
from generator.hw.layout import hw_widths, weight_words

COEFFICIENTS = Path(__file__).with_name("timing_coefficients.json")
DEFAULT_CLOCK_MHZ = 100.0  # blocks planned without a board
# Exact integer products of at most this many operand bit pairs (a.bits * w.bits; 8 x 4, 6 x 5)
# stay in logic (rtl/axgen_fmul.v): a DSP between registers is slower (its 3.9 ns plus the routing
# to and from the DSP column), and there are few of them (156 MULT18X18D on an LFE5U-85F).
FABRIC_MAX_BITS = 32
# A weight ROM in logic is read in slices of this many bits, each slice with its own copy of the
# address register (rtl/axgen_rom.v): one register driving every LUT of a wide word is a
# high-fanout net that nextpnr spreads over the whole layer (6 ns of routing in the demo's fc0).
ROM_SLICE_BITS = 32
# The pipeline is chosen for the clock times this margin: the model is fitted to single blocks
# within about 15% of nextpnr, a whole accelerator's placement stretches its routes further (the
# demo's threshold count: 8.6 ns placed against 7.3 estimated), and a design planned at its exact
# limit would miss the clock about half the time.
MARGIN = 1.25
CONTROL = "control"  # the issue logic, credits and output FIFO: one constant path
FIXED_PATHS = (CONTROL, "memory_read")  # paths the pipeline depth does not change


@lru_cache(maxsize=1)
def coefficients() -> dict:
    """Delays in ns: {"reg", "route", "fanout", "bram", "bram_outreg", "rom_level", "dsp", "fabric_base",
    "fabric_per_level", "adder_base", "adder_per_bit", "lut", "control"}."""
    return json.loads(COEFFICIENTS.read_text())["ns"]


@dataclass(frozen=True)
class Pipeline:
    """Pipeline depths of a matrix block: its RTL parameters (rtl/axgen_mvau.v)."""

    tree_stage: int = 0  # adder levels per pipeline stage of the SIMD sum; 0: the whole sum in one
    thr_reg: int = 1  # registers in the threshold count: 0, 1 (before the output FIFO), 2 (the comparisons too)
    mem_reg: int = 1  # an output register behind the weight and threshold reads
    mul_reg: int = 1  # the products registered
    fabric: int = 1  # exact integer products in logic (rtl/axgen_fmul.v), not in DSPs
    w_chunk: int = 0  # bits of the weight word per address register (rtl/axgen_rom.v); 0: one register
    w_bank: int = 0  # words per bank of a weight ROM in block RAMs, each bank's read registered mem_reg - 1 times; 0: one memory

    def params(self) -> dict:
        return {"MEM_REG": self.mem_reg, "MUL_REG": self.mul_reg, "TREE_STAGE": self.tree_stage, "THR_REG": self.thr_reg,
                "MUL_FABRIC": self.fabric, "W_CHUNK": self.w_chunk, "W_BANK": self.w_bank}

    def tree_regs(self, simd: int) -> int:
        """Registers inside the SIMD sum (rtl/axgen_addtree.v)."""
        levels = tree_levels(simd)
        return (levels - 1) // self.tree_stage if self.tree_stage > 0 and levels > 1 else 0

    def depth(self, simd: int) -> int:
        """Cycles from a step's issue to its beat in the output FIFO (the RTL's PIPE)."""
        return 3 + self.mem_reg + self.mul_reg + self.tree_regs(simd) + self.thr_reg

    def entry(self, simd: int) -> dict:
        """project.json's record: every stage's depth in cycles."""
        return {"memory_read": 1 + self.mem_reg, "products": self.mul_reg, "adder_tree": 1 + self.tree_regs(simd),
                "adder_levels_per_stage": self.tree_stage or tree_levels(simd), "accumulate": 1,
                "thresholds": 1 + self.thr_reg, "total": self.depth(simd)}

    @classmethod
    def from_entry(cls, entry: dict) -> "Pipeline":
        """The pipeline a project.json stage entry records (its fields by name; a field the entry
        lacks keeps its default)."""
        return cls(**{f.name: int(entry[f.name]) for f in fields(cls) if f.name in entry})


def tree_levels(simd: int) -> int:
    return math.ceil(math.log2(simd)) if simd > 1 else 0


@dataclass(frozen=True)
class Shape:
    """What the delays depend on, taken from a matrix stage."""

    simd: int
    acc_bits: int
    cmp_bits: int
    n_thres: int
    product: str  # "dsp" (an exact product too wide for logic), "fabric", or "none" (XNOR)
    product_luts: float  # LUTs of one fabric product
    product_bits: tuple[int, int]  # the operands' widths
    root_adder: bool  # a last adder after the tree (split products' negative count, XNOR's SIMD - 2*ones)
    weight_memory: str  # "bram" or "logic"
    weight_depth: int  # words
    weight_bits: int = 0  # bits of a word
    bank_words: int = 0  # words per block-RAM bank (memories.ecp5_bank_words), 0 in logic


def shape_of(impl, no_dsp: bool = False) -> Shape:
    widths = hw_widths(impl)
    acc, t_bits = widths["acc_bits"], widths["t_bits"]
    a, w = impl.in_dtype, impl.layer.weight_dtype
    bipolar = DataType["BIPOLAR"] in (a, w)
    family = impl.multiplier.family
    if a == w == DataType["BIPOLAR"]:
        product = "none"
    elif family == "exact" and not bipolar and not no_dsp and a.bitwidth() * w.bitwidth() > FABRIC_MAX_BITS:
        product = "dsp"
    else:
        product = "fabric"
    luts = products.lane(impl).luts if product == "fabric" else 0.0
    steps = impl.nf * impl.sf
    w_cols, _ = memories.columns(memories.bit_matrix(weight_words(impl), impl.weight_lane_bits))
    weight_memory = memories.rom(steps, w_cols, "ecp5").kind
    n_thres = 0 if impl.thresholds is None else int(impl.thresholds.shape[1])
    return Shape(simd=impl.simd, acc_bits=acc, cmp_bits=max(acc, t_bits), n_thres=n_thres, product=product,
                 product_luts=float(luts), product_bits=(a.bitwidth(), w.bitwidth()),
                 root_adder=impl.split_products or (a == w == DataType["BIPOLAR"]),
                 weight_memory=weight_memory, weight_depth=steps, weight_bits=impl.pe * impl.simd * impl.weight_lane_bits,
                 bank_words=memories.ecp5_bank_words(steps, w_cols) if weight_memory == "bram" else 0)


def adder_delay(bits: int) -> float:
    """An adder of `bits` (a carry chain) and the route to the next element."""
    c = coefficients()
    return c["adder_base"] + c["adder_per_bit"] * bits + c["route"]




def _product(s: Shape) -> float:
    c = coefficients()
    if s.product == "dsp":
        return c["dsp"] + 2 * c["route"]
    if s.product == "fabric":
        return c["fabric_base"] + c["fabric_per_level"] * math.log2(1.0 + s.product_luts) + c["route"]
    return c["lut"] + c["route"]


def banks(s: Shape) -> int:
    """Block RAMs one weight word's read passes through one of (1: a single block deep)."""
    return -(-s.weight_depth // s.bank_words) if s.bank_words else 1


def _bank_select(s: Shape) -> float:
    """The multiplexer after the banks of a ROM deeper than one block RAM: LUT4 levels, and routes
    that grow with the part's area the banks are spread over (CNV's fc9: 16 banks, 5.5 ns of routing)."""
    c = coefficients()
    n = banks(s)
    if n <= 1:
        return 0.0
    levels = math.ceil(math.log(n, 4))
    return levels * (c["lut"] + c["route"]) + c["route"] * math.log2(n) / 2


def _bank_spread(s: Shape) -> float:
    """The way from a bank's block RAM towards the multiplexer that a register behind the block RAM
    is drawn along: the placer puts it between the two, and the banks are spread over the part
    (CNV's conv6, 5 banks: 2.85 ns from the block RAM to its register, 26 rows away)."""
    return coefficients()["route"] * math.log2(banks(s)) / 2 if banks(s) > 1 else 0.0


def _memory(s: Shape) -> float:
    """A weight read into logic: a block RAM's own clock-to-out (not its output register), or the
    LUT levels of a ROM in logic."""
    c = coefficients()
    if s.weight_memory == "bram":
        return c["bram"] + c["route"]
    levels = max(1, math.ceil(math.log2(max(2, s.weight_depth)) / 4))  # LUT4 levels of a ROM in logic
    return levels * (c["rom_level"] + c["route"])


def _tree_stages(s: Shape, tree_stage: int) -> list[int]:
    """Adder levels in each pipeline stage of the sum, the root adder counted in the last."""
    levels = tree_levels(s.simd)
    per = tree_stage if tree_stage > 0 else max(levels, 1)
    stages = [per] * (levels // per) + ([levels % per] if levels % per else [])
    stages = stages or [0]
    stages[-1] += int(s.root_adder)
    return stages


def _threshold(s: Shape) -> tuple[float, float]:
    """The comparisons (the sum fans out to each, routes longer with their number) and the
    count's encoder (none for one threshold: the comparison is the output bit)."""
    c = coefficients()
    if s.n_thres == 0:
        return 0.0, c["lut"] + c["route"]
    encoder = math.ceil(math.log(s.n_thres + 1, 4)) if s.n_thres > 1 else 0  # LUT4 levels of the OR of in-range terms
    return adder_delay(s.cmp_bits) + c["fanout"] * math.log2(s.n_thres), encoder * (c["lut"] + c["route"])


def _level_bits(s: Shape) -> list[int]:
    """The width of each adder level of the SIMD sum (a level adds one bit to its operands,
    products or XNOR bits), then the root adder's (one more: a difference of two sums)."""
    base = 1 if s.product == "none" else sum(s.product_bits)
    bits = [min(s.acc_bits, base + level) for level in range(1, tree_levels(s.simd) + 1)]
    return bits + ([min(s.acc_bits, (bits[-1] if bits else base) + 1)] if s.root_adder else [])


def _trees(s: Shape, tree_stage: int) -> list[float]:
    """The delay of each pipeline stage of the SIMD sum."""
    bits, delays = _level_bits(s), []
    for levels in _tree_stages(s, tree_stage):
        delays.append(sum(adder_delay(b) for b in bits[:levels]))
        bits = bits[levels:]
    return delays


def path_delays(s: Shape, p: Pipeline) -> dict[str, float]:
    """Each register-to-register path of the block at pipeline `p`, in ns."""
    c = coefficients()
    reg = c["reg"]
    paths = {CONTROL: c["control"]}
    product = _product(s)
    trees = _trees(s, p.tree_stage)
    first = []
    if s.weight_memory == "bram" and p.mem_reg:
        # A block RAM read straight into a register has that register inside the block RAM (the flow
        # moves it there: generator/tools/ecp5_bram_outreg.py); the next path starts at the block RAM.
        from_bram = reg + c["bram_outreg"]
        if p.w_bank and p.mem_reg > 2:  # each bank's last register cleared outside its words, then ORed
            paths["bank_read"] = from_bram + c["lut"] + c["route"] + _bank_spread(s)
            paths["bank_select"] = reg + _bank_select(s)
        elif p.w_bank:  # each bank's read registered in its block RAM, then the multiplexer
            paths["bank_select"] = from_bram + _bank_spread(s) + _bank_select(s)
        elif banks(s) > 1:  # the banks' multiplexer behind their own clock-to-out
            paths["bank_select"] = reg + _memory(s) + _bank_select(s)
        else:  # the operand register is the block RAM's own
            first.append(c["bram_outreg"])
    elif p.mem_reg:
        paths["memory_read"] = reg + _memory(s)
    else:
        first.append(_memory(s) + _bank_select(s))
    if p.mul_reg:
        paths["products"] = reg + sum(first) + product
        first = []
    else:
        first.append(product)
    for i, tree in enumerate(trees):
        paths[f"adder_tree_{i}"] = reg + (sum(first) if i == 0 else 0.0) + tree
    paths["accumulate"] = reg + adder_delay(s.acc_bits) + c["lut"]
    compare, encode = _threshold(s)
    fifo_write = 0.0 if p.thr_reg else c["lut"] + c["route"]
    if p.thr_reg > 1:
        paths["compare"] = reg + compare
        paths["thresholds"] = reg + encode
    else:
        paths["thresholds"] = reg + compare + encode + fifo_write
    return paths


def fmax_mhz(s: Shape, p: Pipeline) -> float:
    return 1000.0 / max(path_delays(s, p).values())


def choose(s: Shape, clock_mhz: float) -> Pipeline:
    """The shallowest pipeline whose every path fits the clock period (the deepest, when none
    does): fewest registers in the sum first, then the threshold count without its register. The
    paths must fit the period shortened by MARGIN."""
    period = 1000.0 / (clock_mhz * MARGIN)
    levels = tree_levels(s.simd)
    chunk = ROM_SLICE_BITS if s.weight_memory == "logic" and s.weight_bits > ROM_SLICE_BITS else 0
    # (mem_reg, w_bank). A block RAM read straight into the operand register is not given a register
    # of its own before it: placed, that register sat as far from the block RAM (CNV's conv4: 3.0 ns
    # of routing) and TFC lost 4 MHz.
    memory = [(1, 0)] + ([(2, s.bank_words), (3, s.bank_words)] if banks(s) > 1 else [])
    candidates = []
    for mem_reg, w_bank in memory:
        for thr_reg in (0, 1, 2):
            for per in [0] + list(range(levels - 1, 0, -1)):
                candidates.append(Pipeline(tree_stage=per, thr_reg=thr_reg, mem_reg=mem_reg, fabric=int(s.product != "dsp"),
                                           w_chunk=chunk, w_bank=w_bank))
    candidates.sort(key=lambda p: (p.depth(s.simd), -fmax_mhz(s, p)))
    for p in candidates:
        if max(path_delays(s, p).values()) <= period:
            return p
    # A path no depth shortens (a block RAM's clock-to-out, the control) is over the period: the
    # shallowest pipeline whose other paths fit it, so that the block is no slower than that path;
    # failing that, the one whose other paths are shortest.
    def pipelined(p: Pipeline) -> float:
        return max(v for k, v in path_delays(s, p).items() if k not in FIXED_PATHS)

    for p in candidates:
        if pipelined(p) <= period:
            return p
    return min(candidates, key=lambda p: (pipelined(p), p.depth(s.simd)))


# What limits a block, by its longest path, in a warning's words.
LIMITS = {"memory_read": "its weight memory's read, which no pipeline depth shortens (a ROM in logic)",
          CONTROL: "its control logic, which no pipeline depth shortens"}


def limit_of(stage) -> str:
    """The longest path of a planned matrix stage, in words."""
    delays = stage.path_delays(stage.levels) if stage.kind == "unrolled" else path_delays(shape_of(stage), stage.pipeline)
    longest = max(delays, key=delays.get)
    return LIMITS.get(longest, f"its {longest.replace('_', ' ')} path at the deepest pipeline")

