"""Block RAM output registers on ECP5: a pass over Yosys' JSON netlist, between synth_ecp5 and
nextpnr-ecp5, that moves the flip-flop behind each block RAM read into the block RAM itself.

Every weight and threshold read of axgen's RTL is registered (rtl/axgen_rom.v, MEM_REG in
rtl/axgen_mvau.v): a synchronous read, which Yosys maps to a DP16KD, then a register. A DP16KD has
that register inside (REGMODE "OUTREG"), but synth_ecp5 never uses it (its memory library has no
output-register option), so the read's clock-to-out (5.8 ns at speed grade 6, without the output
register) plus the route to a flip-flop in the fabric is a path of its own, and a placer that puts
the flip-flop a few slices away misses 125 MHz (CNV: 5.8 + 3.1 ns). With the register inside, the
block's clock-to-out is 1 ns: what Lattice's own synthesis and Vivado (DOA_REG) do by themselves.

A read port's output register is used only when the move changes no output bit at any cycle:
every connected data output of the block RAM drives exactly one flip-flop and nothing else, each
such flip-flop is clocked by the port's clock on the same edge, always enabled, and has no set or
reset; the port's own reset is tied off. Then each flip-flop is removed, the block RAM's output
drives the flip-flop's net, REGMODE becomes OUTREG and the output clock enable is tied to 1
(it gates only the output register). A block RAM that fails any condition is left as it was.

    python -m generator.tools.ecp5_bram_outreg netlist.json   # rewrites the file in place
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from generator.outputs import write_json

VERSION = "2"  # part of the cache key of every placement: a change here places again
BRAM = "DP16KD"
FF = "TRELLIS_FF"
PORTS = ("A", "B")


def _data_outputs(cell: dict, port: str) -> list[str]:
    return [name for name in cell["connections"] if name.startswith(f"DO{port}") and name[3:].isdigit()]


def _tied(cell: dict, pin: str, value: str) -> bool:
    """Pin `pin` of `cell` is the constant `value` (or not connected, for a tie to 0)."""
    bits = cell["connections"].get(pin)
    return bits == [value] or (bits is None and value == "0")


def _plain_ff(ff: dict) -> bool:
    """A flip-flop without enable, set or reset, on the rising edge."""
    p = ff.get("parameters", {})
    ce_mux, lsr_mux = str(p.get("CEMUX", "1")).strip(), str(p.get("LSRMUX", "LSR")).strip()
    enabled = ce_mux == "1" or ce_mux == "CE" and _tied(ff, "CE", "1")
    no_reset = lsr_mux == "LSR" and _tied(ff, "LSR", "0")
    return enabled and no_reset and str(p.get("CLKMUX", "CLK")).strip() == "CLK"


def _pdp(cell: dict) -> bool:
    """Pseudo dual port (36-bit words): port B reads all 36 bits, DOA and DOB."""
    width = str(cell.get("parameters", {}).get("DATA_WIDTH_B", "0"))
    return (int(width, 2) if set(width) <= {"0", "1"} and len(width) > 8 else int(width or 0)) == 36


def _loads(module: dict) -> dict:
    """Net bit -> the (cell, pin) inputs it drives; a module output counts as a load of its own."""
    loads = defaultdict(list)
    for name, cell in module["cells"].items():
        directions = cell.get("port_directions", {})
        for pin, bits in cell["connections"].items():
            if directions.get(pin, "input") != "output":
                for bit in bits:
                    if isinstance(bit, int):
                        loads[bit].append((name, pin))
    for port in module.get("ports", {}).values():
        if port.get("direction") != "input":
            for bit in port["bits"]:
                if isinstance(bit, int):
                    loads[bit].append((None, "port"))
    return loads


def _absorbable(module: dict, bram: dict, loads: dict) -> dict | None:
    """{data output pin: flip-flop name} when every condition of the module docstring holds."""
    cells = module["cells"]
    pdp = _pdp(bram)
    moves = {}
    for port in PORTS:
        clock_port = "B" if pdp else port
        clock = bram["connections"].get(f"CLK{clock_port}")
        inverted = str(bram.get("parameters", {}).get(f"CLK{clock_port}MUX", f"CLK{clock_port}")).strip() == "INV"
        for pin in _data_outputs(bram, port):
            bit = bram["connections"][pin][0]
            if not isinstance(bit, int) or not loads.get(bit):
                continue  # an output nothing reads
            if len(loads[bit]) != 1 or loads[bit][0][1] != "DI" or inverted:
                return None
            ff = cells[loads[bit][0][0]]
            if ff["type"] != FF or not _plain_ff(ff) or ff["connections"].get("CLK") != clock:
                return None
            moves[pin] = loads[bit][0][0]
        if any(pin.startswith(f"DO{port}") for pin in moves) and not _tied(bram, f"RST{clock_port}", "0"):
            return None
    return moves or None


def absorb(netlist: dict) -> int:
    """Move the registers behind block RAM reads into the block RAMs, in place; the number of
    flip-flops moved."""
    moved = 0
    for module in netlist.get("modules", {}).values():
        cells = module.get("cells") or {}
        if not any(c["type"] == BRAM for c in cells.values()):
            continue
        loads = _loads(module)
        for name in sorted(n for n, c in cells.items() if c["type"] == BRAM):
            bram = cells[name]
            params = bram.setdefault("parameters", {})
            if any(str(params.get(f"REGMODE_{p}", "NOREG")).strip() != "NOREG" for p in PORTS):
                continue
            moves = _absorbable(module, bram, loads)
            if not moves:
                continue
            for pin, ff_name in sorted(moves.items()):
                bram["connections"][pin] = list(cells[ff_name]["connections"]["Q"])
                del cells[ff_name]
            # the block's read port(s): both halves of a 36-bit read come from port B's register
            ports = PORTS if _pdp(bram) else sorted({pin[2] for pin in moves})
            for port in ports:
                params[f"REGMODE_{port}"] = "OUTREG"
                bram["connections"][f"OCE{port}"] = ["1"]
            moved += len(moves)
    return moved


def absorb_file(path: Path) -> int:
    """`absorb` on the netlist file at `path`, rewritten in place; the flip-flops moved."""
    netlist = json.loads(Path(path).read_text())
    moved = absorb(netlist)
    if moved:
        write_json(Path(path), netlist, indent=None, sort_keys=False)
    return moved


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m generator.tools.ecp5_bram_outreg NETLIST.json", file=sys.stderr)
        return 2
    try:
        moved = absorb_file(Path(argv[0]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"ecp5_bram_outreg: {argv[0]}: not a Yosys JSON netlist ({exc})", file=sys.stderr)
        return 1
    print(f"{argv[0]}: {moved} flip-flops moved into block RAM output registers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
