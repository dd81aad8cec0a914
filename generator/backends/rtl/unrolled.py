"""The Verilog of an unrolled layer (generator.hw.unrolled): every adder of its graph, register,
comparison with a constant threshold and output code as a line computed here; the template
(templates/rtl/unrolled.v.j2) only places them. Every expression is exactly as wide as the wire it
drives (two's complement, modulo its width: a node's width holds its value, so the wrap of a
shifted operand never shows)."""

from __future__ import annotations

from generator.datatypes import DataType
from generator.hw.memories import FIFO_LANE_BITS
from generator.hw.unrolled import UnrolledImpl, output_term, search_tables, sum_text, wired_low_bits


def term(name: str, width: int, shift: int, to: int, signed: bool = True) -> str:
    """The `width`-bit `name` (two's complement if `signed`, else unsigned) times 2^shift (shift < 0:
    an exact right shift) as a `to`-bit vector."""
    zeros = max(0, min(shift, to))
    start = max(0, -shift)
    direct = max(0, min(to - zeros, width - start))
    signs = to - zeros - direct
    parts = []
    if signs:
        parts.append(f"{{{signs}{{{name}[{width - 1}]}}}}" if signed else f"{signs}'b0")
    if direct:
        parts.append(name if (start, direct) == (0, width) else f"{name}[{start + direct - 1}:{start}]")
    if zeros:
        parts.append(f"{zeros}'b0")
    return parts[0] if len(parts) == 1 else "{" + ", ".join(parts) + "}"


def _input_value(dtype: DataType, k: int, width: int) -> str:
    """Element k of the input beat as a `width`-bit value."""
    bits = dtype.bitwidth()
    code = f"s_axis_tdata[{(k + 1) * bits - 1}:{k * bits}]"
    fill = f"{{{width - bits}{{s_axis_tdata[{(k + 1) * bits - 1}]}}}}" if dtype.signed() else f"{width - bits}'b0"
    return code if width == bits else f"{{{fill}, {code}}}"


def _sum(operands: list[tuple], w: int) -> str:
    """A `w`-bit adder of two (name, width, shift, negated, signed) operands; its low bits that are
    wires (generator.hw.unrolled.wired_low_bits) are wired past the adder, which only adds the high
    w - k bits."""
    (na_, wa, sa, na, ga), (nb_, wb, sb, nb, gb) = operands
    k = wired_low_bits((0, sa, na, 0, sb, nb), w)
    low = operands[0] if sa < sb else operands[1]
    high = operands[1] if sa < sb else operands[0]
    if k == 0:
        ta, tb = term(na_, wa, sa, w, ga), term(nb_, wb, sb, w, gb)
        return sum_text(ta, na, tb, nb, f"{w}'d0 - ")
    name, width, _, _, sign = low
    t_low = term(name, width, -k, w - k, sign)  # its bits above the k wired ones
    t_high = term(high[0], high[1], high[2] - k, w - k, high[4])
    top = f"{t_low} {'-' if high[3] else '+'} {t_high}"
    return f"{{{top}, {term(name, width, 0, k, sign)}}}"


def _table(impl: UnrolledImpl, k: int, width: int) -> dict:
    """Graph input k >= MW: a product table (generator.hw.product_tables) over its activation's code."""
    table = impl.tables[k - impl.layer.mw]
    bits = impl.in_dtype.bitwidth()
    mask = (1 << width) - 1
    return {"name": f"x{k}", "width": width, "select": f"s_axis_tdata[{(table.column + 1) * bits - 1}:{table.column * bits}]",
            "entries": [(f"{bits}'d{code}", f"{width}'h{v & mask:x}") for code, v in enumerate(table.values)]}


def _mux(prefix: str, bits: int, values: list[str]) -> str:
    """values[prefix] for a `bits`-bit prefix expression, as a ternary chain (the last value the default)."""
    if len(values) == 1:
        return values[0]
    chain = " : ".join(f"({prefix} == {bits}'d{i}) ? {v}" for i, v in enumerate(values[:-1]))
    return f"{chain} : {values[-1]}"


