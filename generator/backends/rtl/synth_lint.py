"""Synthesis lint: Yosys `synth_xilinx` and `synth_ecp5` over a hand-written block or a generated
design, reporting what synthesis tools warn about and Verilator does not: latches, selects out of
range, multiple drivers, undriven wires and combinational loops.

One Yosys run elaborates the top (with parameters), runs `proc` and `check`, then synthesises
for both families from the same elaborated design, with a `check` after each. Its warnings are
matched against PROBLEMS; Yosys' own library files (its share folder) are left out. Runs are
cached by content (generator.tools.cache, kind synth): sources, memory files, script, Yosys
version.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from generator.errors import AxgenError
from generator.tools.cache import SYNTH, cache_dir, cached, content_key
from generator.tools.yosys import run_reading, yosys_version

RESULT = "synth_lint.json"  # in a cache entry
FLOWS = ("synth_xilinx -flatten", "synth_ecp5")
# What a warning (or error) line says, by kind of problem: Yosys' own words.
PROBLEMS = {
    "latch": re.compile(r"(?<!No )[Ll]atch inferred for signal"),
    "out-of-range select": re.compile(r"[Rr]ange select.* out of bounds|out of range"),
    "multiple drivers": re.compile(r"multiple conflicting drivers"),
    "undriven wire": re.compile(r"is used but has no driver"),
    "combinational loop": re.compile(r"found logic loop"),
    "port width mismatch": re.compile(r"Resizing cell port"),
}
_FLAGGED = re.compile(r"Warning:|ERROR")


def _value(value) -> str:
    return f'"{value}"' if isinstance(value, str) else str(int(value))


def script(sources: list[str], top: str, params: dict | None = None) -> str:
    """The Yosys script: elaborate `top` with `params`, check, then synthesise for each of FLOWS."""
    sets = " ".join(f"-set {name} {_value(value)}" for name, value in (params or {}).items())
    lines = [f"read_verilog -defer {' '.join(sources)}"]
    if sets:
        lines.append(f"chparam {sets} {top}")
    lines += [f"hierarchy -check -top {top}", "proc", "check", "design -save elaborated"]
    for flow in FLOWS:
        lines += ["design -load elaborated", f"{flow} -top {top}", "check"]
    lines.append("tee -q -o stat.txt stat")
    return "\n".join(lines) + "\n"


def problems(log: str) -> list[str]:
    """The warning and error lines of a Yosys log that name one of PROBLEMS, each once, with its
    kind: "latch: Warning: Latch inferred for signal ..."."""
    found = []
    for line in log.splitlines():
        if not _FLAGGED.search(line) or "/share/" in line:
            continue
        for kind, pattern in PROBLEMS.items():
            if pattern.search(line):
                entry = f"{kind}: {line.strip()}"
                if entry not in found:
                    found.append(entry)
                break
    return found


def synth_problems(files: dict[str, str | Path], top: str, params: dict | None = None) -> list[str]:
    """Synthesise `top` from `files` (name -> Verilog or memory file text, or a Path to copy;
    every .v among them is read) with both FLOWS; returns problems() of the run, and the cause
    when Yosys stops (e.g. synth_ecp5's "ERROR: Latch inferred")."""
    sources = sorted(name for name in files if name.endswith(".v"))
    text = script(sources, top, params)
    parts = [yosys_version(), text]
    for name in sorted(files):
        content = files[name]
        parts += [name, content.read_bytes() if isinstance(content, Path) else content]

    def build(entry: Path) -> None:
        try:
            log = run_reading(files, text, f"synthesis lint of {top}",
                              lambda work: (work / "yosys.log").read_text(errors="replace"))
            found = problems(log)
        except AxgenError as exc:  # Yosys stopped: keep its error lines
            found = problems(str(exc)) or [f"Yosys failed: {str(exc).splitlines()[-1]}"]
        (entry / RESULT).write_text(json.dumps(found, indent=1) + "\n")

    entry, _ = cached(cache_dir(SYNTH), content_key("synth-lint", *parts), build)
    return json.loads((entry / RESULT).read_text())


def design_files(rtl_dir: Path) -> dict[str, Path]:
    """A generated design's files Yosys reads: its Verilog and memory files."""
    return {p.name: p for p in sorted(Path(rtl_dir).iterdir()) if p.suffix in (".v", ".mem")}
