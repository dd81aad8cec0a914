"""What the resource model counts in each hand-written block, from the plan alone: the features
whose fitted coefficients (generator/hw/resource_coefficients.json) give LUTs, flip-flops and
CARRY4s, and the memories whose LUTRAM sites and BRAM18s follow Yosys' mapping rules
(generator.hw.memories).

Every function returns {block: {"lut": {feature: value}, "ff": {...}, "carry": {...}}} plus the
block's memories under "lutram" and "bram18" (counts, not features). Blocks: mvau, swg, pool,
fifo, dwc, tlast; a convolution is an swg and an mvau.
"""

from __future__ import annotations

import numpy as np

from generator.datatypes import DataType
from generator.hw import memories, products
from generator.hw.latency import SWG_FIFO
from generator.hw.layout import hw_widths, threshold_array, weight_words
from generator.hw.params import pool_params, swg_params

OFIFO_SLACK = 5  # rtl/axgen_mvau.v: output FIFO depth = the pipeline's depth + 5
POOL_FIFO_DEPTH = 8  # rtl/axgen_maxpool.v: output FIFO
BIPOLAR = DataType["BIPOLAR"]
SRL_MIN = 3  # shift registers this long become SRLs (synth_xilinx: shregmap -minlen 3)


def clog2(n: int) -> int:
    return max(0, int(n - 1).bit_length())


def _block(lut: dict, ff: dict, carry: dict, mems: list[memories.Mapping]) -> dict:
    """A block's features; the memories' read multiplexers join the LUTs, their sites and BRAMs the counts."""
    lut = {**lut, "mem_mux": sum(m.mux_luts for m in mems)}
    return {"lut": lut, "ff": ff, "carry": carry,
            "lutram": sum(m.lutram for m in mems), "bram18": sum(m.bram18 for m in mems)}


def _set_bits(values: np.ndarray, positions: list[int]) -> float:
    """How many of the bits at `positions` are set, summed over `values`."""
    return float(sum(np.sum((values >> j) & 1) for j in positions))


def _weight_lanes(impl, lane: products.Lane) -> dict:
    """LUTs of the products. A weight bit that is the same in every step of a lane is a constant
    register (Yosys removes it) and its partial products fold away: each lane counts the measured
    lane times the share of its weight bits that vary (lanes_<kind>), and, apart, the share of
    bits constant at 1 (lanes_const: rows of a constant-coefficient product)."""
    words = weight_words(impl).astype(np.int64)  # (steps, PE*SIMD) codes as the memory holds them
    bits = impl.layer.weight_dtype.bitwidth()
    mask = (1 << bits) - 1  # the magnitude (split lanes) or the whole code
    used = list(range(bits))
    if impl.split_products:
        unused = products.unused_weight_bits(impl.multiplier.spec, impl.in_dtype.bitwidth(), bits)
        used = [j for j in used if j not in unused]
    ones = np.bitwise_and.reduce(words, axis=0) & mask
    varying = (np.bitwise_or.reduce(words, axis=0) & mask) & ~ones
    n = max(1, len(used))
    share_vary = _set_bits(varying, used) / n
    share_ones = 0.0 if impl.layer.weight_dtype == BIPOLAR else _set_bits(ones, used) / n
    return {lane_feature(impl): share_vary * lane.luts, "lanes_const": share_ones * lane.luts}


def lane_feature(impl) -> str:
    """The feature a layer's products count under: in context (merged with the adder tree by ABC)
    each kind of lane differs from its measure alone by its own factor. lanes_<family> for split
    products, lanes_exact, lanes_bipolar (an XNOR or a sign flip), lanes_table (lut:)."""
    if impl.split_products:
        return f"lanes_{impl.multiplier.family}"
    if BIPOLAR in (impl.in_dtype, impl.layer.weight_dtype):
        return "lanes_bipolar"
    return "lanes_table" if impl.multiplier.family == "lut" else "lanes_exact"


