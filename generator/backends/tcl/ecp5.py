"""The open flow of an ECP5 project (tcl/ecp5_flow.sh): Yosys synth_ecp5 and nextpnr-ecp5 out of
context on each layer module and on the whole top, with the options `axgen synth --tool nextpnr`
uses (generator.tools.nextpnr), for a user to rerun by hand. No bitstream: that needs a board
shell (pins, a host link)."""

from __future__ import annotations

from pathlib import Path

from generator.backends.tcl.vivado import TCL_DIR, rtl_sources
from generator.errors import AxgenError
from generator.templating import environment
from generator.tools.nextpnr import SEED, SYNTH_ECP5, arguments

SCRIPT = f"{TCL_DIR}/ecp5_flow.sh"
BUILD_DIR = "build/ecp5"  # one folder per module: netlist.json, report.json, the logs


def flow_script(data: dict) -> str:
    """The shell script's text; the same for the same project."""
    board = data.get("board") or {}
    rtl = data.get("rtl") or {}
    mhz = float(board.get("clock_mhz") or 0)
    args = arguments(board.get("part", ""), board.get("package"), board.get("speed"), mhz)
    verilog = [Path(p).name for p in rtl_sources(data)["verilog"]]
    layers = sorted(rtl.get("layers") or [], key=lambda e: e.get("index", 0))
    if not layers or not rtl.get("top"):
        raise AxgenError("the project has no RTL layers or top (project.json \"rtl\"); rebuild it with `axgen build`")
    units = [(e["module"], f"layer {e.get('name', e['module'])}") for e in layers] + [(rtl["top"], "the whole top")]
    return environment("tcl").get_template("ecp5_flow.sh.j2").render(
        board=board.get("name"), part=board.get("part"), package=board.get("package"), speed=board.get("speed"),
        mhz=f"{mhz:g}", seed=SEED, synth=SYNTH_ECP5, args=" ".join(args), sources=" ".join(verilog), units=units,
        build=BUILD_DIR, top=rtl["top"])


def write_flow_script(project_root: Path, data: dict) -> list[str]:
    """Write tcl/ecp5_flow.sh (executable) into project_root; returns its path relative to it."""
    text = flow_script(data)
    path = Path(project_root) / SCRIPT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return [SCRIPT]
