"""What `axgen synth` prints: resources.json as a table (layers, stitching, total, capacity, utilization) and a fit verdict."""

from __future__ import annotations

from rich import box
from rich.table import Table

from generator.synth.format import RESOURCE_KEYS, overflows

HEADERS = {"lut": "LUT", "ff": "FF", "carry": "CARRY", "dsp": "DSP", "bram18": "BRAM18", "lutram": "LUTRAM", "uram": "URAM"}


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
    keys = columns(result)
    title = f"{result['tool']} ({result.get('tool_version') or 'version unknown'}) on {result['board']} ({result['part']})"
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, show_edge=False)
    table.add_column("layer", no_wrap=True)
    for key in keys:
        table.add_column(HEADERS[key], justify="right", no_wrap=True)
    timing = ("interval_max", "estimated_cycles") if vitis else ()
    for col in ("II", "est.")[:len(timing)]:
        table.add_column(col, justify="right", no_wrap=True)
    for label, entry in rows(result):
        source = result.get("top") or {} if label == "total" else entry
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
