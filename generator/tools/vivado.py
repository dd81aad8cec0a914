"""Vivado as a tool: finding `vivado`, running a project's batch script, and reading its
utilization (hierarchical and flat) and timing-summary reports."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from generator.errors import AxgenError

EXE = "vivado"
LOG_TAIL_LINES = 400  # how far back in a failed run's log to look for its first ERROR line
# Hierarchical report column (lower case, spaces squeezed) -> (our key, weight)
_HIER_COLUMNS = {
    "total luts": ("total_luts", 1), "logic luts": ("lut", 1), "lutrams": ("lutram", 1), "srls": ("lutram", 1),
    "ffs": ("ff", 1), "ramb36": ("bram18", 2), "ramb18": ("bram18", 1), "uram": ("uram", 1),
    "dsp48 blocks": ("dsp", 1), "dsp blocks": ("dsp", 1), "dsps": ("dsp", 1), "carry4": ("carry", 1),
    "carry8": ("carry", 1),
}
CARRY_PRIMITIVES = ("CARRY4", "CARRY8")


def find_vivado() -> str | None:
    return shutil.which(EXE)


def _first_error(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
    except OSError:
        return ""
    return next((line.strip() for line in lines if line.startswith(("ERROR", "CRITICAL WARNING"))), "")


def run_script(exe: str, project_root: Path, script: str, log: Path, timeout: float | None = None) -> str | None:
    """Run `vivado -mode batch -source <script>` in the project folder, its console output in
    `log` (and Vivado's own log and journal next to it). Returns None on success, else one line
    saying what failed (exit status, first ERROR line, where the log is)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    stem = log.with_suffix("")
    cmd = [exe, "-mode", "batch", "-source", script, "-log", f"{stem}.vivado.log", "-journal", f"{stem}.vivado.jou"]
    try:
        with open(log, "w") as out:
            proc = subprocess.run(cmd, cwd=project_root, stdout=out, stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"vivado on {script} took longer than {timeout:g} s; its log: {log}"
    except OSError as exc:
        return f"vivado does not run ({exc}); install Vivado or source its settings64.sh"
    if proc.returncode != 0:
        first = _first_error(log)
        return f"vivado failed on {script} (exit {proc.returncode}){': ' + first if first else ''}; its log: {log}"
    return None


def _table_rows(lines: list[str], start: int) -> tuple[list[str], list[list[str]]]:
    """The header cells and the body rows of the +---+ table that begins at or after `start`
    (cells keep their leading spaces: the hierarchy's indentation)."""
    i = start
    while i < len(lines) and not lines[i].startswith("+-"):
        i += 1
    rows: list[list[str]] = []
    header: list[str] = []
    rules = 0
    for line in lines[i:]:
        if line.startswith("+-"):
            rules += 1
            if rules == 3:
                break
            continue
        if not line.startswith("|"):
            break
        cells = [c.rstrip() for c in line.strip().strip("|").split("|")]
        if rules == 1:
            header = [" ".join(c.split()) for c in cells]
        else:
            rows.append([c[1:] if c.startswith(" ") else c for c in cells])
    return header, rows


def _int(text: str) -> int | None:
    """A count cell: `1234`, `1,234`, or with -hierarchical_percentages `1234(2.32%)`."""
    text = text.split("(")[0].strip().replace(",", "")
    try:
        return int(float(text))
    except ValueError:
        return None


def tool_version(text: str) -> str | None:
    """"Vivado v.2022.2" from a report's `| Tool Version : Vivado v.2022.2 (lin64) ...` line."""
    m = re.search(r"^\|\s*Tool Version\s*:\s*(Vivado v\.\S+)", text, re.MULTILINE)
    return m.group(1) if m else None


def parse_utilization_hier(text: str, where: str) -> list[dict]:
    """Rows of `report_utilization -hierarchical`, in report order: {"instance", "module",
    "depth" (0 for the top), "lut" (logic LUTs), "lutram" (LUTRAMs + SRLs), "ff", "bram18"
    (RAMB18 + 2 x RAMB36), "uram", "dsp", "total_luts"}; a column the report lacks is None."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines[:-1]) if "Utilization by Hierarchy" in line
                  and lines[i + 1].startswith("---")), None)
    if start is None:
        raise AxgenError(f"{where} is not a report_utilization -hierarchical report (no 'Utilization by Hierarchy' table)")
    header, body = _table_rows(lines, start)
    if len(header) < 3 or header[0].lower() != "instance":
        raise AxgenError(f"{where}: the hierarchy table has no Instance / Module columns")
    keys = [_HIER_COLUMNS.get(h.lower()) for h in header]
    rows = []
    for cells in body:
        if len(cells) != len(header):
            raise AxgenError(f"{where}: a row of the hierarchy table has {len(cells)} cells, the header {len(header)}")
        name = cells[0]
        row = {"instance": name.strip(), "module": cells[1].strip(), "depth": (len(name) - len(name.lstrip())) // 2}
        row.update({k: None for k in ("lut", "lutram", "ff", "bram18", "uram", "dsp", "carry", "total_luts")})
        for key, cell in zip(keys, cells):
            if key is None:
                continue
            value = _int(cell)
            if value is not None:
                row[key[0]] = (row[key[0]] or 0) + key[1] * value
        rows.append(row)
    if not rows:
        raise AxgenError(f"{where}: the hierarchy table is empty")
    return rows


def parse_primitives(text: str) -> dict[str, int]:
    """The `Primitives` table of a flat `report_utilization`: {ref name: used}."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines[:-1]) if re.match(r"^\d+\.\s+Primitives\s*$", line)
                  and lines[i + 1].startswith("---")), None)  # the section, not its table-of-contents line
    if start is None:
        return {}
    header, body = _table_rows(lines, start + 1)
    if not header or header[0].lower() != "ref name":
        return {}
    out = {}
    for cells in body:
        used = _int(cells[1]) if len(cells) > 1 else None
        if used is not None:
            out[cells[0].strip()] = used
    return out


def parse_timing(text: str) -> dict:
    """WNS and WHS (ns) of `report_timing_summary`'s Design Timing Summary; None when absent."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "WNS(ns)" in line and i + 2 < len(lines):
            names = re.split(r"\s{2,}", line.strip())  # column names hold single spaces
            values = lines[i + 2].split()

            def value(name):
                try:
                    return float(values[names.index(name)])
                except (ValueError, IndexError):
                    return None
            return {"wns_ns": value("WNS(ns)"), "whs_ns": value("WHS(ns)")}
    return {"wns_ns": None, "whs_ns": None}