def _search(impl: UnrolledImpl, j: int) -> tuple[list[dict], list[dict], str]:
    """Output j's thresholds as a binary search over the pipeline's threshold segments: the wires
    of each step, the registers between segments, and the code's expression."""
    width, levels = impl.acc_bits, impl.levels
    never = 1 << width  # above every biased accumulator
    wires, regs = [], []
    names: list[str] = []  # the count's bits so far, MSB first, as segment t sees them

    def acc_at(t: int) -> str:
        return f"acc{j}" if t == 0 else f"ra{j}_{t}"

    for k, table in enumerate(search_tables(impl, j)):
        t = k // levels
        if k and k % levels == 0:  # a segment boundary: the accumulator and the bits found so far
            regs.append({"name": f"ra{j}_{t}", "width": width, "source": acc_at(t - 1)})
            regs.append({"name": f"rc{j}_{t}", "width": k, "source": "{" + ", ".join(names) + "}" if k > 1 else names[0]})
            names = [f"rc{j}_{t}[{k - 1 - i}]" for i in range(k)] if k > 1 else [f"rc{j}_{t}"]
        constants = [f"{width + 1}'d{never if v is None else v + (1 << (width - 1))}" for v in table]
        prefix = "{" + ", ".join(names) + "}" if len(names) > 1 else (names[0] if names else "")
        wires.append({"name": f"t{j}_{k}", "width": width + 1, "expr": _mux(prefix, k, constants)})
        acc = acc_at(t)
        wires.append({"name": f"b{j}_{k}", "width": 1,
                      "expr": f"{{1'b0, ~{acc}[{width - 1}], {acc}[{width - 2}:0]}} >= t{j}_{k}"})
        names.append(f"b{j}_{k}")
    bits = impl.out_dtype.bitwidth()
    count = "{" + ", ".join(names) + "}" if len(names) > 1 else names[0]
    fill = bits - len(names)
    count = count if fill == 0 else f"{{{fill}'b0, {count}}}" if fill > 0 else count
    bias = impl.layer.out_bias % (1 << bits)
    return wires, regs, f"{count} + {bits}'d{bias}" if bias else count


def _at_least(value: str, bits: int, e: int) -> str:
    """`value` (`bits` wide, unsigned) >= the constant e: always for 0, any bit set for 1."""
    return "1'b1" if e == 0 else f"(|{value})" if e == 1 else f"({value} >= {bits}'d{e})"


def _steps(impl: UnrolledImpl, j: int) -> tuple[list[dict], list[dict], str]:
    """Output j's evenly spaced thresholds as arithmetic (generator.hw.thresholds.Steps): the
    difference d from the base (registered where the quantizers take two segments), its high part
    h and low part r; the code is 0 for h < 0, n for h >= n, else h plus whether r reaches the
    offset of h's period (one comparison with a constant per offset, chosen by h's low bits)."""
    q = impl.quantizers[j]
    w, acc_bits = impl.step_bits(q), impl.acc_bits
    bits, acc = impl.out_dtype.bitwidth(), f"acc{j}"
    wide = acc if w == acc_bits else f"{{{{{w - acc_bits}{{{acc}[{acc_bits - 1}]}}}}, {acc}}}"
    wires = [{"name": f"d{j}", "width": w, "expr": f"{wide} - {w}'d{q.base % (1 << w)}"}]
    regs = []
    d = f"d{j}"
    if impl.quantizer_segments == 2:
        regs.append({"name": f"rd{j}", "width": w, "source": d})
        d = f"rd{j}"
    hw, s = w - q.shift, q.shift
    if s == 0 or max(q.pattern) == 0:
        reach = "1'b1"
    else:
        hits = [_at_least(f"{d}[{s - 1}:0]", s, e) for e in q.pattern]
        period = len(q.pattern).bit_length() - 1
        reach = _mux(f"{d}[{s + period - 1}:{s}]" if period else "", period, hits)
    wires.append({"name": f"g{j}", "width": 1, "expr": reach})
    mbits = max(hw - 1, bits, q.n.bit_length())
    high = f"{d}[{w - 2}:{s}]"
    high = high if hw - 1 == mbits else f"{{{mbits - hw + 1}'b0, {high}}}"
    wires.append({"name": f"h{j}", "width": mbits, "expr": high})
    low = f"h{j}[{bits - 1}:0]"
    count = f"{d}[{w - 1}] ? {bits}'d0 : (h{j} >= {mbits}'d{q.n}) ? {bits}'d{q.n} : {low} + {{{bits - 1}'d0, g{j}}}"
    wires.append({"name": f"c{j}", "width": bits, "expr": count})
    bias = impl.layer.out_bias % (1 << bits)
    return wires, regs, f"c{j} + {bits}'d{bias}" if bias else f"c{j}"


