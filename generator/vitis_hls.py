"""Vitis HLS synthesis of a built project: one TCL script per layer IP plus one for the whole
dataflow network (`write_scripts`, called by `axgen build`), running them when `vitis_hls` is on
PATH (`run`, behind `axgen synth DIR --tool vitis-hls`), and reading the csynth reports back
(`parse_csynth`) into DIR/resources.json.

Layout inside a project folder DIR (every path in a script is relative to DIR, so a project can
move; the scripts are run from DIR):

    DIR/hls/<module>.cpp, DIR/hls/<top>.cpp, headers   C++ sources (written by the HLS generator)
    DIR/tcl/hls_<module>.tcl, DIR/tcl/hls_<top>.tcl    one Vitis HLS run each: `vitis_hls -f tcl/...`
    DIR/tcl/hls_README.txt                             how to run them
    DIR/build/vitis_hls/<module>/solution1/            the Vitis HLS project of one run
    DIR/build/vitis_hls/<module>.log                   its console output
    DIR/resources.json                                 the parsed reports

The list of IPs comes from project.json["hls"]: {"top": str, "layers": [{"index", "name", "module",
"file", "estimated_cycles"}, ...], "files": [...]}.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import jinja2

from generator.errors import AxgenError
from generator.resources import resource_dir

TEMPLATES = resource_dir("templates") / "tcl"
EXE = "vitis_hls"
TOOL = "vitis-hls"
TCL_DIR = "tcl"
HLS_DIR = "hls"
BUILD_DIR = "build/vitis_hls"
SOLUTION = "solution1"
README = "hls_README.txt"
RESOURCES_FILE = "resources.json"
CXX_STD = "c++14"
LOG_TAIL_LINES = 400  # how far back in a failed run's log to look for its first ERROR line

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./+-]+$")  # no spaces or Tcl specials in a relative source path
_UNDEF = {"", "undef", "-", "?", "n/a", "na", "none"}
# csynth.xml resource tags -> our keys (older Vivado HLS reports say DSP48E instead of DSP)
_RESOURCE_TAGS = {"lut": ("LUT",), "ff": ("FF",), "bram18": ("BRAM_18K",), "dsp": ("DSP", "DSP48E"),
                  "uram": ("URAM",)}


# ---------------------------------------------------------------------------------------------
# the IPs of a project

def _hls_units(data: dict) -> list[dict]:
    """Every synthesis unit of the project, layers in stream order then the whole network:
    [{"module", "name", "index", "file" (relative to DIR), "estimated_cycles", "kind"}]."""
    hls = data.get("hls")
    if not isinstance(hls, dict) or not hls.get("layers"):
        raise AxgenError("the project has no HLS sources (project.json has no \"hls\" layers); "
                         "rebuild it with `axgen build`")
    units = []
    for entry in sorted(hls["layers"], key=lambda e: e.get("index", 0)):
        module = entry.get("module")
        units.append({"module": module, "name": entry.get("name", module), "index": entry.get("index"),
                      "file": _source_path(entry.get("file") or f"{module}.cpp"),
                      "estimated_cycles": entry.get("estimated_cycles"), "kind": "layer"})
    top = hls.get("top") or "axgen_top"
    layer_cycles = [u["estimated_cycles"] for u in units if isinstance(u["estimated_cycles"], int)]
    top_cycles = data.get("estimated_cycles_per_sample", max(layer_cycles) if layer_cycles else None)
    units.append({"module": top, "name": "(network)", "index": None, "file": _source_path(f"{top}.cpp"),
                  "estimated_cycles": top_cycles, "kind": "top"})
    seen = set()
    for unit in units:
        module = unit["module"]
        if not isinstance(module, str) or not _IDENT.match(module):
            raise AxgenError(f"project.json: HLS module name {module!r} is not a C identifier; rebuild the project")
        if module in seen:
            raise AxgenError(f"project.json: HLS module {module!r} appears twice; rebuild the project")
        seen.add(module)
        if not _SAFE_PATH.match(unit["file"]) or ".." in Path(unit["file"]).parts:
            raise AxgenError(f"project.json: HLS source path {unit['file']!r} for {module} is not a plain "
                             f"relative path inside {HLS_DIR}/; rebuild the project")
    return units


def _source_path(file: str) -> str:
    """A source named in project.json, relative to DIR: `x.cpp` and `hls/x.cpp` both mean DIR/hls/x.cpp."""
    path = Path(str(file))
    parts = path.parts
    return path.as_posix() if parts and parts[0] == HLS_DIR else (Path(HLS_DIR) / path).as_posix()


def _board(data: dict) -> tuple[str, float]:
    board = data.get("board") or {}
    part, mhz = board.get("part"), board.get("clock_mhz")
    if not isinstance(part, str) or not _SAFE_PATH.match(part):
        raise AxgenError(f"project.json: the board has no usable FPGA part ({part!r}); rebuild the project")
    if not isinstance(mhz, (int, float)) or isinstance(mhz, bool) or mhz <= 0:
        raise AxgenError(f"project.json: the board clock_mhz {mhz!r} is not a positive number; rebuild the project")
    return part, float(mhz)


def clock_period_ns(clock_mhz: float) -> str:
    """The period for `create_clock -period`, in ns with three decimals: 100 -> '10.000', 150 -> '6.667'."""
    return f"{1000.0 / float(clock_mhz):.3f}"


def script_name(module: str) -> str:
    return f"{TCL_DIR}/hls_{module}.tcl"


def report_path(project_root: Path, module: str) -> Path:
    """Where Vitis HLS writes the csynth report of `module` when its script runs from project_root."""
    return Path(project_root) / BUILD_DIR / module / SOLUTION / "syn" / "report" / f"{module}_csynth.xml"


def log_path(project_root: Path, module: str) -> Path:
    return Path(project_root) / BUILD_DIR / f"{module}.log"


# ---------------------------------------------------------------------------------------------
# scripts

def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)


def _script(unit: dict, part: str, period: str) -> str:
    what = (f"layer {unit['index']} ({unit['name']})" if unit["kind"] == "layer"
            else "the whole network (dataflow top)")
    return _env().get_template("vitis_hls.tcl.j2").render(
        module=unit["module"], what=what, script=script_name(unit["module"]), build_dir=BUILD_DIR, file=unit["file"],
        hls_dir=HLS_DIR, cxx_std=CXX_STD, solution=SOLUTION, part=part, period=period)


def _readme(units: list[dict], part: str, period: str) -> str:
    return _env().get_template("hls_README.txt.j2").render(
        part=part, period=period, scripts=[script_name(u["module"]) for u in units], build_dir=BUILD_DIR,
        solution=SOLUTION)


def write_scripts(project_root: Path, data: dict) -> list[str]:
    """Write DIR/tcl/hls_<module>.tcl for every layer IP and for the network top, plus
    DIR/tcl/hls_README.txt; returns the written paths relative to DIR (layers in stream order, the
    top, the README). The text depends only on `data`, so rebuilding gives identical files."""
    project_root = Path(project_root)
    units = _hls_units(data)
    part, mhz = _board(data)
    period = clock_period_ns(mhz)
    (project_root / TCL_DIR).mkdir(parents=True, exist_ok=True)
    written = []
    for unit in units:
        rel = script_name(unit["module"])
        (project_root / rel).write_text(_script(unit, part, period))
        written.append(rel)
    rel = f"{TCL_DIR}/{README}"
    (project_root / rel).write_text(_readme(units, part, period))
    written.append(rel)
    return written


# ---------------------------------------------------------------------------------------------
# reports

def _number(text: str | None, kind=int):
    if text is None:
        return None
    text = text.strip()
    if text.lower() in _UNDEF:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if kind is int and value.is_integer() else (kind(value) if kind is float else None)


def _resources(node) -> dict:
    out = {}
    for key, tags in _RESOURCE_TAGS.items():
        value = None
        if node is not None:
            for tag in tags:
                if node.find(tag) is not None:
                    value = _number(node.findtext(tag))
                    break
        out[key] = value
    return out


def parse_csynth(xml_path: Path) -> dict:
    """Read a Vitis HLS `<top>_csynth.xml`: {"latency_min", "latency_max", "interval_min",
    "interval_max" (clock cycles), "clock_ns" (estimated), "target_clock_ns", "resources" and
    "available": {"lut", "ff", "bram18", "dsp", "uram"}}. Missing or "undef" values are None."""
    xml_path = Path(xml_path)
    try:
        root = ET.parse(xml_path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise AxgenError(f"{xml_path} is not a readable Vitis HLS report ({type(exc).__name__}: {exc})") from None
    perf = root.find("PerformanceEstimates")
    latency = perf.find("SummaryOfOverallLatency") if perf is not None else None
    timing = perf.find("SummaryOfTimingAnalysis") if perf is not None else None
    area = root.find("AreaEstimates")

    def lat(tag):
        return _number(latency.findtext(tag)) if latency is not None else None

    return {
        "latency_min": lat("Best-caseLatency"),
        "latency_max": lat("Worst-caseLatency"),
        "interval_min": lat("Interval-min"),
        "interval_max": lat("Interval-max"),
        "clock_ns": _number(timing.findtext("EstimatedClockPeriod"), float) if timing is not None else None,
        "target_clock_ns": _number(root.findtext("UserAssignments/TargetClockPeriod"), float),
        "resources": _resources(area.find("Resources") if area is not None else None),
        "available": _resources(area.find("AvailableResources") if area is not None else None),
    }


def _ratio(interval, estimated):
    if not isinstance(interval, int) or not isinstance(estimated, int) or estimated <= 0:
        return None
    return round(interval / estimated, 4)


def collect(project_root: Path, data: dict) -> dict:
    """Parse every report present under DIR/build/vitis_hls and write DIR/resources.json."""
    project_root = Path(project_root)
    part, mhz = _board(data)
    result = {"tool": TOOL, "part": part, "target_clock_ns": float(clock_period_ns(mhz)), "layers": {}, "top": None}
    for unit in _hls_units(data):
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


# ---------------------------------------------------------------------------------------------
# running

def find_vitis() -> str | None:
    return shutil.which(EXE)


def load_project_data(project_root: Path) -> dict:
    """project.json of a built project, without loading the network."""
    project_root = Path(project_root)
    path = project_root / "project.json"
    if not path.is_file():
        raise AxgenError(f"{project_root} is not an axgen project (no project.json); create one with `axgen build`")
    try:
        data = json.loads(path.read_text())
    except (ValueError, OSError) as exc:
        raise AxgenError(f"{path} is damaged ({type(exc).__name__}: {exc}); rebuild the project") from None
    if not isinstance(data, dict):
        raise AxgenError(f"{path} is damaged (not a JSON object); rebuild the project")
    return data


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


def _first_error(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
    except OSError:
        return ""
    for line in lines:
        if line.lstrip().startswith("ERROR"):
            return line.strip()
    return ""


def _run_one(exe: str, project_root: Path, unit: dict, timeout: float | None) -> str | None:
    """Run one script; None on success, else a one-line description of the failure."""
    module = unit["module"]
    script = script_name(module)
    log = log_path(project_root, module)
    log.parent.mkdir(parents=True, exist_ok=True)
    xml = report_path(project_root, module)
    if xml.exists():
        xml.unlink()  # a report left by an earlier run must not pass for this one
    # -l keeps parallel runs from sharing DIR/vitis_hls.log; the console output goes to <module>.log
    cmd = [exe, "-f", script, "-l", str((log.parent / f"{module}.vitis_hls.log").resolve())]
    try:
        with open(log, "w") as out:
            proc = subprocess.run(cmd, cwd=project_root, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"vitis_hls on {script} took longer than {timeout:g} s; see {log}"
    except OSError as exc:
        return f"vitis_hls ({exe}) does not run: {exc}"
    if proc.returncode != 0:
        detail = _first_error(log)
        return f"vitis_hls failed on {script} (exit {proc.returncode}); see {log}" + (f": {detail}" if detail else "")
    if not xml.is_file():
        return f"vitis_hls ran {script} but wrote no report {xml.relative_to(project_root)}; see {log}"
    return None


def run(project_root: Path, only: list[str] | None = None, jobs: int = 1, timeout: float | None = None,
        progress: Callable[[str, str], None] | None = None) -> dict:
    """Synthesize the project's IPs with Vitis HLS (all layers and the top, or those named in
    `only`: layer names, indices, module names or "top"), `jobs` at a time, then write and return
    DIR/resources.json (every report present, including earlier runs'). `progress(module, event)`
    is called with event "start" / "done" / "failed". Raises AxgenError with one clear line when
    vitis_hls is missing or a run fails."""
    project_root = Path(project_root)
    data = load_project_data(project_root)
    all_units = _hls_units(data)
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
        failure = _run_one(exe, project_root, unit, timeout)
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
