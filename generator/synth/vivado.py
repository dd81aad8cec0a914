"""`axgen synth --tool vivado [--full]`: the project's Vivado script in batch mode, its utilization reports read back per layer.

Out of context (default): tcl/synth_ooc.tcl synthesizes axgen_top alone and writes
build/vivado_ooc/{utilization_hier,utilization,timing}.rpt. --full: tcl/block_design.tcl builds
the Zynq board's whole block design (processing system, DMA, the accelerator) and writes the same
reports under build/vivado (paths from generator.backends.tcl.vivado). The layers are the
instances u_l<i> of axgen_top; the total is the report's top row (the accelerator out of context,
the whole design with --full).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from generator.backends.tcl.vivado import HLS_PROCESS_SUFFIX, OOC_REPORTS, SCRIPTS, overlay
from generator.errors import AxgenError
from generator.synth.format import add, counts, subtract
from generator.tools.vivado import (EXE, find_vivado, parse_primitives, parse_timing, parse_utilization_hier,
                                    run_script, tool_version, CARRY_PRIMITIVES)

TOOL = "vivado"
# flow -> (script, {"utilization_hier", "utilization", "timing": report}), relative to the project folder
FLOWS = {"ooc": (SCRIPTS["synth_ooc"], OOC_REPORTS), "full": (SCRIPTS["block_design"], overlay("rtl")["reports"])}
_LAYER_INSTANCE = re.compile(r"^u_l(\d+)$")
_HLS_PROCESS = re.compile(rf"^(\w+){HLS_PROCESS_SUFFIX}$")  # a Vitis HLS dataflow process's instance


def layer_index(row: dict, by_module: dict[str, int]) -> int | None:
    """The layer a report row is: the RTL top's instance u_l<i>, the Vitis HLS top's dataflow process
    <module>_U0, or a row whose module is a layer module (Vitis HLS prefixes its modules with the top's
    name, a block design with the IP's: <prefix>_<module>)."""
    m = _LAYER_INSTANCE.match(row["instance"])
    if m:
        return int(m.group(1))
    m = _HLS_PROCESS.match(row["instance"])
    if m and m.group(1) in by_module:
        return by_module[m.group(1)]
    module = row["module"]
    suffixed = [name for name in by_module if module == name or module.endswith(f"_{name}")]
    return by_module[max(suffixed, key=len)] if suffixed else None


def _layers_by_index(data: dict) -> dict[int, dict]:
    rtl = data.get("rtl") or {}
    return {e["index"]: e for e in rtl.get("layers", []) if isinstance(e.get("index"), int)}


def read_reports(project_root: Path, reports: dict[str, str], data: dict, where: str) -> dict:
    """The flow result from a report folder: per layer (layer_index: the RTL's instances u_l<i>,
    the Vitis HLS top's <module>_U0, rows whose module is a layer module), the accelerator (their
    parent row), stitching = accelerator - layers, total = the top row, carry from the flat report's
    primitives, timing from the timing summary."""
    hier, flat, timing_path = (project_root / reports[k] for k in ("utilization_hier", "utilization", "timing"))
    if not hier.is_file():
        raise AxgenError(f"{where}: Vivado wrote no {hier}; see its log")
    text = hier.read_text(errors="replace")
    rows = parse_utilization_hier(text, str(hier))
    by_index = _layers_by_index(data)
    by_module = {e["module"]: i for i, e in by_index.items()}
    layers, parents = {}, []
    for pos, row in enumerate(rows):
        index = layer_index(row, by_module)
        if index not in by_index or by_index[index]["name"] in layers:
            continue
        layer = by_index[index]
        layers[layer["name"]] = {"index": index, "module": layer["module"], "instance": row["instance"],
                                 **counts(row)}
        parents.append(next((r for r in reversed(rows[:pos]) if r["depth"] < row["depth"]), rows[0]))
    top = rows[0]
    accelerator = parents[0] if parents else top
    primitives = parse_primitives(flat.read_text(errors="replace")) if flat.is_file() else {}
    total = counts(top)
    if primitives:
        total["carry"] = sum(primitives.get(p, 0) for p in CARRY_PRIMITIVES)
    timing = parse_timing(timing_path.read_text(errors="replace")) if timing_path.is_file() else None
    stitching = None
    if layers:
        stitching = {"module": accelerator["module"] if accelerator is not top else (data.get("rtl") or {}).get("top"),
                     **subtract(counts(accelerator), add(*layers.values()))}
        stitching["carry"] = None
    extra = {"timing": timing, "reports": sorted(p.relative_to(project_root).as_posix()
                                                 for p in (hier, flat, timing_path) if p.is_file())}
    if accelerator is not top:
        extra["accelerator"] = {"instance": accelerator["instance"], "module": accelerator["module"], **counts(accelerator)}
    return {"tool_version": tool_version(text), "layers": layers, "stitching": stitching, "total": total,
            "complete": len(layers) == len(by_index), "extra": extra}


def run(project_root: Path, data: dict, full: bool = False, timeout: float | None = None,
        progress: Callable[[str, str], None] | None = None) -> dict:
    """Run the out-of-context (or with `full` the block-design) script and read its reports."""
    flow = "full" if full else "ooc"
    script, reports = FLOWS[flow]
    shell = (data.get("board") or {}).get("shell")
    if full and shell == "alveo":
        raise AxgenError(f"--full builds a Zynq block design; board {data['board'].get('name')} is an Alveo card: "
                         "run tcl/alveo_build.sh (Vitis v++) for its whole design, or drop --full")
    if not (project_root / script).is_file():
        raise AxgenError(f"{project_root / script} is missing; rebuild the project with `axgen build`")
    exe = find_vivado()
    if exe is None:
        raise AxgenError(f"{EXE} not found on PATH; install Vivado or source its settings64.sh "
                         f"(or run `vivado -mode batch -source {script}` in {project_root} where it is)")
    for path in reports.values():
        (project_root / path).unlink(missing_ok=True)  # never read an earlier run's report
    log = project_root / Path(reports["utilization_hier"]).parent / "run.log"
    if progress:
        progress(script, "start")
    failure = run_script(exe, project_root, script, log, timeout)
    if progress:
        progress(script, "failed" if failure else "done")
    if failure:
        raise AxgenError(failure)
    result = read_reports(project_root, reports, data, f"vivado on {script}")
    result["extra"]["options"] = {"flow": flow}
    return {**result, "failure": None}