def netlist(impl: UnrolledImpl) -> dict:
    """Declarations and assignments of the layer's module, by part."""
    graph, bits, signed = impl.graph, impl.node_bits, impl.node_signed
    k_in = graph.n_inputs
    regs = impl.registers
    held = {(node, t) for node, t in regs}
    last = impl.last_uses

    def value(node: int, t: int) -> str:
        if (node, t) in held:
            return f"r{node}_{t}"
        return f"x{node}" if node < k_in else f"n{node}"

    mw = impl.layer.mw
    inputs = [{"name": f"x{k}", "width": int(bits[k]), "expr": _input_value(impl.in_dtype, k, int(bits[k]))}
              for k in range(mw) if last[k] >= 0]
    tables = [_table(impl, k, int(bits[k])) for k in range(mw, k_in) if last[k] >= 0]
    registered = [{"name": f"r{node}_{t}", "width": int(bits[node]), "source": value(node, t - 1)} for node, t in regs]
    adders = []
    for i, (a, sa, na, b, sb, nb) in enumerate(graph.ops.tolist()):
        node = k_in + i
        if last[node] < 0:
            continue
        w, seg = int(bits[node]), impl.segment_of(node)
        operands = [(value(a, seg), int(bits[a]), sa, na, bool(signed[a])), (value(b, seg), int(bits[b]), sb, nb, bool(signed[b]))]
        adders.append({"name": f"n{node}", "width": w, "expr": _sum(operands, w), "segment": seg})
    outputs = []
    width = impl.acc_bits
    for j in range(impl.layer.mh):
        found = output_term(impl, j)
        if found is None:
            acc = f"{width}'d0"
        else:
            node, shift, neg = found
            acc = term(value(node, impl.segments), int(bits[node]), shift, width, bool(signed[node]))
            acc = f"{width}'d0 - {acc}" if neg else acc
        wires = []
        if impl.thresholds is not None:
            wires, regs_j, code = (_steps if impl.quantizers else _search)(impl, j)
            registered += regs_j
        else:
            code = f"acc{j}" if impl.out_dtype.bitwidth() == width else f"acc{j}[{impl.out_dtype.bitwidth() - 1}:0]"
        outputs.append({"acc": f"acc{j}", "acc_expr": acc, "code": f"code{j}", "code_expr": code, "search": wires})
    return {"inputs": inputs, "tables": tables, "registers": registered, "adders": adders, "outputs": outputs, "acc_bits": width,
            "code_bits": impl.out_dtype.bitwidth()}


def render_unrolled(env, impl: UnrolledImpl, module: str) -> str:
    parts = netlist(impl)
    return env.get_template("unrolled.v.j2").render(
        module=module, layer_name=impl.name, in_bits=impl.window_stream_bits, out_bits=impl.out_stream_bits,
        depth=impl.depth, adders_count=impl.graph.adders, segments=impl.segments, levels=impl.levels,
        credits=impl.credits, distributed=int(impl.fifo_distributed), lane_bits=FIFO_LANE_BITS, **parts)
