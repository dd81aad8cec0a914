"""`axgen synth --tool nextpnr`: each layer module and the whole top through Yosys synth_ecp5 and
nextpnr-ecp5, out of context (parallel, cached): ECP5 resources and the clock each one reaches.

Each layer module alone is one run, and the whole top (every layer inside it) one more: its
resources are the total and its Fmax the accelerator's. A run is Yosys (`synth_ecp5`, the cells
of `stat`) then nextpnr on the netlist in the same scratch folder (both are WebAssembly and see
only it), at the board's part, package and speed grade, the target clock and a fixed seed, so a
rerun gives the same figures. Runs are cached (generator.tools.cache, kind synth) by the content
of their sources, memory files, script, options and both tools' versions.

The critical path's cells carry the instance names of the flattened top (u_l<i>.…), which name
the layer it lies in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

from generator.errors import AxgenError
from generator.synth.format import RESOURCE_KEYS
from generator.synth.yosys import _modules, _rtl_folder, file_parts, inputs, run_jobs, short_version, units
from generator.templating import environment
from generator.tools import ecp5_bram_outreg
from generator.tools.cache import SYNTH, cache_dir, cached, content_key
from generator.tools.nextpnr import SYNTH_ECP5, arguments, nextpnr_version, parse_report, place_and_route
from generator.tools.yosys import parse_stat, run_reading, yosys_version

TOOL = "nextpnr"
FAMILY = "ecp5"
RESULT = "result.json"  # in a cache entry
NETLIST = "netlist.json"
STITCHING = "(stitching)"  # the critical path's layer when it lies outside every layer
# Cells of synth_ecp5 -> resource key (one site each); distributed RAM as lutram.
CELL_RESOURCES = {"LUT4": "lut", "CCU2C": "carry", "TRELLIS_FF": "ff", "MULT18X18D": "dsp", "DP16KD": "bram18",
                  "PDPW16KD": "bram18", "TRELLIS_DPR16X4": "lutram"}
_LAYER_INSTANCE = re.compile(r"^u_l(\d+)$")


def resources(cells: dict) -> dict:
    """LUT4 / CCU2C / TRELLIS_FF / MULT18X18D / DP16KD / TRELLIS_DPR16X4 counts under resources.json's keys."""
    out = dict.fromkeys(RESOURCE_KEYS, 0)
    out["uram"] = None  # ECP5 has none
    for cell, key in CELL_RESOURCES.items():
        out[key] += cells.get(cell, 0)
    return out


def layer_of(cell: str | None, names: dict[int, str]) -> str | None:
    """The layer a cell of the flattened top lies in (its instance path starts with u_l<i>), else None."""
    m = _LAYER_INSTANCE.match((cell or "").split(".", 1)[0])
    return names.get(int(m.group(1))) if m else None


def path_layer(critical: dict, names: dict[int, str]) -> str:
    """The layer of a path in the whole top: its start's, else its end's, else the first layer a
    cell on it is in; the stitching (FIFOs, width converters) when it touches no layer."""
    for cell in [critical.get("from"), critical.get("to"), *critical.get("cells", [])]:
        layer = layer_of(cell, names)
        if layer:
            return layer
    return STITCHING


def _job(rtl: Path, unit: dict, where: dict, texts: dict, pnr_args: list[str]) -> dict:
    sources, _, mems = inputs(rtl, unit, where, texts)
    script = environment("yosys").get_template("synth_ecp5.ys.j2").render(
        sources=sources, synth=SYNTH_ECP5, top=unit["module"], netlist=NETLIST)
    names = sources + mems
    key = content_key(yosys_version(), nextpnr_version(), f"bram-outreg {ecp5_bram_outreg.VERSION}", script, *pnr_args,
                      *file_parts(rtl, names))
    return {"unit": unit, "files": {n: rtl / n for n in names}, "script": script, "args": pnr_args, "key": key}


def _place(job: dict) -> tuple[dict, bool]:
    unit = job["unit"]
    where = f"place and route of {unit['module']}"

    def build(entry: Path) -> None:
        def read(work: Path):
            moved = ecp5_bram_outreg.absorb_file(work / NETLIST)  # block RAM reads' registers into the block RAMs
            report = place_and_route(work, NETLIST, job["args"], where)
            (entry / "report.json").write_text(json.dumps(report, indent=1) + "\n")
            cells = parse_stat(work)
            if moved:  # Yosys counted them as fabric flip-flops
                cells[ecp5_bram_outreg.FF] = cells.get(ecp5_bram_outreg.FF, 0) - moved
            return cells, report

        cells, report = run_reading(job["files"], job["script"], f"Yosys synth_ecp5 of {unit['module']}", read)
        cells = {k: v for k, v in cells.items() if not k.startswith("$")}
        result = {"module": unit["module"], "cells": cells, **parse_report(report)}
        (entry / RESULT).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")

    entry, was_cached = cached(cache_dir(SYNTH), job["key"], build)
    return json.loads((entry / RESULT).read_text()), was_cached


