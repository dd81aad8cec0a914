"""The one DIR/resources.json format every synthesis tool writes: resource keys, sums, capacity, utilization, fits.

    {"tool", "tool_version", "board", "part",
     "layers": {NAME: {"index", "module", "lut", "ff", "carry", "dsp", "bram18", "lutram", "uram", ...}},
     "stitching": {...} | null,        # the top's own logic: FIFOs, width converters, tlast
     "total": {...}, "total_from": "top" | "sum", "complete": bool,
     "capacity": {...}, "utilization": {...}, "fits": bool, ...tool's extra fields}

`lut` counts LUTs as logic, `lutram` LUTs as memory (distributed RAM, shift registers), both in
LUT sites; the board's LUT capacity covers both, so utilization["lut"] = (lut + lutram) / capacity.
`bram18` counts 18 Kb block RAMs (a 36 Kb one is two). A count the tool does not report is null.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import AxgenError
from generator.outputs import write_json

RESOURCES_FILE = "resources.json"
RESOURCE_KEYS = ("lut", "ff", "carry", "dsp", "bram18", "lutram", "uram")
CAPACITY_KEYS = ("lut", "ff", "bram18", "uram", "dsp")  # what a board file lists
# resources.json's keys, the counts' keys and the tools' extra fields, each with what it holds (the
# documentation's format reference is generated from these tables; a test checks them against document())
DOCUMENT_KEYS = {
    "tool": "yosys, nextpnr, vivado or vitis-hls",
    "tool_version": "the tool's version line",
    "board": "the board's name",
    "part": "the FPGA part",
    "layers": "per layer name: its index, module and counts",
    "stitching": "the top's own logic (FIFOs, width converters, TLAST), or null when the tool did not measure the top",
    "total": "the counts of the whole accelerator",
    "total_from": "top (measured on the whole top) or sum (the layers and the stitching added)",
    "complete": "whether every layer (and the top) was measured",
    "capacity": "the board's resources",
    "utilization": "used / available per resource (lut counts lut + lutram)",
    "fits": "whether the total fits the board",
}
COUNT_KEYS = {
    "lut": "LUTs used as logic (LUT4 on ECP5)",
    "ff": "flip-flops",
    "carry": "carry cells (CARRY4 / CARRY8; CCU2C on ECP5)",
    "dsp": "DSP blocks (MULT18X18D on ECP5)",
    "bram18": "18 Kb block RAMs (a 36 Kb one counts two; DP16KD on ECP5)",
    "lutram": "LUTs used as memory (distributed RAM, shift registers)",
    "uram": "UltraRAMs",
}
EXTRA_KEYS = {
    "options": "the tool's options (family, no_dsp; the nextpnr arguments; the Vivado flow)",
    "timing": "nextpnr, Vivado: target_mhz, fmax_mhz (the whole top), slack_ns, per layer fmax_mhz, critical_path "
              "(from, to, layer, logic_ns, routing_ns)",
    "cells": "nextpnr: every cell type of the whole top and its count",
    "placement": "nextpnr: its own utilisation of the part",
    "reports": "Vivado: the report files",
    "accelerator": "Vivado --full: the accelerator instance's counts inside the block design",
    "top": "Vitis HLS: the top function",
    "target_clock_ns": "Vitis HLS: the clock period synthesised for",
}


def counts(values: dict) -> dict:
    """The RESOURCE_KEYS of `values` (missing ones None)."""
    return {k: values.get(k) for k in RESOURCE_KEYS}


def add(*entries: dict) -> dict:
    """Per key, the sum of the entries that report it (None when none does)."""
    out = {}
    for key in RESOURCE_KEYS:
        values = [e.get(key) for e in entries if e.get(key) is not None]
        out[key] = sum(values) if values else None
    return out


def subtract(a: dict, b: dict) -> dict:
    """a - b per key (None where a does not report it)."""
    return {k: None if a.get(k) is None else a[k] - (b.get(k) or 0) for k in RESOURCE_KEYS}


def capacity(board: dict) -> dict:
    return {k: int(board["resources"][k]) for k in CAPACITY_KEYS if k in board.get("resources", {})}


def _used(total: dict, key: str):
    if key == "lut" and total.get("lut") is not None:
        return total["lut"] + (total.get("lutram") or 0)
    return total.get(key)


def utilization(total: dict, cap: dict) -> dict:
    """Used / available for every resource the board has (capacity > 0) and the tool counted."""
    return {k: round(_used(total, k) / c, 4) for k, c in cap.items() if c > 0 and _used(total, k) is not None}


def overflows(total: dict, cap: dict) -> list[str]:
    """The resources the design uses more of than the board has (a URAM on a board without any included)."""
    return [k for k, c in cap.items() if _used(total, k) is not None and _used(total, k) > c]


def document(tool: str, tool_version: str | None, board: dict, layers: dict, stitching: dict | None,
             total: dict | None, complete: bool, extra: dict | None = None) -> dict:
    """resources.json's content; `total` None means the sum of the layers and the stitching."""
    total_from = "sum" if total is None else "top"
    if total is None:
        total = add(*layers.values(), *([stitching] if stitching else []))
    cap = capacity(board)
    doc = {"tool": tool, "tool_version": tool_version, "board": board.get("name"), "part": board.get("part"),
           "layers": layers, "stitching": stitching, "total": counts(total), "total_from": total_from,
           "complete": complete, "capacity": cap, "utilization": utilization(total, cap),
           "fits": not overflows(total, cap)}
    for key, value in (extra or {}).items():
        doc.setdefault(key, value)
    return doc


def write(project_root: Path, doc: dict) -> None:
    write_json(Path(project_root) / RESOURCES_FILE, doc)


def select(units: list[dict], only: list[str] | None) -> list[dict]:
    """The units named in `only` (layer names, indices, module names, or "top" for the unit of
    kind "top"), in the units' order; all of them when `only` is empty."""
    if not only:
        return units
    by_key: dict[str, dict] = {}
    for unit in units:
        keys = [unit["module"]] + ([unit["name"], str(unit["index"])] if unit["kind"] == "layer" else ["top"])
        for key in keys:
            by_key.setdefault(key, unit)
    chosen = []
    for key in only:
        key = str(key)
        if key not in by_key:
            names = ", ".join([u["name"] for u in units if u["kind"] == "layer"] + ["top"])
            raise AxgenError(f"no layer {key!r} in this project; choose among: {names} "
                             f"(or the module names, e.g. {units[0]['module']})")
        if by_key[key] not in chosen:
            chosen.append(by_key[key])
    return [u for u in units if u in chosen]
