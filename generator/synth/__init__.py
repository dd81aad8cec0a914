"""The synthesis flows: `axgen synth` (`run`, one dispatch into DIR/resources.json), one module per tool.

yosys (synth_xilinx per layer module), vivado (the project's scripts in batch mode), vitis (Vitis
HLS csynth per layer); format is the one resources.json format they all write, table prints it,
multiplier synthesizes a single multiplier with Yosys (`synth_multiplier`, `multiplier_cost`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from generator.boards import DEFAULT_BOARD, load as load_board
from generator.errors import AxgenError
from generator.project import read_project_data
from generator.synth import vitis, vivado, yosys
from generator.synth.format import RESOURCE_KEYS, RESOURCES_FILE, document, overflows, select, write
from generator.synth.multiplier import multiplier_cost, synth_multiplier

__all__ = ["RESOURCES_FILE", "RESOURCE_KEYS", "TOOLS", "run", "overflows", "multiplier_cost", "synth_multiplier"]

TOOLS = (yosys.TOOL, vivado.TOOL, vitis.TOOL)
DEFAULT_TOOL = yosys.TOOL


def run(project_root: Path, tool: str = DEFAULT_TOOL, only: list[str] | None = None, jobs: int = 1,
        no_dsp: bool = False, full: bool = False, timeout: float | None = None,
        progress: Callable[[str, str], None] | None = None) -> dict:
    """Synthesize a built project with `tool` (yosys, vivado or vitis-hls): all of it, or with
    `only` the named layers (names, indices, module names; "top" for the top), `jobs` runs at a
    time; `no_dsp` keeps products out of DSP blocks (Yosys), `full` runs Vivado's whole
    block-design flow instead of the out-of-context synthesis. Writes and returns
    DIR/resources.json. `progress(unit, event)` hears "start", "done", "cached" and "failed".
    Raises AxgenError with one clear line when the tool is missing or a run fails (after
    writing what did synthesize)."""
    if tool not in TOOLS:
        raise AxgenError(f"unknown synthesis tool {tool!r}; supported: {', '.join(TOOLS)}")
    if jobs < 1:
        raise AxgenError(f"--jobs must be at least 1, not {jobs}")
    if full and tool != vivado.TOOL:
        raise AxgenError(f"--full is the Vivado block-design flow: use it with --tool vivado, not {tool}")
    if no_dsp and tool != yosys.TOOL:
        raise AxgenError(f"--no-dsp applies to --tool yosys; {tool} follows its scripts' settings")
    project_root = Path(project_root)
    data = read_project_data(project_root)
    board = data.get("board") or load_board(DEFAULT_BOARD).to_dict()
    if tool == vivado.TOOL:
        if only:
            raise AxgenError("--layer selects Yosys and Vitis HLS runs; Vivado synthesizes the whole top at once "
                             "and reports every layer")
        result = vivado.run(project_root, data, full=full, timeout=timeout, progress=progress)
    elif tool == vitis.TOOL:
        chosen = select(vitis.units(data), only)
        result = vitis.run(project_root, data, chosen, jobs=jobs, timeout=timeout, progress=progress)
    else:
        chosen = select(yosys.units(data), only)
        result = yosys.run(project_root, data, chosen, jobs=jobs, no_dsp=no_dsp, progress=progress)
    doc = document(tool, result["tool_version"], board, result["layers"], result["stitching"], result["total"],
                   result["complete"], result["extra"])
    write(project_root, doc)
    if result["failure"]:
        raise AxgenError(result["failure"])
    return doc