def _rom_luts(columns: int, depth: int, thresholds: bool = False) -> dict:
    """A ROM kept in logic: its distinct columns' LUTs (generator.hw.memories.rom_column_luts) by
    address width, as ABC maps Yosys' multiplexer trees: weights up to 5 address bits (rom), 6
    (rom6: a LUT6's worth, which ABC rarely finds in one LUT) and more (rom_deep); threshold
    columns (ascending per channel, simpler) as rom_t and rom_t_deep."""
    luts = float(columns * memories.rom_column_luts(depth))
    if thresholds:
        return {"rom_t" if depth <= 64 else "rom_t_deep": luts}
    return {"rom" if depth <= 32 else "rom6" if depth <= 64 else "rom_deep": luts}


def _thresholds(impl, cmp_bits: int) -> tuple[dict, list, dict, int]:
    """Comparator features, the threshold memory and its register bits."""
    if impl.thresholds is None:
        return {"cmp": 0.0, "cmp_const": 0.0, "count": 0.0}, [], {}, 0
    t = threshold_array(impl)  # (PE, NF, N)
    lo, hi = int(impl.acc_dtype.min()), int(impl.acc_dtype.max())
    varying = t.min(axis=1) != t.max(axis=1)  # (PE, N)
    const = 0
    for p in range(impl.pe):
        values = t[p, 0, ~varying[p]]
        const += len({int(v) for v in values if lo < v <= hi})  # the others compare to a constant result
    n_var = int(np.sum(varying))
    t_bits = hw_widths(impl)["t_bits"]
    codes = t & ((1 << t_bits) - 1)
    # a threshold bit that is the same in every row group is a constant input of its comparator
    vary_bits = _set_bits(np.bitwise_or.reduce(codes, axis=1) & ~np.bitwise_and.reduce(codes, axis=1), list(range(t_bits)))
    share = vary_bits / (t_bits * n_var) if n_var else 0.0
    words = codes.transpose(1, 0, 2).reshape(impl.nf, -1)
    n_cols, distinct = memories.columns(memories.bit_matrix(words, t_bits))
    mapping = memories.rom(impl.nf, n_cols)
    rom_luts = _rom_luts(distinct, impl.nf, thresholds=True) if mapping.kind == "logic" else {}
    regs = distinct if mapping.kind == "logic" else 0
    features = {"cmp": n_var * cmp_bits * share, "cmp_const": (const + n_var * (1 - share)) * cmp_bits,
                "count": float(n_var + const)}
    return features, [mapping], rom_luts, regs


def term_bits(impl, acc: int) -> int:
    """Bits of one product as it enters the SIMD sum, without its sign-extension copies: the
    product's range for a whole product, |p| and the negation bit for a split one, the accumulator
    width for a lut: table."""
    a, w = impl.in_dtype, impl.layer.weight_dtype
    if BIPOLAR in (a, w):
        other = w if a == BIPOLAR else a
        return 2 if other == BIPOLAR else other.bitwidth() + 1
    if impl.multiplier.family == "lut":
        return acc
    if impl.split_products:
        return min(acc, products.product_bits(impl.multiplier.spec, a.bitwidth(), w.bitwidth()) + 1)
    return min(acc, a.bitwidth() + w.bitwidth())


