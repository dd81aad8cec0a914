"""`axgen synth --tool vitis-hls`: every layer IP and the whole network through Vitis HLS csynth, `jobs` at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from generator.backends.tcl.vitis_hls import (TCL_DIR, board_part, clock_period_ns, hls_units, log_path,
                                              report_path, script_name, write_scripts)
from generator.errors import AxgenError
from generator.synth.format import counts
from generator.tools.vitis_hls import EXE, RUN_EXE, find_vitis, parse_csynth, run_script

TOOL = "vitis-hls"


def units(data: dict) -> list[dict]:
    return hls_units(data)


def _ratio(interval, estimated):
    if not isinstance(interval, int) or not isinstance(estimated, int) or estimated <= 0:
        return None
    return round(interval / estimated, 4)


def collect(project_root: Path, data: dict) -> dict:
    """Every csynth report present under DIR/build/vitis_hls (this run's and earlier ones'), as a
    flow result for format.document (the whole network's estimate is the total)."""
    _, mhz = board_part(data)
    layers, top, version = {}, None, None
    for unit in hls_units(data):
        xml = report_path(project_root, unit["module"])
        if not xml.is_file():
            continue
        parsed = parse_csynth(xml)
        version = parsed.pop("version", None) or version
        resources = parsed.pop("resources")
        parsed.pop("available")
        interval = parsed["interval_max"] if parsed["interval_max"] is not None else parsed["interval_min"]
        entry = {**counts(resources), **parsed, "module": unit["module"], "index": unit["index"],
                 "estimated_cycles": unit["estimated_cycles"],
                 "interval_vs_estimate": _ratio(interval, unit["estimated_cycles"]),
                 "report": xml.relative_to(project_root).as_posix()}
        if unit["kind"] == "top":
            top = entry
        else:
            layers[unit["name"]] = entry
    return {"tool_version": version, "layers": layers, "stitching": None,
            "total": counts(top) if top else None, "complete": top is not None,
            "extra": {"top": top, "target_clock_ns": float(clock_period_ns(mhz))}}


def run(project_root: Path, data: dict, chosen: list[dict], jobs: int = 1, timeout: float | None = None,
        progress: Callable[[str, str], None] | None = None) -> dict:
    """Synthesize the `chosen` units with vitis_hls, `jobs` at a time; the flow result (with
    "failure": the first failed run's one-line message, or None)."""
    if any(not (project_root / script_name(u["module"])).is_file() for u in units(data)):
        write_scripts(project_root, data)  # a project built before the scripts existed
    missing_src = [u["file"] for u in chosen if not (project_root / u["file"]).is_file()]
    if missing_src:
        raise AxgenError(f"HLS source {project_root / missing_src[0]} is missing; "
                         "rebuild the project with `axgen build`")
    exe = find_vitis()
    if exe is None:
        raise AxgenError(f"neither {EXE} nor {RUN_EXE} is on PATH; install Vitis HLS or source its settings64.sh; "
                         f"the scripts are in {project_root / TCL_DIR}/")

    def one(unit):
        module = unit["module"]
        if progress:
            progress(module, "start")
        failure = run_script(exe, project_root, script_name(module), log_path(project_root, module),
                             report_path(project_root, module), timeout)
        if progress:
            progress(module, "failed" if failure else "done")
        return failure

    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(chosen)))) as pool:
        failures = list(pool.map(one, chosen))
    return {**collect(project_root, data), "failure": next((f for f in failures if f), None)}
