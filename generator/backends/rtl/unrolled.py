"""The Verilog of an unrolled layer (generator.hw.unrolled): every adder of its graph, register,
comparison with a constant threshold and output code as a line computed here; the template
(templates/rtl/unrolled.v.j2) only places them. Every expression is exactly as wide as the wire it
drives (two's complement, modulo its width: a node's width holds its value, so the wrap of a
shifted operand never shows)."""

from __future__ import annotations

from generator.datatypes import DataType
from generator.hw.unrolled import UnrolledImpl, last_uses, output_term, registers, sum_text


def term(name: str, width: int, shift: int, to: int) -> str:
    """The `width`-bit two's complement `name` times 2^shift (shift < 0: an exact arithmetic right
    shift) as a `to`-bit vector."""
    zeros = max(0, min(shift, to))
    start = max(0, -shift)
    direct = max(0, min(to - zeros, width - start))
    signs = to - zeros - direct
    parts = []
    if signs:
        parts.append(f"{{{signs}{{{name}[{width - 1}]}}}}")
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


def _thresholds(impl: UnrolledImpl, j: int, acc: str) -> str:
    """Output j's code: out_bias + the thresholds acc reaches, modulo the code's width."""
    bits, width = impl.out_dtype.bitwidth(), impl.acc_bits
    lo, hi = int(impl.acc_dtype.min()), int(impl.acc_dtype.max())
    always, terms = 0, []
    for t in impl.thresholds[j].tolist():
        if t <= lo:
            always += 1
        elif t <= hi:
            biased = t + (1 << (width - 1))  # offset binary: the sign bit flipped compares as unsigned
            compare = f"({{~{acc}[{width - 1}], {acc}[{width - 2}:0]}} >= {width}'d{biased})"
            terms.append(compare if bits == 1 else f"{{{bits - 1}'b0, {compare}}}")
    constant = (impl.layer.out_bias + always) % (1 << bits)
    if not terms:
        return f"{bits}'d{constant}"
    return " + ".join(([f"{bits}'d{constant}"] if constant else []) + terms)


def netlist(impl: UnrolledImpl) -> dict:
    """Declarations and assignments of the layer's module, by part."""
    graph, bits = impl.graph, impl.node_bits
    k_in = graph.n_inputs
    regs = registers(impl)
    held = {(node, t) for node, t in regs}
    last = last_uses(impl)

    def value(node: int, t: int) -> str:
        if (node, t) in held:
            return f"r{node}_{t}"
        return f"x{node}" if node < k_in else f"n{node}"

    inputs = [{"name": f"x{k}", "width": int(bits[k]), "expr": _input_value(impl.in_dtype, k, int(bits[k]))}
              for k in range(k_in) if last[k] >= 0]
    registered = [{"name": f"r{node}_{t}", "width": int(bits[node]), "source": value(node, t - 1)} for node, t in regs]
    adders = []
    for i, (a, sa, na, b, sb, nb) in enumerate(graph.ops.tolist()):
        node = k_in + i
        if last[node] < 0:
            continue
        w, seg = int(bits[node]), impl.segment_of(node)
        ta, tb = term(value(a, seg), int(bits[a]), sa, w), term(value(b, seg), int(bits[b]), sb, w)
        adders.append({"name": f"n{node}", "width": w, "expr": sum_text(ta, na, tb, nb, f"{w}'d0 - "), "segment": seg})
    outputs = []
    width = impl.acc_bits
    for j in range(impl.layer.mh):
        found = output_term(impl, j)
        if found is None:
            acc = f"{width}'d0"
        else:
            node, shift, neg = found
            acc = term(value(node, impl.segments), int(bits[node]), shift, width)
            acc = f"{width}'d0 - {acc}" if neg else acc
        code = _thresholds(impl, j, f"acc{j}") if impl.thresholds is not None else \
            (f"acc{j}" if impl.out_dtype.bitwidth() == width else f"acc{j}[{impl.out_dtype.bitwidth() - 1}:0]")
        outputs.append({"acc": f"acc{j}", "acc_expr": acc, "code": f"code{j}", "code_expr": code})
    return {"inputs": inputs, "registers": registered, "adders": adders, "outputs": outputs, "acc_bits": width,
            "code_bits": impl.out_dtype.bitwidth()}


def render_unrolled(env, impl: UnrolledImpl, module: str) -> str:
    parts = netlist(impl)
    return env.get_template("unrolled.v.j2").render(
        module=module, layer_name=impl.name, in_bits=impl.in_stream_bits, out_bits=impl.out_stream_bits,
        depth=impl.depth, adders_count=impl.graph.adders, segments=impl.segments, levels=impl.levels, **parts)
