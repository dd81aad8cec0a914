"""What `axgen synth` prints: resources.json as a table (layers, stitching, total, capacity, utilization; Fmax
where the tool placed and routed), a fit verdict and the timing in one line."""

from __future__ import annotations

from rich import box
from rich.table import Table

from generator.synth.format import RESOURCE_KEYS, overflows

HEADERS = {"lut": "LUT", "ff": "FF", "carry": "CARRY", "dsp": "DSP", "bram18": "BRAM18", "lutram": "LUTRAM", "uram": "URAM"}
# ECP5 (nextpnr): the cells each key counts
ECP5_HEADERS = {"lut": "LUT4", "ff": "FF", "carry": "CCU2C", "dsp": "MULT18X18D", "bram18": "DP16KD",
                "lutram": "DPR16X4", "uram": "URAM"}


def _cell(value) -> str:
    if value is None:
        return "-"
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def rows(result: dict) -> list[tuple[str, dict]]:
    """(label, entry): the layers in stream order, the stitching, the total."""
    layers = sorted(result.get("layers", {}).items(),
                    key=lambda kv: (kv[1].get("index") is None, kv[1].get("index") or 0))
    out = list(layers)
    if result.get("stitching"):
        out.append(("(stitching)", result["stitching"]))
    return out + [("total", result["total"])]


def columns(result: dict) -> list[str]:
    """The resources worth a column: those the tool counted, less what neither the design uses
    nor the board has (URAM on a Zynq-7000)."""
    total, cap = result["total"], result["capacity"]
    return [k for k in RESOURCE_KEYS if total.get(k) is not None and (total[k] or cap.get(k, 1))]


def resources_table(result: dict) -> Table:
    """Layers, stitching and total, then the board's capacity and the utilization."""
    vitis = result["tool"] == "vitis-hls"
    placed = result["tool"] == "nextpnr" and result.get("timing") is not None
    headers = ECP5_HEADERS if result["tool"] == "nextpnr" else HEADERS
    keys = columns(result)
    title = f"{result['tool']} ({result.get('tool_version') or 'version unknown'}) on {result['board']} ({result['part']})"
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, show_edge=False)
    table.add_column("layer", no_wrap=True)
    for key in keys:
        table.add_column(headers[key], justify="right", no_wrap=True)
    timing = ("interval_max", "estimated_cycles") if vitis else ("fmax_mhz",) if placed else ()
    for col in (("II", "est.") if vitis else ("Fmax MHz",))[:len(timing)]:
        table.add_column(col, justify="right", no_wrap=True)
    for label, entry in rows(result):
        source = entry
        if label == "total":
            source = result.get("top") or {} if vitis else result.get("timing") or {}
        table.add_row(label, *(_cell(entry.get(k)) for k in keys), *(_cell(source.get(k)) for k in timing),
                      end_section=label in ("total", "(stitching)"))
    cap, util = result["capacity"], result["utilization"]
    tail = [""] * len(timing)
    table.add_row("capacity", *(_cell(cap.get(k)) for k in keys), *tail)
    table.add_row("utilization", *(f"{100 * util[k]:.1f}%" if k in util else "" for k in keys), *tail)
    return table


def verdict(result: dict) -> str:
    """One line: fits or not (naming what overflows), and whether the counts cover the whole design."""
    cap, total, util = result["capacity"], result["total"], result["utilization"]
    partial = "" if result.get("complete") else " (partial: not every layer and the top were synthesized)"
    over = overflows(total, cap)
    if over:
        used = {k: (total.get("lut") or 0) + (total.get("lutram") or 0) if k == "lut" else total[k] for k in over}
        parts = ", ".join(f"{HEADERS[k]} {used[k]:,} of {cap[k]:,}" for k in over)
        return f"[red]does not fit[/] {result['board']}: {parts}{partial}"
    shares = ", ".join(f"{HEADERS[k]} {100 * v:.1f}%" for k, v in util.items())
    return f"fits {result['board']}: {shares}{partial}"


def timing_line(timing: dict) -> str:
    """One line: the whole top's Fmax against the target, the slack, where the critical path runs."""
    fmax, target, slack = timing.get("fmax_mhz"), timing.get("target_mhz"), timing.get("slack_ns")
    what = "whole top" if fmax is not None else "slowest layer (the top was not placed)"
    if fmax is None:
        fmax = min((v["fmax_mhz"] for v in timing.get("layers", {}).values() if v.get("fmax_mhz")), default=None)
    head = f"Fmax {_cell(fmax)} MHz ({what}), target {_cell(target)} MHz"
    if slack is not None:
        head += f", slack {slack:+.2f} ns" + ("" if slack >= 0 else " [red](fails)[/]")
    path = timing.get("critical_path")
    if path:
        head += (f"; critical path in {path['layer']}: {path['from']} -> {path['to']}, "
                 f"{path['logic_ns']:.2f} ns logic + {path['routing_ns']:.2f} ns routing")
    return head