def _one_line(message: str) -> str:
    """A failed run's cause on one line: Yosys' ERROR line from its log (parameterized module
    names made readable, the process details left out), or nextpnr's message."""
    lines = message.splitlines()
    error = next((line.strip() for line in lines[1:] if "ERROR" in line), "")
    error = re.sub(r"\$paramod\$[0-9a-f]+\\", "", error).split("' from process")[0] + ("'" if "' from process" in error else "")
    return lines[0].replace("; end of its log:", "") + (f": {error}" if error else "")


def board_device(board: dict) -> tuple[str, str | None, int | None]:
    """(part, package, speed) of an ECP5 board; AxgenError for a board nextpnr cannot place."""
    if board.get("family") != FAMILY:
        raise AxgenError(f"--tool nextpnr places Lattice ECP5 parts; board {board.get('name')} is a {board.get('part')} "
                         f"(family {board.get('family')}), which nextpnr does not place: use --tool yosys (resources) "
                         "or vivado (resources and timing)")
    return board["part"], board.get("package"), board.get("speed")


def run(project_root: Path, data: dict, chosen: list[dict], jobs: int = 1, clock_mhz: float | None = None,
        progress: Callable[[str, str], None] | None = None) -> dict:
    """Synthesize, place and route the `chosen` units (`jobs` at a time) on the board's ECP5 part at
    `clock_mhz` (default: the project's clock); the flow result with the timing section."""
    board = data.get("board") or {}
    part, package, speed = board_device(board)
    mhz = float(clock_mhz or board.get("clock_mhz") or 0)
    pnr_args = arguments(part, package, speed, mhz)
    rtl = _rtl_folder(project_root)
    where, texts = _modules(rtl)
    work = [_job(rtl, u, where, texts, pnr_args) for u in chosen]
    versions = f"{short_version(yosys_version())}, nextpnr-ecp5 {nextpnr_version()}"
    outcomes = run_jobs(work, _place, jobs, progress, _one_line)
    failures = [failure for _, failure in outcomes.values() if failure]
    if failures:
        return {"failure": failures[0]}
    names = {u["index"]: u["name"] for u in units(data) if u["kind"] == "layer"}
    layers, top, timing_layers = {}, None, {}
    for job in work:  # in stream order
        unit, (result, _) = job["unit"], outcomes[id(job)]
        entry = {"module": unit["module"], **resources(result["cells"]), "cells": result["cells"],
                 "fmax_mhz": result["fmax_mhz"]}
        if unit["kind"] == "top":
            top = result
        else:
            layers[unit["name"]] = {"index": unit["index"], **entry}
            timing_layers[unit["name"]] = {"fmax_mhz": result["fmax_mhz"]}
    timing = {"target_mhz": mhz, "fmax_mhz": top["fmax_mhz"] if top else None, "slack_ns": None,
              "layers": timing_layers, "critical_path": None}
    if top:
        source, layer = top, None
    else:  # only layers ran: the slowest one's path
        slowest = min(layers, key=lambda n: layers[n]["fmax_mhz"] or float("inf"), default=None)
        source = next((outcomes[id(j)][0] for j in work if j["unit"]["name"] == slowest), None)
        layer = slowest
    if source and source["fmax_mhz"]:
        timing["slack_ns"] = round(1000 / mhz - 1000 / source["fmax_mhz"], 3)
    if source and source["critical_path"]:
        path = source["critical_path"]
        timing["critical_path"] = {"from": path["from"], "to": path["to"], "layer": layer or path_layer(path, names),
                                   "logic_ns": path["logic_ns"], "routing_ns": path["routing_ns"]}
    extra = {"timing": timing, "options": {"family": FAMILY, "synth": SYNTH_ECP5, "nextpnr": pnr_args}}
    if top:
        extra["cells"] = top["cells"]
        extra["placement"] = top["utilization"]
    return {"tool_version": versions, "layers": layers, "stitching": None,
            "total": resources(top["cells"]) if top else None,
            "complete": top is not None and len(layers) == len(names), "extra": extra, "failure": None}
