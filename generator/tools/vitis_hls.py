"""Vitis HLS as a tool: finding `vitis_hls` (or, where a Vitis release no longer ships it, its
replacement `vitis-run --mode hls --tcl`: Vitis 2024.2 deprecates `vitis_hls -f`), running one
script of a project (console output to a log, the first ERROR line quoted on failure) and reading
a csynth report."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from generator.errors import AxgenError

EXE = "vitis_hls"
RUN_EXE = "vitis-run"  # Vitis 2024.2 and later: vitis-run --mode hls --tcl SCRIPT
LOG_TAIL_LINES = 400  # how far back in a failed run's log to look for its first ERROR line
_UNDEF = {"", "undef", "-", "?", "n/a", "na", "none"}
# csynth.xml resource tags -> our keys (older Vivado HLS reports say DSP48E instead of DSP)
_RESOURCE_TAGS = {"lut": ("LUT",), "ff": ("FF",), "bram18": ("BRAM_18K",), "dsp": ("DSP", "DSP48E"),
                  "uram": ("URAM",)}


def find_vitis() -> str | None:
    """vitis_hls where it is on PATH (every release up to 2024.2 runs `-f`), else vitis-run."""
    return shutil.which(EXE) or shutil.which(RUN_EXE)


def script_command(exe: str, script: str, log: Path) -> list[str]:
    """The command running `script`: `vitis_hls -f` (its own log file `log`), or for vitis-run
    `--mode hls --tcl` (UG1393 2024.2, "vitis-run Command")."""
    if Path(exe).name.startswith(RUN_EXE):
        return [exe, "--mode", "hls", "--tcl", script]
    return [exe, "-f", script, "-l", str(log)]


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
    """Read a Vitis HLS `<top>_csynth.xml`: {"version" ("Vitis HLS 2022.2"), "latency_min", "latency_max", "interval_min",
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

    version = (root.findtext("ReportVersion/Version") or "").strip()
    return {
        "version": f"Vitis HLS {version}" if version else None,
        "latency_min": lat("Best-caseLatency"),
        "latency_max": lat("Worst-caseLatency"),
        "interval_min": lat("Interval-min"),
        "interval_max": lat("Interval-max"),
        "clock_ns": _number(timing.findtext("EstimatedClockPeriod"), float) if timing is not None else None,
        "target_clock_ns": _number(root.findtext("UserAssignments/TargetClockPeriod"), float),
        "resources": _resources(area.find("Resources") if area is not None else None),
        "available": _resources(area.find("AvailableResources") if area is not None else None),
    }


def _first_error(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
    except OSError:
        return ""
    for line in lines:
        if line.lstrip().startswith("ERROR"):
            return line.strip()
    return ""


def run_script(exe: str, project_root: Path, script: str, log: Path, xml: Path, timeout: float | None) -> str | None:
    """Run `script` (relative to project_root, which is the working folder) with its console
    output in `log`; it must write the report `xml`. None on success, else a one-line
    description of the failure."""
    module = log.stem
    log.parent.mkdir(parents=True, exist_ok=True)
    if xml.exists():
        xml.unlink()  # a report left by an earlier run must not pass for this one
    # -l keeps parallel runs from sharing DIR/vitis_hls.log; the console output goes to <module>.log
    cmd = script_command(exe, script, (log.parent / f"{module}.vitis_hls.log").resolve())
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