def _pipeline_regs(impl, w_bits: int, term: int, acc: int) -> int:
    """Flip-flops of the pipeline registers (generator.hw.timing.Pipeline): the operands behind the
    reads, the products, the registered levels of the SIMD sum, the count, the control delay line."""
    pipe, pe, simd = impl.pipeline, impl.pe, impl.simd
    out_w = pe * impl.out_dtype.bitwidth()
    regs = pipe.mem_reg * (w_bits + simd * impl.in_dtype.bitwidth()) + pipe.mul_reg * pe * simd * term
    if pipe.w_bank and pipe.mem_reg > 1:  # every bank's reads registered on their own (rtl/axgen_rom.v)
        banks = -(-impl.nf * impl.sf // pipe.w_bank)
        regs += (banks - 1) * (pipe.mem_reg - 1) * w_bits
    regs += min(pipe.thr_reg, 1) * out_w + (pipe.depth(simd) - 3) * (3 + clog2(impl.nf))
    if pipe.thr_reg > 1 and impl.thresholds is not None:  # the registered comparisons
        regs += pe * (1 << clog2(int(impl.thresholds.shape[1]) + 1))
    if pipe.tree_stage:
        levels = (simd - 1).bit_length()
        for level in range(pipe.tree_stage, levels, pipe.tree_stage):
            regs += pe * -(-simd // (1 << level)) * acc
    return regs


def mvau_features(impl) -> dict:
    """rtl/axgen_mvau.v with the layer's parameters (generator.hw.params.layer_params)."""
    widths = hw_widths(impl)
    acc, t_bits = widths["acc_bits"], widths["t_bits"]
    cmp_bits = max(acc, t_bits)
    pe, simd, nf, sf = impl.pe, impl.simd, impl.nf, impl.sf
    steps = nf * sf
    in_bits = impl.in_dtype.bitwidth()
    in_w = simd * in_bits
    out_w = pe * impl.out_dtype.bitwidth()
    lane = products.lane(impl)
    lanes = _weight_lanes(impl, lane)
    w_bits = memories.bit_matrix(weight_words(impl), impl.weight_lane_bits)
    if impl.split_products:  # magnitude bits the family ignores are dropped with their memory bits
        unused = products.unused_weight_bits(impl.multiplier.spec, impl.in_dtype.bitwidth(),
                                             impl.layer.weight_dtype.bitwidth())
        keep = [c for c in range(w_bits.shape[1]) if c % impl.weight_lane_bits not in unused]
        w_bits = w_bits[:, keep]
    w_cols, w_distinct = memories.columns(w_bits)
    w_map = memories.rom(steps, w_cols)
    w_logic = w_map.kind == "logic"
    thresholds, t_maps, t_rom_luts, t_regs = _thresholds(impl, cmp_bits)
    pipe = impl.pipeline
    mems = [w_map, *t_maps, memories.ram(pipe.depth(simd) + OFIFO_SLACK, out_w, "sdp")]
    if nf > 1:  # the input buffer (rtl/axgen_mvau.v BUF_LUTRAM: in LUT RAM when small)
        mems.append(memories.ram(sf, in_w, "sp", distributed=memories.distributed(sf, in_w)))
    ctrl = clog2(steps) + clog2(sf) + clog2(nf)
    signed_in = impl.split_products and impl.in_dtype.signed()
    negs = pe * simd if impl.split_products and (signed_in or impl.layer.weight_dtype.signed()) else 0
    rom = _rom_luts(w_distinct, steps) if w_logic else {}
    rom = {key: rom.get(key, 0.0) + t_rom_luts.get(key, 0.0) for key in ("rom", "rom6", "rom_deep", "rom_t", "rom_t_deep")}
    terms = pe * simd * term_bits(impl, acc)
    lut = {"base": 1.0, **lanes, "adder": float(pe * simd * acc), "terms": float(terms), "acc": float(pe * acc),
           **thresholds, **rom, "in": float(in_w * (2 if nf > 1 else 1)),
           "magnitude": float(in_w if signed_in else 0), "negs": float(negs), "ctrl": float(ctrl)}
    ff = {"base": 1.0, "regs": float((w_distinct if w_logic else 0) + t_regs + in_w * (2 if nf > 1 else 1)
                                     + 2 * pe * acc + _pipeline_regs(impl, w_distinct, term_bits(impl, acc), acc)),
          "ctrl": float(ctrl)}
    carry = {"base": 1.0, "lanes": float(pe * simd) * lane.carry, "adder": float(pe * simd * acc), "terms": float(terms),
             "acc": float(pe * acc), "cmp": thresholds["cmp"] + thresholds["cmp_const"], "ctrl": float(ctrl)}
    return _block(lut, ff, carry, mems)


def swg_features(impl) -> dict:
    """rtl/axgen_swg.v of a convolution."""
    return swg_block(swg_params(impl))


def swg_block(p: dict) -> dict:
    """rtl/axgen_swg.v with parameters `p` (generator.hw.params.swg_params): a ring buffer of
    K_H + STRIDE_H rows (P identical copies of SIMD/P-element words for P kernel positions per
    beat), counters of CW bits, per copy the read address slot*ROWB + (px - PAD_L)*CF + cf
    (constant multiplications) and padding tests, and an 8-word output FIFO."""
    positions = p.get("P", 1)
    bw = p["SIMD"] * p["ELEM_BITS"]
    in_bw = bw // positions
    cf = p["CH"] * positions // p["SIMD"]
    rows = p["K_H"] + p["STRIDE_H"]
    rowb = p["IFM_W"] * cf
    depth = rows * rowb
    aw = max(1, clog2(depth))
    cmax = (2 * p["IFM_H"] + rows + p["PAD_T"] + p["PAD_B"] + p["K_H"] + p["STRIDE_H"] + p["IFM_W"] + p["PAD_L"]
            + p["PAD_R"] + p["K_W"] + p["STRIDE_W"] + cf + 2)
    cw = clog2(cmax + 1)
    mult = positions * (aw + cw) * (bin(rowb).count("1") + bin(cf).count("1"))
    pads = positions * sum(1 for k in ("PAD_T", "PAD_L", "PAD_B", "PAD_R") if p[k])
    ring = memories.ram(depth, in_bw, "sdp", distributed=bool(p.get("RING_LUTRAM")))
    mems = [ring] * positions + [memories.ram(SWG_FIFO, bw, "sdp")]
    lut = {"base": 1.0, "ctrl": float(cw), "addr": float(mult), "data": float(bw), "pads": float(pads * cw)}
    ff = {"base": 1.0, "ctrl": float(cw), "addr": float(aw), "data": float(bw)}
    carry = {"base": 1.0, "ctrl": float(cw), "addr": float(mult)}
    return _block(lut, ff, carry, mems)


def pool_features(impl) -> dict:
    """rtl/axgen_maxpool.v."""
    return pool_block(pool_params(impl))


def pool_block(p: dict) -> dict:
    """rtl/axgen_maxpool.v with parameters `p` (generator.hw.params.pool_params): a shift register
    of (K_W-1)*CH/PE beats, K_W-1 + K_H-1 element-wise maxima (or sums, ACC_BITS wide), a line
    memory of OW*CH/PE words of K_H-1 beats, the output stage (threshold comparators counted as
    compares) and an 8-word output FIFO."""
    bw = p["PE"] * p["ACC_BITS"]
    cf = p["CH"] // p["PE"]
    kh, kw = p["K_H"], p["K_W"]
    out_w = (p["IFM_W"] - kw) // p["STRIDE_W"] + 1
    taps = (kw - 1) * cf
    rows = kh - 1 if kh > 1 else 1
    line = out_w * cf
    cmax = p["IFM_H"] + p["IFM_W"] + kh + kw + p["STRIDE_H"] + p["STRIDE_W"] + line + cf + 2
    cw = clog2(cmax + 1)
    mems = [memories.ram(POOL_FIFO_DEPTH, bw, "sdp")]
    if kh > 1:
        mems.append(memories.ram(line, rows * bw, "sdp"))
    srl = taps >= SRL_MIN
    compare = bw * ((kw - 1) + (rows if kh > 1 else 0))
    if p["OUT_MODE"] == 2:
        compare += p["PE"] * p["N_THRES"] * p["T_BITS"]
    lut = {"base": 1.0, "ctrl": float(cw), "compare": float(compare)}
    ff = {"base": 1.0, "ctrl": float(cw), "data": float(bw * (2 + (2 * rows if kh > 1 else 0)) + (0 if srl else taps * bw))}
    carry = {"base": 1.0, "ctrl": float(cw), "compare": float(compare)}
    block = _block(lut, ff, carry, mems)
    block["lutram"] += bw * -(-taps // 32) if srl else 0
    return block


def fifo_features(width: int, depth: int) -> dict:
    """rtl/axgen_fifo.v. Its read is asynchronous: in BRAM Yosys adds a bypass register and
    multiplexer of the word width (bram_width). A wide word is kept in lanes (memories.fifo_rams),
    each with its own pointers, occupancy and flags, and its own memory."""
    mems = memories.fifo_rams(depth, width, memories.distributed(depth, width))
    ptr = (2 * max(1, clog2(depth)) + clog2(depth + 1)) * len(mems)
    regs = depth * width if mems[0].kind == "logic" else 0
    in_bram = float(width if mems[0].kind == "bram" else 0)
    base = float(len(mems))
    lut = {"base": base, "ptr": float(ptr), "logic_mem": float(width if mems[0].kind == "logic" else 0),
           "bram_width": in_bram}
    ff = {"base": base, "ptr": float(ptr), "regs": float(regs), "bram_width": in_bram}
    carry = {"base": base, "ptr": float(ptr)}
    return _block(lut, ff, carry, mems)


def dwc_features(in_elems: int, out_elems: int, elem_bits: int) -> dict:
    """rtl/axgen_dwc.v. An integer ratio: a word of max(IN, OUT) elements, each bit loaded from one
    place (up: the beat shifted in, wiring) or two (down: the beat or the word shifted), and a
    counter of the ratio. Any other ratio: CAP slots, slot j choosing among the min(IN, j+1) input
    elements that can land there, its successor OUT slots up, or itself (mux: 4:1 multiplexers per
    bit). The input enters and the output leaves through 2-word register slices."""
    slices = [memories.ram(2, in_elems * elem_bits, "sdp"), memories.ram(2, out_elems * elem_bits, "sdp")]
    wide, narrow = max(in_elems, out_elems), min(in_elems, out_elems)
    if wide % narrow == 0:
        bits, cnt = wide * elem_bits, clog2(wide // narrow)
        lut = {"base": 1.0, "shift": float(bits if in_elems > out_elems else 0), "cnt": float(cnt)}
        return _block(lut, {"base": 1.0, "bits": float(bits), "cnt": float(cnt)}, {"base": 1.0, "cnt": float(cnt)},
                      slices)
    cap = in_elems + out_elems - 1 + wide
    bits = cap * elem_bits
    cnt = clog2(cap + 1)
    choices = sum(-(-(min(in_elems, j + 1) + 2) // 4) for j in range(cap))  # a LUT6 selects one of 4
    lut = {"base": 1.0, "mux": float(choices * elem_bits), "shift": float(bits * max(1, clog2(in_elems))),
           "slots": float(cap * cnt), "cnt": float(cnt)}
    ff = {"base": 1.0, "bits": float(bits), "cnt": float(cnt)}
    carry = {"base": 1.0, "cnt": float(cnt), "slots": float(cap)}
    return _block(lut, ff, carry, slices)


def tlast_features(beats: int, packet: int = 1) -> dict:
    """rtl/axgen_tlast.v: a counter of the beats of a packet (`packet` samples of `beats` beats)."""
    cnt = float(max(1, clog2(beats * packet)))
    return _block({"base": 1.0, "cnt": cnt}, {"base": 1.0, "cnt": cnt}, {"base": 1.0, "cnt": cnt}, [])


def duplicate_features(impl) -> dict:
    """rtl/axgen_dup.v: one data register of the beat width and two valid bits."""
    width = float(impl.in_stream_bits)
    return _block({"base": 1.0}, {"base": 1.0, "data": width}, {"base": 1.0}, [])


def add_features(impl) -> dict:
    """rtl/axgen_add.v: per lane, each output bit is a function of both operands and the channel
    group (A_BITS + B_BITS + NF's bits inputs), which Yosys builds as LUT6s (2^(inputs - 6) per
    bit) unless PE adders of ACC_BITS and threshold comparators on a ROM of NF words cost fewer;
    an output register."""
    widths = hw_widths(impl)
    layer = impl.layer
    n_thres = 0 if impl.thresholds is None else int(impl.thresholds.shape[1])
    # channels with one set of thresholds (an add's quantizer usually is per tensor) need no ROM
    varying = n_thres > 0 and len(np.unique(impl.thresholds, axis=0)) > 1 and impl.nf > 1
    inputs = sum(dt.bitwidth() for dt in layer.in_dtypes) + (clog2(impl.nf) if varying else 0)
    function = impl.pe * impl.out_dtype.bitwidth() * 2.0 ** max(0, inputs - 6)
    adder = impl.pe * widths["acc_bits"]
    compare = impl.pe * n_thres * widths["t_bits"]
    rom = sum(_rom_luts(compare, impl.nf, thresholds=True).values()) if varying else 0.0
    lut = {"base": 1.0, "logic": float(min(function, adder + compare / 2 + rom))}
    ff = {"base": 1.0, "data": float(impl.out_stream_bits + clog2(impl.nf) + 1)}
    carry = {"base": 1.0, "adder": float(adder) if function > adder + compare / 2 + rom else 0.0}
    return _block(lut, ff, carry, [])
