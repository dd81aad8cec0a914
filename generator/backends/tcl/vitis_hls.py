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

import re
from pathlib import Path

from generator.errors import AxgenError
from generator.templating import environment

TCL_DIR = "tcl"
HLS_DIR = "hls"
BUILD_DIR = "build/vitis_hls"
SOLUTION = "solution1"
README = "hls_README.txt"
CXX_STD = "c++14"

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./+-]+$")  # no spaces or Tcl specials in a relative source path


def hls_units(data: dict) -> list[dict]:
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


def board_part(data: dict) -> tuple[str, float]:
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


def _script(unit: dict, part: str, period: str) -> str:
    what = (f"layer {unit['index']} ({unit['name']})" if unit["kind"] == "layer"
            else "the whole network (dataflow top)")
    return environment("tcl").get_template("vitis_hls.tcl.j2").render(
        module=unit["module"], what=what, script=script_name(unit["module"]), build_dir=BUILD_DIR, file=unit["file"],
        hls_dir=HLS_DIR, cxx_std=CXX_STD, solution=SOLUTION, part=part, period=period)


def _readme(units: list[dict], part: str, period: str) -> str:
    return environment("tcl").get_template("hls_README.txt.j2").render(
        part=part, period=period, scripts=[script_name(u["module"]) for u in units], build_dir=BUILD_DIR,
        solution=SOLUTION)


def write_scripts(project_root: Path, data: dict) -> list[str]:
    """Write DIR/tcl/hls_<module>.tcl for every layer IP and for the network top, plus
    DIR/tcl/hls_README.txt; returns the written paths relative to DIR (layers in stream order, the
    top, the README). The text depends only on `data`, so rebuilding gives identical files."""
    project_root = Path(project_root)
    units = hls_units(data)
    part, mhz = board_part(data)
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
