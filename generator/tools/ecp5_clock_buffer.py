"""The clock on the global network out of context, on ECP5: a pass over Yosys' JSON netlist,
between synth_ecp5 and nextpnr-ecp5, that puts a cell between the clock port and everything it
clocks, so that nextpnr treats the clock as a global clock.

nextpnr-ecp5 promotes a net to a global clock only when a cell drives it (its `get_clocks` skips
undriven nets), and out of context a top-level port has no driving cell: without this pass the
clock was routed through the fabric like a data net, one route to every flip-flop and LUT RAM.
On the jet-shaped MLP's fc1 (23,172 clock loads) the router did not converge in an hour. With a
driving cell, nextpnr promotes the clock and, out of context, leaves its routing to the whole
design ("global routing will be done in the full design"): the block is timed with the clock on
the global network, as Vivado times an out-of-context block against an ideal clock. The cell is
a LUT4 passing its A input (INIT 0xAAAA); it lies on no data path. A DCCA, the ECP5 global
buffer itself, does not work here: nextpnr places it out of context where the global network
cannot reach the slices, and the router fails.

    python -m generator.tools.ecp5_clock_buffer netlist.json [CLOCK_PORT]   # rewrites the file in place
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from generator.outputs import write_json

VERSION = "1"  # part of the cache key of every placement: a change here places again
CLOCK = "ap_clk"
BUFFER = "LUT4"
PASS_A = "1010101010101010"  # INIT of a LUT4 whose output is its A input
CELL = "axgen_ooc_clock_buffer"
GLOBAL_NET = "axgen_ooc_clock"


def _top(netlist: dict) -> tuple[str, dict] | None:
    for name, module in netlist.get("modules", {}).items():
        if str(module.get("attributes", {}).get("top", "0")).strip("0") != "":
            return name, module
    return None


def buffer_clock(netlist: dict, port: str = CLOCK) -> int:
    """Drive every input pin on the top's clock `port` from a LUT4 passing the port; the number of
    pins moved (0: no such port, or it already has a buffer)."""
    found = _top(netlist)
    if found is None:
        return 0
    _, module = found
    bits = module.get("ports", {}).get(port, {}).get("bits") or []
    if len(bits) != 1 or not isinstance(bits[0], int) or CELL in module.get("cells", {}):
        return 0
    clock = bits[0]
    used = [b for net in module.get("netnames", {}).values() for b in net.get("bits", []) if isinstance(b, int)]
    used += [b for cell in module.get("cells", {}).values() for conn in cell.get("connections", {}).values()
             for b in conn if isinstance(b, int)]
    glob = max(used, default=clock) + 1
    moved = 0
    for cell in module.get("cells", {}).values():
        directions = cell.get("port_directions", {})
        for pin, conn in cell.get("connections", {}).items():
            if directions.get(pin) == "input" and clock in conn:
                cell["connections"][pin] = [glob if b == clock else b for b in conn]
                moved += conn.count(clock)
    if not moved:
        return 0
    module["cells"][CELL] = {"hide_name": 0, "type": BUFFER, "parameters": {"INIT": PASS_A}, "attributes": {},
                             "port_directions": {"A": "input", "B": "input", "C": "input", "D": "input", "Z": "output"},
                             "connections": {"A": [clock], "B": ["0"], "C": ["0"], "D": ["0"], "Z": [glob]}}
    module.setdefault("netnames", {})[GLOBAL_NET] = {"hide_name": 0, "bits": [glob], "attributes": {}}
    return moved


def buffer_file(path: Path, port: str = CLOCK) -> int:
    """buffer_clock on the netlist file `path`, rewritten in place when a pin moved."""
    path = Path(path)
    netlist = json.loads(path.read_text())
    moved = buffer_clock(netlist, port)
    if moved:
        write_json(path, netlist, indent=None, sort_keys=False)
    return moved


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python -m generator.tools.ecp5_clock_buffer NETLIST.json [CLOCK_PORT]", file=sys.stderr)
        return 2
    moved = buffer_file(Path(argv[0]), *argv[1:])
    print(f"{argv[0]}: {moved} clock pins on a global clock" if moved else f"{argv[0]}: clock left as it was")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
