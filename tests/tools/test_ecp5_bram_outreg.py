"""The netlist pass that moves the register behind a block RAM read into the DP16KD
(generator/tools/ecp5_bram_outreg.py): on Yosys' own netlist of a registered ROM read, placed by
nextpnr before and after; and on small netlists, every case where the move would change a bit
(an enable, a reset, a second load, another clock, the port's reset) is left alone."""

import copy
import json
import shutil

import pytest

from generator.tools import ecp5_bram_outreg as outreg
from generator.tools.nextpnr import arguments, parse_report, place_and_route
from generator.tools.yosys import run_reading

ROM = """
module rom #(parameter W = 36) (input wire clk, input wire [8:0] a, output reg [W-1:0] q);
  reg [8:0] ar;
  reg [W-1:0] words [0:511];
  reg [W-1:0] read;
  initial $readmemh("w.mem", words);
  always @(posedge clk) begin ar <= a; read <= words[ar]; q <= read; end
endmodule
"""


def _synth(width: int, work):
    words = "\n".join(f"{(i * 2654435761) % (1 << width):0{(width + 3) // 4}x}" for i in range(512))
    script = (f"read_verilog rom.v\nchparam -set W {width} rom\nsynth_ecp5 -top rom -json netlist.json\n"
              "tee -q -o stat.json stat -json\n")

    def keep(folder):
        shutil.copy(folder / "netlist.json", work / "netlist.json")
        return json.loads((folder / "netlist.json").read_text())

    return run_reading({"rom.v": ROM, "w.mem": words}, script, "synth_ecp5 of the ROM", keep)


def _top(netlist):
    return next(m for m in netlist["modules"].values() if m.get("attributes", {}).get("top"))


def _count(module, kind):
    return sum(c["type"] == kind for c in module["cells"].values())


@pytest.mark.parametrize("width", [36, 18])
def test_the_register_of_a_rom_read_moves_into_the_block_ram(width, tmp_path):
    netlist = _synth(width, tmp_path)
    before = copy.deepcopy(_top(netlist))
    assert outreg.absorb(netlist) == width
    top = _top(netlist)
    assert _count(top, "TRELLIS_FF") == _count(before, "TRELLIS_FF") - width
    (bram,) = [c for c in top["cells"].values() if c["type"] == "DP16KD"]
    assert "OUTREG" in {bram["parameters"]["REGMODE_A"], bram["parameters"]["REGMODE_B"]}
    # the block RAM now drives the nets the flip-flops drove: the module's output q
    q = set(top["ports"]["q"]["bits"])
    driven = {bit for pin, bits in bram["connections"].items() if pin.startswith("DO") for bit in bits}
    assert q <= driven
    assert outreg.absorb(netlist) == 0  # nothing left to move


def test_nextpnr_times_the_read_from_the_block_rams_register(tmp_path):
    """The path that limited CNV: clock-to-out of the block RAM (5.8 ns without the register, 1 ns
    with it) and the route to the flip-flop behind."""
    _synth(36, tmp_path)
    args = arguments("LFE5U-85F", "CABGA381", 6, 125)
    before = parse_report(place_and_route(tmp_path, "netlist.json", args, "nextpnr of the ROM", report="before.json"))
    assert outreg.absorb_file(tmp_path / "netlist.json") == 36
    after = parse_report(place_and_route(tmp_path, "netlist.json", args, "nextpnr of the ROM", report="after.json"))
    assert before["critical_path"]["logic_ns"] > 5
    assert after["fmax_mhz"] > 1.5 * before["fmax_mhz"]


def _netlist(ff=None, bram=None, extra_load=False):
    """A DP16KD (port A 18 bits wide: DOA0 on net 10) whose DOA0 drives flip-flop f (Q: net 11)."""
    cells = {
        "ram": {"type": "DP16KD", "parameters": {"REGMODE_A": "NOREG", "REGMODE_B": "NOREG",
                                                "DATA_WIDTH_A": "00000000000000000000000000010010",
                                                "DATA_WIDTH_B": "00000000000000000000000000010010"},
                "port_directions": {"CLKA": "input", "RSTA": "input", "OCEA": "input", "DOA0": "output"},
                "connections": {"CLKA": [2], "RSTA": ["0"], "OCEA": ["1"], "DOA0": [10], **(bram or {})}},
        "f": {"type": "TRELLIS_FF", "parameters": {"CEMUX": "1 ", "CLKMUX": "CLK", "LSRMUX": "LSR", "GSR": "DISABLED"},
              "port_directions": {"CLK": "input", "DI": "input", "CE": "input", "LSR": "input", "Q": "output"},
              "connections": {"CLK": [2], "DI": [10], "CE": ["1"], "LSR": ["0"], "Q": [11]}},
    }
    cells["f"]["parameters"].update((ff or {}).get("parameters", {}))
    cells["f"]["connections"].update((ff or {}).get("connections", {}))
    if extra_load:
        cells["g"] = {"type": "LUT4", "port_directions": {"A": "input", "Z": "output"},
                      "connections": {"A": [10], "Z": [12]}}
    ports = {"clk": {"direction": "input", "bits": [2]}, "q": {"direction": "output", "bits": [11]}}
    return {"modules": {"top": {"attributes": {"top": "1"}, "ports": ports, "cells": cells}}}


def test_a_plain_register_moves():
    netlist = _netlist()
    assert outreg.absorb(netlist) == 1
    top = _top(netlist)
    assert "f" not in top["cells"]
    ram = top["cells"]["ram"]
    assert ram["connections"]["DOA0"] == [11] and ram["parameters"]["REGMODE_A"] == "OUTREG"
    assert ram["parameters"]["REGMODE_B"] == "NOREG"


@pytest.mark.parametrize("case", [
    {"ff": {"parameters": {"CEMUX": "CE"}, "connections": {"CE": [5]}}},           # an enable
    {"ff": {"connections": {"LSR": [6]}}},                                           # a set or reset
    {"ff": {"connections": {"CLK": [3]}}},                                           # another clock
    {"ff": {"parameters": {"CLKMUX": "INV"}}},                                       # the other edge
    {"ff": {"parameters": {"CEMUX": "INV"}}},                                        # an enable tied low
    {"ff": {"parameters": {"LSRMUX": "INV"}}},                                       # a reset tied active
    {"bram": {"RSTA": [7]}},                                                         # the port's reset
    {"extra_load": True},                                                            # the read used elsewhere
], ids=["enable", "reset", "clock", "edge", "enable-low", "reset-high", "port-reset", "fanout"])
def test_a_move_that_could_change_a_bit_is_not_made(case):
    netlist = _netlist(**case)
    original = copy.deepcopy(netlist)
    assert outreg.absorb(netlist) == 0
    assert netlist == original


def test_the_command_line_rewrites_the_file_and_refuses_other_files(tmp_path, capsys):
    path = tmp_path / "netlist.json"
    path.write_text(json.dumps(_netlist()))
    assert outreg.main([str(path)]) == 0
    assert "1 flip-flops moved" in capsys.readouterr().out
    assert "f" not in _top(json.loads(path.read_text()))["cells"]
    (tmp_path / "other.json").write_text("[1, 2]")
    assert outreg.main([str(tmp_path / "other.json")]) == 1
    assert "not a Yosys JSON netlist" in capsys.readouterr().err
