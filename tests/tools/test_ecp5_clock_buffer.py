"""The netlist pass that puts an out-of-context block's clock on the global network
(generator/tools/ecp5_clock_buffer.py): on Yosys' netlist of a small registered design, nextpnr
promotes the clock to a global clock with the pass (and leaves its routing to the whole design)
and routes it as a data net without it; a netlist
already buffered, or without the clock port, is left alone."""

import copy
import json
import shutil

from generator.tools import ecp5_clock_buffer as clock_buffer
from generator.tools.nextpnr import arguments, place_and_route
from generator.tools.yosys import run_reading

COUNTER = """
module counter (input wire ap_clk, input wire ap_rst_n, input wire [7:0] d, output reg [7:0] q);
  always @(posedge ap_clk) q <= !ap_rst_n ? 8'd0 : q + d;
endmodule
"""


def _synth(work):
    script = "read_verilog counter.v\nsynth_ecp5 -noiopad -top counter -json netlist.json\ntee -q -o stat.json stat -json\n"

    def keep(folder):
        shutil.copy(folder / "netlist.json", work / "netlist.json")
        return json.loads((folder / "netlist.json").read_text())

    return run_reading({"counter.v": COUNTER}, script, "synth_ecp5 of the counter", keep)


def _top(netlist):
    return next(m for m in netlist["modules"].values() if m.get("attributes", {}).get("top"))


def _place(work):
    place_and_route(work, "netlist.json", arguments("LFE5U-85F", "CABGA381", 6, 125), "the counter")
    log = (work / "nextpnr.log").read_text()
    return "promoting clock net" in log, log


def test_the_clock_port_drives_a_global_buffer(tmp_path):
    netlist = _synth(tmp_path)
    clock = _top(netlist)["ports"]["ap_clk"]["bits"][0]
    flip_flops = [c for c in _top(netlist)["cells"].values() if c["type"] == "TRELLIS_FF"]
    assert len(flip_flops) == 8 and all(c["connections"]["CLK"] == [clock] for c in flip_flops)
    unbuffered = tmp_path / "without"
    unbuffered.mkdir()
    shutil.copy(tmp_path / "netlist.json", unbuffered / "netlist.json")
    promoted, log = _place(unbuffered)
    assert not promoted and "Max frequency for clock 'ap_clk'" in log  # the port alone: a data net

    assert clock_buffer.buffer_file(tmp_path / "netlist.json") == 8
    top = _top(json.loads((tmp_path / "netlist.json").read_text()))
    buffer = top["cells"][clock_buffer.CELL]
    assert buffer["type"] == "LUT4" and buffer["connections"]["A"] == [clock]
    assert buffer["parameters"]["INIT"] == "1010101010101010"  # Z = A
    clocks = {tuple(c["connections"]["CLK"]) for c in top["cells"].values() if c["type"] == "TRELLIS_FF"}
    assert clocks == {tuple(buffer["connections"]["Z"])}
    promoted, log = _place(tmp_path)
    assert promoted and f"promoting clock net {clock_buffer.GLOBAL_NET} to global network" in log


def test_a_buffered_or_clockless_netlist_is_left_alone(tmp_path):
    netlist = _synth(tmp_path)
    clock_buffer.buffer_clock(netlist)
    again = copy.deepcopy(netlist)
    assert clock_buffer.buffer_clock(again) == 0 and again == netlist
    other = copy.deepcopy(netlist)
    assert clock_buffer.buffer_clock(other, "clk") == 0 and other == netlist
