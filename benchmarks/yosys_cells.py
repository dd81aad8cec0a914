"""Yosys runs the resource-model scripts share: a set of Verilog files synthesized with
`synth_xilinx -nodsp -flatten` for 7-series, modules marked keep_hierarchy counted apart, cached
by content (generator.tools.cache, kind synth), and the cell counts summed into LUTs, LUTRAM
sites, flip-flops, CARRY4s and BRAM18s."""

from __future__ import annotations

import json
from pathlib import Path

from generator.synth.yosys import resources
from generator.templating import environment
from generator.tools.cache import SYNTH, cache_dir, cached, content_key
from generator.tools.yosys import run_stat_json, yosys_version

FAMILY = "xc7"
RESULT = "cells.json"


def summary(cells: dict) -> dict:
    """lut, lutram, ff, carry, bram18, dsp of synth_xilinx cells, counted as `axgen synth --tool yosys` counts them."""
    return resources(cells)


def synth_modules(files: dict[str, str | Path], top: str, where: str) -> dict:
    """Cell counts of every module left after `synth_xilinx -flatten -top top` (modules marked
    keep_hierarchy stay): {module name: {cell type: count}}. Cached by the files' content, the
    script and the Yosys version."""
    sources = sorted(name for name in files if name.endswith(".v"))
    script = environment("yosys").get_template("synth_mul.ys.j2").render(sources=sources, family=FAMILY, top=top)
    parts = [yosys_version(), "modules", script]
    for name in sorted(files):
        content = files[name]
        parts += [name, content.read_bytes() if isinstance(content, Path) else content]
    key = content_key(*parts)

    def build(entry: Path) -> None:
        stat = run_stat_json(files, script, f"{where}: Yosys")
        modules = {name.lstrip("\\"): {k: int(v) for k, v in m.get("num_cells_by_type", {}).items() if not k.startswith("$")}
                   for name, m in stat["modules"].items()}
        (entry / RESULT).write_text(json.dumps(modules, sort_keys=True) + "\n")

    entry, _ = cached(cache_dir(SYNTH), key, build)
    return json.loads((entry / RESULT).read_text())
