"""`axgen synth`: synthesis of a built project's IPs with Vitis HLS (every layer IP and the
whole network, `jobs` at a time) into DIR/resources.json."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from generator.backends.tcl.vitis_hls import (TCL_DIR, board_part, clock_period_ns, hls_units, log_path,
                                              report_path, script_name, write_scripts)
from generator.errors import AxgenError
from generator.project import read_project_data
from generator.tools.vitis_hls import EXE, find_vitis, parse_csynth, run_script

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
        failure = run_script(exe, project_root, script_name(module), log_path(project_root, module),
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
