"""The synthesis flows: `axgen synth` (`run`, one dispatch into DIR/resources.json), one module per tool.

yosys (synth_xilinx per layer module), nextpnr (synth_ecp5 and nextpnr-ecp5 per layer and on the
whole top: resources and the clock reached), vivado (the project's scripts in batch mode), vitis
(Vitis HLS csynth per layer); format is the one resources.json format they all write, table prints
it, multiplier synthesizes a single multiplier with Yosys (`synth_multiplier`, `multiplier_cost`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from generator.boards import DEFAULT_BOARD, load as load_board
from generator.errors import AxgenError
from generator.project import read_project_data
from generator.synth import nextpnr, vitis, vivado, yosys
from generator.synth.format import RESOURCE_KEYS, RESOURCES_FILE, document, overflows, select, write
from generator.synth.multiplier import multiplier_cost, synth_multiplier

__all__ = ["RESOURCES_FILE", "RESOURCE_KEYS", "TOOLS", "run", "overflows", "multiplier_cost", "synth_multiplier"]

TOOLS = (yosys.TOOL, nextpnr.TOOL, vivado.TOOL, vitis.TOOL)
DEFAULT_TOOL = yosys.TOOL  # nextpnr on an ECP5 board (default_tool)


def default_tool(board: dict) -> str:
    """nextpnr for a board of family ecp5, else Yosys."""
    return nextpnr.TOOL if board.get("family") == nextpnr.FAMILY else DEFAULT_TOOL


def run(project_root: Path, tool: str | None = None, only: list[str] | None = None, jobs: int = 1,
        no_dsp: bool = False, full: bool = False, timeout: float | None = None,
        progress: Callable[[str, str], None] | None = None, clock_mhz: float | None = None) -> dict:
    """Synthesize a built project with `tool` (yosys, nextpnr, vivado or vitis-hls; by default
    nextpnr on an ECP5 board, else yosys): all of it, or with `only` the named layers (names,
    indices, module names; "top" for the top), `jobs` runs at a time; `no_dsp` keeps products out
    of DSP blocks (Yosys), `full` runs Vivado's whole block-design flow instead of the
    out-of-context synthesis, `clock_mhz` is nextpnr's target (default: the project's clock).
    Writes and returns DIR/resources.json. `progress(unit, event)` hears "start", "done",
    "cached" and "failed". Raises AxgenError with one clear line when the tool is missing or a run
    fails (Yosys, Vitis HLS: after writing what did synthesize; nextpnr: writing nothing)."""
    project_root = Path(project_root)
    data = read_project_data(project_root)
    board = data.get("board") or load_board(DEFAULT_BOARD).to_dict()
    tool = tool or default_tool(board)
    if tool not in TOOLS:
        raise AxgenError(f"unknown synthesis tool {tool!r}; supported: {', '.join(TOOLS)}")
    if jobs < 1:
        raise AxgenError(f"--jobs must be at least 1, not {jobs}")
    if full and tool != vivado.TOOL:
        raise AxgenError(f"--full is the Vivado block-design flow: use it with --tool vivado, not {tool}")
    if no_dsp and tool != yosys.TOOL:
        raise AxgenError(f"--no-dsp applies to --tool yosys; {tool} follows its scripts' settings")
    if clock_mhz is not None and tool != nextpnr.TOOL:
        raise AxgenError(f"--clock is the target of --tool nextpnr; {tool} takes the clock the project was built for")
    if tool != nextpnr.TOOL and board.get("family") == nextpnr.FAMILY:
        raise AxgenError(f"board {board.get('name')} is a Lattice ECP5 part ({board.get('part')}): synthesize it with "
                         f"--tool nextpnr (Yosys synth_ecp5 and nextpnr-ecp5), not {tool}")
    if tool == vivado.TOOL:
        if only:
            raise AxgenError("--layer selects Yosys, nextpnr and Vitis HLS runs; Vivado synthesizes the whole top at "
                             "once and reports every layer")
        result = vivado.run(project_root, data, full=full, timeout=timeout, progress=progress)
    elif tool == vitis.TOOL:
        chosen = select(vitis.units(data), only)
        result = vitis.run(project_root, data, chosen, jobs=jobs, timeout=timeout, progress=progress)
    elif tool == nextpnr.TOOL:
        nextpnr.board_device(board)
        chosen = select(yosys.units(data), only)
        result = nextpnr.run(project_root, data, chosen, jobs=jobs, clock_mhz=clock_mhz, progress=progress)
        if result["failure"]:  # no resources.json from a partial run
            raise AxgenError(result["failure"])
    else:
        chosen = select(yosys.units(data), only)
        result = yosys.run(project_root, data, chosen, jobs=jobs, no_dsp=no_dsp, progress=progress)
    doc = document(tool, result["tool_version"], board, result["layers"], result["stitching"], result["total"],
                   result["complete"], result["extra"])
    write(project_root, doc)
    if result["failure"]:
        raise AxgenError(result["failure"])
    return doc


def place(project_root: Path, board: str = "ulx3s", only: list[str] | None = None, jobs: int = 1,
          clock_mhz: float | None = None, progress: Callable[[str, str], None] | None = None) -> dict:
    """nextpnr's figures of a project placed on an ECP5 `board`'s part (whatever board it was built
    for), at `clock_mhz` (default: that board's clock): by default the whole top only. Returns the
    document resources.json would hold, without writing it."""
    project_root = Path(project_root)
    data = read_project_data(project_root)
    target = load_board(board).to_dict()
    nextpnr.board_device(target)
    data = {**data, "board": target}
    chosen = select(yosys.units(data), only or ["top"])
    result = nextpnr.run(project_root, data, chosen, jobs=jobs, clock_mhz=clock_mhz, progress=progress)
    if result["failure"]:
        raise AxgenError(result["failure"])
    return document(nextpnr.TOOL, result["tool_version"], target, result["layers"], result["stitching"],
                    result["total"], result["complete"], result["extra"])
