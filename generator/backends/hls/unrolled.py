"""The HLS C++ of an unrolled layer (generator.hw.unrolled): one function that reads a vector,
computes every adder of its graph in ap_int of the node's width (the same modulo arithmetic as
the Verilog, generator.backends.rtl.unrolled) and writes the codes, pipelined at II = 1. Every
line is computed here; templates/hls/unrolled.h.j2 only places them."""

from __future__ import annotations

from generator.hw.unrolled import UnrolledImpl, output_term, search_tables, sum_text


def _type(bits, signed) -> str:
    return f"{'ap_int' if signed else 'ap_uint'}<{int(bits)}>"


def _term(name: str, shift: int, to: int) -> str:
    if shift >= 0:
        return f"(ap_int<{to}>({name}) << {shift})" if shift else f"ap_int<{to}>({name})"
    return f"ap_int<{to}>({name} >> {-shift})"


def _search(impl: UnrolledImpl, j: int) -> tuple[list[dict], str]:
    """Output j's thresholds as the hardware's binary search: one table per step, indexed by the
    count's bits found so far (a candidate beyond the thresholds never taken)."""
    n = impl.steps
    tables, steps = [], []
    for k, table in enumerate(search_tables(impl, j)):
        values = ", ".join("LLONG_MAX" if v is None else f"{v}LL" for v in table)
        tables.append({"name": f"t{j}_{k}", "size": len(table), "entries": values})
        steps.append(f"if (acc{j} >= t{j}_{k}[c{j} >> {n - k}]) c{j} |= {1 << (n - 1 - k)};")
    return tables, steps


def _steps(impl: UnrolledImpl, j: int) -> list[str]:
    """Output j's evenly spaced thresholds as the hardware's arithmetic (generator.hw.thresholds.Steps)."""
    q = impl.quantizers[j]
    w = impl.step_bits(q)
    offsets = ", ".join(str(e) for e in q.pattern)
    return [f"const ap_int<{w}> d{j} = ap_int<{w}>(acc{j}) - ap_int<{w}>({q.base}LL);",
            f"const long long h{j} = (long long)(d{j} >> {q.shift});",
            f"static const long long e{j}[{len(q.pattern)}] = {{{offsets}}};",
            f"const long long u{j} = h{j} + ((long long)(d{j} & {(1 << q.shift) - 1}LL) >= e{j}[h{j} & {len(q.pattern) - 1}]);",
            f"c{j} = u{j} < 0 ? 0 : u{j} > {q.n} ? {q.n} : (int)u{j};"]


def body(impl: UnrolledImpl) -> dict:
    graph, bits, signed = impl.graph, impl.node_bits, impl.node_signed
    k_in = graph.n_inputs
    last = impl.last_uses
    in_bits = impl.in_dtype.bitwidth()
    kind = "ap_int" if impl.in_dtype.signed() else "ap_uint"
    mw = impl.layer.mw
    inputs = [{"name": f"x{k}", "type": _type(bits[k], signed[k]),
               "expr": f"{kind}<{in_bits}>(beat.range({(k + 1) * in_bits - 1}, {k * in_bits}))"}
              for k in range(mw) if last[k] >= 0]
    products = []
    for k in range(mw, k_in):  # a family's products by constants, tables over the activation's code
        if last[k] < 0:
            continue
        table = impl.tables[k - mw]
        products.append({"name": f"tab{k}", "type": _type(bits[k], signed[k]), "size": len(table.values),
                       "entries": ", ".join(str(v) for v in table.values)})
        inputs.append({"name": f"x{k}", "type": _type(bits[k], signed[k]),
                       "expr": f"tab{k}[beat.range({(table.column + 1) * in_bits - 1}, {table.column * in_bits})]"})
    name = [f"x{k}" for k in range(k_in)] + [f"n{k_in + i}" for i in range(graph.adders)]
    adders = []
    for i, (a, sa, na, b, sb, nb) in enumerate(graph.ops.tolist()):
        node = k_in + i
        if last[node] >= 0:
            w = int(bits[node])
            adders.append({"name": name[node], "type": _type(w, signed[node]),
                           "expr": sum_text(_term(name[a], sa, w), na, _term(name[b], sb, w), nb, "-")})
    width, out_bits = impl.acc_bits, impl.out_dtype.bitwidth()
    outputs = []
    for j in range(impl.layer.mh):
        found = output_term(impl, j)
        acc = "0" if found is None else _term(name[found[0]], found[1], width)
        if found is not None and found[2]:
            acc = f"-{acc}"
        tables, steps = ([], _steps(impl, j)) if impl.quantizers else _search(impl, j) if impl.thresholds is not None else ([], [])
        code = f"ap_uint<{out_bits}>(c{j} + {impl.layer.out_bias})" if impl.thresholds is not None else f"acc{j}"
        outputs.append({"acc": f"acc{j}", "acc_expr": acc, "code": code, "count": f"c{j}", "tables": tables,
                        "steps": steps, "hi": (j + 1) * out_bits - 1, "lo": j * out_bits})
    return {"inputs": inputs, "products": products, "adders": adders, "outputs": outputs, "acc_bits": width}


def render_unrolled_hls(env, impl: UnrolledImpl, function: str) -> str:
    return env.get_template("unrolled.h.j2").render(
        function=function, guard=f"{function.upper()}_H", layer_name=impl.name, in_bits=impl.window_stream_bits,
        out_bits=impl.out_stream_bits, adders_count=impl.graph.adders, **body(impl))
