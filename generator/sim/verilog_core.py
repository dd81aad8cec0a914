"""Deriving a `verilog:` core's Python model: Yosys elaborates the module (ports by direction and
width, no flip-flops or latches), then Verilator simulates every input pair once in the
multiplier check harness (generator.sim.mul_rtl). Cached by the file's content, the module name
and the tools' versions (cache kind mul_check). Importing this module registers the loader with
generator.multipliers.cores."""

from __future__ import annotations

import hashlib
import json
import re
from importlib.metadata import version
from pathlib import Path

import numpy as np

from generator.errors import AxgenError
from generator.multipliers.cores import Core, defined_modules, register_loader
from generator.sim.mul_rtl import MAX_PAIR_BITS, _build, _Config, _run
from generator.tools.cache import MUL_CHECK, cache_dir, cached, content_key
from generator.tools.yosys import run_reading, yosys_version

MAX_OUT_BITS = 62  # the harness reads products as int64
STATE_CELLS = re.compile(r"dff|dlatch|latch|\$mem|\$sr\b", re.I)
ELABORATE = """read_verilog -sv {file}
hierarchy -check -top {module}
proc
flatten
opt_clean
write_json design.json
tee -q -o stat.json stat -json
"""


def _error_line(message: str) -> str:
    """The first ERROR line of a Yosys log in an AxgenError's text, else its last line."""
    for line in message.splitlines():
        if "ERROR" in line:
            return line.replace("ERROR: ", "").strip()
    return message.strip().splitlines()[-1]


def elaborate(path: Path, module: str) -> dict:
    """Yosys' JSON of `module` in `path`, flattened after proc: {"ports": ..., "cells": ...}."""
    modules = defined_modules(path.read_text(errors="replace"))
    if module not in modules:
        raise AxgenError(f"multiplier core {path}: no module {module}; it defines "
                         f"{', '.join(modules) or 'no module'} (name one with verilog:{path}:MODULE)")
    script = ELABORATE.format(file=path.name, module=module)
    try:
        design = run_reading({path.name: path}, script, f"core {path}",
                             lambda work: json.loads((work / "design.json").read_text()))
    except AxgenError as exc:
        raise AxgenError(f"multiplier core {path}: module {module} does not elaborate: {_error_line(str(exc))}") from None
    return design["modules"][module]


def ports(path: Path, module: str, design: dict) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(inputs, outputs) as (name, width) in declaration order; raises on anything but a
    combinational module with two inputs and one output."""
    where = f"multiplier core {path}: module {module}"
    state = sorted({c["type"] for c in design.get("cells", {}).values() if STATE_CELLS.search(c["type"])})
    if state:
        raise AxgenError(f"{where} is not combinational (it has {', '.join(state)} cells); a multiplier core "
                         "must be a purely combinational circuit")
    inputs, outputs, other = [], [], []
    for name, port in design.get("ports", {}).items():
        entry = (name, len(port["bits"]))
        {"input": inputs, "output": outputs}.get(port["direction"], other).append(entry)
    found = ", ".join(f"{d} {n}[{w}]" for d, group in (("input", inputs), ("output", outputs), ("inout", other))
                      for n, w in group)
    if len(inputs) != 2 or len(outputs) != 1 or other:
        raise AxgenError(f"{where} has ports {found or 'none'}; a multiplier core has two inputs (activation and "
                         "weight magnitudes) and one output (their product)")
    (_, na), (_, nb) = inputs
    if na + nb > MAX_PAIR_BITS or outputs[0][1] > MAX_OUT_BITS:
        raise AxgenError(f"{where} has ports {found}: at most {MAX_PAIR_BITS} input bits in all and "
                         f"{MAX_OUT_BITS} output bits are supported")
    return inputs, outputs


def derive(path: Path, module: str) -> Core:
    """The core's ports and its output on every input pair (unsigned), cached by content."""
    path = Path(path)
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    key = "core-" + content_key("verilog-core", data, module, yosys_version(), version("verilator"))

    def build(entry: Path) -> None:
        inputs, outputs = ports(path, module, elaborate(path, module))
        (a, na), (b, nb), (o, no) = *inputs, outputs[0]
        config = _Config(module, (), na, nb, no, False, ports=(a, b, o))
        binary, _, _ = _build([path], [config], cache_dir(MUL_CHECK))
        (got,), _ = _run(binary, [config], cache_dir(MUL_CHECK))
        np.save(entry / "table.npy", got.reshape(1 << na, 1 << nb))
        (entry / "core.json").write_text(json.dumps({"ports": [a, b, o], "bits": [na, nb, no]}))

    entry, _ = cached(cache_dir(MUL_CHECK), key, build)
    info = json.loads((entry / "core.json").read_text())
    table = np.load(entry / "table.npy").astype(np.int64)
    return Core(str(path), module, tuple(info["ports"]), *info["bits"], sha, table)


register_loader(derive)
