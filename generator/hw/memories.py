"""Where Yosys (`synth_xilinx`, 7-series) puts a memory of the generated RTL, and what it takes.

Yosys' memory_libmap picks the cheapest of: soft logic (a ROM costs width*words/64, a written
memory width*words), distributed RAM (LUTRAM; never for a ROM) and block RAM (129 per 18 Kb
half, 257 per 36 Kb block, plus 0.5 per bit of the read multiplexer when the words span several
blocks). Constant data bits of a ROM are dropped before the choice; identical bits are not. This
module follows those rules (Yosys 0.70, lutrams_xc5v.txt and brams_xc4v.txt) closely enough to
say which memories become BRAM18s and how many LUT sites a LUTRAM takes; the resource model
(generator.hw.resources) adds the LUTs of a ROM kept in logic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ROM_LOGIC_COST = 1 / 64  # per bit (memory_libmap's default -logic-cost-rom)
RAM_LOGIC_COST = 1.0  # per bit
FACTOR_MUX = 0.5
BRAM_EMULATION = 2  # a read port without enable or reset: one emulation point, factor 2
# Block RAMs (simple dual port): (BRAM18 units per block, cost, log2 of bit addresses, widths)
BRAMS = ((1, 129, 14, (1, 2, 4, 9, 18, 36)), (2, 257, 15, (1, 2, 4, 9, 18, 36, 72)))
# LUTRAMs: port kind -> (cost, widthscale, ((address bits, bits per unit), ...)); 4 LUT sites per unit
LUTRAMS = {"sp": (8, 8, ((5, 8), (6, 4), (7, 2), (8, 1))), "sdp": (8, 7, ((5, 6), (6, 3)))}
LUTRAM_SITES = 4
# ECP5 (synth_ecp5): a ROM bit in logic costs a LUT4 per 16 words; one DP16KD block (16 Kb, 512 x 36
# down to 16K x 1) as a BRAM18 unit. Checked against nextpnr runs: 128 x 32 weights go to a DP16KD,
# the demo's 64 x 256 stay in logic.
ECP5_ROM_LOGIC_COST = 1 / 16
ECP5_BRAMS = ((1, 129, 14, (1, 2, 4, 9, 18, 36)),)
LUTRAM_EMULATION = 6  # the read port's emulated parts (measured: a 2 x 8 FIFO stays in flip-flops, 2 x 16 does not)


@dataclass(frozen=True)
class Mapping:
    kind: str  # "logic", "lutram" or "bram"
    bram18: int = 0
    lutram: int = 0  # LUT sites holding the memory
    mux_luts: int = 0  # LUTs of the read multiplexer over several LUTRAM units
    depth: int = 0  # words of one logic ROM column (for its LUT count)


def _bram(words: int, width: int, brams=BRAMS) -> tuple[float, int]:
    """Cheapest block-RAM geometry: (cost, BRAM18s)."""
    best = (math.inf, 0)
    for halves, cost, abits, widths in brams:
        for i, unit in enumerate(widths):
            depth = 1 << (abits - i)
            mult_a = -(-words // depth)
            units = -(-(mult_a * width) // unit)
            total = cost * units + FACTOR_MUX * (mult_a - 1) * width + BRAM_EMULATION
            if total < best[0]:
                best = (total, halves * units)
    return best


def _lutram(words: int, width: int, ports: str) -> tuple[float, int, int]:
    """Cheapest distributed-RAM geometry: (cost, LUT sites, multiplexer LUTs)."""
    cost, scale, options = LUTRAMS[ports]
    best = (math.inf, 0, 0)
    for abits, unit in options:
        mult_a = -(-words // (1 << abits))
        units = -(-(mult_a * width) // unit)
        total = ((cost - scale) * units + scale * mult_a * width / unit + FACTOR_MUX * (mult_a - 1) * width
                 + LUTRAM_EMULATION)
        if total < best[0]:
            best = (total, LUTRAM_SITES * units, width * -(-(mult_a - 1) // 3))
    return best


def rom(words: int, width: int, family: str = "xilinx") -> Mapping:
    """A ROM of `words` x `width` non-constant bits read through a register, as Yosys maps it for
    `family`: "xilinx" (synth_xilinx: LUT6, RAMB18/36) or "ecp5" (synth_ecp5: LUT4, DP16KD;
    only the kind and the block count are meaningful there)."""
    if words <= 1 or width == 0:
        return Mapping("logic", depth=words)
    brams, logic_cost = (BRAMS, ROM_LOGIC_COST) if family == "xilinx" else (ECP5_BRAMS, ECP5_ROM_LOGIC_COST)
    bram_cost, bram18 = _bram(words, width, brams)
    if bram_cost < logic_cost * words * width:
        return Mapping("bram", bram18=bram18)
    return Mapping("logic", depth=words)


def ecp5_bank_words(words: int, width: int) -> int:
    """Words per bank of an ECP5 block-RAM ROM of `words` x `width` (rtl/axgen_rom.v's BANK): the
    DP16KD depth (16K x 1 down to 512 x 36) that holds the ROM in the fewest blocks, each bank one
    block deep (wider words: several blocks side by side, no multiplexer); the deepest among equals."""
    _, _, abits, widths = ECP5_BRAMS[0]
    best = None
    for i, unit in enumerate(widths):
        depth = 1 << (abits - i)
        blocks = -(-words // depth) * -(-width // unit)
        if best is None or blocks < best[0]:
            best = (blocks, depth)
    return best[1]


# A written memory of at most this many words and bits is kept in distributed RAM (a sliding-window
# ring, rtl/axgen_swg.v RING_LUTRAM; a stream FIFO, rtl/axgen_fifo.v DISTRIBUTED): read through at
# most a 64:1 multiplexer of LUT RAMs instead of a block RAM, whose clock-to-out (6.1 ns in
# nextpnr's ECP5 model) and its route to one register already miss 125 MHz (CNV's rings and its
# 512 x 1 FIFO before fc9: 99 and 102 MHz placed).
DISTRIBUTED_WORDS = 1024
DISTRIBUTED_BITS = 8192


def distributed(words: int, width: int) -> bool:
    """Whether a written memory of `words` x `width` is kept in LUT RAM (a ram_style attribute)."""
    return words <= DISTRIBUTED_WORDS and words * width <= DISTRIBUTED_BITS


# A stream FIFO wider than this keeps its word in lanes of this many bits, each with its own copy of
# the occupancy and pointers (rtl/axgen_fifo.v LANE_BITS): no control flip-flop steers more bits.
# The pruned jet tagger's unrolled top placed at 97.2 MHz with one lane: `not_empty` of the 384-bit
# FIFO between fc0 and fc1 took 9.1 ns of routing to its head multiplexers.
FIFO_LANE_BITS = 64




def ram(words: int, width: int, ports: str = "sdp", distributed: bool = False) -> Mapping:
    """A written memory (FIFO, line buffer): `ports` "sp" (one address) or "sdp" (a write and a read
    address); `distributed`: held in LUT RAM whatever it costs (a ram_style attribute)."""
    if words <= 1 or width == 0:
        return Mapping("logic", depth=words)
    lut_cost, sites, mux = _lutram(words, width, ports)
    if distributed:
        return Mapping("lutram", lutram=sites, mux_luts=mux)
    bram_cost, bram18 = _bram(words, width)
    if RAM_LOGIC_COST * words * width <= min(lut_cost, bram_cost):
        return Mapping("logic", depth=words)
    if bram_cost < lut_cost:
        return Mapping("bram", bram18=bram18)
    return Mapping("lutram", lutram=sites, mux_luts=mux)


def fifo_rams(words: int, width: int, distributed: bool) -> list[Mapping]:
    """The memories of a stream FIFO of `words` x `width` (rtl/axgen_fifo.v with FIFO_LANE_BITS):
    one per lane, every lane FIFO_LANE_BITS wide but the last; `distributed`: in LUT RAM."""
    full, rest = divmod(width, FIFO_LANE_BITS)
    lanes = [FIFO_LANE_BITS] * full + ([rest] if rest else [])
    return [ram(words, bits, "sdp", distributed=distributed) for bits in lanes]


def rom_column_luts(depth: int) -> int:
    """LUT6s of one output bit of a ROM in logic: a LUT per 64 words, and a LUT level more above
    256 words (the MUXF7/MUXF8 reach)."""
    if depth <= 2:
        return 0  # the bit is an address bit or its inverse
    luts = -(-depth // 64)
    return luts + (-(-depth // 256) if depth > 256 else 0)


def columns(bits: np.ndarray) -> tuple[int, int]:
    """(non-constant, distinct non-constant) data bits of a ROM given as a (depth, width) 0/1
    array (generator.hw.memories.bit_matrix): Yosys drops the constant ones before mapping the
    memory, and merges identical ones once it is logic."""
    bits = np.asarray(bits, dtype=np.uint8)
    if bits.size == 0:
        return 0, 0
    varying = bits.min(axis=0) != bits.max(axis=0)
    cols = bits[:, varying].T
    if cols.shape[0] == 0:
        return 0, 0
    packed = np.packbits(cols, axis=1)
    return int(cols.shape[0]), len({row.tobytes() for row in packed})


def bit_matrix(words: np.ndarray, lane_bits: int) -> np.ndarray:
    """(depth, lanes) codes -> (depth, lanes*lane_bits) 0/1 array, bit b of lane l at column l*lane_bits+b."""
    codes = np.asarray(words).astype(np.uint64)
    shifts = np.arange(lane_bits, dtype=np.uint64)
    bits = (codes[:, :, None] >> shifts) & np.uint64(1)
    return bits.reshape(codes.shape[0], -1).astype(np.uint8)
